"""The units' first screens (selectors.workspace): what a responsible unit owes this
period, what a supervising unit must act on; the bulk permission check behind the queue
(`access.tasks_open_to`) against the one-task rules; queries bounded."""

from __future__ import annotations

import datetime as dt

import pytest

from closeout.ledger import access, clock, services
from closeout.ledger.errors import NotPermitted
from closeout.ledger.models import (
    LookbackCheck,
    MissedReport,
    Plan,
    ReportCycle,
    Task,
)
from closeout.ledger.rules.workflow import transition_rules
from closeout.ledger.selectors import workspace
from closeout.ledger.tests.factories import (
    VISIBLE,
    ProblemFactory,
    make_task,
    take,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 9)  # the suite's clock: a Monday, period 2025-06-09..15


def _ids(rows, attr="task"):
    return {getattr(r, attr).pk for r in rows}


def _report(world, user, task, **kw):
    return services.report_create(actor=world.actor(user), task_id=task.pk, text="进展", **kw)


def test_every_started_task_owes_a_report_for_the_current_week(world):
    for user in ("unit_env", "unit_licheng", "unit_water"):
        ws = workspace.unit_workspace(world.actor(user))
        due = {r.task.pk for r in ws.due}
        assert due == {getattr(world, name).pk for name in VISIBLE[user]}, user
        (row,) = ws.due
        assert (row.period.start, row.period.end) == (TODAY, dt.date(2025, 6, 15))
        assert row.due_by >= row.period.end


def test_a_report_for_this_period_settles_it_one_for_an_earlier_period_does_not(world):
    _report(world, "unit_env", world.own, period=dt.date(2025, 6, 3))
    assert _ids(workspace.unit_workspace(world.actor("unit_env")).due) == {world.own.pk}
    _report(world, "unit_env", world.own)
    assert not workspace.unit_workspace(world.actor("unit_env")).due


@pytest.mark.parametrize(
    ("cycle", "days", "reported_on", "due"),
    [
        (ReportCycle.WEEKLY, None, dt.date(2025, 6, 6), True),  # last week's Friday
        (ReportCycle.MONTHLY, None, dt.date(2025, 6, 2), False),  # June is reported
        (ReportCycle.MONTHLY, None, dt.date(2025, 5, 30), True),
        # 10-day periods from the plan's date 2018-06-29: 2025-06-02..11 holds today
        (ReportCycle.CUSTOM, 10, dt.date(2025, 6, 2), False),
        (ReportCycle.CUSTOM, 10, dt.date(2025, 6, 1), True),
    ],
)
def test_the_current_period_follows_the_plans_cycle(world, cycle, days, reported_on, due):
    Plan.objects.filter(pk=world.plan.pk).update(report_cycle=cycle, report_cycle_days=days)
    with clock.frozen_at(reported_on):
        _report(world, "unit_env", world.own)
    rows = workspace.unit_workspace(world.actor("unit_env")).due
    assert (world.own.pk in _ids(rows)) is due


def test_the_period_a_task_starts_in_is_free(world):
    Task.objects.filter(pk=world.own.pk).update(start_date=TODAY + dt.timedelta(days=1))
    assert not workspace.unit_workspace(world.actor("unit_env")).due
    Task.objects.filter(pk=world.own.pk).update(start_date=TODAY)
    assert _ids(workspace.unit_workspace(world.actor("unit_env")).due) == {world.own.pk}


def test_tasks_under_review_owe_no_report_and_a_district_sees_the_units_below(world):
    take(world.actor("unit_env"), world.own, "request_closeout")
    take(world.actor("supervisor"), world.own, "pass_review")  # 公示中: no reports
    assert not workspace.unit_workspace(world.actor("unit_env")).due
    assert _ids(workspace.unit_workspace(world.actor("unit_licheng")).due) == {world.child.pk}


