"""An office's Excel ledger (台账) imported as a draft plan: its rows become draft tasks
through the plan import, and their progress columns the tasks' first reports, with the
import as their source, in the import's one transaction."""

from __future__ import annotations

import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from closeout.ingest.tests.ledgerbooks import TITLE, ledger_workbook, plain_workbook
from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan
from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    MissedReport,
    Plan,
    PlanStatus,
    Problem,
    ProgressReport,
    Role,
    Task,
    Unit,
)
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services.firstreports import SOURCE

OFFICE = Actor(role=Role.OFFICE, label="test-office")
NAME = "济南台账.xlsx"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def registry(db):
    return jinan.load_units(OFFICE)


def _import(data: bytes) -> services.ImportOutcome:
    return services.plan_import(OFFICE, data=data, name=NAME)


def _lead(task: Task) -> list[str]:
    return list(
        task.assignments.filter(role=AssignmentRole.LEAD).values_list("unit__name", flat=True)
    )


# seq: lead unit, report text, report percent, task progress, flags beyond the parse's
EXPECTED = {
    1: ("市生态环境局", "已淘汰锅炉120台\n完成情况：推进中", None, 0, []),
    2: ("市公安局", "检查企业35家\n完成情况：已完成", 100, 100, []),
    3: ("市城乡水务局", "完成情况：已销号", 100, 100, ["ledger_closed"]),
    4: ("市城乡水务局", "管网已铺设8公里", 60, 60, []),
}


def test_a_ledger_becomes_a_draft_plan_with_its_first_reports(registry):
    out = _import(ledger_workbook())
    plan = out.plan
    assert out.created and out.tasks == 4 and out.reports == 4
    assert (plan.title, plan.status, plan.source_name) == (TITLE, PlanStatus.DRAFT, NAME)
    problems = list(Problem.objects.filter(plan=plan).order_by("seq"))
    assert [(p.number, p.title) for p in problems] == [
        ("1", "城区燃煤锅炉污染突出"), ("2", "水源地违法建筑未清理"), ("", "黑臭水体整治滞后"),
    ]  # fmt: skip
    for task in Task.objects.filter(plan=plan).order_by("seq"):
        lead, text, percent, progress, flags = EXPECTED[task.seq]
        assert task.status == Status.DRAFT and _lead(task) == [lead]
        assert task.progress == progress
        assert [f.partition(":")[0] for f in task.flags if f.startswith("ledger_")] == flags
        report = task.reports.get()
        assert (report.text, report.percent) == (text, percent)
        assert report.period_start is None and report.period_end is None and not report.late
        assert report.unit.name == lead and report.reporter is None
        # The review page shows where the task came from: its span is its row's line.
        sheet, row = ("水", 2) if task.seq == 4 else ("大气", 5 + task.seq)
        assert task.source_excerpt.startswith(f"{sheet} 第{row}行: ")


def test_the_first_reports_name_the_import_as_their_source(registry):
    plan = _import(ledger_workbook()).plan
    events = AuditEvent.objects.filter(action="report.create").order_by("task__seq")
    assert [e.after["source"] for e in events] == [
        {"kind": SOURCE, "plan": plan.pk, "file": NAME, "sheet": sheet, "row": row}
        for sheet, row in (("大气", 6), ("大气", 7), ("大气", 8), ("水", 2))
    ]
    assert events[0].note == f"{NAME}: 大气 row 6"
    reports = {r.pk: r for r in ProgressReport.objects.all()}
    for event in events:
        report = reports[event.target_id]
        assert event.task_id == report.task_id and event.after["text"] == report.text
        assert event.after["period"] is None
    imported = AuditEvent.objects.get(action="plan.import")
    assert imported.after["reports"] == 4 and imported.after["tasks"] == 4
    assert AuditEvent.objects.filter(action="task.create").count() == 4


