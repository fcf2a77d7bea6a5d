"""The circular's charts (调度通报的图表) as PNG: the bucket shares of the periods up to
the circular's, and the units most behind. Drawn with Altair and vl-convert like the
leader board's (`closeout.web.charts`, same colours per bucket), but pure (no Django,
no cache: a circular is written rarely) and with the Chinese words of the document.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from closeout.documents.circular import BUCKET_WORDS, BucketLine, UnitLine

WIDTH = 560
FONT = "Noto Sans CJK SC, Source Han Sans SC, SimHei, Microsoft YaHei, sans-serif"
COLOURS = {
    "done": "#2e7d32",
    "sustained": "#00897b",
    "on_schedule": "#1e66c1",
    "behind": "#e69b00",
    "overdue": "#c62828",
}  # as on the board


def _png(chart: Any, title: str) -> bytes:
    import vl_convert

    spec = (
        chart.properties(title=title, width=WIDTH)
        .configure(font=FONT)
        .configure_view(stroke=None)
        .to_dict(validate=False)
    )
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    return bytes(vl_convert.vegalite_to_png(text, scale=2))


def bucket_shares(periods: Sequence[tuple[dt.date, Sequence[BucketLine]]]) -> bytes:
    """Stacked shares of the buckets in each period (its last day, its buckets)."""
    import altair as alt

    keys = list(BUCKET_WORDS)
    values = [
        {"period": end.strftime("%m-%d"), "bucket": BUCKET_WORDS[b.key],
         "order": keys.index(b.key), "tasks": b.count}
        for end, lines in periods
        for b in lines
        if b.key in BUCKET_WORDS
    ]  # fmt: skip
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X("period:O", title="调度周期截止日"),
            y=alt.Y("tasks:Q", stack="normalize", title="任务占比", axis=alt.Axis(format="%")),
            color=alt.Color(
                "bucket:N",
                scale=alt.Scale(domain=list(BUCKET_WORDS.values()), range=list(COLOURS.values())),
                title="序时进度",
            ),
            order=alt.Order("order:Q"),
        )
        .properties(height=240)
    )
    return _png(chart, "各期整改任务序时进度占比")


def unit_ranking(rows: Sequence[UnitLine]) -> bytes:
    """The units most behind: their overdue and behind tasks, stacked, most first."""
    import altair as alt

    values = [
        {"unit": r.unit, "rank": i, "what": word, "tasks": n}
        for i, r in enumerate(rows)
        for word, n in (("逾期", r.overdue), ("滞后", r.behind))
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", sort=alt.EncodingSortField("rank", order="ascending"), title=None),
            x=alt.X("tasks:Q", title="任务数"),
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=["逾期", "滞后"],
                                range=[COLOURS["overdue"], COLOURS["behind"]]),
                title="序时进度",
            ),
        )
        .properties(height=max(80, 22 * len(rows)))
    )  # fmt: skip
    return _png(chart, "逾期、滞后任务较多的责任单位")


__all__ = ["bucket_shares", "unit_ranking"]
