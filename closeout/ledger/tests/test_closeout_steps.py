"""Close-out (销号) step by step: who may take each step, and what each step requires.

The permission tables name, for every step, the users of the test world (see
`factories`) who may take it on task `own` (lead 市生态环境局, supervised by 市督导组);
everyone else is refused — with NotFound when the task is not theirs to see, NotPermitted
when it is — and a refused step leaves no trace: same state, no step row, no audit event.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pytest

from closeout.ledger import clock, services, sweep
from closeout.ledger.access import Actor
from closeout.ledger.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
)
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    CloseoutStep,
    Escalation,
    LookbackCheck,
    LookbackState,
    LoopSettings,
    Objection,
    Role,
    StepKind,
    Task,
    TaskUnit,
)
from closeout.ledger.rules import calendar
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services.closeouts import STEP_OF_TRANSITION
from closeout.ledger.tests.factories import PDF, VISIBLE, make_users, step_inputs

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 3)  # a Monday; every step below is taken on or after it
LATER = DAY + dt.timedelta(days=60)  # well after any public notice begun on DAY
USERS = (*VISIBLE, "system")

# The steps that bring task `own` from 整改中 to a state, taken by the office.
PATH = ("request_closeout", "pass_review", "end_notice", "verify", "file")
REACHED_BY = {
    Status.IN_PROGRESS: 0,
    Status.REQUESTED: 1,
    Status.NOTICE: 2,
    Status.VERIFICATION: 3,
    Status.VERIFIED: 4,
    Status.CLOSED: 5,
}


@pytest.fixture(autouse=True)
def _today():
    """Every test runs on DAY unless it moves the clock itself."""
    with clock.frozen_at(DAY):
        yield


def actor(world: Any, name: str) -> Actor:
    return Actor.system("sweep") if name == "system" else world.actor(name)


def sees_own(name: str) -> bool:
    return name in {"system", "dual_unit"} or "own" in VISIBLE[name]


def bring(world: Any, state: str, requester: Actor | None = None) -> Task:
    """Take task `own` to `state` through the real steps from DAY on, taken by the office
    (the request by `requester` when given); the notice ends the day after its last day."""
    task, office, day = world.own, world.actor("office"), DAY
    for name in PATH[: REACHED_BY[Status(state)]]:
        if name == "end_notice":
            day = Task.objects.get(pk=task.pk).notice_until + dt.timedelta(days=1)
        with clock.frozen_at(day):
            take(requester or office if name == "request_closeout" else office, task, name)
    return Task.objects.get(pk=task.pk)


def take(actor: Actor, task: Task, name: str, note: str = "") -> Task:
    task = Task.objects.get(pk=task.pk)
    if not note and name in {"send_back", "reopen", "verify"}:
        note = f"{name}: findings and reasons"
    return services.task_transition(
        actor=actor, task_id=task.pk, name=name, note=note, **step_inputs(task, name)
    )


def trace(task: Task) -> tuple[str, int, int]:
    """What a refused step must leave unchanged."""
    return (
        Task.objects.get(pk=task.pk).status,
        CloseoutStep.objects.filter(task_id=task.pk).count(),
        AuditEvent.objects.filter(task_id=task.pk).count(),
    )


def refused(user: str, action: Callable[[], Any], task: Task) -> None:
    """The action raises the refusal the user should get and leaves no trace: NotFound
    when the task is not the user's to see, NotPermitted when it is."""
    before = trace(task)
    expected = NotPermitted if sees_own(user) else NotFound
    with pytest.raises(DomainError) as err:
        action()
    assert type(err.value) is expected, f"{user}: {err.value!r}"
    assert trace(task) == before


def refused_all_but(
    allowed: set[str], action: Callable[[str], Any], task: Task, users: Any = VISIBLE
) -> None:
    """Every user not in `allowed` is refused (a refusal leaves no trace, so one task
    serves them all)."""
    others = [user for user in users if user not in allowed]
    assert others
    for user in others:
        refused(user, functools.partial(action, user), task)


# --- who may take each life-cycle step ----------------------------------------------

