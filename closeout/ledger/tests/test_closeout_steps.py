"""Close-out (销号) step by step: who may take each step, the separation of duties, and
what each step requires.

The permission tables name, for every step, the users of the test world (see
`factories`) who may take it on task `own` (lead 市生态环境局, supervised by 市督导组);
everyone else is refused — with NotFound when the task is not theirs to see, NotPermitted
when it is — and a refused step leaves no trace: same state, no step row, no audit event.
The helpers (`bring`, `take`, `refused`) are in `loopworld`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from closeout.ledger import access, clock, services
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    CloseoutStep,
    LoopSettings,
    Role,
    StepKind,
    Task,
    TaskUnit,
)
from closeout.ledger.rules import calendar
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services.closeouts import STEP_OF_TRANSITION
from closeout.ledger.tests.factories import PDF, make_users, walk
from closeout.ledger.tests.loopworld import (
    DAY,
    LATER,
    PATH,
    REACHED_BY,
    USERS,
    actor,
    answer,
    bring,
    closed_lookback,
    lodge,
    record,
    refused,
    refused_all_but,
    take,
    trace,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    """Every test runs on DAY unless it moves the clock itself."""
    with clock.frozen_at(DAY):
        yield


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


# --- nobody approves the close-out they requested ------------------------------------

# Every approval step from every state it is taken in (send_back is one: see access).
REQUESTER_REFUSED = (
    ("pass_review", Status.REQUESTED),
    ("end_notice", Status.NOTICE),
    ("verify", Status.VERIFICATION),
    ("file", Status.VERIFIED),
    ("send_back", Status.REQUESTED),
    ("send_back", Status.NOTICE),
    ("send_back", Status.VERIFICATION),
    ("send_back", Status.VERIFIED),
)


@pytest.fixture
def offices(world):
    """A second office user: the office requests on a unit's behalf, another approves."""
    world.users |= make_users(world.actor("office"), office2=(Role.OFFICE, None))
    return world


def bring_by_others(world: Any, state: str, requester: str) -> Task:
    """`own` to `state`, requested by `requester`, every other step by office2."""

    def who(name: str) -> Any:
        return world.actor(requester if name == "request_closeout" else "office2")

    walk(who, world.own, *PATH[: REACHED_BY[Status(state)]])
    return Task.objects.get(pk=world.own.pk)


@pytest.mark.parametrize(("step", "state"), REQUESTER_REFUSED)
def test_the_office_user_who_requested_takes_no_approval_step(offices, step, state):
    task = bring_by_others(offices, state, "office")
    with clock.frozen_at(LATER):
        assert step not in access.available_transitions(offices.actor("office"), task)
        refused("office", lambda: take(offices.actor("office"), task, step), task)
        assert step in access.available_transitions(offices.actor("office2"), task)
        assert take(offices.actor("office2"), task, step).status != state


@pytest.mark.parametrize("requester", ["office", "unit_env"])
def test_the_requester_may_withdraw_and_reopen(offices, requester):
    """Withdrawing one's own request and reopening after a rebound approve nothing."""
    task = bring_by_others(offices, Status.REQUESTED, requester)
    assert take(offices.actor(requester), task, "withdraw_request").status == Status.IN_PROGRESS
    task = bring_by_others(offices, Status.CLOSED, "office")
    with clock.frozen_at(LATER):
        assert take(offices.actor("office"), task, "reopen").status == Status.IN_PROGRESS


@pytest.mark.parametrize("role", ["office", "unit_env", "supervisor", "system"])
def test_whatever_the_role_the_requester_of_the_round_approves_nothing(offices, role):
    """The rule follows the request step, not the role: a request recorded as taken by a
    supervisor (or by the system) shuts that one out of every approval step."""
    who = actor(offices, role)
    Task.objects.filter(pk=offices.own.pk).update(status=Status.REQUESTED, closeout_round=1)
    CloseoutStep.objects.create(
        task=offices.own,
        round=1,
        kind=StepKind.REQUEST,
        at=clock.now(),
        actor_id=who.user_id,
        actor_label=who.label,
    )
    task = Task.objects.get(pk=offices.own.pk)
    assert access.is_requester(who, task)
    assert not access.is_requester(offices.actor("office2"), task)
    for step, _ in REQUESTER_REFUSED:
        assert not access.may_take(who, task, step), step
    assert access.may_take(offices.actor("office2"), task, "pass_review")


def test_a_new_round_has_its_own_requester(offices):
    """A send-back ends the round; the next request's requester is the one shut out."""
    first, second = offices.actor("office"), offices.actor("office2")
    task = bring(offices, Status.REQUESTED, requester=first)
    take(second, task, "send_back", note="佐证不足")
    take(second, task, "request_closeout")
    task = Task.objects.get(pk=task.pk)
    assert (task.closeout_round, access.requested_by(task)) == (2, (second.user_id, "office2"))
    refused("office2", lambda: take(second, task, "pass_review"), task)
    assert take(first, task, "pass_review").status == Status.NOTICE


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
