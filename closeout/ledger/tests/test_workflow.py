"""The state table: every transition from every state, table-driven."""

from __future__ import annotations

import pytest

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from closeout.ledger.models import AuditEvent, Role, Task
from closeout.ledger.rules.workflow import Status, transition_rules
from closeout.ledger.tests.factories import step_inputs

OFFICE = Actor(role=Role.OFFICE, label="office")

# (transition, from state, ongoing) -> expected state; anything not listed is refused.
EXPECTED = {
    ("confirm", Status.DRAFT): Status.IN_PROGRESS,
    ("cancel", Status.DRAFT): Status.CANCELLED,
    ("cancel", Status.IN_PROGRESS): Status.CANCELLED,
    ("request_closeout", Status.IN_PROGRESS): Status.REQUESTED,
    ("withdraw_request", Status.REQUESTED): Status.IN_PROGRESS,
    ("pass_review", Status.REQUESTED): Status.NOTICE,
    ("end_notice", Status.NOTICE): Status.VERIFICATION,
    ("verify", Status.VERIFICATION): Status.VERIFIED,
    ("file", Status.VERIFIED): Status.CLOSED,
    ("send_back", Status.REQUESTED): Status.IN_PROGRESS,
    ("send_back", Status.NOTICE): Status.IN_PROGRESS,
    ("send_back", Status.VERIFICATION): Status.IN_PROGRESS,
    ("send_back", Status.VERIFIED): Status.IN_PROGRESS,
    ("reopen", Status.CLOSED): Status.IN_PROGRESS,
    ("reopen", Status.SUSTAINED): Status.IN_PROGRESS,
}
ALL = [(name, state) for name in sorted(transition_rules()) for state in Status.values]


def _put(task: Task, state: str) -> Task:
    # Tests place a task in a state directly; production code never does.
    Task.objects.filter(pk=task.pk).update(status=state)
    task.refresh_from_db()
    return task


@pytest.mark.parametrize(("name", "state"), ALL)
def test_state_table(world, name, state):
    task = _put(world.own, state)
    expected = EXPECTED.get((name, Status(state)))
    events = AuditEvent.objects.filter(task_id=task.pk).count()
    inputs = step_inputs(task, name)
    if expected is None:
        with pytest.raises(InvalidTransition):
            services.task_transition(
                actor=OFFICE, task_id=task.pk, name=name, note="reason", **inputs
            )
        task.refresh_from_db()
        assert task.status == state
        assert AuditEvent.objects.filter(task_id=task.pk).count() == events
    else:
        done = services.task_transition(
            actor=OFFICE, task_id=task.pk, name=name, note="reason", **inputs
        )
        assert done.status == expected
        event = AuditEvent.objects.filter(task_id=task.pk, action=f"task.{name}").latest("id")
        assert event.before == {"status": state} and event.after["status"] == expected
        assert event.actor_label == "office"


def test_filing_an_ongoing_task_makes_it_sustained_not_closed(world):
    Task.objects.filter(pk=world.own.pk).update(ongoing=True)
    _put(world.own, Status.VERIFIED)
    task = services.task_transition(actor=OFFICE, task_id=world.own.pk, name="file")
    assert task.status == Status.SUSTAINED
    assert task.closed_on is not None


def test_reopening_clears_the_closing_date(world):
    _put(world.own, Status.VERIFIED)
    services.task_transition(actor=OFFICE, task_id=world.own.pk, name="file")
    task = services.task_transition(
        actor=OFFICE, task_id=world.own.pk, name="reopen", note="回头看发现反弹"
    )
    assert task.status == Status.IN_PROGRESS and task.closed_on is None


@pytest.mark.parametrize("name", [r.name for r in transition_rules().values() if r.needs_reason])
def test_transitions_that_need_a_reason_refuse_without_one(world, name):
    with pytest.raises(InvalidInput) as err:
        services.task_transition(actor=OFFICE, task_id=world.own.pk, name=name, note="  ")
    assert err.value.field == "note"


def test_unknown_transition_is_an_input_error(world):
    with pytest.raises(InvalidInput):
        services.task_transition(actor=OFFICE, task_id=world.own.pk, name="approve_all")


def test_responsible_unit_never_approves_its_own_closeout(world):
    # Even an office-like supervisor bound to the responsible unit is refused approval.
    from closeout.ledger.models import AssignmentRole, TaskUnit

    TaskUnit.objects.create(task=world.own, unit=world.env, role=AssignmentRole.SUPERVISING)
    _put(world.own, Status.REQUESTED)
    actor = Actor(
        role=Role.SUPERVISOR, label="sup-env", unit_id=world.env.pk, unit_path=world.env.path
    )
    with pytest.raises(NotPermitted):
        services.task_transition(actor=actor, task_id=world.own.pk, name="pass_review")


def test_every_state_is_reachable_and_every_open_state_can_leave():
    rules = transition_rules().values()
    targets = {t for r in rules for t in r.targets}
    sources = {s for r in rules for s in r.sources}
    assert set(Status.values) - {Status.DRAFT} <= targets
    assert set(Status.values) - {Status.CANCELLED} <= sources