# (step, the state it is taken from, who may take it)
STEPS = (
    ("request_closeout", Status.IN_PROGRESS, {"office", "unit_env"}),
    ("withdraw_request", Status.REQUESTED, {"office", "unit_env"}),
    ("pass_review", Status.REQUESTED, {"office", "supervisor"}),
    ("end_notice", Status.NOTICE, {"office", "system"}),
    ("verify", Status.VERIFICATION, {"office", "supervisor"}),
    ("file", Status.VERIFIED, {"office"}),
    ("send_back", Status.REQUESTED, {"office", "supervisor"}),
    ("send_back", Status.NOTICE, {"office", "supervisor"}),
    ("send_back", Status.VERIFICATION, {"office", "supervisor"}),
    ("send_back", Status.VERIFIED, {"office", "supervisor"}),
    ("reopen", Status.CLOSED, {"office", "supervisor"}),
)


ALLOWED = [(step, state, user) for step, state, allowed in STEPS for user in sorted(allowed)]


@pytest.mark.parametrize(("step", "state", "allowed"), STEPS, ids=[f"{s}-{t}" for s, t, _ in STEPS])
def test_everyone_else_is_refused_each_step(world, step, state, allowed):
    task = bring(world, state)
    with clock.frozen_at(LATER):
        refused_all_but(
            allowed, lambda user: take(actor(world, user), task, step), task, users=USERS
        )


@pytest.mark.parametrize(
    ("step", "state", "user"), ALLOWED, ids=[f"{s}-{t}-{u}" for s, t, u in ALLOWED]
)
def test_who_may_take_each_step(world, step, state, user):
    task = bring(world, state)
    who = actor(world, user)
    with clock.frozen_at(LATER):
        done = take(who, task, step)
    assert done.status != state
    kind = STEP_OF_TRANSITION[step]
    recorded = CloseoutStep.objects.filter(task_id=task.pk).latest("id")
    assert (recorded.kind, recorded.actor_label) == (kind, who.label)
    event = AuditEvent.objects.filter(task_id=task.pk).latest("id")
    assert event.action == f"task.{step}"
    assert event.before == {"status": state}
    assert event.after["status"] == done.status and event.after["step"] == recorded.pk


def test_the_table_covers_every_close_out_step():
    assert {step for step, _, _ in STEPS} == set(STEP_OF_TRANSITION)


# --- a unit never approves its own close-out ------------------------------------------

APPROVALS = (
    ("pass_review", Status.REQUESTED),
    ("send_back", Status.REQUESTED),
    ("end_notice", Status.NOTICE),
    ("verify", Status.VERIFICATION),
    ("send_back", Status.VERIFICATION),
    ("file", Status.VERIFIED),
)


@pytest.fixture
def dual(world):
    """市督导组 both cooperates on task `own` (responsible) and supervises it, with a
    unit login and a supervisor login of its own."""
    TaskUnit.objects.create(task=world.own, unit=world.supervising, role=AssignmentRole.COOP)
    world.users |= make_users(world.actor("office"), dual_unit=(Role.UNIT, world.supervising))
    return world


@pytest.mark.parametrize(("step", "state"), APPROVALS)
@pytest.mark.parametrize("user", ["dual_unit", "supervisor"])
def test_a_unit_responsible_and_supervising_may_not_approve(dual, step, state, user):
    # The unit itself asks for the close-out …
    task = bring(dual, state, requester=dual.actor("dual_unit"))
    assert CloseoutStep.objects.filter(task=task).first().actor_label == "dual_unit"
    # … so neither of its logins may approve it, while the office may.
    with clock.frozen_at(LATER):
        refused(user, lambda: take(dual.actor(user), task, step), task)
        assert take(dual.actor("office"), task, step).status != state


def test_a_unit_responsible_and_supervising_answers_no_objection_and_checks_no_look_back(dual):
    """Answering objections lets the notice end, and a look-back judges the work: neither
    is for the unit whose work it is."""
    task = bring(dual, Status.NOTICE, requester=dual.actor("dual_unit"))
    objection = lodge(dual, task, "public")
    with pytest.raises(NotPermitted):
        answer(dual, objection, "supervisor")
    answer(dual, objection, "office")
    with clock.frozen_at(LATER):
        take(dual.actor("office"), task, "end_notice")
        take(dual.actor("office"), task, "verify")
        take(dual.actor("office"), task, "file")
    check = closed_lookback(task)
    with clock.frozen_at(check.due_on):
        with pytest.raises(NotPermitted):
            record(dual, check, "supervisor")
        record(dual, check, "office")


