"""Two people acting on one task at the same moment: exactly one incompatible transition
wins, on real concurrent transactions (PostgreSQL; SQLite serialises writers anyway)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django_fsm import ConcurrentTransition

from closeout.ledger import clock, services, sweep
from closeout.ledger.errors import Conflict, InvalidTransition
from closeout.ledger.models import AuditEvent, CloseoutStep, Objection, Role, StepKind, Task
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services import transitions
from closeout.ledger.tests.factories import make_users, step_inputs

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's"
)

# A Wednesday: a notice begun on it ends on the next Tuesday (no holiday in between).
DAY = dt.date(2025, 3, 5)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(DAY):  # the clock is one for every thread
        yield


def _race(actions):
    """Run the callables at once (released by one barrier); return what each raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as exc:  # collected and asserted on below
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def _take(actor, task, name, note=""):
    task = Task.objects.get(pk=task.pk)
    return services.task_transition(
        actor=actor, task_id=task.pk, name=name, note=note, **step_inputs(task, name)
    )


def _bring(world, *names):
    office = world.actor("office")
    for name in names:
        # The unit requests; the office takes the approvals (never its own request's).
        who = world.actor("unit_env") if name == "request_closeout" else office
        _take(who, world.own, name, note=f"{name}: note")
    return Task.objects.get(pk=world.own.pk)


def _one_wins(outcomes):
    wins = [o for o in outcomes if isinstance(o, Task)]
    losses = [o for o in outcomes if isinstance(o, InvalidTransition | Conflict)]
    assert len(wins) == 1 and len(losses) == len(outcomes) - 1, outcomes
    return wins[0]


@postgresql_only
@pytest.mark.parametrize("rounds", range(5))
def test_review_and_withdrawal_at_once_only_one_succeeds(world, rounds):
    # Both leave "requested" and neither is possible from where the other leads.
    _take(world.actor("unit_env"), world.own, "request_closeout")
    supervisor, unit = world.actor("supervisor"), world.actor("unit_env")
    win = _one_wins(
        _race(
            [
                lambda: _take(supervisor, world.own, "pass_review"),
                lambda: _take(unit, world.own, "withdraw_request"),
            ]
        )
    )
    assert Task.objects.get(pk=world.own.pk).status == win.status
    events = AuditEvent.objects.filter(
        task_id=world.own.pk, action__in=["task.pass_review", "task.withdraw_request"]
    )
    assert events.count() == 1


@postgresql_only
@pytest.mark.parametrize("rounds", range(3))
def test_two_supervisors_passing_the_same_review_at_once_open_one_notice(world, rounds):
    world.users |= make_users(world.actor("office"), colleague=(Role.SUPERVISOR, world.supervising))
    _take(world.actor("unit_env"), world.own, "request_closeout")
    first, second = world.actor("supervisor"), world.actor("colleague")
    _one_wins(
        _race(
            [
                lambda: _take(first, world.own, "pass_review"),
                lambda: _take(second, world.own, "pass_review"),
            ]
        )
    )
    task = Task.objects.get(pk=world.own.pk)
    assert task.status == Status.NOTICE and task.notice_until is not None
    assert CloseoutStep.objects.filter(task=task, kind=StepKind.REVIEW).count() == 1
    assert AuditEvent.objects.filter(task=task, action="task.pass_review").count() == 1


@postgresql_only
@pytest.mark.parametrize("rounds", range(3))
def test_filing_and_sending_back_at_once_only_one_succeeds(world, rounds):
    task = _bring(world, "request_closeout", "pass_review")
    with clock.frozen_at(task.notice_until + dt.timedelta(days=1)):
        _bring(world, "end_notice", "verify")
        office, supervisor = world.actor("office"), world.actor("supervisor")
        win = _one_wins(
            _race(
                [
                    lambda: _take(office, world.own, "file"),
                    lambda: _take(supervisor, world.own, "send_back", note="材料不实"),
                ]
            )
        )
    task = Task.objects.get(pk=world.own.pk)
    assert task.status == win.status in (Status.CLOSED, Status.IN_PROGRESS)
    assert (task.closed_on is None) == (task.status == Status.IN_PROGRESS)
    kinds = CloseoutStep.objects.filter(task=task, kind__in=[StepKind.FILE, StepKind.SEND_BACK])
    assert kinds.count() == 1


@postgresql_only
@pytest.mark.parametrize("rounds", range(3))
def test_an_objection_and_the_end_of_the_notice_never_pass_each_other(world, rounds):
    """Either the objection is lodged and the notice cannot end with it unanswered, or
    the notice ended first and the objection comes too late: never both."""
    task = _bring(world, "request_closeout", "pass_review")
    public, office = world.actor("public"), world.actor("office")
    with clock.frozen_at(task.notice_until + dt.timedelta(days=1)):
        outcomes = _race(
            [
                lambda: services.objection_lodge(actor=public, task_id=task.pk, text="异议"),
                lambda: _take(office, world.own, "end_notice"),
            ]
        )
    lodged, ended = outcomes
    assert isinstance(lodged, Objection) != isinstance(ended, Task), outcomes
    assert isinstance(lodged, Objection | InvalidTransition), outcomes
    assert isinstance(ended, Task | InvalidTransition), outcomes
    status = Task.objects.get(pk=task.pk).status
    assert status == (Status.NOTICE if isinstance(lodged, Objection) else Status.VERIFICATION)


@postgresql_only
def test_the_sweep_skips_a_notice_the_office_ended_while_it_ran(world, monkeypatch):
    """The sweep lists the notices that are due, then ends them one by one; when the
    office ends one in between, the sweep leaves it and finishes its run."""
    task = _bring(world, "request_closeout", "pass_review")
    last = task.notice_until
    sweep.run(last)  # everything else is settled: the race is only over the notice
    listed, office_done = threading.Event(), threading.Event()
    real = transitions.task_transition

    def sweep_ends(**kwargs):  # the sweep, between listing the notice and ending it
        listed.set()
        assert office_done.wait(10)
        return real(**kwargs)

    def office_ends():
        assert listed.wait(10)
        try:
            return _take(world.actor("office"), task, "end_notice")
        finally:
            office_done.set()

    monkeypatch.setattr(transitions, "task_transition", sweep_ends)
    with clock.frozen_at(last + dt.timedelta(days=1)):
        ran, ended = _race([lambda: sweep.run(last + dt.timedelta(days=1)), office_ends])
    assert isinstance(ended, Task) and ended.status == Status.VERIFICATION, ended
    assert isinstance(ran, sweep.SweepResult) and ran.notices_ended == 0, ran
    (step,) = CloseoutStep.objects.filter(task=task, kind=StepKind.NOTICE_END)
    assert step.actor_label == "office"


def test_a_stale_copy_cannot_overwrite_a_newer_state(world):
    """The optimistic check works on every backend, even without row locks."""
    stale = Task.objects.get(pk=world.own.pk)
    _take(world.actor("office"), world.own, "request_closeout")
    stale.cancel()
    with pytest.raises(ConcurrentTransition):
        stale.save()
    assert Task.objects.get(pk=world.own.pk).status == Status.REQUESTED