def test_missed_reports_stay_until_a_late_report_fills_them(world):
    missed = MissedReport.objects.create(
        task=world.own,
        unit=world.env,
        period_start=dt.date(2025, 5, 26),
        period_end=dt.date(2025, 6, 1),
        due_by=dt.date(2025, 6, 1),
        recorded_on=dt.date(2025, 6, 2),
    )
    ws = workspace.unit_workspace(world.actor("unit_env"))
    assert [m.pk for m in ws.missed] == [missed.pk]
    assert not workspace.unit_workspace(world.actor("unit_water")).missed
    _report(world, "unit_env", world.own, period=dt.date(2025, 5, 28))
    assert not workspace.unit_workspace(world.actor("unit_env")).missed


def test_a_close_out_sent_back_is_returned_until_the_unit_requests_again(world):
    take(world.actor("unit_env"), world.own, "request_closeout")
    take(world.actor("supervisor"), world.own, "send_back", "证据不足")
    ws = workspace.unit_workspace(world.actor("unit_env"))
    (step,) = ws.returned
    assert (step.task.pk, step.kind, step.opinion) == (world.own.pk, "send_back", "证据不足")
    assert not workspace.unit_workspace(world.actor("unit_water")).returned
    take(world.actor("unit_env"), world.own, "request_closeout")
    assert not workspace.unit_workspace(world.actor("unit_env")).returned


def test_measures_to_answer_until_answered(world):
    measure = services.escalation_issue(
        actor=world.actor("office"),
        task_id=world.own.pk,
        level="reminder",
        reason="进度滞后",
        cause_key="济整改办〔2025〕3号",
    )
    assert [m.pk for m in workspace.unit_workspace(world.actor("unit_env")).measures] == [
        measure.pk
    ]
    assert not workspace.unit_workspace(world.actor("unit_water")).measures
    services.escalation_respond(
        actor=world.actor("unit_env"), escalation_id=measure.pk, response="已整改"
    )
    assert not workspace.unit_workspace(world.actor("unit_env")).measures


def test_objections_to_my_task_on_notice(world):
    take(world.actor("unit_env"), world.own, "request_closeout")
    take(world.actor("supervisor"), world.own, "pass_review")
    objection = services.objection_lodge(
        actor=world.actor("public"), task_id=world.own.pk, text="仍有异味"
    )
    ws = workspace.unit_workspace(world.actor("unit_env"))
    assert [o.pk for o in ws.objections] == [objection.pk]
    assert not workspace.unit_workspace(world.actor("unit_licheng")).objections


def test_tasks_by_bucket_count_what_the_unit_sees(world):
    ws = workspace.unit_workspace(world.actor("unit_env"))
    assert sum(b.count for b in ws.buckets) == 1
    (bucket,) = ws.buckets
    assert [t.pk for t in bucket.tasks] == [world.own.pk]
    assert bucket.bucket == Task.objects.get(pk=world.own.pk).state.bucket


@pytest.mark.parametrize("user", ["office", "leader", "supervisor"])
def test_the_workspace_is_for_units(world, user):
    with pytest.raises(NotPermitted):
        workspace.unit_workspace(world.actor(user))


@pytest.mark.parametrize("user", ["unit_env", "leader"])
def test_the_queue_is_for_supervisors_and_the_office(world, user):
    with pytest.raises(NotPermitted):
        workspace.supervisor_queue(world.actor(user))