def test_a_supervisor_over_the_responsible_unit_may_not_approve(world):
    """历城区政府 supervising `child`, which a unit below it leads, is refused review."""
    TaskUnit.objects.create(
        task=world.child, unit=world.district_gov, role=AssignmentRole.SUPERVISING
    )
    world.users |= make_users(
        world.actor("office"), district_supervisor=(Role.SUPERVISOR, world.district_gov)
    )
    with clock.frozen_at(DAY):
        take(world.actor("unit_licheng"), world.child, "request_closeout")
        with pytest.raises(NotPermitted):
            take(world.actor("district_supervisor"), world.child, "pass_review")
        assert take(world.actor("supervisor"), world.child, "pass_review").status == Status.NOTICE


# --- objections during the public notice (公示异议) -----------------------------------

# Anyone who can see the task may object; the office and the supervising unit answer.
OBJECTORS = {"office", "leader", "unit_env", "supervisor", "public"}
ANSWERERS = {"office", "supervisor"}


def lodge(world: Any, task: Task, user: str) -> Objection:
    return services.objection_lodge(
        actor=world.actor(user), task_id=task.pk, text="河道仍有异味", name="张先生"
    )


def test_no_one_else_may_lodge_an_objection(world):
    task = bring(world, Status.NOTICE)
    refused_all_but(OBJECTORS, functools.partial(lodge, world, task), task)
    assert not Objection.objects.exists()


@pytest.mark.parametrize("user", sorted(OBJECTORS))
def test_who_may_lodge_an_objection(world, user):
    task = bring(world, Status.NOTICE)
    objection = lodge(world, task, user)
    assert (objection.task_id, objection.round, objection.answered_at) == (task.pk, 1, None)
    event = AuditEvent.objects.filter(task_id=task.pk).latest("id")
    assert (event.action, event.target_id) == ("objection.lodge", objection.pk)


def answer(world: Any, objection: Objection, user: str) -> Objection:
    return services.objection_answer(
        actor=world.actor(user), objection_id=objection.pk, answer="已复核,整改到位"
    )


def test_no_one_else_may_answer_an_objection(world):
    task = bring(world, Status.NOTICE)
    objection = lodge(world, task, "public")
    refused_all_but(ANSWERERS, functools.partial(answer, world, objection), task)
    assert Objection.objects.get(pk=objection.pk).answered_at is None


@pytest.mark.parametrize("user", sorted(ANSWERERS))
def test_who_may_answer_an_objection(world, user):
    task = bring(world, Status.NOTICE)
    answer(world, lodge(world, task, "public"), user)
    (objection,) = Objection.objects.filter(task=task)
    assert objection.answer == "已复核,整改到位" and objection.answered_at is not None
    assert objection.answered_by_id == world.users[user].pk


def test_the_public_may_not_object_on_an_unpublished_plan(world):
    task = bring(world, Status.NOTICE)
    world.plan.published = False
    world.plan.save(update_fields=["published"])
    with pytest.raises(NotFound):
        services.objection_lodge(actor=world.actor("public"), task_id=task.pk, text="异议")
    assert not Objection.objects.exists()


# --- look-back checks (回头看) --------------------------------------------------------


def closed_lookback(task: Task) -> LookbackCheck:
    """The three-month look-back the sweep schedules for a task just closed out."""
    task = Task.objects.get(pk=task.pk)
    sweep.run(task.closed_on)
    return LookbackCheck.objects.get(task_id=task.pk, closed_on=task.closed_on, months=3)


def closed_with_lookbacks(world: Any) -> LookbackCheck:
    """Task `own` closed out, the sweep having scheduled its look-backs."""
    return closed_lookback(bring(world, Status.CLOSED))


def record(world: Any, check: LookbackCheck, user: str) -> LookbackCheck:
    return services.lookback_record(
        actor=world.actor(user), check_id=check.pk, rebound=False, findings="未发现反弹"
    )


