"""`closeout demo --no-serve`: the Jinan demo ledger, loaded twice on an empty database.

Loading takes a couple of seconds, so the module loads it once (twice, to prove it is
idempotent) inside a transaction that is rolled back when the module is done; each test
runs in a nested transaction of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan
from closeout.ledger.demo.users import DEMO_USERS, PASSWORD
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    Inspection,
    Plan,
    Problem,
    Profile,
    ProgressReport,
    Role,
    Task,
    TaskPerson,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitGroup,
)
from closeout.ledger.workflow import Status

SEED = Path(__file__).resolve().parents[1] / "demo" / "plans" / "jinan_2018.txt"
COUNTED = (
    Unit,
    UnitAlias,
    UnitGroup,
    Inspection,
    Plan,
    Problem,
    Task,
    TaskUnit,
    TaskPerson,
    ProgressReport,
    Profile,
    AuditEvent,
)


@dataclass(frozen=True)
class Loaded:
    first: dict[str, int]
    second: dict[str, int]
    output: str


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts["User"] = get_user_model().objects.count()
    return counts


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("demo", "--no-serve", stdout=out)
        first = _counts()
        call_command("demo", "--no-serve", stdout=StringIO())
        yield Loaded(first=first, second=_counts(), output=out.getvalue())
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def user(username: str):
    return get_user_model().objects.get(username=username)


def actor(username: str) -> Actor:
    return Actor.of(user(username))


def tasks_with(unit_names: set[str], roles: tuple[str, ...]) -> set[int]:
    return set(
        TaskUnit.objects.filter(unit__name__in=unit_names, role__in=roles).values_list(
            "task_id", flat=True
        )
    )


def test_running_the_demo_twice_creates_everything_once(loaded):
    assert loaded.first == loaded.second
    assert Plan.objects.count() == 1
    assert Task.objects.count() >= 40
    assert Problem.objects.count() == 26
    assert Unit.objects.filter(name="历城区政府", parent__name="历城区").count() == 1
    assert set(UnitGroup.objects.values_list("name", flat=True)) >= {
        "市生态文明建设工作领导小组各成员单位",
        "各县区党委、政府",
    }
    roles = Counter(
        Profile.objects.filter(user__username__startswith="demo-").values_list("role", flat=True)
    )
    assert roles == {Role.OFFICE: 1, Role.UNIT: 2, Role.SUPERVISOR: 1, Role.LEADER: 1}


def test_the_registry_holds_every_district_and_the_renamed_env_bureau(loaded):
    for region in (*jinan.DISTRICTS, *jinan.COUNTIES):
        kinds = set(Unit.objects.filter(parent__name=region).values_list("kind", flat=True))
        assert kinds == {"party_committee", "government"}, region
    assert Unit.objects.get(name="南部山区管委会").kind == "management_committee"
    alias = UnitAlias.objects.get(name="市环保局")
    assert alias.former and alias.unit.name == "市生态环境局"
    members = UnitGroup.objects.get(name="各县区党委、政府").members
    assert members.count() == 20
    assert not members.filter(name__startswith="南部山区").exists()


def test_the_plan_keeps_the_seed_verbatim_with_its_hash(loaded):
    raw = SEED.read_bytes()
    plan = Plan.objects.get()
    assert plan.source_text == raw.decode("utf-8")
    assert plan.content_hash == hashlib.sha256(raw).hexdigest()
    assert plan.issued_on == dt.date(2018, 6, 29)
    assert plan.published
    assert plan.inspections.get().feedback_on == dt.date(2017, 12, 29)


def test_every_task_span_holds_the_task_text_from_the_source(loaded):
    plan = Plan.objects.get()
    for task in Task.objects.all():
        excerpt = task.source_excerpt
        assert excerpt and excerpt in plan.source_text
        assert task.text in excerpt
        assert "(责任单位:" in excerpt and task.deadline_raw in excerpt


def test_deadlines_are_kept_as_written_and_normalised(loaded):
    expected = {
        "立行立改,长期坚持": (None, True, True),
        "立行立改": (None, True, False),
        "2018年8月": (dt.date(2018, 8, 31), False, False),
        "2020年年底": (dt.date(2020, 12, 31), False, False),
        "2019年年底": (dt.date(2019, 12, 31), False, False),
    }
    seen = set()
    for task in Task.objects.all():
        if task.deadline_raw in expected:
            seen.add(task.deadline_raw)
            assert (task.due_date, task.immediate, task.ongoing) == expected[task.deadline_raw]
    assert seen == set(expected)


def test_collective_units_expand_to_their_members_through_the_group(loaded):
    task = Task.objects.get(text__startswith="进一步加强环境信用体系建设")
    group = UnitGroup.objects.get(name="各县区党委、政府")
    via = task.assignments.filter(via_group=group)
    assert via.count() == 20
    assert set(via.values_list("role", flat=True)) == {AssignmentRole.LEAD}
    persons = set(task.persons.values_list("text", flat=True))
    assert persons == {"市环保局主要负责人", "各县区党委、政府主要负责人"}


def test_a_distributive_phrase_names_each_district_body(loaded):
    task = Task.objects.get(text__startswith="提高危险废物处置能力")
    names = set(task.assignments.filter(role="lead").values_list("unit__name", flat=True))
    assert {"济阳县党委", "济阳县政府", "长清区党委", "长清区政府"} <= names
    assert not task.assignments.filter(unit__name="历城区政府").exists()


def test_every_task_has_a_supervising_unit_that_is_not_responsible_for_it(loaded):
    for task in Task.objects.all():
        supervising = set(
            task.assignments.filter(role="supervising").values_list("unit_id", flat=True)
        )
        responsible = set(
            task.assignments.filter(role__in=("lead", "coop")).values_list("unit_id", flat=True)
        )
        assert supervising and not supervising & responsible


def test_the_district_user_sees_its_tasks_including_those_of_every_district(loaded):
    visible = set(access.visible_tasks(actor("demo-district")).values_list("id", flat=True))
    expected = tasks_with({"历城区政府"}, ("lead", "coop"))
    assert visible == expected
    through_group = set(
        TaskUnit.objects.filter(
            unit__name="历城区政府", via_group__name="各县区党委、政府"
        ).values_list("task_id", flat=True)
    )
    assert through_group and through_group <= visible
    hazardous_waste = Task.objects.get(text__startswith="提高危险废物处置能力")
    assert hazardous_waste.pk not in visible  # names 济阳县 and 长清区 only


def test_the_env_bureau_user_sees_tasks_it_leads_or_cooperates_on(loaded):
    visible = set(access.visible_tasks(actor("demo-unit")).values_list("id", flat=True))
    leads = tasks_with({"市生态环境局"}, ("lead",))
    cooperates = tasks_with({"市生态环境局"}, ("coop",))
    assert leads and cooperates
    assert visible == leads | cooperates
    assert len(visible) < Task.objects.count()


def test_the_supervisor_sees_only_the_tasks_it_supervises(loaded):
    visible = set(access.visible_tasks(actor("demo-supervisor")).values_list("id", flat=True))
    assert visible == tasks_with({jinan.RECTIFICATION_OFFICE}, ("supervising",))
    assert 0 < len(visible) < Task.objects.count()
    waiting = Task.objects.filter(
        pk__in=visible, status__in=[Status.REQUESTED, Status.VERIFICATION]
    )
    assert waiting.exists()  # the supervisor has a review or a verification to do


def test_the_office_and_the_leader_see_every_task_and_only_the_office_edits(loaded):
    total = Task.objects.count()
    for username in ("demo-office", "demo-leader"):
        assert access.visible_tasks(actor(username)).count() == total
    assert access.can_edit(actor("demo-office"))
    assert not access.can_edit(actor("demo-leader"))


def test_every_demo_user_signs_in_with_the_documented_password(loaded, client):
    for spec in DEMO_USERS:
        assert client.login(username=spec.username, password=PASSWORD), spec.username
        client.logout()
    for spec in DEMO_USERS:
        assert spec.username in loaded.output
    assert PASSWORD in loaded.output


def test_the_ledger_shows_close_outs_a_send_back_and_a_reopen(loaded):
    statuses = Counter(Task.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] >= 1 and statuses[Status.SUSTAINED] >= 1
    assert statuses[Status.IN_PROGRESS] > Task.objects.count() // 2
    send_back = AuditEvent.objects.get(action="task.send_back")
    assert send_back.note and send_back.actor.username == "demo-supervisor"
    reopened = AuditEvent.objects.get(action="task.reopen")
    assert Task.objects.get(pk=reopened.task_id).status == Status.IN_PROGRESS
    filed = Task.objects.filter(status=Status.CLOSED).first()
    assert filed.closed_on is not None and filed.closed_on.year == 2018
    assert ProgressReport.objects.values("task").distinct().count() > Task.objects.count() // 2
    assert ProgressReport.objects.filter(submitted_at__year=2018).exists()


def test_every_loaded_object_has_an_audit_event(loaded):
    for model in (Unit, UnitGroup, Inspection, Plan, Problem, Task, Profile, ProgressReport):
        name = model._meta.model_name
        audited = set(
            AuditEvent.objects.filter(target_type=name, action__endswith="create").values_list(
                "target_id", flat=True
            )
        )
        ids = set(model.objects.values_list("id", flat=True))
        assert ids and ids <= audited, name
