"""Plan import: the seed plans become draft ledgers, reviewed and confirmed atomically."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from closeout import samples
from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    PersonRole,
    Plan,
    PlanStatus,
    Problem,
    Role,
    Task,
    TaskPerson,
    TaskUnit,
    Unit,
    UnitProposal,
)
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services import imports as import_services


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the catalog makes them Chinese by default)."""
    with translation.override("en"):
        yield


INGEST = Path(__file__).resolve().parents[2] / "ingest" / "tests"
SEED_003 = samples.plan_bytes("003_jinan_2018.txt")
GOLD_003 = json.loads((INGEST / "gold" / "003.json").read_text("utf-8"))

OFFICE = Actor(role=Role.OFFICE, label="test-office")

SMALL_PLAN = """济南市贯彻落实督察反馈意见整改补充方案
一、主要措施
1.加强大气污染防治。全面淘汰燃煤小锅炉。(责任单位:市环保局、市测试局;责任人:市环保局主要负责人;整改时限:2019年底)
2.加强水源保护。清理饮用水水源保护区内违法建筑。(责任单位:市城乡水务局;责任人:市城乡水务局主要负责人;整改时限:立行立改,长期坚持)
3.推进土壤污染治理。开展土壤污染状况详查。(责任单位:市国土资源局;责任人:市国土资源局主要负责人;整改时限:2020年6月底)
"""


@pytest.fixture
def registry(db):
    return jinan.load_units(OFFICE)


def _import(data: bytes, name: str = "plan.txt") -> services.ImportOutcome:
    return services.plan_import(OFFICE, data=data, name=name)


def _supervise(plan: Plan) -> None:
    """What the office's review does for a plan that names no supervising unit."""
    supervisor = Unit.objects.filter(name="市整改工作领导小组办公室").first()
    assert supervisor is not None
    services.plan_supervisor_default(OFFICE, plan_id=plan.pk, unit_id=supervisor.pk)


def _units(task: Task, role: str = AssignmentRole.LEAD) -> set[str]:
    return set(task.assignments.filter(role=role).values_list("unit__name", flat=True))


def test_importing_seed_003_creates_61_draft_tasks_with_the_gold_units(registry):
    out = _import(SEED_003, "jinan_2018.txt")
    plan = out.plan
    assert out.created and out.tasks == 61
    assert plan.status == PlanStatus.DRAFT and plan.version == 1
    assert plan.content_hash == hashlib.sha256(SEED_003).hexdigest()
    assert plan.source_text == SEED_003.decode("utf-8")
    assert (Path(settings.DATA_DIR) / "plans" / plan.content_hash).read_bytes() == SEED_003
    tasks = list(plan.tasks.order_by("seq"))
    assert len(tasks) == 61 and {t.status for t in tasks} == {Status.DRAFT}
    assert {t.state.bucket for t in tasks} == {""}  # a draft is in no bucket
    # Every unit name of the Jinan plan is in the Jinan registry: nothing left to decide.
    assert out.unresolved == [] and not UnitProposal.objects.exists()
    for task, gold in zip(tasks, GOLD_003["tasks"], strict=True):
        assert task.text.startswith(gold["prefix"])
        assert plan.source_text[task.span_start : task.span_end].startswith(task.text[:20])
        assert task.immediate == gold["deadline"]["immediate"]
        assert task.ongoing == gold["deadline"]["ongoing"]
        assert (task.due_date.isoformat() if task.due_date else None) == gold["deadline"]["due"]
        persons = list(
            task.persons.filter(role=PersonRole.RESPONSIBLE).values_list("text", flat=True)
        )
        assert persons == gold["persons"]
    # Spot checks: a former name, a distributive phrase and a collective through its group.
    t2 = tasks[1]
    assert _units(t2) == {"市委办公厅", "市政府办公厅", "市生态环境局"}  # 市环保局 renamed
    person = TaskPerson.objects.get(task=t2, text="市环保局主要负责人")
    assert person.unit.name == "市生态环境局" and person.post == "主要负责人"
    first = tasks[0]
    via = set(first.assignments.exclude(via_group=None).values_list("via_group__name", flat=True))
    assert via == {jinan.ECO_GROUP_MEMBERS, jinan.ALL_DISTRICTS}
    assert "历城区政府" in _units(first) and "市发改委" in _units(first)
    gold_seq = next(i for i, g in enumerate(GOLD_003["tasks"]) if "济阳县党委" in g["lead_units"])
    assert {"济阳县党委", "济阳县政府", "长清区党委", "长清区政府"} <= _units(tasks[gold_seq])
    problems = Problem.objects.filter(plan=plan)
    assert problems.count() > 1 and all(p.outline_path for p in problems)
    assert AuditEvent.objects.filter(action="plan.import", target_id=plan.pk).count() == 1