def test_no_one_else_may_record_a_look_back(world):
    check = closed_with_lookbacks(world)
    with clock.frozen_at(check.due_on):
        refused_all_but(ANSWERERS, functools.partial(record, world, check), check.task)
    assert LookbackCheck.objects.get(pk=check.pk).state == LookbackState.SCHEDULED


@pytest.mark.parametrize("user", sorted(ANSWERERS))
def test_who_may_record_a_look_back(world, user):
    check = closed_with_lookbacks(world)
    with clock.frozen_at(check.due_on):
        record(world, check, user)
    recorded = LookbackCheck.objects.get(pk=check.pk)
    assert (recorded.state, recorded.checked_by_id) == (
        LookbackState.STABLE,
        world.users[user].pk,
    )


def test_a_rebound_reopens_the_task_and_voids_the_other_checks(world):
    check = closed_with_lookbacks(world)
    with clock.frozen_at(check.due_on):
        services.lookback_record(
            actor=world.actor("supervisor"), check_id=check.pk, rebound=True, findings="复建"
        )
    task = Task.objects.get(pk=world.own.pk)
    assert (task.status, task.rebounds, task.closed_on) == (Status.IN_PROGRESS, 1, None)
    states = dict(LookbackCheck.objects.filter(task=task).values_list("months", "state"))
    assert states == {3: LookbackState.REBOUND, 12: LookbackState.VOID}
    step = CloseoutStep.objects.filter(task=task).latest("id")
    assert step.kind == StepKind.REOPEN and "复建" in step.opinion
    # The whole previous history stays: every step of the closing is still there.
    kinds = list(CloseoutStep.objects.filter(task=task).values_list("kind", flat=True))
    assert kinds == [*(STEP_OF_TRANSITION[name] for name in PATH), StepKind.REOPEN]


def test_a_look_back_is_recorded_once_and_not_after_the_task_reopened(world):
    check = closed_with_lookbacks(world)
    office = world.actor("office")
    with clock.frozen_at(check.due_on):
        with pytest.raises(InvalidInput):
            services.lookback_record(actor=office, check_id=check.pk, rebound=False, findings=" ")
        with pytest.raises(InvalidInput):
            services.lookback_record(
                actor=office,
                check_id=check.pk,
                rebound=False,
                findings="ok",
                checked_on=check.due_on + dt.timedelta(days=1),
            )
        services.lookback_record(actor=office, check_id=check.pk, rebound=False, findings="ok")
        with pytest.raises(InvalidTransition):
            services.lookback_record(actor=office, check_id=check.pk, rebound=True, findings="x")
        later = LookbackCheck.objects.get(task_id=check.task_id, months=12)
        take(office, check.task, "reopen")
        with pytest.raises(InvalidTransition):
            services.lookback_record(actor=office, check_id=later.pk, rebound=False, findings="x")


# --- escalation measures (督办) issued by hand ----------------------------------------

ISSUERS = {"office", "supervisor"}
RESPONDERS = {"office", "unit_env"}  # the responsible unit, or the office on its behalf
LIFTERS = {"office"}


def issue(world: Any, user: str = "office", cause: str = "济整改督〔2025〕1号") -> Escalation:
    return services.escalation_issue(
        actor=world.actor(user),
        task_id=world.own.pk,
        level="region_hold",
        reason="整改严重滞后,实行区域限批",
        cause_key=cause,
    )


def test_no_one_else_may_issue_a_measure(world):
    refused_all_but(ISSUERS, functools.partial(issue, world), world.own)
    assert not Escalation.objects.exists()


@pytest.mark.parametrize("user", sorted(ISSUERS))
def test_who_may_issue_a_measure(world, user):
    measure = issue(world, user)
    assert (measure.manual, measure.level, measure.cause) == (
        True,
        "region_hold",
        "manual:济整改督〔2025〕1号",
    )
    assert measure.unit_id == world.env.pk  # addressed to the lead unit
    assert measure.issuer_id == world.users[user].pk


def respond(world: Any, measure: Escalation, user: str) -> Escalation:
    return services.escalation_respond(
        actor=world.actor(user), escalation_id=measure.pk, response="已制定整改计划"
    )


def lift(world: Any, measure: Escalation, user: str) -> Escalation:
    return services.escalation_lift(
        actor=world.actor(user), escalation_id=measure.pk, reason="已整改到位"
    )


