"""The sweep (`closeout sweep`): what it records, issues, lifts and schedules as of a
date, that a second run changes nothing, and the JSON the command prints."""

from __future__ import annotations

import datetime as dt
import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from closeout.ledger import clock, services, sweep
from closeout.ledger.models import (
    Escalation,
    EscalationRule,
    LookbackCheck,
    LookbackState,
    MissedReport,
    Notification,
    Objection,
    SweepRun,
    Task,
    TaskState,
)
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services import notifications
from closeout.ledger.sweep import loop
from closeout.ledger.tests.factories import take, walk

pytestmark = pytest.mark.django_db

# On PostgreSQL every test runs twice: as on a city's ledger, and with each write's rows
# staged in a temporary table first, as the sweep does on a large one (`loop.STAGE_FROM`).
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
WAYS = ["whole", "staged"] if ON_POSTGRES else ["whole"]


@pytest.fixture(autouse=True, params=WAYS)
def way(request, monkeypatch):
    if request.param == "staged":
        monkeypatch.setattr(loop, "STAGE_FROM", 0)
    return request.param


D = dt.date
# World tasks start on 2018-07-02 and are due 2020-12-31; the plan reports weekly, with
# one day of grace (a week's report is due by the Monday after it).


def _sweep_json(day: dt.date) -> dict:
    out = StringIO()
    call_command("sweep", "--as-of", day.isoformat(), "--json", "--no-mail", stdout=out)
    return json.loads(out.getvalue())


def test_the_command_prints_the_contract_and_a_second_run_changes_nothing(world):
    first = _sweep_json(D(2019, 3, 6))
    assert set(first) == {
        "as_of", "tasks", "buckets", "changed", "escalations_issued", "lookbacks_scheduled",
    }  # fmt: skip
    assert first["as_of"] == "2019-03-06" and first["tasks"] == 3
    assert set(first["buckets"]) == {"done", "sustained", "on_schedule", "behind", "overdue"}
    assert sum(first["buckets"].values()) == first["tasks"]
    assert first["changed"] > 0
    rows = (MissedReport.objects.count(), Escalation.objects.count(), Notification.objects.count())
    again = _sweep_json(D(2019, 3, 6))
    assert again["changed"] == 0 and again["escalations_issued"] == 0
    assert again["buckets"] == first["buckets"]
    assert rows == (
        MissedReport.objects.count(),
        Escalation.objects.count(),
        Notification.objects.count(),
    )


def test_a_bad_date_is_refused_with_a_clear_message(world):
    with pytest.raises(CommandError, match="2019-02-30"):
        call_command("sweep", "--as-of", "2019-02-30")


def test_drafts_and_cancelled_tasks_are_not_counted(world):
    take(world.actor("office"), world.foreign, "cancel", "duplicate")
    result = sweep.run(D(2019, 3, 6))
    assert result.tasks == 2 and sum(result.buckets.values()) == 2


def test_missing_reports_are_recorded_per_period_and_a_late_report_fills_one(world):
    # A first sweep looks back `backfill_days` (14): the periods due 2019-02-25 and 03-04.
    sweep.run(D(2019, 3, 6))
    periods = list(
        MissedReport.objects.filter(task=world.own).values_list("period_start", flat=True)
    )
    assert periods and all(p.weekday() == 0 for p in periods)
    assert periods[-1] == D(2019, 2, 25)  # the week that ended Sunday 3 March
    state = TaskState.objects.get(task=world.own)
    assert state.missed_reports == len(periods) and state.missed_since == periods[0]
    # The unit reports late for the week of 25 February: the record stays, filled.
    with clock.frozen_at(D(2019, 3, 6)):
        report = services.report_create(
            actor=world.actor("unit_env"), task_id=world.own.pk, text="补报", period=D(2019, 2, 27)
        )
    assert report.late and report.period_start == D(2019, 2, 25)
    filled = MissedReport.objects.get(task=world.own, period_start=D(2019, 2, 25))
    assert filled.report_id == report.pk and filled.filled_at is not None
    state.refresh_from_db()
    assert state.missed_reports == 0 and state.missed_since is None


def test_days_without_a_sweep_are_caught_up_but_never_further_back_than_configured(world):
    sweep.run(D(2019, 3, 6))
    sweep.run(D(2019, 3, 20))  # two weeks later
    starts = set(MissedReport.objects.filter(task=world.own).values_list("period_start", flat=True))
    assert {D(2019, 3, 4), D(2019, 3, 11)} <= starts
    sweep.run(D(2019, 6, 5))  # after a long pause: only the last `backfill_days` (14)
    later = set(
        MissedReport.objects.filter(task=world.own, period_start__gt=D(2019, 3, 11)).values_list(
            "period_start", flat=True
        )
    )
    assert later == {D(2019, 5, 20), D(2019, 5, 27)}


