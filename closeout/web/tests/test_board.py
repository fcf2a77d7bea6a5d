"""The leader board (挂图作战): who sees it, what its figures are, and its charts.

The periods are written here as the sweep would freeze them (closeout.ledger.models
.snapshots), so that the board's reads are checked against figures known in advance.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AuditEvent,
    Indicator,
    IndicatorReading,
    Snapshot,
    SnapshotKind,
    SnapshotRow,
)
from closeout.ledger.selectors import board as reads
from closeout.ledger.services import indicators as indicator_services

pytestmark = pytest.mark.django_db

MONDAYS = [dt.date(2025, 5, 19) + dt.timedelta(weeks=i) for i in range(3)]


def _freeze(world, start, counts, *, units=None, due=None):
    """One period: `counts` by bucket in the category dimension, `units` as
    {unit: {bucket: (tasks, missed, rebounds)}}, `due` as {"YYYY-MM": {bucket: n}}."""
    snap = Snapshot.objects.create(
        period_start=start,
        period_end=start + dt.timedelta(days=6),
        as_of=start + dt.timedelta(days=6),
        taken_at=timezone.now(),
        tasks=sum(counts.values()),
    )
    rows = [
        SnapshotRow(
            snapshot=snap,
            plan=world.plan,
            kind=SnapshotKind.CATEGORY,
            key="water",
            bucket=b,
            tasks=n,
        )
        for b, n in counts.items()
    ]
    for unit, buckets in (units or {}).items():
        rows += [
            SnapshotRow(
                snapshot=snap,
                plan=world.plan,
                kind=SnapshotKind.UNIT,
                unit=unit,
                bucket=b,
                tasks=t,
                missed=m,
                rebounds=r,
            )
            for b, (t, m, r) in buckets.items()
        ]
    for key, buckets in (due or {}).items():
        rows += [
            SnapshotRow(
                snapshot=snap, plan=world.plan, kind=SnapshotKind.DUE, key=key, bucket=b, tasks=n
            )
            for b, n in buckets.items()
        ]
    SnapshotRow.objects.bulk_create(rows)
    return snap


@pytest.fixture
def frozen(world):
    _freeze(world, MONDAYS[0], {"on_schedule": 6, "behind": 3, "overdue": 1})
    _freeze(world, MONDAYS[1], {"done": 2, "on_schedule": 5, "behind": 2, "overdue": 1})
    _freeze(
        world,
        MONDAYS[2],
        {"done": 4, "sustained": 1, "on_schedule": 3, "behind": 1, "overdue": 1},
        units={
            world.env: {"overdue": (1, 0, 0), "behind": (1, 1, 0), "done": (3, 0, 0)},
            world.water: {"behind": (0, 0, 0), "on_schedule": (3, 2, 1)},
            world.district_env: {"done": (2, 0, 0)},
        },
        due={
            "2025-06": {"done": 4, "overdue": 1},
            "2025-09": {"on_schedule": 3, "behind": 1},
            "": {"sustained": 1},
        },
    )
    return world


def test_the_series_is_oldest_first_with_every_bucket(frozen):
    series = reads.bucket_series(frozen.actor("leader"))
    assert [p.period_start for p in series] == MONDAYS
    assert [p.total for p in series] == [10, 10, 10]
    assert [p.open for p in series] == [10, 8, 5]
    assert series[-1].buckets == {
        "done": 4,
        "sustained": 1,
        "on_schedule": 3,
        "behind": 1,
        "overdue": 1,
    }
    assert series[-1].share("done") == 0.4


def test_units_are_ranked_by_overdue_then_behind_then_missed_reports(frozen):
    ranking = reads.unit_ranking(frozen.actor("office"))
    assert [r.unit_id for r in ranking] == [frozen.env.pk, frozen.water.pk]
    env, water = ranking
    assert (env.overdue, env.behind, env.missed, env.tasks) == (1, 1, 1, 5)
    assert (water.overdue, water.behind, water.missed, water.rebounds) == (0, 0, 2, 1)
    # a unit with nothing lagging, missed or rebounded is not on the list
    assert frozen.district_env.pk not in {r.unit_id for r in ranking}


def test_the_burn_down_has_the_actual_and_the_planned_line(frozen):
    points = reads.burn_down(frozen.actor("leader"))
    by_date = {p.date: p for p in points}
    last = MONDAYS[2] + dt.timedelta(days=6)
    # five open tasks, none of them without a due date
    assert by_date[last].actual == 5
    # nine tasks are dated; five were due in June (ending after this period)
    assert by_date[last].planned == 9
    assert by_date[dt.date(2025, 6, 30)] == reads.BurnPoint(dt.date(2025, 6, 30), None, 4)
    assert by_date[dt.date(2025, 9, 30)].planned == 0


@pytest.mark.parametrize("role", ["unit_env", "supervisor", "public"])
def test_only_the_office_and_leaders_see_the_board(frozen, client, role):
    if role != "public":
        client.force_login(frozen.users[role])
    response = client.get(reverse("web:board"))
    assert response.status_code == (302 if role == "public" else 403)
    chart = client.get(reverse("web:board_chart", args=["buckets", "svg"]))
    assert chart.status_code == (302 if role == "public" else 403)


def test_the_board_page_shows_the_latest_period_and_links_to_the_ledger(frozen, client):
    client.force_login(frozen.users["leader"])
    response = client.get(reverse("web:board"))
    assert response.status_code == 200
    html = response.content.decode()
    cells = {c["bucket"]: c["tasks"] for c in response.context["latest_cells"]}
    assert cells == {"done": 4, "sustained": 1, "on_schedule": 3, "behind": 1, "overdue": 1}
    assert f"?unit={frozen.env.pk}&amp;unit_role=lead&amp;bucket=overdue" in html
    # every chart is an image of this server; no script comes from anywhere else
    assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', html))
    for src in re.findall(r'<img src="([^"]+)"', html):
        assert src.startswith("/board/")


@pytest.mark.parametrize("name", ["buckets", "ranking", "burndown"])
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_each_chart_draws_and_downloads(frozen, client, name, fmt):
    client.force_login(frozen.users["office"])
    url = reverse("web:board_chart", args=[name, fmt])
    response = client.get(url, {"plan": frozen.plan.pk})
    assert response.status_code == 200
    body = response.content
    if fmt == "svg":
        assert response["Content-Type"] == "image/svg+xml"
        assert body.startswith(b"<svg")
        assert b"http" not in body.replace(b"http://www.w3.org", b"")
    else:
        assert response["Content-Type"] == "image/png"
        assert body.startswith(b"\x89PNG")
    download = client.get(url, {"plan": frozen.plan.pk, "download": 1})
    assert (
        download["Content-Disposition"] == f'attachment; filename="{name}-{frozen.plan.pk}.{fmt}"'
    )


@pytest.mark.parametrize(
    "path", ["/board/charts/nope.svg", "/board/charts/buckets.gif", "/board/?plan=999999"]
)
def test_unknown_charts_formats_and_plans_are_404(frozen, client, path):
    client.force_login(frozen.users["office"])
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", ["?plan=abc", "?plan=-1", "?plan=99999999999999999999"])
def test_a_malformed_plan_shows_the_whole_board(frozen, client, query):
    client.force_login(frozen.users["office"])
    response = client.get(reverse("web:board") + query)
    assert response.status_code == 200
    assert response.context["scope"].plan is None


def test_an_empty_ledger_says_that_no_period_is_frozen(world, client):
    client.force_login(world.users["leader"])
    response = client.get(reverse("web:board"))
    assert response.status_code == 200
    assert 'data-testid="board-empty"' in response.content.decode()


def test_the_problem_timeline_lists_the_tasks_and_draws(world, client):
    client.force_login(world.users["leader"])
    problem = world.own.problem
    response = client.get(reverse("web:problem_timeline", args=[problem.pk]))
    assert response.status_code == 200
    assert [r["task"].task_id for r in response.context["rows"]] == [
        world.own.pk,
        world.child.pk,
        world.foreign.pk,
    ]
    svg = client.get(reverse("web:problem_timeline_chart", args=[problem.pk, "svg"]))
    assert svg.status_code == 200 and svg.content.startswith(b"<svg")


def test_the_office_sets_an_indicator_and_records_values(world, client):
    client.force_login(world.users["office"])
    response = client.post(
        reverse("web:indicator_add", args=[world.plan.pk]),
        {
            "indicator-name": "PM2.5 年均浓度",
            "indicator-measure_unit": "微克/立方米",
            "indicator-direction": "at_most",
            "indicator-target": "45",
            "indicator-target_date": "2020-12-31",
            "indicator-baseline": "63",
            "indicator-baseline_date": "2017-12-31",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(plan=world.plan)
    url = reverse("web:reading_record", args=[indicator.pk])
    client.post(
        url, {f"reading-{indicator.pk}-date": "2019-12-31", f"reading-{indicator.pk}-value": "52"}
    )
    client.post(
        url, {f"reading-{indicator.pk}-date": "2020-12-31", f"reading-{indicator.pk}-value": "44"}
    )
    # a corrected figure for the same day replaces the value; the audit keeps both
    client.post(
        url, {f"reading-{indicator.pk}-date": "2020-12-31", f"reading-{indicator.pk}-value": "44.5"}
    )
    assert list(IndicatorReading.objects.values_list("value", flat=True)) == [
        Decimal("52"),
        Decimal("44.5"),
    ]
    assert AuditEvent.objects.filter(action="indicator.reading").count() == 3
    track = reads.plan_indicators(world.actor("leader"), world.plan)[0]
    assert track.met is True
    page = client.get(reverse("web:board"), {"plan": world.plan.pk})
    assert 'data-testid="met"' in page.content.decode()
    assert client.get(reverse("web:indicator_chart", args=[indicator.pk, "png"])).status_code == 200


def test_indicator_values_are_refused_with_the_field_named(world):
    office = world.actor("office")
    indicator = indicator_services.add_indicator(
        office,
        world.plan.pk,
        name="优良天数比例",
        direction="at_least",
        target=Decimal("80"),
        target_date=dt.date(2020, 12, 31),
    )
    from closeout.ledger.errors import InvalidInput, NotPermitted

    with pytest.raises(InvalidInput) as e:
        indicator_services.record_reading(
            office, indicator.pk, date=dt.date(2030, 1, 1), value=Decimal("1")
        )
    assert e.value.field == "date"
    with pytest.raises(InvalidInput) as e:
        indicator_services.add_indicator(
            office,
            world.plan.pk,
            name="优良天数比例",
            direction="at_least",
            target=Decimal("1"),
            target_date=dt.date(2020, 1, 1),
        )
    assert e.value.field == "name"
    with pytest.raises(NotPermitted):
        indicator_services.record_reading(
            world.actor("leader"), indicator.pk, date=dt.date(2020, 1, 1), value=Decimal("1")
        )
    assert Actor.of(None).role == "public"


def test_the_problem_roll_up_links_each_problem_to_its_timeline_for_the_board(world, client):
    url = reverse("web:problem_timeline", args=[world.own.problem_id])
    client.force_login(world.users["leader"])
    assert url in client.get(reverse("web:problem_list")).content.decode()
    client.force_login(world.users["unit_env"])
    assert url not in client.get(reverse("web:problem_list")).content.decode()


def test_the_figures_are_kept_until_a_sweep_rewrites_the_snapshot(frozen):
    leader = frozen.actor("leader")
    assert reads.bucket_series(leader)[-1].buckets["overdue"] == 1
    latest = Snapshot.objects.order_by("-period_start").first()
    SnapshotRow.objects.filter(
        snapshot=latest, kind=SnapshotKind.CATEGORY, bucket="overdue"
    ).update(tasks=7)
    assert reads.bucket_series(leader)[-1].buckets["overdue"] == 1  # from the cache
    latest.taken_at = timezone.now() + dt.timedelta(seconds=1)  # as a sweep rewrites it
    latest.save(update_fields=["taken_at"])
    assert reads.bucket_series(leader)[-1].buckets["overdue"] == 7