def test_no_one_else_may_respond_to_or_lift_a_measure(world):
    measure = issue(world)
    refused_all_but(RESPONDERS, functools.partial(respond, world, measure), world.own)
    refused_all_but(LIFTERS, functools.partial(lift, world, measure), world.own)
    measure.refresh_from_db()
    assert (measure.responded_at, measure.lifted_on) == (None, None)


@pytest.mark.parametrize("user", sorted(RESPONDERS))
def test_who_may_respond_to_a_measure(world, user):
    measure = issue(world)
    respond(world, measure, user)
    assert Escalation.objects.get(pk=measure.pk).responded_by_id == world.users[user].pk


def test_the_office_lifts_a_measure(world):
    measure = issue(world)
    lift(world, measure, "office")
    assert Escalation.objects.get(pk=measure.pk).lifted_on == DAY


def test_a_measure_is_issued_once_per_cause_answered_once_and_lifted_once(world):
    measure = issue(world)
    with pytest.raises(Conflict):
        issue(world)
    assert Escalation.objects.filter(task=world.own).count() == 1
    issue(world, cause="济整改督〔2025〕2号")  # a new cause is a new measure
    unit, office = world.actor("unit_env"), world.actor("office")
    services.escalation_respond(actor=unit, escalation_id=measure.pk, response="已整改")
    with pytest.raises(InvalidTransition):
        services.escalation_respond(actor=unit, escalation_id=measure.pk, response="再次说明")
    services.escalation_lift(actor=office, escalation_id=measure.pk, reason="已整改")
    with pytest.raises(InvalidTransition):
        services.escalation_lift(actor=office, escalation_id=measure.pk, reason="again")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": "scolding"}, "level"),
        ({"reason": "  "}, "reason"),
        ({"cause_key": " "}, "cause"),
        ({"response_days": 91}, "response_days"),
    ],
)
def test_a_measure_needs_a_known_level_a_reason_and_a_cause(world, changes, field):
    args = {
        "actor": world.actor("office"),
        "task_id": world.own.pk,
        "level": "accountability",
        "reason": "移交问责",
        "cause_key": "问责〔2025〕1号",
        **changes,
    }
    with pytest.raises(InvalidInput) as err:
        services.escalation_issue(**args)
    assert err.value.field == field
    assert not Escalation.objects.exists()


# --- what each step requires ----------------------------------------------------------


def request(world: Any, data: dict[str, Any] | None, files: list[Any] | None = None) -> Task:
    return services.task_transition(
        actor=world.actor("unit_env"),
        task_id=world.own.pk,
        name="request_closeout",
        data=data,
        files=files if files is not None else [services.Upload("evidence.pdf", PDF)],
    )


def assessment(task: Task, **overrides: str) -> dict[str, Any]:
    return {"assessment": {c: "已达到" for c in services.acceptance_criteria(task)} | overrides}


def test_the_default_acceptance_criteria_are_the_close_out_standard(world):
    assert services.acceptance_criteria(world.own) == ["生态修复", "污染消除", "群众满意"]
    Task.objects.filter(pk=world.own.pk).update(acceptance_criteria="水质达标;群众满意")
    assert services.acceptance_criteria(Task.objects.get(pk=world.own.pk)) == [
        "水质达标",
        "群众满意",
    ]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"assessment": ["生态修复", "污染消除", "群众满意"]},
        {"assessment": {"生态修复": "已修复", "污染消除": "已消除"}},
        {"assessment": {"生态修复": "已修复", "污染消除": "已消除", "群众满意": "  "}},
    ],
    ids=["no-data", "no-assessment", "not-by-criterion", "criterion-missing", "criterion-blank"],
)
def test_a_request_needs_a_self_assessment_of_every_criterion(world, data):
    before = trace(world.own)
    with clock.frozen_at(DAY), pytest.raises(InvalidInput) as err:
        request(world, data)
    assert err.value.field == "assessment"
    assert trace(world.own) == before


def test_a_request_may_not_assess_an_unknown_criterion(world):
    with clock.frozen_at(DAY), pytest.raises(InvalidInput) as err:
        request(world, assessment(world.own, 水质达标="已达标"))
    assert err.value.field == "assessment" and "水质达标" in err.value.message