def test_reimporting_the_same_bytes_changes_nothing(registry):
    first = _import(SEED_003)
    events = AuditEvent.objects.count()
    again = _import(SEED_003, "renamed.txt")
    assert not again.created and again.plan.pk == first.plan.pk
    assert Plan.objects.count() == 1 and Task.objects.count() == 61
    assert AuditEvent.objects.count() == events


def test_a_revised_file_becomes_the_next_version_and_lists_what_changed(registry):
    original = _import(SMALL_PLAN.encode()).plan
    revised = SMALL_PLAN.replace("2019年底", "2020年底").replace(
        "3.推进土壤污染治理。开展土壤污染状况详查。", "3.推进噪声污染治理。完成噪声地图绘制工作。"
    )
    out = _import(revised.encode())
    plan = out.plan
    assert out.created and plan.version == 2 and plan.previous_id == original.pk
    diff = out.diff
    assert diff is not None and diff.unchanged == 1
    assert [c.old_seq for c in diff.changed] == [1]
    assert set(diff.changed[0].fields) == {"deadline"}
    assert diff.added == [3] and diff.removed == [3]
    # Confirming the new version retires the old one.
    UnitProposal.objects.filter(task__plan=plan).update(decided=True)
    _supervise(plan)
    services.plan_confirm(OFFICE, plan.pk)
    original.refresh_from_db()
    assert original.status == PlanStatus.SUPERSEDED


def test_a_failure_mid_import_leaves_nothing_behind(registry, monkeypatch):
    real = import_services.tasksbulk.tasks_create_many
    calls = {"tasks": 0}

    def failing(**kwargs):  # the tasks are written, then the disk is full
        calls["tasks"] = len(real(**kwargs))
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_services.tasksbulk, "tasks_create_many", failing)
    with pytest.raises(RuntimeError):
        _import(SEED_003)
    assert calls["tasks"] == 61
    assert not Plan.objects.exists() and not Task.objects.exists()
    assert not Problem.objects.exists() and not UnitProposal.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["plan.create", "task.create"]).exists()
    assert not (Path(settings.DATA_DIR) / "plans" / hashlib.sha256(SEED_003).hexdigest()).exists()


def test_unknown_units_are_kept_as_proposals_and_block_confirmation(registry):
    out = _import(SMALL_PLAN.encode())
    assert out.unresolved == ["市测试局"]
    proposal = UnitProposal.objects.get()
    assert proposal.role == AssignmentRole.LEAD and not proposal.decided
    task = proposal.task
    assert "unit_unresolved: 市测试局" in task.flags
    assert _units(task) == {"市生态环境局"}
    with pytest.raises(InvalidInput, match="市测试局"):
        services.plan_confirm(OFFICE, out.plan.pk)
    assert set(Task.objects.values_list("status", flat=True)) == {Status.DRAFT}
    water = Unit.objects.get(name="市城乡水务局")
    services.proposal_decide(OFFICE, proposal.pk, water.pk)
    task.refresh_from_db()
    assert _units(task) == {"市生态环境局", "市城乡水务局"}
    assert "unit_unresolved: 市测试局" not in task.flags
    with pytest.raises(InvalidInput, match="supervising"):
        services.plan_confirm(OFFICE, out.plan.pk)
    _supervise(out.plan)
    services.plan_confirm(OFFICE, out.plan.pk)
    assert set(Task.objects.values_list("status", flat=True)) == {Status.IN_PROGRESS}
    assert set(TaskUnit.objects.values_list("task_status", flat=True)) == {Status.IN_PROGRESS}
    assert Plan.objects.get().status == PlanStatus.CONFIRMED
    with pytest.raises(InvalidTransition):
        services.plan_confirm(OFFICE, out.plan.pk)


