"""Two people acting on one task at the same moment: exactly one incompatible transition
wins, on real concurrent transactions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from closeout.ledger import services
from closeout.ledger.errors import Conflict, InvalidTransition
from closeout.ledger.models import AuditEvent, Task
from closeout.ledger.workflow import Status

pytestmark = pytest.mark.django_db(transaction=True)


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.parametrize("rounds", range(5))
def test_review_and_withdrawal_at_once_only_one_succeeds(world, rounds):
    # Both leave "requested" and neither is possible from where the other leads.
    Task.objects.filter(pk=world.own.pk).update(status=Status.REQUESTED)
    supervisor, unit = world.actor("supervisor"), world.actor("unit_env")
    outcomes = _race(
        [
            lambda: services.task_transition(
                actor=supervisor, task_id=world.own.pk, name="pass_review"
            ),
            lambda: services.task_transition(
                actor=unit, task_id=world.own.pk, name="withdraw_request"
            ),
        ]
    )
    wins = [o for o in outcomes if isinstance(o, Task)]
    losses = [o for o in outcomes if isinstance(o, InvalidTransition | Conflict)]
    assert len(wins) == 1 and len(losses) == 1, outcomes
    final = Task.objects.get(pk=world.own.pk).status
    assert final == wins[0].status
    events = AuditEvent.objects.filter(
        task_id=world.own.pk, action__in=["task.pass_review", "task.withdraw_request"]
    )
    assert events.count() == 1


def test_a_stale_copy_cannot_overwrite_a_newer_state(world):
    """The optimistic check works on every backend, even without row locks."""
    stale = Task.objects.get(pk=world.own.pk)
    services.task_transition(
        actor=world.actor("office"), task_id=world.own.pk, name="request_closeout"
    )
    stale.cancel()
    from django_fsm import ConcurrentTransition

    with pytest.raises(ConcurrentTransition):
        stale.save()
    assert Task.objects.get(pk=world.own.pk).status == Status.REQUESTED