def test_a_request_needs_evidence_unless_the_task_has_some(world):
    with clock.frozen_at(DAY):
        with pytest.raises(InvalidInput) as err:
            request(world, assessment(world.own), files=[])
        assert err.value.field == "files"
        services.report_create(
            actor=world.actor("unit_env"),
            task_id=world.own.pk,
            text="整改完成",
            percent=100,
            files=[services.Upload("photo.pdf", PDF)],
        )
        task = request(world, assessment(world.own), files=[])
    assert task.status == Status.REQUESTED


def test_a_request_records_the_assessment_and_its_evidence(world):
    with clock.frozen_at(DAY):
        task = request(world, assessment(world.own, 生态修复="  河道生态已修复  "))
    step = CloseoutStep.objects.get(task=task)
    assert (step.kind, step.round, step.actor_label) == (StepKind.REQUEST, 1, "unit_env")
    assert step.data["assessment"] == {
        "生态修复": "河道生态已修复",
        "污染消除": "已达到",
        "群众满意": "已达到",
    }
    assert [e.original_name for e in step.evidence.all()] == ["evidence.pdf"]


def test_a_review_opens_a_notice_of_working_days_around_holidays(world):
    """A notice begun on the Monday before National Day (国庆) skips the holiday:
    30 September, then 8–11 October."""
    monday = dt.date(2024, 9, 30)
    with clock.frozen_at(monday):
        take(world.actor("unit_env"), world.own, "request_closeout")
        task = take(world.actor("supervisor"), world.own, "pass_review")
    assert LoopSettings.current().notice_working_days == 5
    assert task.notice_until == dt.date(2024, 10, 11)
    assert task.notice_until == calendar.notice_ends_on(monday, 5)
    step = CloseoutStep.objects.filter(task=task).latest("id")
    assert step.data == {
        "notice_from": "2024-09-30",
        "notice_until": "2024-10-11",
        "working_days": 5,
    }


def test_a_notice_ends_only_after_its_last_day(world):
    task = bring(world, Status.NOTICE)
    office = world.actor("office")
    for day in (DAY, task.notice_until):
        with clock.frozen_at(day), pytest.raises(InvalidTransition):
            take(office, task, "end_notice")
    with clock.frozen_at(task.notice_until + dt.timedelta(days=1)):
        assert take(office, task, "end_notice").status == Status.VERIFICATION


def test_a_notice_ends_only_with_every_objection_answered(world):
    task = bring(world, Status.NOTICE)
    public, supervisor = world.actor("public"), world.actor("supervisor")
    first = services.objection_lodge(actor=public, task_id=task.pk, text="异味仍在")
    second = services.objection_lodge(actor=public, task_id=task.pk, text="夜间偷排")
    services.objection_answer(actor=supervisor, objection_id=first.pk, answer="已复核")
    after = task.notice_until + dt.timedelta(days=1)
    with clock.frozen_at(after):
        with pytest.raises(InvalidTransition):
            take(world.actor("office"), task, "end_notice")
        # The sweep leaves it on notice as well.
        assert sweep.run(after).notices_ended == 0
        services.objection_answer(actor=supervisor, objection_id=second.pk, answer="已查处")
        assert sweep.run(after).notices_ended == 1
    task = Task.objects.get(pk=task.pk)
    assert task.status == Status.VERIFICATION
    step = CloseoutStep.objects.filter(task=task).latest("id")
    assert (step.kind, step.actor_label, step.data) == (
        StepKind.NOTICE_END,
        "sweep",
        {"objections": 2},
    )


@pytest.mark.parametrize("state", [Status.IN_PROGRESS, Status.REQUESTED, Status.VERIFICATION])
def test_objections_are_taken_only_during_the_notice(world, state):
    task = bring(world, state)
    with clock.frozen_at(LATER), pytest.raises(InvalidTransition):
        services.objection_lodge(actor=world.actor("public"), task_id=task.pk, text="异议")
    assert not Objection.objects.exists()


