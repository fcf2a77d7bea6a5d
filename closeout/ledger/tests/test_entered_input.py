"""What the services take of what people enter: a falling progress needs a reason and
is followed; the dates of reports, on-site checks, look-backs and the task's own dates
are held to `rules.dates`; every text to its `rules.limits` limit. A refusal names the
field and leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from closeout.ledger import clock, services
from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import AuditEvent, Escalation, Milestone, ProgressReport, Task
from closeout.ledger.rules import limits
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.loopworld import DAY, bring, closed_lookback


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the catalog makes them Chinese by default)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

D = dt.date
MONDAY = D(2025, 3, 3)  # task `own` started on 2018-07-02; reports are weekly


def report(world, **kwargs):
    kwargs.setdefault("text", "本周进展")
    return services.report_create(actor=world.actor("unit_env"), task_id=world.own.pk, **kwargs)


def refused(field: str, call, *words: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        call()
    assert error.value.field == field, error.value.message
    assert all(word in error.value.message for word in words), error.value.message
    return error.value


def progress(world) -> int:
    return Task.objects.get(pk=world.own.pk).progress


# --- progress that falls -------------------------------------------------------------


def test_a_fall_without_a_reason_is_refused_and_nothing_is_kept(world):
    with clock.frozen_at(MONDAY):
        report(world, percent=100)
        reports = ProgressReport.objects.count()
        refused("reason", lambda: report(world, percent=10), "100%", "10%")
        refused("reason", lambda: report(world, percent=10, reason="   "))
    assert ProgressReport.objects.count() == reports
    assert progress(world) == 100


def test_a_fall_with_a_reason_is_followed_and_the_reason_kept(world):
    with clock.frozen_at(MONDAY):
        report(world, percent=100)
    with clock.frozen_at(MONDAY + dt.timedelta(days=7)):
        fallen = report(world, percent=10, reason=" 回头看发现底泥反弹,重新清淤 ")
    assert progress(world) == 10  # the latest report is the truth
    assert fallen.reason == "回头看发现底泥反弹,重新清淤"
    event = AuditEvent.objects.filter(action="report.create").latest("id")
    assert event.before == {"progress": 100}
    assert event.after["progress"] == 10 and event.after["reason"] == fallen.reason


@pytest.mark.parametrize(
    ("first", "kwargs", "after"),
    [
        (40, {"percent": 60}, 60),  # rising: no reason
        (60, {"percent": 60}, 60),  # the same
        (100, {}, 100),  # a text-only report states no progress
        (0, {"percent": 0}, 0),
    ],
)
def test_no_reason_is_asked_when_nothing_falls(world, first, kwargs, after):
    with clock.frozen_at(MONDAY):
        report(world, percent=first)
        report(world, **kwargs)
    assert progress(world) == after


def test_a_milestone_reached_counts_in_what_the_report_states(world):
    milestone = Milestone.objects.create(
        task=world.own, seq=1, title="完成方案", due_date=D(2025, 6, 30), expected_progress=30
    )
    with clock.frozen_at(MONDAY):
        report(world, percent=50)
        # 10% but the milestone says 30%: still a fall from 50%, and it says so.
        refused("reason", lambda: report(world, percent=10, milestone_id=milestone.pk), "30%")
        report(world, percent=10, milestone_id=milestone.pk, reason="方案重新编制")
    assert progress(world) == 30


def test_a_late_report_for_an_earlier_week_leaves_the_progress_alone(world):
    with clock.frozen_at(MONDAY):
        report(world, percent=80)
        late = report(world, percent=20, period=MONDAY - dt.timedelta(days=14), text="补报")
    assert late.period_start == MONDAY - dt.timedelta(days=14) and late.reason == ""
    assert progress(world) == 80
    assert Task.objects.get(pk=world.own.pk).last_report_period == MONDAY


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "words"),
    [
        (D(1999, 12, 31), ["1999-12-31", "2000-01-01"]),
        (D(202, 3, 3), ["0202-03-03"]),
        (MONDAY + dt.timedelta(days=1), ["future", "2025-03-03"]),  # a day still to come
        (D(2125, 3, 3), ["20"]),
    ],
)
def test_a_report_period_out_of_range_is_refused(world, period, words):
    with clock.frozen_at(MONDAY):
        refused("period", lambda: report(world, period=period), *words)
    assert not ProgressReport.objects.exists()


def test_a_report_for_a_period_before_the_task_started_is_refused(world):
    with clock.frozen_at(MONDAY):
        refused("period", lambda: report(world, period=D(2018, 6, 1)), "2018-07-02")


def _verify(world, checked_on: object):
    return services.task_transition(
        actor=world.actor("office"),
        task_id=world.own.pk,
        name="verify",
        note="现场核查:整改到位",
        data={"checked_on": checked_on, "inspectors": "市督导组 张三"},
    )


@pytest.mark.parametrize(
    ("checked_on", "words"),
    [
        ("2018-07-01", ["2018-07-01", "start", "2018-07-02"]),
        ("1999-06-09", ["1999-06-09", "2000-01-01"]),
        ("2099-01-01", ["2099-01-01"]),
    ],
)
def test_an_on_site_check_out_of_range_is_refused(world, checked_on, words):
    task = bring(world, Status.VERIFICATION)
    with clock.frozen_at(task.notice_until + dt.timedelta(days=2)):
        refused("checked_on", lambda: _verify(world, checked_on), *words)
        assert Task.objects.get(pk=task.pk).status == Status.VERIFICATION
        _verify(world, "2018-07-02")  # the start date itself is a possible day
    assert Task.objects.get(pk=task.pk).status == Status.VERIFIED


def test_a_look_back_dated_before_the_closing_or_in_the_future_is_refused(world):
    check = closed_lookback(bring(world, Status.CLOSED))
    closed = check.closed_on

    def record(day: dt.date):
        return services.lookback_record(
            actor=world.actor("supervisor"),
            check_id=check.pk,
            rebound=False,
            findings="未发现反弹",
            checked_on=day,
        )

    with clock.frozen_at(check.due_on):
        refused("checked_on", lambda: record(closed - dt.timedelta(days=1)), closed.isoformat())
        refused("checked_on", lambda: record(check.due_on + dt.timedelta(days=1)), "future")
        assert record(closed).checked_on == closed


def _edit(world, **changes):
    return services.task_update(actor=world.actor("office"), task_id=world.own.pk, changes=changes)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"due_date": D(2018, 7, 1)}, "due_date", ["2018-07-01", "start date", "2018-07-02"]),
        (
            {"start_date": D(2025, 1, 1), "due_date": D(2024, 12, 31)},
            "due_date",
            ["2024-12-31", "2025-01-01"],
        ),
        ({"start_date": D(2021, 1, 1)}, "start_date", ["2021-01-01", "due date", "2020-12-31"]),
        ({"start_date": D(1900, 1, 1)}, "start_date", ["1900-01-01", "2000-01-01"]),
        ({"due_date": D(2099, 12, 31)}, "due_date", ["2099-12-31", "20"]),
        ({"text": "改" * 10001}, "text", ["10000"]),
        ({"deadline_raw": "年" * 121}, "deadline_raw", ["120"]),
    ],
)
def test_the_offices_edit_is_held_to_the_dates_and_limits(world, changes, field, words):
    with clock.frozen_at(MONDAY):
        before = Task.objects.filter(pk=world.own.pk).values().get()
        refused(field, lambda: _edit(world, **changes), *words)
    assert Task.objects.filter(pk=world.own.pk).values().get() == before


def test_the_offices_edit_takes_dates_in_order_and_leaves_old_values_alone(world):
    with clock.frozen_at(MONDAY):
        _edit(world, due_date=D(2018, 7, 2))  # due the day it starts
        _edit(world, start_date=D(2018, 1, 1), due_date=D(2030, 12, 31))
        _edit(world, due_date=None)  # no due date (长期坚持)
        # A date the plan gave, out of range, is not refused again when left as it is.
        Task.objects.filter(pk=world.own.pk).update(due_date=D(1999, 12, 31))
        _edit(world, text="修订后的任务", due_date=D(1999, 12, 31))
    task = Task.objects.get(pk=world.own.pk)
    assert (task.text, task.start_date, task.due_date) == (
        "修订后的任务",
        D(2018, 1, 1),
        D(1999, 12, 31),
    )


# --- text limits ----------------------------------------------------------------------


def _over(limit: limits.Limit) -> str:
    return "字" * (limit.chars + 1)


def test_report_texts_are_held_to_their_limits(world):
    with clock.frozen_at(MONDAY):
        refused("text", lambda: report(world, text=_over(limits.REPORT_TEXT)), "5000")
        report(world, percent=90)
        refused("reason", lambda: report(world, percent=5, reason=_over(limits.FALL_REASON)))
        report(world, text="整" * limits.REPORT_TEXT.chars)
    assert ProgressReport.objects.count() == 2


def test_a_step_note_is_held_to_its_limit(world):
    with clock.frozen_at(DAY):
        refused(
            "note",
            lambda: services.task_transition(
                actor=world.actor("office"),
                task_id=world.own.pk,
                name="cancel",
                note=_over(limits.STEP_NOTE),
            ),
            "2000",
        )
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS


def test_measure_texts_are_held_to_their_limits(world):
    office = world.actor("office")

    def issue(**kw):
        args = {"level": "supervision", "reason": "进度滞后", "cause_key": "督办〔2025〕1号"}
        return services.escalation_issue(actor=office, task_id=world.own.pk, **{**args, **kw})

    with clock.frozen_at(DAY):
        refused("reason", lambda: issue(reason=_over(limits.MEASURE_REASON)), "5000")
        refused("cause", lambda: issue(cause_key=_over(limits.MEASURE_CAUSE)), "100")
        assert not Escalation.objects.exists()
        measure = issue()
        refused(
            "response",
            lambda: services.escalation_respond(
                actor=world.actor("unit_env"),
                escalation_id=measure.pk,
                response=_over(limits.RESPONSE),
            ),
        )
        refused(
            "reason",
            lambda: services.escalation_lift(
                actor=office, escalation_id=measure.pk, reason=_over(limits.LIFT_REASON)
            ),
        )
    measure.refresh_from_db()
    assert measure.responded_at is None and measure.lifted_on is None


def test_objection_texts_are_held_to_their_limits(world):
    task = bring(world, Status.NOTICE)

    def lodge(**kw):
        args = {"text": "河道仍有异味", "name": "张先生", "contact": "13800000000"}
        return services.objection_lodge(
            actor=world.actor("public"), task_id=task.pk, **{**args, **kw}
        )

    with clock.frozen_at(task.notice_until):
        refused("text", lambda: lodge(text=_over(limits.OBJECTION_TEXT)), "5000")
        refused("name", lambda: lodge(name=_over(limits.OBJECTOR_NAME)), "100")
        refused("contact", lambda: lodge(contact=_over(limits.OBJECTOR_CONTACT)), "100")
        objection = lodge()
        refused(
            "answer",
            lambda: services.objection_answer(
                actor=world.actor("supervisor"),
                objection_id=objection.pk,
                answer=_over(limits.ANSWER),
            ),
        )
        refused(
            "reason",
            lambda: services.objection_mark_spam(
                actor=world.actor("office"),
                objection_id=objection.pk,
                reason=_over(limits.SPAM_REASON),
            ),
        )
    objection.refresh_from_db()
    assert objection.answered_at is None and objection.spam_at is None


def test_look_back_findings_are_held_to_their_limit(world):
    check = closed_lookback(bring(world, Status.CLOSED))
    with clock.frozen_at(check.due_on):
        refused(
            "findings",
            lambda: services.lookback_record(
                actor=world.actor("supervisor"),
                check_id=check.pk,
                rebound=False,
                findings=_over(limits.LOOKBACK_FINDINGS),
            ),
            "5000",
        )