def test_a_plan_of_an_unknown_city_never_takes_another_citys_units(registry):
    # "市环保局" of a city not in the registry is not Jinan's 市生态环境局: it is asked about.
    out = _import(SMALL_PLAN.replace("济南市", "测试市").encode())
    assert "市环保局" in out.unresolved
    proposal = UnitProposal.objects.filter(text="市环保局").first()
    assert proposal is not None and not proposal.decided
    jinan_env = Unit.objects.get(name="市生态环境局")
    assert jinan_env.pk in [c["unit"] for c in proposal.candidates]
    assert not TaskUnit.objects.filter(task__plan=out.plan, unit=jinan_env).exists()


def test_a_dropped_name_assigns_nothing_and_is_audited(registry):
    out = _import(SMALL_PLAN.encode())
    proposal = UnitProposal.objects.get()
    before = TaskUnit.objects.count()
    services.proposal_decide(OFFICE, proposal.pk, None)
    assert TaskUnit.objects.count() == before
    event = AuditEvent.objects.get(action="unitproposal.decide")
    assert event.task_id == proposal.task_id and event.after == {"unit": None, "dropped": True}
    with pytest.raises(InvalidInput):
        services.proposal_decide(OFFICE, proposal.pk, None)
    _supervise(out.plan)
    services.plan_confirm(OFFICE, out.plan.pk)


def test_only_the_office_imports_confirms_and_decides(world):
    unit_actor = world.actor("unit_env")
    leader = world.actor("leader")
    for actor in (unit_actor, leader, Actor.system("t")):
        with pytest.raises(NotPermitted):
            services.plan_import(actor, data=SMALL_PLAN.encode(), name="p.txt")
    out = services.plan_import(world.actor("office"), data=SMALL_PLAN.encode(), name="p.txt")
    proposal = UnitProposal.objects.filter(task__plan=out.plan).first()
    with pytest.raises(NotPermitted):
        services.proposal_decide(unit_actor, proposal.pk, None)
    with pytest.raises(NotPermitted):
        services.plan_confirm(leader, out.plan.pk)


def test_an_unreadable_file_is_refused_with_its_name(db):
    with pytest.raises(InvalidInput, match=r"broken\.docx"):
        _import(b"PK\x03\x04 not really a zip", "broken.docx")
    with pytest.raises(InvalidInput, match=r"empty\.txt"):
        _import("只有一句话。".encode(), "empty.txt")
    assert not Plan.objects.exists()


def test_duplicate_problems_are_reported_and_not_imported_twice(db):
    block = (
        "整改方案篇一\n一、大气污染问题\n1.淘汰燃煤锅炉。(责任单位:市环保局;整改时限:2019年底)\n"
        "整改方案篇二\n一、大气污染问题\n1.淘汰燃煤锅炉。(责任单位:市环保局;整改时限:2019年底)\n"
    )
    parsed = services.parse_upload(block.encode(), "dup.txt")
    dups = [t.seq for t in parsed.tasks if t.duplicate_of is not None]
    out = _import(block.encode(), "dup.txt")
    assert [seq for seq, _ in out.duplicates] == dups
    assert out.tasks == len(parsed.tasks) - len(dups)


def test_a_task_without_a_lead_unit_cannot_be_confirmed(registry):
    # A narrative plan: measures with no responsible unit written anywhere.
    narrative = "济南市整改工作要点\n一、主要任务\n1.全面排查入河排污口。\n2.完善监测网络建设。\n"
    out = _import(narrative.encode())
    assert out.tasks >= 1 and not UnitProposal.objects.exists()
    with pytest.raises(InvalidInput) as err:
        services.plan_confirm(OFFICE, out.plan.pk)
    assert err.value.field == "units"
    assert set(Task.objects.filter(plan=out.plan).values_list("status", flat=True)) == {
        Status.DRAFT
    }
    for task in Task.objects.filter(plan=out.plan):
        services.audited_save(
            OFFICE,
            TaskUnit(task=task, unit=Unit.objects.get(name="市生态环境局"), role="lead"),
            task=task,
        )
    with pytest.raises(InvalidInput, match="no supervising unit"):
        services.plan_confirm(OFFICE, out.plan.pk)
    _supervise(out.plan)
    assert services.plan_confirm(OFFICE, out.plan.pk).status == PlanStatus.CONFIRMED
