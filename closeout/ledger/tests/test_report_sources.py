"""What a parsed plan becomes in the ledger beyond its tasks: each report's source (a
unit's report, a workbook sent back, an imported ledger's or document's first report),
the milestones of staged deadlines (分阶段), and a close-out notice's completion as its
task's first report (文件导入)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone, translation

from closeout.ingest import ParseContext, parse, to_json
from closeout.ingest.tests.ledgerbooks import ledger_workbook
from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AuditEvent,
    Milestone,
    ProgressReport,
    ReportSource,
    Role,
    Task,
)
from closeout.ledger.rules.stages import staged_milestones
from closeout.ledger.services.reportsbulk import ReportItem, reports_create_many

OFFICE = Actor(role=Role.OFFICE, label="test-office")
CORPUS = Path(__file__).resolve().parents[2] / "ingest" / "tests" / "corpus"
NOTICE = CORPUS / "single_task" / "jiangmen_2023_xiaohao_gongshi.txt"
STAGED = CORPUS / "sentence_deadlines" / "qujing_2024_fangan.txt"
# As the parser gives it (its commas made ASCII).
COMPLETION = (
    "企业已完成喷涂车间密闭改造和废气治理设施建设,2023年9月12日经第三方监测,"
    "废气排放浓度达标,周边群众表示满意。"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _import(data: bytes, name: str) -> services.ImportOutcome:
    return services.plan_import(OFFICE, data=data, name=name)


# ------------------------------------------------------------------------ report source


def _by_form(world) -> list[ProgressReport]:
    return [services.report_create(actor=world.actor("unit_env"), task_id=world.own.pk,
                                   text="已完成排查", percent=40)]  # fmt: skip


def _by_workbook(world) -> list[ProgressReport]:
    return reports_create_many(actor=world.actor("office"),
                               items=[ReportItem(world.own.pk, "台账回传", 30)])  # fmt: skip


def _by_ledger(world) -> list[ProgressReport]:
    plan = _import(ledger_workbook(), "济南台账.xlsx").plan
    return list(ProgressReport.objects.filter(task__plan=plan))


def _by_notice(world) -> list[ProgressReport]:
    plan = _import(NOTICE.read_bytes(), NOTICE.name).plan
    return list(ProgressReport.objects.filter(task__plan=plan))


def _unsaid(world) -> list[ProgressReport]:
    """A row written without a source (as every row before the field was) is a unit's."""
    return [ProgressReport.objects.create(task=world.own, submitted_at=timezone.now(),
                                          text="旧报告")]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "source", "count"),
    [
        (_by_form, ReportSource.UNIT, 1),
        (_by_workbook, ReportSource.WORKBOOK, 1),
        (_by_ledger, ReportSource.LEDGER_IMPORT, 4),
        (_by_notice, ReportSource.DOCUMENT_IMPORT, 1),
        (_unsaid, ReportSource.UNIT, 1),
    ],
    ids=["report form", "workbook sent back", "ledger import", "notice import", "default"],
)
def test_each_way_in_gives_its_reports_their_source(
    world, make: Callable[..., list[ProgressReport]], source: str, count: int
):
    made = make(world)
    assert len(made) == count
    stored = ProgressReport.objects.filter(pk__in=[r.pk for r in made])
    assert set(stored.values_list("source", flat=True)) == {source}


# ------------------------------------------------------------------ staged deadlines


def test_staged_deadlines_become_the_tasks_milestones_and_others_get_none(db):
    parsed = to_json(parse(STAGED.read_bytes(), ParseContext(name=STAGED.name)))
    stages = {t["seq"]: t["deadline_detail"]["milestones"] for t in parsed["tasks"]
              if t["duplicate_of"] is None}  # fmt: skip
    assert sum(1 for s in stages.values() if s) == 2 and len(stages) > 2
    plan = _import(STAGED.read_bytes(), STAGED.name).plan
    tasks = Task.objects.filter(plan=plan).order_by("seq")
    assert len(tasks) == len(stages)
    for task in tasks:
        got = list(task.milestones.order_by("seq").values_list(
            "seq", "title", "due_date", "expected_progress", "reached_on"))  # fmt: skip
        want = [(i, title, due, pct, None) for i, (title, due, pct) in
                enumerate(staged_milestones(stages[task.seq]), start=1)]  # fmt: skip
        assert got == want, task.seq
        if got:
            assert got[-1][2] == task.due_date and got[-1][3] == 100
    first = Task.objects.get(plan=plan, seq=1)
    assert list(first.milestones.values_list("title", "expected_progress")) == [
        ("完成沾益区、麒麟区污水处理厂提标改造方案编制", 33),
        ("完成主体工程建设", 66),
        ("出水稳定达到一级A标准", 100),
    ]


def test_a_plan_without_staged_deadlines_makes_no_milestones(db):
    _import(ledger_workbook(), "济南台账.xlsx")
    _import(NOTICE.read_bytes(), NOTICE.name)
    assert Task.objects.exists() and not Milestone.objects.exists()


# --------------------------------------------------------------- a close-out notice


def test_a_notices_completion_is_its_tasks_first_report_from_the_document(db):
    out = _import(NOTICE.read_bytes(), NOTICE.name)
    task = Task.objects.get(plan=out.plan)
    report = task.reports.get()
    assert out.reports == 1
    assert (report.text, report.percent, report.source) == (
        f"完成情况：{COMPLETION}", None, ReportSource.DOCUMENT_IMPORT,
    )  # fmt: skip
    assert report.period_start is None and not report.late
    # A narrative states no figure and is no column misread: no progress, no flag.
    assert task.progress == 0 and not [f for f in task.flags if "completion" in f]
    event = AuditEvent.objects.get(action="report.create", target_id=report.pk)
    assert event.after["source"] == {
        "kind": "document_import", "plan": out.plan.pk, "file": NOTICE.name, "seq": 1,
    }  # fmt: skip
    assert event.note == f"{NOTICE.name}: task 1"
    assert AuditEvent.objects.get(action="plan.import").after["reports"] == 1


def test_a_notice_saying_done_in_known_words_brings_the_task_to_100(db):
    text = NOTICE.read_text("utf-8").replace(
        f"完成情况：{COMPLETION.replace(',', '，')}", "完成情况：已完成"
    )
    assert "完成情况：已完成\n" in text
    out = _import(text.encode("utf-8"), "notice.txt")
    task = Task.objects.get(plan=out.plan)
    report = task.reports.get()
    assert (report.text, report.percent, task.progress) == ("完成情况：已完成", 100, 100)
    assert report.source == ReportSource.DOCUMENT_IMPORT


def test_a_plan_stating_no_progress_has_no_first_reports(db):
    parsed = to_json(parse(STAGED.read_bytes(), ParseContext(name=STAGED.name)))
    assert not any(t["completion"] or t["progress_text"] or t["progress"]
                   for t in parsed["tasks"])  # fmt: skip
    out = _import(STAGED.read_bytes(), STAGED.name)
    assert out.reports == 0 and not ProgressReport.objects.exists()
    assert AuditEvent.objects.get(action="plan.import").after["reports"] == 0
