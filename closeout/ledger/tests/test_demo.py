"""`closeout demo --no-serve`: the demo, loaded on an empty database through the import path.

Loading takes a few seconds, so the module loads it once — after a load that fails
half-way, to prove it leaves nothing behind, and then twice, to prove it is idempotent —
inside a transaction that is rolled back when the module is done; each test runs in a
nested transaction of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from closeout import samples
from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan
from closeout.ledger.demo import ledger as demo_ledger
from closeout.ledger.demo.users import DEMO_USERS, PASSWORD
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    Inspection,
    Plan,
    PlanStatus,
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
    UnitProposal,
)
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services import imports

PLANS = samples.PLANS
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
    UnitProposal,
    ProgressReport,
    Profile,
    AuditEvent,
)


@dataclass(frozen=True)
class Loaded:
    failed: dict[str, int]  # after a load that failed half-way
    files_after_failure: list[str]
    first: dict[str, int]
    second: dict[str, int]
    output: str


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts["User"] = get_user_model().objects.count()
    return counts


def _fail(*args, **kwargs):
    raise RuntimeError("the office's review failed")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    data_dir = tmp_path_factory.mktemp("demo")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, DATA_DIR=data_dir),
        transaction.atomic(),
    ):
        # Every plan is imported by then: only the Jinan plan's review fails.
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(demo_ledger, "review_and_confirm", _fail)
            with pytest.raises(RuntimeError):
                call_command("demo", "--no-serve", stdout=StringIO())
        failed = _counts()
        files = sorted(p.name for p in (data_dir / imports.PLANS_DIR).glob("*"))
        out = StringIO()
        call_command("demo", "--no-serve", stdout=out)
        first = _counts()
        call_command("demo", "--no-serve", stdout=StringIO())
        yield Loaded(failed, files, first=first, second=_counts(), output=out.getvalue())
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def user(username: str):
    return get_user_model().objects.get(username=username)


def actor(username: str) -> Actor:
    return Actor.of(user(username))


def jinan_plan() -> Plan:
    return Plan.objects.get(source_name="003_jinan_2018.txt")


def jinan_tasks():
    return Task.objects.filter(plan=jinan_plan())


def drafts():
    return Plan.objects.exclude(source_name="003_jinan_2018.txt")


def tasks_with(unit_names: set[str], roles: tuple[str, ...]) -> set[int]:
    return set(
        TaskUnit.objects.filter(unit__name__in=unit_names, role__in=roles).values_list(
            "task_id", flat=True
        )
    )


def test_a_load_that_fails_half_way_leaves_nothing_behind(loaded):
    assert all(n == 0 for n in loaded.failed.values()), loaded.failed
    assert loaded.files_after_failure == []


def test_running_the_demo_twice_creates_everything_once(loaded):
    assert loaded.first == loaded.second
    assert Plan.objects.count() == 5
    assert jinan_tasks().count() == 61  # one per responsibility tail of the plan
    # The 26 numbered items of "二、主要措施" (一)…(七).
    assert Problem.objects.filter(plan=jinan_plan()).count() == 26
    assert Unit.objects.filter(name="历城区政府", parent__name="历城区").count() == 1
    assert set(UnitGroup.objects.values_list("name", flat=True)) >= {
        "市生态文明建设工作领导小组各成员单位",
        "各县区党委、政府",
    }
    roles = Counter(
        Profile.objects.filter(user__username__startswith="demo-").values_list("role", flat=True)
    )
    # Two office users: the clerk requests close-outs on units' behalf, the office approves.
    assert roles == {Role.OFFICE: 2, Role.UNIT: 2, Role.SUPERVISOR: 1, Role.LEADER: 1}


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


def test_every_seed_plan_is_imported_verbatim_with_its_hash(loaded):
    seeds = sorted(PLANS.glob("*.txt"))
    assert len(seeds) == 5
    for path in seeds:
        raw = path.read_bytes()
        plan = Plan.objects.get(content_hash=hashlib.sha256(raw).hexdigest())
        assert plan.source_name == path.name
        assert plan.source_text == raw.decode("utf-8")
        assert AuditEvent.objects.filter(action="plan.import", target_id=plan.pk).count() == 1
    plan = jinan_plan()
    assert plan.title == "济南市贯彻落实中央环境保护督察组督察反馈意见整改落实实施方案"
    assert plan.issued_on == dt.date(2018, 6, 29)
    assert plan.status == PlanStatus.CONFIRMED and plan.published
    assert plan.inspections.get().feedback_on == dt.date(2017, 12, 29)


def test_every_task_span_lies_inside_its_plans_source(loaded):
    for plan in Plan.objects.all():
        size = len(plan.source_text)
        spans = plan.tasks.values_list("span_start", "span_end")
        assert spans and all(0 <= start < end <= size for start, end in spans), plan


def test_each_jinan_task_span_is_its_paragraph_followed_by_its_responsibility_tail(loaded):
    plan = jinan_plan()
    for task in jinan_tasks():
        assert task.source_excerpt == task.text
        tail = plan.source_text[task.span_end :].split("\n", 1)[0]
        assert tail.startswith("(责任单位:") and task.deadline_raw in tail, task.seq


def test_deadlines_are_kept_as_written_and_normalised(loaded):
    expected = {
        "立行立改,长期坚持": (None, True, True),
        "立行立改": (None, True, False),
        "2018年8月": (dt.date(2018, 8, 31), False, False),
        "2020年年底": (dt.date(2020, 12, 31), False, False),
        "2019年年底": (dt.date(2019, 12, 31), False, False),
    }
    seen = set()
    for task in jinan_tasks():
        if task.deadline_raw in expected:
            seen.add(task.deadline_raw)
            assert (task.due_date, task.immediate, task.ongoing) == expected[task.deadline_raw]
    assert seen == set(expected)


def test_collective_units_expand_to_their_members_through_the_group(loaded):
    task = jinan_tasks().get(text__contains="进一步加强环境信用体系建设")
    group = UnitGroup.objects.get(name="各县区党委、政府")
    via = task.assignments.filter(via_group=group)
    assert via.count() == 20
    assert set(via.values_list("role", flat=True)) == {AssignmentRole.LEAD}
    persons = set(task.persons.values_list("text", flat=True))
    assert persons == {"市环保局主要负责人", "各县区党委、政府主要负责人"}


def test_a_distributive_phrase_names_each_district_body(loaded):
    task = jinan_tasks().get(text__contains="提高危险废物处置能力")
    names = set(task.assignments.filter(role="lead").values_list("unit__name", flat=True))
    assert {"济阳县党委", "济阳县政府", "长清区党委", "长清区政府"} <= names
    assert not task.assignments.filter(unit__name="历城区政府").exists()


def test_every_jinan_task_has_a_supervising_unit_that_is_not_responsible_for_it(loaded):
    for task in jinan_tasks():
        supervising = set(
            task.assignments.filter(role="supervising").values_list("unit_id", flat=True)
        )
        responsible = set(
            task.assignments.filter(role__in=("lead", "coop")).values_list("unit_id", flat=True)
        )
        assert supervising and not supervising & responsible
    # Given by the office in its review, on the record.
    added = AuditEvent.objects.filter(action="taskunit.create", actor__username="demo-office")
    assert set(added.values_list("task_id", flat=True)) == set(
        jinan_tasks().values_list("id", flat=True)
    )
    hazardous_waste = jinan_tasks().get(text__contains="提高危险废物处置能力")
    assert hazardous_waste.assignments.get(role="supervising").unit.name == "市卫生计生委"


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
    hazardous_waste = jinan_tasks().get(text__contains="提高危险废物处置能力")
    assert hazardous_waste.pk not in visible  # names 济阳县 and 长清区 only


def test_the_env_bureau_user_sees_tasks_it_leads_or_cooperates_on(loaded):
    visible = set(access.visible_tasks(actor("demo-unit")).values_list("id", flat=True))
    # The plan's 责任单位 lists name no cooperating unit apart, so the bureau leads them all.
    leads = tasks_with({"市生态环境局"}, ("lead",))
    assert leads and not tasks_with({"市生态环境局"}, ("coop",))
    assert visible == leads
    assert len(visible) < jinan_tasks().count()


def test_the_supervisor_sees_only_the_tasks_it_supervises(loaded):
    visible = set(access.visible_tasks(actor("demo-supervisor")).values_list("id", flat=True))
    assert visible == tasks_with({jinan.RECTIFICATION_OFFICE}, ("supervising",))
    assert 0 < len(visible) < jinan_tasks().count()
    waiting = Task.objects.filter(
        pk__in=visible, status__in=[Status.REQUESTED, Status.VERIFICATION]
    )
    assert waiting.exists()  # the supervisor has a review or a verification to do


def test_the_office_and_the_leader_see_every_task_and_only_the_office_edits(loaded):
    total = Task.objects.count()
    assert total > jinan_tasks().count()  # the drafts' tasks too
    for username in ("demo-office", "demo-leader"):
        assert access.visible_tasks(actor(username)).count() == total
    assert access.can_edit(actor("demo-office"))
    assert not access.can_edit(actor("demo-leader"))


def test_every_demo_user_signs_in_with_the_documented_password(loaded, client):
    for spec in DEMO_USERS:
        # Through the login page: the login throttle (axes) judges logins by their request.
        response = client.post("/login/", {"username": spec.username, "password": PASSWORD})
        assert response.status_code == 302, spec.username
        client.logout()
    for spec in DEMO_USERS:
        assert spec.username in loaded.output
    assert PASSWORD in loaded.output


def test_the_ledger_shows_close_outs_a_send_back_and_a_reopen(loaded):
    statuses = Counter(jinan_tasks().values_list("status", flat=True))
    assert statuses[Status.CLOSED] >= 1 and statuses[Status.SUSTAINED] >= 1
    assert statuses[Status.IN_PROGRESS] > jinan_tasks().count() // 2
    assert statuses[Status.DRAFT] == 0  # the plan was confirmed as a whole
    send_back = AuditEvent.objects.get(action="task.send_back")
    assert send_back.note and send_back.actor.username == "demo-supervisor"
    reopened = AuditEvent.objects.get(action="task.reopen")
    assert Task.objects.get(pk=reopened.task_id).status == Status.IN_PROGRESS
    filed = Task.objects.filter(status=Status.CLOSED).first()
    assert filed.closed_on is not None and filed.closed_on.year == 2018
    reported = ProgressReport.objects.values("task").distinct().count()
    assert reported > jinan_tasks().count() // 2
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


def test_the_jinan_plan_was_confirmed_once_with_every_unit_name_resolved(loaded):
    plan = jinan_plan()
    assert not UnitProposal.objects.filter(task__plan=plan).exists()
    confirmed = AuditEvent.objects.get(action="plan.confirm")
    assert confirmed.target_id == plan.pk and confirmed.actor.username == "demo-office"
    assert AuditEvent.objects.filter(action="task.confirm").count() == 61
    bureau = TaskPerson.objects.filter(task__plan=plan, text="市环保局主要负责人")
    assert bureau.exists() and {p.unit.name for p in bureau} == {"市生态环境局"}


def test_the_other_seed_plans_wait_as_drafts_with_their_unit_names_open(loaded):
    plans = drafts()
    assert plans.count() == 4
    for plan in plans:
        assert plan.status == PlanStatus.DRAFT and not plan.published
        assert plan.tasks.exists()
        assert set(plan.tasks.values_list("status", flat=True)) == {Status.DRAFT}
    # Other cities' "市生态环境局" is not Jinan's: no name of theirs became a Jinan unit.
    assert not TaskUnit.objects.filter(task__plan__in=plans).exists()
    open_names = UnitProposal.objects.filter(task__plan__in=plans, decided=False)
    assert open_names.filter(text="市生态环境局").exists()
    assert not UnitProposal.objects.filter(task__plan__in=plans, decided=True).exists()


def test_no_one_but_the_office_and_the_leader_sees_the_drafts(loaded):
    draft_tasks = set(Task.objects.filter(plan__in=drafts()).values_list("id", flat=True))
    assert draft_tasks
    for username in ("demo-unit", "demo-district", "demo-supervisor"):
        visible = set(access.visible_tasks(actor(username)).values_list("id", flat=True))
        assert visible and not visible & draft_tasks, username
    public = set(access.visible_tasks(Actor.of(None)).values_list("id", flat=True))
    assert public == set(jinan_tasks().values_list("id", flat=True))


def test_the_replayed_sweeps_leave_a_snapshot_of_each_week_they_ran_in(loaded):
    from closeout.ledger.models import Snapshot, SnapshotRow, SweepRun

    weeks = {run.as_of - dt.timedelta(days=run.as_of.weekday()) for run in SweepRun.objects.all()}
    snapshots = list(Snapshot.objects.order_by("period_start"))
    assert {s.period_start for s in snapshots} == weeks and len(snapshots) > 6
    last = SweepRun.objects.order_by("-as_of").first().as_of  # the demo's "today"
    assert snapshots[-1].period_start == last - dt.timedelta(days=last.weekday())
    assert snapshots[-1].as_of == last
    counted = Task.objects.exclude(status__in=[Status.DRAFT, Status.CANCELLED]).count()
    assert snapshots[-1].tasks == counted
    rows = SnapshotRow.objects.filter(snapshot=snapshots[-1], kind="category")
    assert sum(rows.values_list("tasks", flat=True)) == counted
