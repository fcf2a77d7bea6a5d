"""The closed loop's other records of a task: look-back checks (回头看) and escalation
measures (督办) issued by hand, who may record, respond to and lift them, and what each
needs. Task `own` of the test world; the helpers are in `loopworld`.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pytest

from closeout.ledger import clock, services
from closeout.ledger.errors import Conflict, InvalidInput, InvalidTransition
from closeout.ledger.models import (
    CloseoutStep,
    Escalation,
    LookbackCheck,
    LookbackState,
    StepKind,
    Task,
)
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services.closeouts import STEP_OF_TRANSITION
from closeout.ledger.tests.loopworld import (
    DAY,
    PATH,
    bring,
    closed_lookback,
    record,
    refused_all_but,
    take,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(DAY):
        yield


# --- look-back checks (回头看) --------------------------------------------------------

CHECKERS = {"office", "supervisor"}


def closed_with_lookbacks(world: Any) -> LookbackCheck:
    """Task `own` closed out, the sweep having scheduled its look-backs."""
    return closed_lookback(bring(world, Status.CLOSED))


def test_no_one_else_may_record_a_look_back(world):
    check = closed_with_lookbacks(world)
    with clock.frozen_at(check.due_on):
        refused_all_but(CHECKERS, functools.partial(record, world, check), check.task)
    assert LookbackCheck.objects.get(pk=check.pk).state == LookbackState.SCHEDULED


@pytest.mark.parametrize("user", sorted(CHECKERS))
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
RESPONDERS = {"unit_env"}  # the responsible unit; the office lifts instead
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
