"""Who sees and does what, at the level of the rules (the interfaces are tested against
the same rules in test_permission_matrix)."""

from __future__ import annotations

import pytest

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.models import AssignmentRole, Role, TaskUnit
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.factories import VISIBLE

# role user -> the tasks of the world it may see


@pytest.mark.parametrize(("user", "expected"), sorted(VISIBLE.items()))
def test_each_role_sees_exactly_its_tasks(world, user, expected):
    actor = world.actor(user)
    names = {
        n
        for n in ("own", "child", "foreign")
        if getattr(world, n).pk in set(access.visible_tasks(actor).values_list("pk", flat=True))
    }
    assert names == expected
    for name in ("own", "child", "foreign"):
        assert access.can_view(actor, getattr(world, name)) == (name in expected)


def test_the_public_sees_nothing_of_an_unpublished_plan(world):
    world.plan.published = False
    world.plan.save()
    assert not access.visible_tasks(Actor.of(None)).exists()


def test_the_public_never_sees_drafts(db):
    from closeout.ledger.tests.factories import build_world

    w = build_world(status="draft")
    assert not access.visible_tasks(Actor.of(None)).exists()
    assert access.visible_tasks(w.actor("office")).count() == 3


def test_a_cooperating_unit_sees_the_task_and_may_report(world):
    TaskUnit.objects.create(task=world.foreign, unit=world.env, role=AssignmentRole.COOP)
    actor = world.actor("unit_env")
    assert access.can_view(actor, world.foreign)
    assert access.can_report(actor, world.foreign)


@pytest.mark.parametrize(
    ("user", "task", "reportable"),
    [
        ("office", "foreign", True),
        ("unit_env", "own", True),
        ("unit_env", "child", False),
        ("unit_licheng", "child", True),
        ("supervisor", "own", False),
        ("leader", "own", False),
        ("public", "own", False),
    ],
)
def test_who_may_report_progress(world, user, task, reportable):
    assert access.can_report(world.actor(user), getattr(world, task)) is reportable


def test_only_the_office_edits_tasks_and_manages_the_settings(world):
    for user in ("office", "leader", "unit_env", "supervisor", "public"):
        actor = world.actor(user)
        assert access.can_edit(actor, world.own) is (user == "office")
        assert access.can_manage_settings(actor) is (user == "office")
        assert access.can_use_admin(actor) is False  # the admin is the superusers'


def test_the_admin_is_for_active_superusers_whatever_their_role(world):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    for user in ("office", "unit_env"):
        User.objects.filter(pk=world.users[user].pk).update(is_superuser=True)
        assert access.can_use_admin(Actor.of(User.objects.get(pk=world.users[user].pk)))
    root = User.objects.create_superuser("root", password="x-long-password")
    assert access.can_use_admin(Actor.of(root))
    assert access.can_manage_settings(Actor.of(root))
    User.objects.filter(pk=root.pk).update(is_active=False)
    assert not access.can_use_admin(Actor.of(User.objects.get(pk=root.pk)))


@pytest.mark.parametrize(
    ("user", "state", "expected"),
    [
        ("office", Status.IN_PROGRESS, {"cancel", "request_closeout"}),
        ("unit_env", Status.IN_PROGRESS, {"request_closeout"}),
        ("unit_env", Status.REQUESTED, {"withdraw_request"}),
        ("supervisor", Status.REQUESTED, {"pass_review", "send_back"}),
        ("supervisor", Status.NOTICE, {"send_back"}),
        ("supervisor", Status.VERIFICATION, {"verify", "send_back"}),
        ("office", Status.VERIFIED, {"file", "send_back"}),
        ("supervisor", Status.CLOSED, {"reopen"}),
        ("supervisor_audit", Status.REQUESTED, set()),  # not its task
        ("leader", Status.REQUESTED, set()),
        ("public", Status.REQUESTED, set()),
    ],
)
def test_available_transitions_by_role_and_state(world, user, state, expected):
    from closeout.ledger.models import Task

    Task.objects.filter(pk=world.own.pk).update(status=state)
    world.own.refresh_from_db()
    assert set(access.available_transitions(world.actor(user), world.own)) == expected


def test_a_login_without_a_profile_is_treated_as_the_public(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("stray", password="x")
    assert Actor.of(user).role == Role.PUBLIC


def test_a_superuser_without_profile_acts_as_the_office(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("root", password="x")
    assert Actor.of(user).role == Role.OFFICE


def test_drafts_stay_with_the_office_until_confirmed(db):
    from closeout.ledger.tests.factories import build_world

    w = build_world(status="draft")
    for user in ("unit_env", "unit_licheng", "supervisor"):
        assert not access.visible_tasks(w.actor(user)).exists(), user
        assert not access.can_view(w.actor(user), w.own)
    for user in ("office", "leader"):
        assert access.visible_tasks(w.actor(user)).count() == 3


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (Status.REQUESTED, {"withdraw_request"}),
        (Status.NOTICE, set()),
        (Status.VERIFICATION, set()),
        (Status.VERIFIED, set()),
    ],
)
def test_the_office_user_who_requested_is_offered_no_approval(world, state, expected):
    from closeout.ledger.models import CloseoutStep, StepKind, Task

    Task.objects.filter(pk=world.own.pk).update(status=state, closeout_round=1)
    CloseoutStep.objects.create(
        task=world.own,
        round=1,
        kind=StepKind.REQUEST,
        at=world.own.created_at,
        actor=world.users["office"],
        actor_label="office",
    )
    task = Task.objects.get(pk=world.own.pk)
    office = world.actor("office")
    assert set(access.available_transitions(office, task)) == expected
    assert not access.can_answer_objection(office, task)
    assert not access.can_mark_spam(office, task)
    assert access.sees_objectors(office, task)  # still the office: it reads who objected


def test_objections_come_from_the_public_and_from_units_with_no_part_in_the_task(world):
    lodgers = {
        user
        for user in ("office", "leader", "unit_env", "unit_licheng", "unit_water", "supervisor",
                     "supervisor_audit", "public")
        if access.can_lodge_objection(world.actor(user), world.own)
    }  # fmt: skip
    assert lodgers == {"public", "unit_licheng", "unit_water", "supervisor_audit"}
    # Those units do not see the task, but they find it as the public does.
    assert not access.can_view(world.actor("unit_water"), world.own)
    assert access.objection_visible(world.actor("unit_water"), world.own)
    world.plan.published = False
    world.plan.save(update_fields=["published"])
    assert not access.objection_visible(world.actor("unit_water"), world.own)


def test_an_unknown_action_is_an_error(world):
    with pytest.raises(ValueError):
        access.allowed(world.actor("office"), "approve_everything", world.own)
