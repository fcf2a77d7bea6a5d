"""The leader board's charts: Vega-Lite specifications built with Altair from the board's
reads (closeout.ledger.selectors.board), rendered on the server to SVG or PNG with
vl-convert. Nothing is loaded by the browser but the image the server made: no script, no
CDN, no font from elsewhere, so the board works on an office network without internet
and every chart can be downloaded as it is shown.

A rendering is cached by the specification's digest: the same data draws the same chart,
so a period's charts are drawn once however many leaders open the board.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import altair as alt
from django.core.cache import cache
from django.utils.translation import gettext as _

from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.selectors.board import (
    BurnPoint,
    IndicatorTrack,
    PeriodCounts,
    ProblemTimeline,
    UnitLag,
)

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
WIDTH = 640
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
# One colour per bucket everywhere on the board, in the order of the buckets.
BUCKET_COLOURS = {
    Bucket.DONE: "#2e7d32",
    Bucket.SUSTAINED: "#00897b",
    Bucket.ON_SCHEDULE: "#1e66c1",
    Bucket.BEHIND: "#e69b00",
    Bucket.OVERDUE: "#c62828",
}
CACHE_SECONDS = 24 * 3600


def _bucket_scale() -> alt.Scale:
    return alt.Scale(
        domain=[str(b.label) for b in Bucket],
        range=[BUCKET_COLOURS[b] for b in Bucket],
    )


def _config(chart: Any, title: str) -> dict[str, Any]:
    spec = (
        chart.properties(title=title, width=WIDTH)
        .configure(font=FONT)
        .configure_view(stroke=None)
        .to_dict(validate=False)
    )
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v5.json"
    return spec


def bucket_shares(series: Sequence[PeriodCounts]) -> dict[str, Any]:
    """Stacked shares of the buckets in each frozen period."""
    values = [
        {
            "period": p.period_end.isoformat(),
            "bucket": str(Bucket(b).label),
            "order": i,
            "tasks": p.buckets.get(b, 0),
        }
        for p in series
        for i, b in enumerate(Bucket.values)
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X("period:T", title=_("Period ending"), axis=alt.Axis(format="%m-%d")),
            y=alt.Y(
                "tasks:Q", stack="normalize", title=_("Share of tasks"), axis=alt.Axis(format="%")
            ),
            color=alt.Color("bucket:N", scale=_bucket_scale(), title=_("Schedule status")),
            order=alt.Order("order:Q"),
            tooltip=["period:T", "bucket:N", "tasks:Q"],
        )
        .properties(height=260)
    )
    return _config(chart, _("Schedule status over time"))


def unit_ranking(rows: Sequence[UnitLag]) -> dict[str, Any]:
    """The units most behind: their overdue and behind tasks, stacked, most first."""
    values = [
        {"unit": r.name, "rank": i, "what": label, "tasks": n}
        for i, r in enumerate(rows)
        for label, n in (
            (str(Bucket.OVERDUE.label), r.overdue),
            (str(Bucket.BEHIND.label), r.behind),
        )
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", sort=alt.EncodingSortField("rank", order="ascending"), title=None),
            x=alt.X("tasks:Q", title=_("Tasks")),
            color=alt.Color(
                "what:N",
                scale=alt.Scale(
                    domain=[str(Bucket.OVERDUE.label), str(Bucket.BEHIND.label)],
                    range=[BUCKET_COLOURS[Bucket.OVERDUE], BUCKET_COLOURS[Bucket.BEHIND]],
                ),
                title=_("Schedule status"),
            ),
            tooltip=["unit:N", "what:N", "tasks:Q"],
        )
        .properties(height=max(80, 22 * len(rows)))
    )
    return _config(chart, _("Units most behind"))


def burn_down(points: Sequence[BurnPoint]) -> dict[str, Any]:
    """Open tasks over time, beside the line of closing every task by its deadline."""
    actual, planned = _("Open tasks"), _("If closed by the deadlines")
    values = [
        {"date": p.date.isoformat(), "line": label, "tasks": n}
        for p in points
        for label, n in ((actual, p.actual), (planned, p.planned))
        if n is not None
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=_("Date"), axis=alt.Axis(format="%Y-%m")),
            y=alt.Y("tasks:Q", title=_("Open tasks")),
            color=alt.Color(
                "line:N",
                scale=alt.Scale(domain=[actual, planned], range=["#1e66c1", "#9e9e9e"]),
                title=None,
                legend=alt.Legend(orient="top"),
            ),
            strokeDash=alt.StrokeDash("line:N", legend=None),
            tooltip=["date:T", "line:N", "tasks:Q"],
        )
        .properties(height=260)
    )
    return _config(chart, _("Burn-down towards the deadlines"))


def timeline(data: ProblemTimeline) -> dict[str, Any]:
    """One bar per task from its start to its due date, coloured by its bucket, with a
    tick on the day it was closed."""
    bars = [
        {
            "task": f"{t.seq}. {t.label}",
            "order": i,
            "start": first.isoformat(),
            "end": (t.due or first).isoformat(),
            "bucket": str(Bucket(t.bucket).label) if t.bucket else _("Not counted"),
            "progress": t.progress,
        }
        for i, t in enumerate(data.tasks)
        if (first := t.start or t.due) is not None
    ]
    closed = [
        {"task": f"{t.seq}. {t.label}", "closed": t.closed_on.isoformat()}
        for t in data.tasks
        if t.closed_on and (t.start or t.due)
    ]
    y = alt.Y("task:N", sort=alt.EncodingSortField("order", order="ascending"), title=None)
    base = alt.Chart(alt.Data(values=bars)).encode(y=y)
    chart = base.mark_bar(height=12).encode(
        x=alt.X("start:T", title=_("Date"), axis=alt.Axis(format="%Y-%m")),
        x2="end:T",
        color=alt.Color("bucket:N", scale=_bucket_scale(), title=_("Schedule status")),
        tooltip=["task:N", "start:T", "end:T", "bucket:N", "progress:Q"],
    )
    if closed:
        ticks = (
            alt.Chart(alt.Data(values=closed))
            .mark_tick(color="#111", thickness=2, size=16)
            .encode(y=y, x="closed:T", tooltip=["task:N", "closed:T"])
        )
        chart = chart + ticks
    return _config(chart.properties(height=max(80, 24 * len(bars))), data.problem.title[:60])


def indicator(track: IndicatorTrack) -> dict[str, Any]:
    """The readings of an indicator, with its target as a line."""
    i = track.indicator
    unit = f" ({i.measure_unit})" if i.measure_unit else ""
    readings = [{"date": d.isoformat(), "value": float(v)} for d, v in track.readings]
    line = (
        alt.Chart(alt.Data(values=readings))
        .mark_line(point=True, color="#1e66c1")
        .encode(
            x=alt.X("date:T", title=_("Date"), axis=alt.Axis(format="%Y-%m")),
            y=alt.Y("value:Q", title=f"{i.name}{unit}", scale=alt.Scale(zero=False)),
            tooltip=["date:T", "value:Q"],
        )
    )
    target = (
        alt.Chart(alt.Data(values=[{"target": float(i.target)}]))
        .mark_rule(color=BUCKET_COLOURS[Bucket.DONE], strokeDash=[6, 4])
        .encode(y="target:Q")
    )
    return _config((line + target).properties(height=220), i.name)


def render(spec: dict[str, Any], fmt: str) -> bytes:
    """The chart drawn as SVG or PNG (ValueError for another format), cached by the
    specification's digest."""
    if fmt not in FORMATS:
        raise ValueError(f"a chart is drawn as {' or '.join(FORMATS)}, not {fmt!r}")
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    key = f"chart:{fmt}:{hashlib.sha256(text.encode()).hexdigest()}"
    drawn = cache.get(key)
    if drawn is None:
        import vl_convert

        if fmt == "svg":
            drawn = vl_convert.vegalite_to_svg(text).encode()
        else:
            drawn = bytes(vl_convert.vegalite_to_png(text, scale=2))
        cache.set(key, drawn, CACHE_SECONDS)
    return drawn
