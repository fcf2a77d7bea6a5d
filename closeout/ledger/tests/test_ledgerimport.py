"""A ledger workbook sent back (ledger_import_preview / ledger_import_apply): rows matched
to tasks, changes become progress reports, refusals name sheet, row and column, apply is
all or nothing and audited, and the bulk report path equals report_create one by one."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation
from openpyxl import Workbook

from closeout.ledger import services
from closeout.ledger.errors import Conflict, DomainError, InvalidInput, NotPermitted
from closeout.ledger.models import AuditEvent, MissedReport, ProgressReport, Task, TaskState
from closeout.ledger.services import ledgerimport
from closeout.ledger.services.ledgerimport import ledger_import_apply, ledger_import_preview
from closeout.ledger.services.reportsbulk import ItemRefused, ReportItem, reports_create_many
from closeout.ledger.tests.factories import build_world

pytestmark = pytest.mark.django_db

HEADER = ["序号", "整改措施", "整改目标", "整改进展", "进度(%)", "完成情况", "任务编号"]


def workbook(*rows: list[Any], header: list[str] = HEADER, title: str = "台账") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["某市督察整改台账"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row_of(task: Task, *, progress: str = "", percent: Any = None, completion: str = "",
           target: str | None = None, ident: Any = "same") -> list[Any]:  # fmt: skip
    return [task.seq, task.text, task.target if target is None else target, progress, percent,
            completion, task.pk if ident == "same" else ident]  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return build_world()


def test_changed_progress_becomes_a_report_and_unchanged_rows_no_change(world):
    office = world.actor("office")
    data = workbook(
        row_of(world.own, progress="已完成排查, 整治3处", percent=40),
        row_of(world.child, percent=0),
    )
    preview = ledger_import_preview(actor=office, data=data, name="台账.xlsx")
    assert [(c.task_id, c.field, c.old, c.new) for c in preview.changes] == [
        (world.own.pk, "progress_text", "", "已完成排查, 整治3处"),
        (world.own.pk, "percent", "0%", "40%"),
    ]
    assert preview.changes[1].where == "台账 row 3, column E (进度(%))"
    assert (preview.rows, preview.unchanged, preview.reports) == (2, 1, 1)
    assert preview.refusals == ()
    result = ledger_import_apply(actor=office, data=data, name="台账.xlsx", digest=preview.digest)
    assert result.reports == 1
    world.own.refresh_from_db()
    assert world.own.progress == 40
    report = ProgressReport.objects.get(task=world.own)
    assert (report.text, report.percent) == ("已完成排查, 整治3处", 40)
    assert not ProgressReport.objects.filter(task=world.child).exists()
    event = AuditEvent.objects.get(action="ledger.import")
    assert event.note == "台账.xlsx"
    assert event.after["reports"] == 1 and event.after["sha256"] == preview.sha256
    assert AuditEvent.objects.filter(action="report.create", task_id=world.own.pk).count() == 1


def test_completion_words_mean_full_progress(world):
    preview = ledger_import_preview(
        actor=world.actor("office"),
        data=workbook(row_of(world.own, progress="整改完毕", completion="已完成")),
        name="a.xlsx",
    )
    assert preview.items[0].percent == 100
    assert {c.field for c in preview.changes} == {"progress_text", "completion"}


@pytest.mark.parametrize(
    ("status", "progress", "words", "expected"),
    [
        ("in_progress", 0, "已完成，待销号", "100%"),  # the export's own done words
        ("in_progress", 40, "已完成，长期坚持", "100%"),
        ("in_progress", 0, "完成整改", "100%"),  # another ledger's words
        ("in_progress", 100, "未完成", "unchanged"),  # 100% but not closed out: as exported
        ("requested", 90, "已完成，待销号", "unchanged"),
        ("sustained", 100, "已完成、长期坚持", "unchanged"),
        ("closed", 100, "已销号", "unchanged"),
        ("cancelled", 30, "已撤销", "unchanged"),
        ("closed", 100, "未完成", "noted"),
        ("requested", 90, "推进中", "noted"),
        ("in_progress", 40, "已撤销", "a workbook cannot cancel a task"),
        ("requested", 90, "已销号", "a workbook cannot close out a task"),
    ],
)  # fmt: skip
def test_completion_words_against_the_tasks_state(world, status, progress, words, expected):
    Task.objects.filter(pk=world.own.pk).update(status=status, progress=progress)
    world.own.refresh_from_db()
    preview = ledger_import_preview(
        actor=world.actor("office"),
        data=workbook(row_of(world.own, progress="本周进展" if expected == "100%" else "",
                             percent=progress, completion=words)),
        name="a.xlsx",
    )  # fmt: skip
    if expected == "100%":
        assert preview.refusals == () and preview.items[0].percent == 100
        assert ("completion", f"{progress}%", "100%") in [(c.field, c.old, c.new)
                                                          for c in preview.changes]  # fmt: skip
    elif expected == "unchanged":
        assert (preview.changes, preview.refusals, preview.not_imported) == ((), (), ())
        assert preview.unchanged == 1
    elif expected == "noted":
        assert preview.changes == () and preview.refusals == ()
        assert [n.where for n in preview.not_imported] == ["台账 row 3, column F (完成情况)"]
        assert "a workbook does not take a task back" in preview.not_imported[0].message
    else:
        assert [n.where for n in preview.refusals] == ["台账 row 3, column F (完成情况)"]
        assert preview.refusals[0].message.startswith(expected)


def test_the_same_task_twice_must_say_the_same(world):
    office = world.actor("office")
    edit = row_of(world.own, progress="同一进展", percent=20)
    agree = workbook(edit, row_of(world.own), edit)  # the second row changes nothing
    preview = ledger_import_preview(actor=office, data=agree, name="a.xlsx")
    assert preview.refusals == () and preview.reports == 1
    assert preview.changes[0].where == "台账 row 3, column D (整改进展) (also 台账 row 5)"
    differ = workbook(row_of(world.own, percent=20, progress="x"),
                      row_of(world.own, percent=30, progress="x"))  # fmt: skip
    preview = ledger_import_preview(actor=office, data=differ, name="a.xlsx")
    assert preview.items == ()
    assert [(n.where, n.message) for n in preview.refusals] == [
        ("台账 row 3, column E (进度(%))",
         f"task {world.own.pk} is also at 台账 row 4, column E (进度(%)), which says otherwise: "
         "make the rows agree"),
        ("台账 row 4, column E (进度(%))",
         f"task {world.own.pk} is also at 台账 row 3, column E (进度(%)), which says otherwise: "
         "make the rows agree"),
    ]  # fmt: skip


def _refusal(world, row: list[Any], actor: str = "office", header: list[str] = HEADER) -> str:
    preview = ledger_import_preview(
        actor=world.actor(actor), data=workbook(row, header=header), name="a.xlsx"
    )
    assert preview.items == ()
    assert len(preview.refusals) == 1, preview.refusals
    note = preview.refusals[0]
    return f"{note.where}: {note.message}"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda w: row_of(w.own, progress="x", percent="120"),
         "台账 row 3, column E (进度(%)): progress must be between 0 and 100"),
        (lambda w: row_of(w.own, progress="x", percent="abc"),
         "台账 row 3, column E (进度(%)): 'abc' is not a percentage"),
        (lambda w: row_of(w.own, progress="x", percent=12.5),
         "台账 row 3, column E (进度(%)): 12.5 is not a whole number"),
        (lambda w: row_of(w.own, progress="长" * 5001),
         "台账 row 3, column D (整改进展): the report is longer than 5000 characters"),
        (lambda w: row_of(w.own, completion="已销号"),
         "台账 row 3, column F (完成情况): a workbook cannot close out a task"),
        (lambda w: row_of(w.own, completion="差不多"),
         "台账 row 3, column F (完成情况): '差不多' is not a completion word"),
        (lambda w: row_of(w.own, percent=50, completion="已完成"),
         "台账 row 3, column F (完成情况): says done but the percentage says 50%"),
        (lambda w: row_of(w.own, ident="x12"),
         "台账 row 3, column G (任务编号): 'x12' is not a task number"),
        (lambda w: row_of(w.own, ident=999999),
         "台账 row 3, column G (任务编号): task 999999 is not one of the tasks you report on"),
        (lambda w: row_of(w.own, percent=30),
         "台账 row 3, column E (进度(%)): a progress report needs a text"),
    ],
)  # fmt: skip
def test_refusals_name_sheet_row_and_column(world, make, expected):
    assert _refusal(world, make(world)).startswith(expected)


def test_unit_cannot_import_another_units_task(world):
    message = _refusal(world, row_of(world.foreign, progress="x"), actor="unit_env")
    assert message.startswith(
        f"台账 row 3, column G (任务编号): task {world.foreign.pk} is not one of the tasks"
    )


def test_unit_imports_its_own_task(world):
    unit = world.actor("unit_env")
    data = workbook(row_of(world.own, progress="进展", percent=20))
    preview = ledger_import_preview(actor=unit, data=data, name="a.xlsx")
    ledger_import_apply(actor=unit, data=data, name="a.xlsx", digest=preview.digest)
    report = ProgressReport.objects.get(task=world.own)
    assert (report.reporter_id, report.unit_id) == (unit.user_id, world.env.pk)


@pytest.mark.parametrize("user", ["supervisor", "leader"])
def test_roles_that_do_not_report_cannot_import(world, user):
    with pytest.raises(NotPermitted):
        ledger_import_preview(actor=world.actor(user), data=workbook(), name="a.xlsx")


def test_falling_percent_is_refused_unless_a_reason_column_says_why(world):
    office = world.actor("office")
    services.report_create(actor=office, task_id=world.own.pk, text="一半", percent=50)
    assert _refusal(world, row_of(world.own, progress="返工", percent=10)).startswith(
        "台账 row 3, column E (进度(%)): progress falls from 50% to 10%"
    )
    header = [*HEADER, "下降原因"]
    data = workbook([*row_of(world.own, progress="返工", percent=10), "验收未通过"], header=header)
    preview = ledger_import_preview(actor=office, data=data, name="a.xlsx")
    assert preview.refusals == ()
    ledger_import_apply(actor=office, data=data, name="a.xlsx", digest=preview.digest)
    world.own.refresh_from_db()
    assert world.own.progress == 10
    assert ProgressReport.objects.filter(task=world.own, reason="验收未通过").exists()


def test_rows_without_task_ids_are_matched_by_their_text(world):
    header = ["整改措施", "整改进展"]
    office = world.actor("office")
    Task.objects.filter(pk=world.child.pk).update(text=world.own.text)  # two of that text
    data = workbook([world.foreign.text.replace(":", "：") + " ", "进展"], [world.own.text, "y"],
                    ["没有这条任务", "z"], header=header)  # fmt: skip
    preview = ledger_import_preview(actor=office, data=data, name="a.xlsx")
    assert [c.task_id for c in preview.changes] == [world.foreign.pk]
    assert [n.where for n in preview.refusals] == [
        "台账 row 4, column A (整改措施)", "台账 row 5, column A (整改措施)",
    ]  # fmt: skip
    assert "2 tasks have this text" in preview.refusals[0].message


def test_other_columns_that_differ_are_reported_not_imported(world):
    preview = ledger_import_preview(
        actor=world.actor("office"),
        data=workbook(row_of(world.own, target="新目标"), header=[*HEADER, "备注"]),
        name="a.xlsx",
    )
    assert [(n.where, n.message) for n in preview.not_imported] == [
        ("台账 row 3, column C (整改目标)",
         "not imported: only progress, percent and completion are taken from a workbook"),
    ]  # fmt: skip
    assert preview.items == ()


def test_apply_refuses_when_the_ledger_changed_since_the_preview(world):
    office = world.actor("office")
    data = workbook(row_of(world.own, progress="进展", percent=20))
    preview = ledger_import_preview(actor=office, data=data, name="a.xlsx")
    services.report_create(actor=office, task_id=world.own.pk, text="别人先报了", percent=30)
    with pytest.raises(Conflict):
        ledger_import_apply(actor=office, data=data, name="a.xlsx", digest=preview.digest)
    assert ProgressReport.objects.filter(task=world.own).count() == 1


def test_an_error_in_the_middle_leaves_nothing_written(world, monkeypatch):
    office = world.actor("office")
    data = workbook(row_of(world.own, progress="a", percent=20),
                    row_of(world.child, progress="b", percent=30),
                    row_of(world.foreign, progress="c", percent=40))  # fmt: skip
    preview = ledger_import_preview(actor=office, data=data, name="a.xlsx")
    assert preview.reports == 3
    real = ledgerimport.reports_create_many

    def refuse_second(*, actor, items):  # the second task closes in between
        Task.objects.filter(pk=items[1].task_id).update(status="closed")
        return real(actor=actor, items=items)

    monkeypatch.setattr(ledgerimport, "reports_create_many", refuse_second)
    with pytest.raises(DomainError) as caught:
        ledger_import_apply(actor=office, data=data, name="a.xlsx", digest=preview.digest)
    assert str(caught.value).startswith("台账 row 4: no progress reports while the task is")
    assert not ProgressReport.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["report.create", "ledger.import"]).exists()
    assert Task.objects.get(pk=world.own.pk).progress == 0


def test_apply_of_nothing_is_refused(world):
    office = world.actor("office")
    data = workbook(row_of(world.own))
    preview = ledger_import_preview(actor=office, data=data, name="a.xlsx")
    with pytest.raises(InvalidInput):
        ledger_import_apply(actor=office, data=data, name="a.xlsx", digest=preview.digest)


def test_hostile_file_is_a_clear_error(world):
    with pytest.raises(InvalidInput) as caught:
        ledger_import_preview(actor=world.actor("office"), data=b"PK\x03\x04junk", name="x.xlsx")
    assert caught.value.message.startswith("x.xlsx cannot be read: ")


def _state(tasks: list[Task]) -> list[Any]:
    ids = [t.pk for t in tasks]
    return [
        list(Task.objects.filter(pk__in=ids).order_by("pk").values_list(
            "progress", "last_report_period", "last_reported_at")),
        list(TaskState.objects.filter(task_id__in=ids).order_by("task_id").values_list(
            "bucket", "missed_reports", "missed_since")),
        list(ProgressReport.objects.filter(task_id__in=ids).order_by("task_id", "pk").values_list(
            "text", "percent", "reason", "unit_id", "reporter_id", "period_start", "period_end",
            "late")),
        [(start, report is None) for start, report in MissedReport.objects.filter(
            task_id__in=ids).order_by("task_id", "period_start").values_list(
            "period_start", "report_id")],
        list(AuditEvent.objects.filter(task_id__in=ids, action="report.create")
             .order_by("task_id", "pk")
             .values_list("action", "actor_label", "target_type", "before", "after")),
    ]  # fmt: skip


class _Rollback(Exception):
    pass


@pytest.mark.parametrize("user", ["office", "unit_env"])
def test_bulk_reports_equal_report_create_one_by_one(world, user):
    office = world.actor("office")
    services.report_create(actor=office, task_id=world.own.pk, text="前", percent=60)
    for start in (dt.date(2025, 6, 2), dt.date(2025, 6, 9)):
        MissedReport.objects.create(
            task=world.child, period_start=start, period_end=start + dt.timedelta(days=6),
            due_by=start + dt.timedelta(days=6), recorded_on=start + dt.timedelta(days=7),
        )  # fmt: skip
    actor = world.actor(user)
    tasks = [world.own, world.child] if user == "office" else [world.own]
    items = [ReportItem(t.pk, f"进展{i}", 20 + i, "返工" if i == 0 else "")
             for i, t in enumerate(tasks)]  # fmt: skip
    results = []
    for bulk in (False, True):
        try:
            with transaction.atomic():
                if bulk:
                    reports_create_many(actor=actor, items=items)
                else:
                    for i in items:
                        services.report_create(actor=actor, task_id=i.task_id, text=i.text,
                                               percent=i.percent, reason=i.reason)  # fmt: skip
                results.append(_state(tasks))
                raise _Rollback
        except _Rollback:
            pass
    assert results[0] == results[1]
    assert len(results[0][2]) == len(tasks) + 1  # the reports (and the one before)


@pytest.mark.parametrize(
    ("user", "task", "error"),
    [("supervisor", "own", "does not report"), ("unit_env", "foreign", "does not exist")],
)
def test_bulk_reports_refuse_as_report_create_does(world, user, task, error):
    with pytest.raises(ItemRefused) as caught:
        reports_create_many(actor=world.actor(user),
                            items=[ReportItem(getattr(world, task).pk, "x", 10)])  # fmt: skip
    assert error in caught.value.error.message and caught.value.index == 0
    assert not ProgressReport.objects.exists()


def test_importxlsx_command_previews_and_applies(world, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook(row_of(world.own, progress="命令行导入", percent=25)))
    out = io.StringIO()
    call_command("importxlsx", str(path), "--as", "office", stdout=out)
    assert "1 to report" in out.getvalue() and not ProgressReport.objects.exists()
    call_command("importxlsx", str(path), "--as", "office", "--apply", stdout=out)
    assert "applied: 1 progress reports written" in out.getvalue()
    assert ProgressReport.objects.get().text == "命令行导入"