def test_an_objection_needs_a_text_and_is_answered_once(world):
    task = bring(world, Status.NOTICE)
    public, office = world.actor("public"), world.actor("office")
    with pytest.raises(InvalidInput):
        services.objection_lodge(actor=public, task_id=task.pk, text="   ")
    objection = services.objection_lodge(actor=public, task_id=task.pk, text="异议")
    with pytest.raises(InvalidInput):
        services.objection_answer(actor=office, objection_id=objection.pk, answer=" ")
    services.objection_answer(actor=office, objection_id=objection.pk, answer="已答复")
    with pytest.raises(InvalidTransition):
        services.objection_answer(actor=office, objection_id=objection.pk, answer="再次答复")
    assert Objection.objects.get(pk=objection.pk).answer == "已答复"


@pytest.mark.parametrize(
    ("data", "note", "field"),
    [
        ({"inspectors": "督导组"}, "属实", "checked_on"),
        ({"checked_on": "2025-13-01", "inspectors": "督导组"}, "属实", "checked_on"),
        (
            {"checked_on": LATER + dt.timedelta(days=1), "inspectors": "督导组"},
            "属实",
            "checked_on",
        ),
        ({"checked_on": LATER}, "属实", "inspectors"),
        ({"checked_on": LATER, "inspectors": " "}, "属实", "inspectors"),
        ({"checked_on": LATER, "inspectors": "督导组"}, "  ", "note"),
    ],
    ids=["no-date", "bad-date", "future-date", "no-inspectors", "blank-inspectors", "no-findings"],
)
def test_a_verification_needs_the_date_the_inspectors_and_the_findings(world, data, note, field):
    task = bring(world, Status.VERIFICATION)
    before = trace(task)
    with clock.frozen_at(LATER), pytest.raises(InvalidInput) as err:
        services.task_transition(
            actor=world.actor("supervisor"), task_id=task.pk, name="verify", note=note, data=data
        )
    assert err.value.field == field
    assert trace(task) == before


def test_a_verification_and_a_filing_record_what_was_found(world):
    task = bring(world, Status.VERIFICATION)
    with clock.frozen_at(LATER):
        services.task_transition(
            actor=world.actor("supervisor"),
            task_id=task.pk,
            name="verify",
            note="现场核查属实",
            data={"checked_on": "2025-04-30", "inspectors": "市督导组 王某、李某"},
        )
        services.task_transition(
            actor=world.actor("office"),
            task_id=task.pk,
            name="file",
            data={"number": "济销〔2025〕7号"},
        )
    verify, filing = CloseoutStep.objects.filter(task=task).order_by("-id")[:2][::-1]
    assert verify.data == {"checked_on": "2025-04-30", "inspectors": "市督导组 王某、李某"}
    assert verify.opinion == "现场核查属实"
    assert filing.data == {"number": "济销〔2025〕7号"}
    task = Task.objects.get(pk=task.pk)
    assert (task.status, task.closed_on) == (Status.CLOSED, LATER)


@pytest.mark.parametrize("name", ["send_back", "reopen"])
def test_sending_back_and_reopening_need_a_reason(world, name):
    task = bring(world, Status.CLOSED if name == "reopen" else Status.REQUESTED)
    before = trace(task)
    with clock.frozen_at(LATER), pytest.raises(InvalidInput) as err:
        services.task_transition(actor=world.actor("office"), task_id=task.pk, name=name, note=" ")
    assert err.value.field == "note"
    assert trace(task) == before


def test_a_send_back_ends_the_round_and_the_next_request_opens_another(world):
    task = bring(world, Status.NOTICE)
    with clock.frozen_at(LATER):
        take(world.actor("supervisor"), task, "send_back", note="佐证材料不全")
        task = Task.objects.get(pk=task.pk)
        assert (task.status, task.notice_until) == (Status.IN_PROGRESS, None)
        # The evidence of the first round still counts: no new file is needed.
        services.task_transition(
            actor=world.actor("unit_env"),
            task_id=task.pk,
            name="request_closeout",
            data=assessment(task),
        )
    rounds = list(CloseoutStep.objects.filter(task=task).values_list("round", "kind"))
    assert rounds == [
        (1, StepKind.REQUEST),
        (1, StepKind.REVIEW),
        (1, StepKind.SEND_BACK),
        (2, StepKind.REQUEST),
    ]
    assert CloseoutStep.objects.filter(task=task, kind=StepKind.SEND_BACK).get().data == {
        "from": Status.NOTICE
    }