def test_overdue_measures_climb_the_ladder_once_per_cause_and_lift_with_it(world):
    # Due 2020-12-31: on 2021-01-01 a circular; 30 days on, supervision; 60, listed.
    for day in (D(2021, 1, 1), D(2021, 1, 2), D(2021, 1, 31), D(2021, 3, 2)):
        sweep.run(day)
    levels = list(
        Escalation.objects.filter(task=world.own, trigger="overdue")
        .order_by("id")
        .values_list("level", "cause")
    )
    assert levels == [
        ("circular", "overdue:2020-12-31"),
        ("supervision", "overdue:2020-12-31"),
        ("listed", "overdue:2020-12-31"),
    ]
    # An approved extension is a new due date: the old measures lift, none are issued
    # again for the old cause, and the new cause starts from nothing.
    services.task_update(
        actor=world.actor("office"), task_id=world.own.pk, changes={"due_date": D(2021, 6, 30)}
    )
    sweep.run(D(2021, 3, 3))
    active = Escalation.objects.filter(task=world.own, trigger="overdue", lifted_on__isnull=True)
    assert not active.exists()
    assert set(
        Escalation.objects.filter(task=world.own, trigger="overdue").values_list(
            "lifted_on", flat=True
        )
    ) == {D(2021, 3, 3)}


def test_jumping_far_issues_only_the_strongest_measure_for_a_cause(world):
    sweep.run(D(2021, 4, 15))  # 105 days overdue, first sweep ever
    overdue = Escalation.objects.filter(task=world.own, trigger="overdue")
    assert list(overdue.values_list("level", flat=True)) == ["summons"]
    measure = overdue.get()
    assert measure.size == 105 and measure.response_due > measure.issued_on
    assert measure.issued_by and measure.unit_id == world.env.pk


def test_rules_of_one_trigger_each_give_their_own_level_and_response_deadline(world):
    # The office adds a sharper due-soon step: 3 days left and behind → a reminder with 2
    # working days to respond (the default warning at 7 days gives 10).
    EscalationRule.objects.create(
        level="reminder", trigger="due_soon", threshold=3, response_days=2
    )
    sweep.run(D(2020, 12, 24))  # a Thursday, 7 days left
    sweep.run(D(2020, 12, 28))  # a Monday, 3 days left
    sweep.run(D(2020, 12, 29))
    measures = list(
        Escalation.objects.filter(task=world.own, trigger="due_soon")
        .order_by("id")
        .values_list("level", "cause", "issued_on", "response_due")
    )
    assert measures == [
        ("warning", "due_soon:2020-12-31", D(2020, 12, 24), D(2021, 1, 8)),
        ("reminder", "due_soon:2020-12-31", D(2020, 12, 28), D(2020, 12, 30)),
    ]


def test_each_measure_lifts_with_its_own_cause_only(world):
    sweep.run(D(2021, 1, 4))  # overdue, and reports missed since the first sweep
    active = Escalation.objects.filter(task=world.own, lifted_on__isnull=True)
    assert set(active.values_list("trigger", flat=True)) == {"overdue", "missed_reports"}
    with clock.frozen_at(D(2021, 1, 5)):
        services.report_create(
            actor=world.actor("unit_env"), task_id=world.own.pk, text="本周完成清淤", percent=80
        )
    sweep.run(D(2021, 1, 5))
    assert set(active.values_list("trigger", flat=True)) == {"overdue"}
    lifted = Escalation.objects.get(task=world.own, trigger="missed_reports")
    assert (lifted.lifted_on, lifted.lift_reason) == (D(2021, 1, 5), "cause_gone")


def test_measures_reach_the_units_inbox(world):
    sweep.run(D(2021, 1, 2))
    inbox = Notification.objects.filter(user=world.users["unit_env"], kind="escalation")
    assert inbox.filter(task=world.own).exists()
    assert not Notification.objects.filter(user=world.users["unit_water"], task=world.own).exists()


def _by_step(world):
    """Who takes each step: the unit requests, the supervisor reviews and verifies, the
    office does the rest (never the requester approving its own request)."""
    office, supervisor, unit = (world.actor(n) for n in ("office", "supervisor", "unit_env"))
    return lambda step: {
        "request_closeout": unit, "pass_review": supervisor, "verify": supervisor
    }.get(step, office)  # fmt: skip


def _close(world, task):
    walk(_by_step(world), task, "request_closeout", "pass_review", "end_notice", "verify", "file")


def test_lookbacks_are_scheduled_after_closing_and_reopening_voids_them(world):
    with clock.frozen_at(D(2019, 1, 31)):
        _close(world, world.own)
    task = Task.objects.get(pk=world.own.pk)
    assert task.status == Status.CLOSED
    result = sweep.run(task.closed_on + dt.timedelta(days=1))
    assert result.lookbacks_scheduled == 2
    checks = {c.months: c.due_on for c in LookbackCheck.objects.filter(task=world.own)}
    closed = task.closed_on
    assert checks[3].month == (closed.month + 2) % 12 + 1 and checks[12].year == closed.year + 1
    assert sweep.run(task.closed_on + dt.timedelta(days=2)).lookbacks_scheduled == 0
    check = LookbackCheck.objects.get(task=world.own, months=3)
    with clock.frozen_at(check.due_on):
        services.lookback_record(
            actor=world.actor("supervisor"), check_id=check.pk, rebound=True, findings="又有异味"
        )
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS and task.rebounds == 1
    states = dict(LookbackCheck.objects.filter(task=world.own).values_list("months", "state"))
    assert states == {3: LookbackState.REBOUND, 12: LookbackState.VOID}