def test_the_queue_follows_the_close_out(world):
    sup, audit = world.actor("supervisor"), world.actor("supervisor_audit")
    take(world.actor("unit_env"), world.own, "request_closeout")
    queue = workspace.supervisor_queue(sup)
    (item,) = queue.review
    assert item.task.pk == world.own.pk
    assert [s.kind for s in item.steps] == ["request"]
    assert [e.original_name for e in item.evidence] == ["evidence.pdf"]
    assert item.steps[0].evidence.all()[0].original_name == "evidence.pdf"
    assert not workspace.supervisor_queue(audit).review

    take(sup, world.own, "pass_review")
    queue = workspace.supervisor_queue(sup)
    assert not queue.review
    (notice,) = queue.notices
    assert notice.open_objections == 0
    services.objection_lodge(actor=world.actor("public"), task_id=world.own.pk, text="仍有异味")
    assert workspace.supervisor_queue(sup).notices.rows[0].open_objections == 1

    with clock.frozen_at(dt.date(2025, 6, 16)):
        objection = world.own.objections.get()
        services.objection_answer(actor=sup, objection_id=objection.pk, answer="已复测")
        take(world.actor("office"), world.own, "end_notice")
        queue = workspace.supervisor_queue(sup)
        assert not queue.notices
        assert [i.task.pk for i in queue.checks] == [world.own.pk]
        take(sup, world.own, "verify")
        assert not workspace.supervisor_queue(sup).checks
        take(world.actor("office"), world.own, "file")
        task = Task.objects.get(pk=world.own.pk)
        check = LookbackCheck.objects.create(
            task=task,
            closed_on=task.closed_on,
            months=3,
            due_on=task.closed_on + dt.timedelta(days=20),
            unit=world.env,
            scheduled_on=task.closed_on,
        )
        (item,) = workspace.supervisor_queue(sup).lookbacks
        assert item.check.pk == check.pk
        assert not workspace.supervisor_queue(audit).lookbacks
        check.due_on = task.closed_on + dt.timedelta(days=workspace.LOOKBACK_AHEAD_DAYS + 1)
        check.save()
        assert not workspace.supervisor_queue(sup).lookbacks


def test_the_requester_finds_nothing_to_approve_in_the_queue(world):
    """The office requests the close-out of a task: its own queue leaves it out, the
    supervising unit's holds it."""
    take(world.actor("office"), world.child, "request_closeout")
    assert not workspace.supervisor_queue(world.actor("office")).review
    assert _ids(workspace.supervisor_queue(world.actor("supervisor")).review) == {world.child.pk}


ACTIONS = [*transition_rules(), access.LOOKBACK]


@pytest.mark.parametrize("requester", [None, "unit_env", "office"])
def test_tasks_open_to_agrees_with_the_one_task_rules(world, requester):
    if requester is not None:
        take(world.actor(requester), world.own, "request_closeout")
    if requester == "office":
        take(world.actor(requester), world.child, "request_closeout")
    tasks = list(Task.objects.all())
    for user in VISIBLE:
        actor = world.actor(user)
        for action in ACTIONS:
            bulk = set(
                access.tasks_open_to(actor, action, Task.objects.all()).values_list("pk", flat=True)
            )
            one_by_one = {t.pk for t in tasks if access.allowed(actor, action, t)}
            assert bulk == one_by_one, (user, action)


def _more_tasks(world, n):
    problem = ProblemFactory(plan=world.plan, seq=2)
    office = world.actor("office")
    for i in range(n):
        task = make_task(problem, 100 + i, world.env, world.supervising)
        services.task_transition(actor=office, task_id=task.pk, name="confirm")
        if i % 3 == 0:
            take(world.actor("unit_env"), task, "request_closeout")
        if i % 3 == 1:
            services.escalation_issue(
                actor=office, task_id=task.pk, level="reminder", reason="滞后", cause_key=f"c{i}"
            )


@pytest.mark.parametrize("n", [0, 12])
def test_queries_do_not_grow_with_the_tasks(world, n, django_assert_max_num_queries):
    _more_tasks(world, n)
    unit, sup = world.actor("unit_env"), world.actor("supervisor")
    with django_assert_max_num_queries(16):
        ws = workspace.unit_workspace(unit)
        [t.state.bucket for b in ws.buckets for t in b.tasks]
        [(r.task.seq, r.task.state.bucket) for r in ws.due]
        [m.task.seq for m in ws.measures]
    assert len(ws.due) == 1 + n
    with django_assert_max_num_queries(18):
        queue = workspace.supervisor_queue(sup)
        [(s.unit, list(s.evidence.all())) for i in queue.review for s in i.steps]
    assert len(queue.review) == (n + 2) // 3
