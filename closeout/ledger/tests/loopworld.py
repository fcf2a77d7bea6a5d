"""Helpers of the close-out tests (test_closeout_steps, test_objections, test_loop_records):
task `own` of the test world (see `factories`: lead 市生态环境局, supervised by 市督导组)
brought to any state through the real steps, and the check that a refused action leaves
no trace.

The close-out is requested by the responsible unit (unit_env) unless a test names another
requester; the office takes the approval steps (the one who requests a close-out takes
none of them).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from closeout.ledger import clock, services, sweep
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, NotFound, NotPermitted
from closeout.ledger.models import AuditEvent, CloseoutStep, LookbackCheck, Objection, Task
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.factories import VISIBLE, step_inputs

DAY = dt.date(2025, 3, 3)  # a Monday; every step below is taken on or after it
LATER = DAY + dt.timedelta(days=60)  # well after any public notice begun on DAY
USERS = (*VISIBLE, "system")

# The steps that bring task `own` from 整改中 to a state.
PATH = ("request_closeout", "pass_review", "end_notice", "verify", "file")
REACHED_BY = {
    Status.IN_PROGRESS: 0,
    Status.REQUESTED: 1,
    Status.NOTICE: 2,
    Status.VERIFICATION: 3,
    Status.VERIFIED: 4,
    Status.CLOSED: 5,
}


def actor(world: Any, name: str) -> Actor:
    return Actor.system("sweep") if name == "system" else world.actor(name)


def sees_own(name: str) -> bool:
    return name in {"system", "dual_unit", "office2"} or "own" in VISIBLE[name]


def bring(world: Any, state: str, requester: Actor | None = None) -> Task:
    """Take task `own` to `state` through the real steps from DAY on: the request by
    `requester` (the responsible unit by default), the rest by the office; the notice
    ends the day after its last day."""
    task, office, day = world.own, world.actor("office"), DAY
    for name in PATH[: REACHED_BY[Status(state)]]:
        if name == "end_notice":
            day = Task.objects.get(pk=task.pk).notice_until + dt.timedelta(days=1)
        who = (requester or world.actor("unit_env")) if name == "request_closeout" else office
        with clock.frozen_at(day):
            take(who, task, name)
    return Task.objects.get(pk=task.pk)


def take(actor: Actor, task: Task, name: str, note: str = "") -> Task:
    task = Task.objects.get(pk=task.pk)
    if not note and name in {"send_back", "reopen", "verify"}:
        note = f"{name}: findings and reasons"
    return services.task_transition(
        actor=actor, task_id=task.pk, name=name, note=note, **step_inputs(task, name)
    )


def trace(task: Task) -> tuple[str, int, int, int]:
    """What a refused action must leave unchanged."""
    return (
        Task.objects.get(pk=task.pk).status,
        CloseoutStep.objects.filter(task_id=task.pk).count(),
        AuditEvent.objects.filter(task_id=task.pk).count(),
        Objection.objects.filter(task_id=task.pk, answered_at=None, spam_at=None).count(),
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
    allowed: set[str], action: Callable[[str], Any], task: Task, users: Iterable[str] = VISIBLE
) -> None:
    """Every user not in `allowed` is refused (a refusal leaves no trace, so one task
    serves them all)."""
    others = [user for user in users if user not in allowed]
    assert others
    for user in others:
        refused(user, functools.partial(action, user), task)


def lodge(world: Any, task: Task, user: str, text: str = "河道仍有异味") -> Objection:
    return services.objection_lodge(
        actor=world.actor(user), task_id=task.pk, text=text, name="张先生"
    )


def answer(world: Any, objection: Objection, user: str) -> Objection:
    return services.objection_answer(
        actor=world.actor(user), objection_id=objection.pk, answer="已复核,整改到位"
    )


def closed_lookback(task: Task) -> LookbackCheck:
    """The three-month look-back the sweep schedules for a task just closed out."""
    task = Task.objects.get(pk=task.pk)
    sweep.run(task.closed_on)
    return LookbackCheck.objects.get(task_id=task.pk, closed_on=task.closed_on, months=3)


def record(world: Any, check: LookbackCheck, user: str) -> LookbackCheck:
    return services.lookback_record(
        actor=world.actor(user), check_id=check.pk, rebound=False, findings="未发现反弹"
    )
