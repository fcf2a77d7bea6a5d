"""The circular's figures (selectors.circular) and document (services.circulars): totals
from the frozen snapshot, the change since the previous period, lists as of the period,
and a past circular that says the same thing after later reports, sweeps and closings."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest

from closeout.ledger import clock, services, sweep
from closeout.ledger.errors import NotFound, NotPermitted
from closeout.ledger.models import AuditEvent, IssuedNumber, Task
from closeout.ledger.selectors.circular import circular_figures, circular_periods
from closeout.ledger.services.circulars import circular_document
from closeout.ledger.tests.factories import walk

pytestmark = pytest.mark.django_db
D = dt.date
WEEK1_END = D(2019, 3, 10)  # the week of Monday 2019-03-04


def _by_step(world, unit_name: str):
    office, supervisor, unit = (world.actor(n) for n in ("office", "supervisor", unit_name))
    return lambda step: {
        "request_closeout": unit, "pass_review": supervisor, "verify": supervisor
    }.get(step, office)  # fmt: skip


@pytest.fixture
def week1(world):
    """Three tasks due at the end of 2020, one of them (市城乡水务局's) made due on
    2019-03-01, swept on Wednesday 2019-03-06: two behind (nothing reported), one
    overdue."""
    overdue = Task.objects.filter(pk=world.foreign.pk)
    overdue.update(due_date=D(2019, 3, 1), deadline_raw="2019年3月")
    sweep.run(D(2019, 3, 6))
    return world


def _texts(data: bytes) -> list[str]:
    """Every paragraph's and table cell's text of a .docx, in order."""
    doc = docx.Document(io.BytesIO(data))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out += [cell.text for row in table.rows for cell in row.cells]
    return out


def _later_activity(world) -> None:
    """The next weeks: 市生态环境局 reports 100%, 历城区's task is closed out, sweeps."""
    with clock.frozen_at(D(2019, 3, 12)):
        services.report_create(
            actor=world.actor("unit_env"), task_id=world.own.pk, text="已完成整改", percent=100
        )
        steps = ("request_closeout", "pass_review", "end_notice", "verify", "file")
        walk(_by_step(world, "unit_licheng"), world.child, *steps)
    for day in (D(2019, 3, 13), D(2019, 3, 20), D(2019, 3, 27)):
        sweep.run(day)


def test_the_figures_are_the_snapshots_and_the_lists_as_of_its_day(week1):
    figures = circular_figures(week1.actor("office"), WEEK1_END)
    assert (figures.period_start, figures.period_end, figures.as_of) == (
        D(2019, 3, 4), WEEK1_END, D(2019, 3, 6)
    )
    assert figures.buckets == {
        "done": 0, "sustained": 0, "on_schedule": 0, "behind": 2, "overdue": 1
    }  # fmt: skip
    assert figures.previous_buckets is None and figures.change("behind") is None
    assert [t.task_id for t in figures.overdue] == [week1.foreign.pk]
    assert figures.overdue[0].days_overdue == 5 and figures.overdue[0].units == "市城乡水务局"
    assert {t.task_id for t in figures.lagging} == {week1.own.pk, week1.child.pk}
    assert figures.lagging_total == 2 and figures.overdue_total == 1
    # 市城乡水务局 (one overdue) ranks before the two units with one task behind.
    assert [u.name for u in figures.ranking[:1]] == ["市城乡水务局"]
    assert figures.units_counted == 3
    assert circular_periods(week1.actor("leader")) == [(D(2019, 3, 4), WEEK1_END)]


def test_the_change_is_since_the_previous_period(week1):
    with clock.frozen_at(D(2019, 3, 12)):
        services.report_create(
            actor=week1.actor("unit_env"), task_id=week1.own.pk, text="已完成整改", percent=100
        )
    sweep.run(D(2019, 3, 13))
    figures = circular_figures(week1.actor("leader"), D(2019, 3, 13))
    assert figures.previous_end == WEEK1_END
    assert figures.buckets["on_schedule"] == 1 and figures.buckets["behind"] == 1
    assert (figures.change("on_schedule"), figures.change("behind"), figures.change()) == (1, -1, 0)
    assert [t.task_id for t in figures.lagging] == [week1.child.pk]


def test_a_past_circular_regenerates_the_same_after_later_activity(week1):
    office = week1.actor("office")
    first = circular_document(office, period_end=WEEK1_END)
    before = _texts(first.data)
    assert "关于全市生态环境保护督察整改工作进展情况的通报" in before
    assert any("市城乡水务局" in t for t in before)

    _later_activity(week1)
    assert Task.objects.get(pk=week1.child.pk).status == "closed"
    again = circular_document(week1.actor("leader"), period_end=D(2019, 3, 5))
    assert again.number == first.number
    assert _texts(again.data) == before
    assert again.data == first.data
    assert IssuedNumber.objects.filter(kind="circular").count() == 1
    # The later weeks do see the closing and the report.
    latest = circular_figures(office, None)
    assert latest.buckets["done"] == 1 and latest.buckets["behind"] == 0


def test_each_period_and_plan_takes_its_own_number(week1):
    sweep.run(D(2019, 3, 13))
    office = week1.actor("office")
    one = circular_document(office, period_end=WEEK1_END)
    two = circular_document(office, period_end=None)
    plan = circular_document(office, period_end=None, plan_id=week1.plan.pk)
    assert len({one.number, two.number, plan.number}) == 3
    assert AuditEvent.objects.filter(action="issuednumber.create").count() == 3
    assert week1.plan.title in _texts(plan.data)[5]  # the title names the plan


@pytest.mark.parametrize("who", ["unit_env", "supervisor", "public"])
def test_units_supervisors_and_the_public_are_refused(week1, who):
    with pytest.raises(NotPermitted):
        circular_figures(week1.actor(who), WEEK1_END)
    with pytest.raises(NotPermitted):
        circular_document(week1.actor(who), period_end=WEEK1_END)


def test_a_period_without_a_snapshot_is_not_found(week1):
    with pytest.raises(NotFound, match="2019-04-01"):
        circular_figures(week1.actor("office"), D(2019, 4, 1))
    with pytest.raises(NotFound):
        circular_figures(week1.actor("office"), WEEK1_END, plan_id=99999)