def test_confirming_the_plan_keeps_the_first_reports_and_the_task_owes_its_own(registry):
    plan = _import(ledger_workbook()).plan
    supervisor = Unit.objects.get(name="市整改工作领导小组办公室")
    services.plan_supervisor_default(OFFICE, plan_id=plan.pk, unit_id=supervisor.pk)
    services.plan_confirm(OFFICE, plan.pk)
    task = Task.objects.get(plan=plan, seq=4)
    assert task.status == Status.IN_PROGRESS and task.progress == 60
    assert task.last_report_period is None  # the carried report is for no period
    assert task.reports.count() == 1 and not MissedReport.objects.exists()
    report = services.report_create(actor=OFFICE, task_id=task.pk, text="管网铺设完成", percent=80)
    assert report.period_start is not None
    task.refresh_from_db()
    assert task.progress == 80 and task.reports.count() == 2


def test_reimporting_the_same_ledger_writes_nothing(registry):
    data = ledger_workbook()
    first = _import(data)
    again = _import(data)
    assert not again.created and again.plan.pk == first.plan.pk
    assert ProgressReport.objects.count() == 4


def test_a_ledger_saved_again_is_the_plans_next_version(registry):
    first = _import(ledger_workbook()).plan
    edited = ledger_workbook(water=[["黑臭水体整治滞后", "完成小清河截污纳管", "市城乡水务局",
                                     "2021年6月底前", "管网已铺设12公里", 80, None]])  # fmt: skip
    out = _import(edited)
    assert out.created and out.previous == first and out.plan.version == 2
    assert (out.diff.unchanged, [list(c.fields) for c in out.diff.changed]) == (3, [["deadline"]])
    assert out.plan.tasks.get(seq=4).reports.get().percent == 80


def _nothing_written(data: bytes, events: int) -> None:
    assert not Plan.objects.exists() and not Task.objects.exists()
    assert not ProgressReport.objects.exists() and AuditEvent.objects.count() == events
    assert not (Path(settings.DATA_DIR) / "plans" / hashlib.sha256(data).hexdigest()).exists()


def test_a_workbook_without_ledger_headers_is_refused_naming_the_sheet(registry):
    events = AuditEvent.objects.count()  # the registry's own
    data = plain_workbook(("人员名单", [["姓名", "电话"], ["张三", "123"]]))
    with pytest.raises(InvalidInput) as caught:
        _import(data)
    assert caught.value.field == "file"
    message = caught.value.message
    assert message.startswith(f"{NAME} cannot be read: ") and "人员名单" in message
    _nothing_written(data, events)


def test_a_refused_report_leaves_nothing_behind(registry):
    events = AuditEvent.objects.count()
    rows = [["问题", "整改措施", "牵头单位", "整改时限", "进展情况"],
            ["扬尘污染", "道路洒水", "市城管局", "2019年底", "已洒水"],
            ["扬尘污染", "工地围挡", "市城管局", "2019年底", "进" * 5001]]  # fmt: skip
    data = plain_workbook(("台账", rows))
    with pytest.raises(InvalidInput) as caught:
        _import(data)
    assert caught.value.message.startswith("台账 row 3: ")
    assert "5000" in caught.value.message
    _nothing_written(data, events)


def test_the_import_command_takes_a_ledger(registry, tmp_path):
    path = tmp_path / "济南台账.xlsx"
    path.write_bytes(ledger_workbook())
    out = StringIO()
    call_command("import", str(path), stdout=out)
    printed = out.getvalue()
    assert f"{TITLE} (version 1, draft)" in printed
    assert (
        "tasks: 4;" in printed and "first reports from the ledger's progress columns: 4" in printed
    )
    assert ProgressReport.objects.count() == 4


def test_the_benchmark_imports_a_generated_ledger_and_rolls_it_back(db):
    out = StringIO()
    call_command("benchimport", "--ledger-draft", "--rows", "30", stdout=out)
    printed = out.getvalue()
    assert "rows: 30 (" in printed and "30 tasks read" in printed
    assert "import to a draft: " in printed and "30 tasks, 30 first reports" in printed
    assert not Plan.objects.exists() and not Unit.objects.exists()
