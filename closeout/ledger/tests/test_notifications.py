"""The in-app inbox (站内消息): who is told about a task, reading and marking items, and
how one item reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from closeout.ledger import clock, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound
from closeout.ledger.models import (
    AssignmentRole,
    Notification,
    NotificationKind,
    Role,
    TaskUnit,
)
from closeout.ledger.services.notifications import (
    RESPONSIBLE,
    SUPERVISING,
    describe,
    inbox,
    notifications_mark_read,
    notify_task,
    render,
    unread_count,
)
from closeout.ledger.tests.factories import make_users, take

pytestmark = pytest.mark.django_db

OFFICE = Actor(role=Role.OFFICE, label="test-office")


def told(kind: str = NotificationKind.CLOSED) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.mark.parametrize(
    ("roles", "office", "expected"),
    [
        (RESPONSIBLE, False, {"unit_env"}),
        (SUPERVISING, False, {"supervisor"}),
        ((), True, {"office"}),
        ((*RESPONSIBLE, *SUPERVISING), True, {"unit_env", "supervisor", "office"}),
        ((), False, set()),
    ],
)
def test_notify_task_tells_the_users_of_the_units_in_each_role(world, roles, office, expected):
    count = notify_task(world.own, NotificationKind.CLOSED, roles=roles, office=office)

    assert told() == expected
    assert count == len(expected)
    # Leaders read dashboards; units of other tasks hear nothing.
    assert not told() & {"leader", "unit_water", "unit_licheng", "supervisor_audit"}


def test_only_unit_users_hear_as_responsible_and_only_supervisors_as_supervising(world):
    # A supervisor at the lead unit and a unit user at the supervising unit are not the
    # people who act in those roles.
    make_users(
        OFFICE,
        supervisor_at_env=(Role.SUPERVISOR, world.env),
        unit_at_group=(Role.UNIT, world.supervising),
    )
    notify_task(world.own, NotificationKind.CLOSED, roles=RESPONSIBLE)
    notify_task(world.own, NotificationKind.VERIFICATION_DUE, roles=SUPERVISING)

    assert told(NotificationKind.CLOSED) == {"unit_env"}
    assert told(NotificationKind.VERIFICATION_DUE) == {"supervisor"}


def test_cooperating_units_hear_with_the_lead_and_a_narrower_role_leaves_them_out(world):
    TaskUnit.objects.create(task=world.own, unit=world.water, role=AssignmentRole.COOP)

    notify_task(world.own, NotificationKind.CLOSED, roles=RESPONSIBLE)
    notify_task(world.own, NotificationKind.SENT_BACK, roles=[AssignmentRole.LEAD])

    assert told(NotificationKind.CLOSED) == {"unit_env", "unit_water"}
    assert told(NotificationKind.SENT_BACK) == {"unit_env"}


def test_whoever_acted_and_inactive_users_are_not_told(world):
    world.users["supervisor"].is_active = False
    world.users["supervisor"].save()
    me = world.users["office"].pk

    count = notify_task(
        world.own,
        NotificationKind.CLOSED,
        roles=(*RESPONSIBLE, *SUPERVISING),
        office=True,
        exclude_user=me,
    )

    assert told() == {"unit_env"}
    assert count == 1


def test_telling_many_users_takes_two_queries(world, django_assert_num_queries):
    make_users(OFFICE, **{f"env{i}": (Role.UNIT, world.env) for i in range(20)})

    with django_assert_num_queries(2):  # who, then one insert
        assert notify_task(world.own, NotificationKind.CLOSED, roles=RESPONSIBLE) == 21


def test_one_item_per_user_carries_the_task_note_time_and_measure(world):
    moment = dt.datetime(2024, 3, 5, 9, 0, tzinfo=dt.UTC)
    with clock.frozen_at(moment):
        notify_task(world.own, NotificationKind.SENT_BACK, roles=RESPONSIBLE, note="证据不足")

    item = Notification.objects.get()
    assert (item.user, item.task, item.count, item.note) == (
        world.users["unit_env"],
        world.own,
        1,
        "证据不足",
    )
    assert item.created_at == moment
    assert item.read_at is None and item.digest is None


def test_a_close_out_request_tells_the_supervisors_and_not_the_requester(world):
    take(world.actor("unit_env"), world.own, "request_closeout")

    assert told(NotificationKind.CLOSEOUT_REQUESTED) == {"supervisor"}


def test_an_escalation_issued_by_hand_tells_the_responsible_unit(world):
    services.escalation_issue(
        actor=world.actor("office"),
        task_id=world.own.pk,
        level="circular",
        reason="逾期未完成",
        cause_key="通报〔2024〕1号",
    )

    assert told(NotificationKind.ESCALATION) == {"unit_env"}


# --- reading the inbox --------------------------------------------------------------


@pytest.fixture
def three(world):
    """Three items for unit_env, one a day, and one for unit_water."""
    for day in (4, 5, 6):
        with clock.frozen_at(dt.date(2024, 3, day)):
            notify_task(world.own, NotificationKind.CLOSED, roles=RESPONSIBLE, note=f"day {day}")
    notify_task(world.foreign, NotificationKind.CLOSED, roles=RESPONSIBLE)
    return world


def test_the_inbox_holds_the_users_own_items_newest_first(three):
    env = three.actor("unit_env")

    assert [n.note for n in inbox(env)] == ["day 6", "day 5", "day 4"]
    assert unread_count(env) == 3
    assert unread_count(three.actor("unit_water")) == 1
    assert list(inbox(three.actor("public"))) == []
    assert unread_count(three.actor("public")) == 0


def test_marking_some_items_read_leaves_the_others_unread(three):
    env = three.actor("unit_env")
    newest = inbox(env).first()

    with clock.frozen_at(dt.date(2024, 3, 7)):
        assert notifications_mark_read(env, [newest.pk]) == 1
        now = clock.now()

    assert [n.note for n in inbox(env, unread_only=True)] == ["day 5", "day 4"]
    newest.refresh_from_db()
    assert newest.read_at == now
    assert notifications_mark_read(env, [newest.pk]) == 0  # already read: nothing changes


def test_marking_all_read_touches_only_the_actors_items(three):
    assert notifications_mark_read(three.actor("unit_env")) == 3

    assert unread_count(three.actor("unit_env")) == 0
    assert unread_count(three.actor("unit_water")) == 1


def test_marking_someone_elses_item_is_not_found_and_marks_nothing(three):
    env = three.actor("unit_env")
    mine = inbox(env).first()
    theirs = inbox(three.actor("unit_water")).get()

    with pytest.raises(NotFound):
        notifications_mark_read(env, [mine.pk, theirs.pk])

    assert unread_count(env) == 3
    assert unread_count(three.actor("unit_water")) == 1
    with pytest.raises(NotFound):
        notifications_mark_read(three.actor("public"), [mine.pk])


# --- how an item reads ----------------------------------------------------------------


def item(world, kind, **fields):
    return Notification.objects.create(
        user=world.users["unit_env"], kind=kind, created_at=clock.now(), **fields
    )


def test_an_item_names_its_kind_the_task_number_and_the_start_of_the_task(world):
    n = item(world, NotificationKind.CLOSEOUT_REQUESTED, task=world.own, count=1)

    with translation.override("en"):
        assert render(n) == f"Close-out requested: task 1: {world.own.text}"
    with translation.override("zh-hans"):  # in the reader's language
        assert render(n).startswith("申请销号: ")


def test_a_long_task_text_is_cut_to_one_line(world):
    world.own.text = "第一行\n" + "很长的整改任务" * 20
    world.own.save()
    n = item(world, NotificationKind.CLOSED, task=world.own, count=1)

    with translation.override("en"):
        line = describe(n)

    assert line == "task 1: " + ("第一行 " + "很长的整改任务" * 20)[:59] + "…"


def test_missed_reports_are_counted_in_the_line(world):
    one = item(world, NotificationKind.MISSED_REPORTS, count=1)
    three = item(world, NotificationKind.MISSED_REPORTS, count=3)

    with translation.override("en"):
        assert render(one) == "Progress reports missing: 1 progress report not submitted on time"
        assert render(three) == (
            "Progress reports missing: 3 progress reports not submitted on time"
        )


def test_an_escalation_line_gives_the_level_the_task_and_the_response_date(world):
    escalation = services.escalation_issue(
        actor=world.actor("office"),
        task_id=world.own.pk,
        level="circular",
        reason="逾期未完成",
        cause_key="通报〔2024〕1号",
    )
    n = item(world, NotificationKind.ESCALATION, task=world.own, escalation=escalation, note="逾期")

    with translation.override("en"):
        line = render(n)

    assert line.startswith("Escalation measure issued: Circular — task 1: ")
    assert f"response due by {escalation.response_due.isoformat()}" in line
    assert line.endswith(" — 逾期")