def test_a_lookback_due_is_announced_once_even_when_it_was_already_due_when_scheduled(world):
    with clock.frozen_at(D(2019, 1, 31)):
        _close(world, world.own)
    closed = Task.objects.get(pk=world.own.pk).closed_on
    inbox = Notification.objects.filter(user=world.users["supervisor"], kind="lookback_due")
    # The first sweep comes half a year after the closing: the 3-month check is due as
    # it is scheduled (counted in one item per user), the 12-month one is not.
    first = sweep.run(closed + dt.timedelta(days=200))
    assert first.lookbacks_scheduled == 2 and first.details()["lookbacks_due"] == 1
    notified = dict(
        LookbackCheck.objects.filter(task=world.own).values_list("months", "notified_on")
    )
    assert notified == {3: closed + dt.timedelta(days=200), 12: None}
    assert list(inbox.values_list("task", "count")) == [(None, 1)]
    with translation.override("zh-hans"):
        assert "1 项系统启用前已销号任务的回头看已到期" in notifications.render(inbox.get())
    assert (
        not Notification.objects.filter(kind="lookback_due")
        .exclude(user__profile__unit=world.supervising)
        .exists()
    )
    assert sweep.run(closed + dt.timedelta(days=200)).changed == 0 and inbox.count() == 1
    # The 12-month check falls due later: an item of its own, for the task.
    due = LookbackCheck.objects.get(task=world.own, months=12).due_on
    assert sweep.run(due - dt.timedelta(days=1)).details()["lookbacks_due"] == 0
    assert sweep.run(due).details()["lookbacks_due"] == 1
    assert LookbackCheck.objects.get(task=world.own, months=12).notified_on == due
    assert list(inbox.order_by("id").values_list("task", "count")) == [
        (None, 1),
        (world.own.pk, 1),
    ]
    assert sweep.run(due + dt.timedelta(days=1)).details()["lookbacks_due"] == 0
    assert inbox.count() == 2


def test_the_sweep_ends_a_notice_only_when_its_days_ran_and_objections_are_answered(world):
    office = world.actor("office")
    with clock.frozen_at(D(2019, 9, 27)):  # a Friday before the National Day week
        walk(_by_step(world), world.own, "request_closeout", "pass_review")
        objection = services.objection_lodge(
            actor=world.actor("public"), task_id=world.own.pk, text="河道仍有垃圾"
        )
    until = Task.objects.get(pk=world.own.pk).notice_until
    # 5 working days from Friday 27 Sept: 27, 29 (a make-up Sunday), 30, 8 and 9 Oct.
    assert until == D(2019, 10, 9)
    sweep.run(D(2019, 10, 9))
    assert Task.objects.get(pk=world.own.pk).status == Status.NOTICE
    sweep.run(D(2019, 10, 10))  # the days ran out, but the objection is unanswered
    assert Task.objects.get(pk=world.own.pk).status == Status.NOTICE
    with clock.frozen_at(D(2019, 10, 10)):
        services.objection_answer(actor=office, objection_id=objection.pk, answer="已清理")
    result = sweep.run(D(2019, 10, 11))
    assert result.details()["notices_ended"] == 1
    assert Task.objects.get(pk=world.own.pk).status == Status.VERIFICATION
    assert Objection.objects.get(pk=objection.pk).answered_at is not None


def test_a_task_sent_back_from_notice_owes_again_the_reports_it_left_missing(world):
    sweep.run(D(2019, 3, 6))
    left = MissedReport.objects.filter(task=world.own, report=None).order_by("period_start")
    owed = (left.count(), left.first().period_start)
    assert owed[0] > 0
    office = world.actor("office")
    with clock.frozen_at(D(2019, 3, 7)):
        walk(_by_step(world), world.own, "request_closeout", "pass_review")
    sweep.run(D(2019, 3, 8))  # on public notice it owes no reports
    assert TaskState.objects.get(task=world.own).missed_reports == 0
    with clock.frozen_at(D(2019, 3, 8)):
        take(office, world.own, "send_back")
    state = TaskState.objects.get(task=world.own)
    assert (state.missed_reports, state.missed_since) == owed
    assert sweep.run(D(2019, 3, 8)).changed == 0


def test_explain_prints_every_rule_in_order_with_its_sql_and_runs_nothing():
    # No ledger at all: the rules and their statements are printed all the same.
    out = StringIO()
    call_command("sweep", "--explain", stdout=out)
    text = out.getvalue()
    starts = [
        text.index(f"{i}. {rule.name}: {rule.sentence}") for i, rule in enumerate(sweep.RULES, 1)
    ]
    assert starts == sorted(starts)
    assert text.count("   reads:  ") == text.count("   writes: ") == len(sweep.RULES)
    assert "INSERT INTO" in text and "UPDATE" in text and ":day" in text and "%s" not in text
    assert "twin:   closeout.ledger.rules.escalation.to_issue" in text
    assert not SweepRun.objects.exists() and not Notification.objects.exists()
