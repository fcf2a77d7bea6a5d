"""Objections (异议) to a close-out on public notice: who lodges them, who answers them or
marks them as spam, what a notice needs before it ends, and the rate limits on lodging.

Task `own` of the test world (lead 市生态环境局, supervised by 市督导组, published plan);
the helpers are in `loopworld`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools

import pytest

from closeout.ledger import clock, services, sweep
from closeout.ledger.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    RateLimited,
)
from closeout.ledger.models import AuditEvent, CloseoutStep, Objection, Role, StepKind, Task
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.factories import make_users, walk
from closeout.ledger.tests.loopworld import (
    DAY,
    LATER,
    answer,
    bring,
    lodge,
    refused_all_but,
    take,
    trace,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(DAY):
        yield


# The public, and units with no part in the task; the office and the supervising unit
# answer; the office alone marks spam.
OBJECTORS = {"public", "unit_licheng", "unit_water", "supervisor_audit"}
ANSWERERS = {"office", "supervisor"}
SPAM_MARKERS = {"office"}


# --- who lodges -----------------------------------------------------------------------


def test_no_one_else_may_lodge_an_objection(world):
    """Not the office or the supervising unit (they answer), not the responsible unit
    (its work is on notice), not a leader."""
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
    assert event.actor_id == (world.users[user].pk if user != "public" else None)


def test_a_unit_that_cannot_see_the_task_objects_only_to_what_the_public_sees(world):
    task = bring(world, Status.NOTICE)
    world.plan.published = False
    world.plan.save(update_fields=["published"])
    for user in ("public", "unit_water"):
        with pytest.raises(NotFound):
            lodge(world, task, user)
    assert not Objection.objects.exists()


@pytest.mark.parametrize("state", [Status.IN_PROGRESS, Status.REQUESTED, Status.VERIFICATION])
def test_objections_are_taken_only_during_the_notice(world, state):
    task = bring(world, state)
    with clock.frozen_at(LATER), pytest.raises(InvalidTransition):
        lodge(world, task, "public")
    assert not Objection.objects.exists()


# --- who answers, who marks spam ------------------------------------------------------


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


def spam(world, objection: Objection, user: str = "office", reason: str = "广告") -> Objection:
    return services.objection_mark_spam(
        actor=world.actor(user), objection_id=objection.pk, reason=reason
    )


def test_no_one_but_the_office_marks_spam(world):
    task = bring(world, Status.NOTICE)
    objection = lodge(world, task, "public")
    refused_all_but(SPAM_MARKERS, functools.partial(spam, world, objection), task)
    assert Objection.objects.get(pk=objection.pk).spam_at is None


def test_the_requester_neither_answers_nor_marks_spam(world):
    """Settling the objections is what lets the notice end: not for the office user who
    asked for the close-out; another office user may."""
    world.users |= make_users(world.actor("office"), office2=(Role.OFFICE, None))
    office, office2 = world.actor("office"), world.actor("office2")
    walk(lambda name: office if name == "request_closeout" else office2, world.own,
         "request_closeout", "pass_review")  # fmt: skip
    first, second = lodge(world, world.own, "public"), lodge(world, world.own, "public", "又一条")
    before = trace(world.own)
    with pytest.raises(NotPermitted):
        answer(world, first, "office")
    with pytest.raises(NotPermitted):
        spam(world, second, "office")
    assert trace(world.own) == before
    answer(world, first, "office2")
    spam(world, second, "office2")
    assert not Objection.objects.unsettled().exists()


def test_a_spam_objection_needs_no_answer_and_stays_on_record(world):
    task = bring(world, Status.NOTICE)
    flood = [lodge(world, task, "public", f"广告{i}") for i in range(3)]
    real = lodge(world, task, "public", "夜间仍有偷排")
    for objection in flood:
        marked = spam(world, objection, reason="广告,与整改无关")
        assert marked.spam_by_id == world.users["office"].pk
        assert marked.spam_reason == "广告,与整改无关"
    after = task.notice_until + dt.timedelta(days=1)
    with clock.frozen_at(after):
        with pytest.raises(InvalidTransition):  # the real one still waits for its answer
            take(world.actor("office"), task, "end_notice")
        answer(world, real, "supervisor")
        assert sweep.run(after).notices_ended == 1
    assert Task.objects.get(pk=task.pk).status == Status.VERIFICATION
    kept = Objection.objects.filter(task=task).order_by("id")
    assert [o.text for o in kept] == ["广告0", "广告1", "广告2", "夜间仍有偷排"]
    assert [o.spam_at is not None for o in kept] == [True, True, True, False]
    events = AuditEvent.objects.filter(task_id=task.pk, action="objection.spam")
    assert sorted(e.target_id for e in events) == sorted(o.pk for o in flood)
    assert all(e.after == {"reason": "广告,与整改无关"} for e in events)


def test_an_objection_is_answered_or_marked_once(world):
    task = bring(world, Status.NOTICE)
    answered, marked = lodge(world, task, "public"), lodge(world, task, "public", "广告")
    answer(world, answered, "office")
    spam(world, marked)
    for objection in (answered, marked):
        with pytest.raises(InvalidTransition):
            answer(world, objection, "supervisor")
        with pytest.raises(InvalidTransition):
            spam(world, objection)
    assert Objection.objects.get(pk=marked.pk).answer == ""
    assert Objection.objects.get(pk=answered.pk).spam_at is None


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_marking_spam_needs_a_reason(world, reason):
    task = bring(world, Status.NOTICE)
    objection = lodge(world, task, "public")
    with pytest.raises(InvalidInput) as err:
        spam(world, objection, reason=reason)
    assert err.value.field == "reason"
    assert Objection.objects.get(pk=objection.pk).spam_at is None


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


# --- rate limits ----------------------------------------------------------------------

LIMITS = {"task": (4, 600), "address": (2, 600)}


@pytest.fixture
def limits(settings):
    from closeout.ledger.services.ratelimits import Limit

    settings.CLOSEOUT_OBJECTION_LIMITS = {k: Limit(*v) for k, v in LIMITS.items()}


def test_lodging_is_limited_per_address(world, limits):
    task = bring(world, Status.NOTICE)
    public = world.actor("public")

    def objects(address: str) -> Objection:
        return services.objection_lodge(actor=public, task_id=task.pk, text="异议", address=address)

    objects("198.51.100.7")
    objects("198.51.100.7")
    before = trace(task)
    with pytest.raises(RateLimited):
        objects("198.51.100.7")
    assert trace(task) == before
    objects("203.0.113.9")  # another address still may
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=10)):
        objects("198.51.100.7")  # and the first once the window is over
    assert Objection.objects.filter(task=task).count() == 4


def test_lodging_is_limited_per_task_whatever_the_address(world, limits):
    """A flood from many addresses stops at the task's limit; other tasks are not held."""
    task = bring(world, Status.NOTICE)
    public = world.actor("public")
    for i in range(4):
        services.objection_lodge(
            actor=public, task_id=task.pk, text=f"异议{i}", address=f"198.51.100.{i}"
        )
    with pytest.raises(RateLimited) as err:
        services.objection_lodge(actor=public, task_id=task.pk, text="第五条", address="192.0.2.1")
    assert "4" in err.value.message
    assert Objection.objects.filter(task=task).count() == 4
    with pytest.raises(InvalidTransition):  # another task is counted on its own
        services.objection_lodge(actor=public, task_id=world.child.pk, text="异议")


def test_the_default_limits_stop_a_flood(world):
    """A hundred objections at once (what once stalled a close-out): from one address
    five get through, from a hundred addresses twenty."""
    task = bring(world, Status.NOTICE)
    public = world.actor("public")
    outcomes = []
    for i in range(100):
        try:
            services.objection_lodge(
                actor=public, task_id=task.pk, text=f"刷屏{i}", address="198.51.100.1"
            )
            outcomes.append(True)
        except RateLimited:
            outcomes.append(False)
    assert outcomes == [True] * 5 + [False] * 95
    for i in range(100):
        with contextlib.suppress(RateLimited):
            services.objection_lodge(
                actor=public, task_id=task.pk, text=f"刷屏{i}", address=f"203.0.113.{i}"
            )
    assert Objection.objects.filter(task=task).count() == 20
