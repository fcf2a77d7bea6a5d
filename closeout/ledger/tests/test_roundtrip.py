"""The ledger workbook's round trip: what closeout exports (`ledger_workbook`, the web
download /tasks/export.xlsx) and the same user sends back unedited changes nothing,
refuses nothing and notes nothing; edited cells become exactly the reports they say,
the rest is refused or noted naming the sheet, row and column where the cell is."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.db.models import Max
from django.urls import reverse
from django.utils import translation

from closeout.documents.columns import BY_KEY, OPTIONAL
from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.errors import Conflict
from closeout.ledger.models import AuditEvent, ProgressReport, Task, TaskState, TaskUnit
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors.exports import ledger_workbook
from closeout.ledger.services import PersonRef, UnitRef, reportsbulk
from closeout.ledger.services.ledgerimport import (
    ImportPreview,
    ledger_import_apply,
    ledger_import_preview,
)
from closeout.ledger.tests.factories import (
    PASSWORD,
    ProblemFactory,
    World,
    build_world,
    make_task,
    walk,
)

pytestmark = pytest.mark.django_db
ALL_OPTIONAL = [c.key for c in OPTIONAL]
NAME = "台账（已填报）.xlsx"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world() -> World:
    """build_world, plus a second problem whose tasks are in every state the export has
    words for: `shared` led by two units (市生态环境局 and 市城乡水务局) with numbered
    measures, a target and a multi-line report; one awaiting close-out (已完成，待销号),
    one closed (已销号), one cancelled, one with no lead unit and one draft."""
    w = build_world()
    office = w.actor("office")
    problem = ProblemFactory(plan=w.plan, seq=2, title="黑臭水体整治不到位\n群众反映强烈")
    shared = services.task_create(
        actor=office, problem=problem, seq=4, text="消除黑臭水体",
        measures=["截污纳管", "清淤疏浚"], target="2021年底前基本消除黑臭",
        deadline_raw="2021年6月底（长期坚持）", due_date=dt.date(2021, 6, 30),
        start_date=dt.date(2018, 7, 2),
        units=[UnitRef(w.env), UnitRef(w.water), UnitRef(w.district_env, "coop"),
               UnitRef(w.supervising, "supervising")],
        persons=[PersonRef("市生态环境局局长", unit=w.env, post="局长"),
                 PersonRef("市城乡水务局局长", unit=w.water, post="局长")],
    )  # fmt: skip
    requested = make_task(problem, 5, w.env, w.supervising, text="完成截污管网建设")
    closed = make_task(problem, 6, w.env, w.supervising, text="拆除沿河违建")
    cancelled = make_task(problem, 7, w.env, None, text="已并入其他任务")
    orphan = services.task_create(actor=office, problem=problem, seq=8, text="无牵头单位的任务",
                                  units=[UnitRef(w.supervising, "supervising")])  # fmt: skip
    make_task(problem, 9, w.water, None, text="尚待确认的任务")  # a draft: the office's only
    for task in (shared, requested, closed, cancelled, orphan):
        services.task_transition(actor=office, task_id=task.pk, name="confirm")
    services.report_create(actor=office, task_id=w.own.pk, text="已完成截污管网建设八成",
                           percent=80)  # fmt: skip
    services.report_create(actor=office, task_id=shared.pk, percent=50,
                           text="一、截污：完成3公里；\n二、清淤：进场施工")  # fmt: skip
    services.report_create(actor=office, task_id=requested.pk, text="全部建成", percent=100)
    services.report_create(actor=office, task_id=closed.pk, text="已拆除", percent=100)

    def who(step: str) -> Actor:
        if step == "request_closeout":
            return w.actor("unit_env")
        return w.actor("supervisor") if step in ("pass_review", "verify") else office

    walk(who, requested, "request_closeout")
    walk(who, closed, "request_closeout", "pass_review", "end_notice", "verify", "file")
    services.task_transition(actor=office, task_id=cancelled.pk, name="cancel", note="合并")
    w.users["tasks"] = {"shared": shared, "requested": requested, "closed": closed,
                        "cancelled": cancelled, "orphan": orphan}  # fmt: skip
    return w


def task(w: World, name: str) -> Task:
    return w.users["tasks"][name]


def export(actor: Actor, *, per_unit: bool = False) -> bytes:
    out = io.BytesIO()
    ledger_workbook(actor, None, target=out, optional=ALL_OPTIONAL, per_unit=per_unit)
    return out.getvalue()


def nothing(preview: ImportPreview) -> None:
    assert preview.changes == ()
    assert preview.refusals == ()
    assert preview.not_imported == ()
    assert preview.ignored == ()
    assert preview.items == ()
    assert preview.unchanged == preview.rows > 0


def ledger_state() -> list[Any]:
    """Everything an import could touch, to compare before and after."""
    return [
        list(Task.objects.order_by("pk").values_list(
            "pk", "status", "progress", "text", "target", "measures", "deadline_raw",
            "last_reported_at")),
        list(TaskUnit.objects.order_by("pk").values_list("task_id", "unit_id", "role")),
        list(TaskState.objects.order_by("task_id").values_list("task_id", "bucket")),
        list(ProgressReport.objects.order_by("pk").values_list("task_id", "text", "percent")),
        AuditEvent.objects.count(),
    ]  # fmt: skip


@pytest.mark.parametrize("per_unit", [False, True], ids=["one sheet", "per unit"])
@pytest.mark.parametrize("user", ["office", "unit_env", "unit_water"])
def test_an_unedited_export_comes_back_as_no_change(world, user, per_unit):
    actor = world.actor(user)
    data = export(actor, per_unit=per_unit)
    nothing(ledger_import_preview(actor=actor, data=data, name=NAME))


def test_the_web_download_comes_back_as_no_change(client, settings, world):
    response = client.post(reverse("web:login"), {"username": "unit_env", "password": PASSWORD})
    assert response.status_code == 302
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    query = {"xcol": ALL_OPTIONAL, "per_unit": "on"}
    response = client.get(reverse("web:ledger_xlsx"), query)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    # `shared` is on both its lead units' sheets, though the unit sees it through one
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["市城乡水务局", "市生态环境局"]
    preview = ledger_import_preview(actor=world.actor("unit_env"), data=data, name=NAME)
    nothing(preview)
    # own, shared (twice), requested, closed, cancelled: every task 市生态环境局 leads
    assert preview.rows == 6


# --- Editing the exported workbook ------------------------------------------------------


class Sheet:
    """An exported sheet opened for editing: cells by task id and column key."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.col = {c.value: c.column for c in ws[2] if c.value}

    def letter(self, key: str) -> str:
        return openpyxl.utils.get_column_letter(self.col[BY_KEY[key].header])

    def row_of(self, task_id: int) -> int:
        column = self.col["任务编号"]
        rows = [r for r in range(3, self.ws.max_row + 1)
                if self.ws.cell(r, column).value == task_id]  # fmt: skip
        assert len(rows) == 1, (task_id, rows)
        return rows[0]

    def set(self, task_id: int, key: str, value: Any) -> str:
        """Set a cell; returns where the importer names it: 'sheet row R, column C (header)'."""
        r = self.row_of(task_id)
        self.ws.cell(r, self.col[BY_KEY[key].header]).value = value
        return f"{self.ws.title} row {r}, column {self.letter(key)} ({BY_KEY[key].header})"

    def copy_row(self, other: Sheet, task_id: int) -> int:
        """Append another workbook's row of a task; returns its row number."""
        source = other.row_of(task_id)
        target = self.ws.max_row + 1
        for header, column in other.col.items():
            value = other.ws.cell(source, column).value
            self.ws.cell(target, self.col[header]).value = value
        return target


def edited(data: bytes, edit: Callable[[openpyxl.Workbook], Any]) -> tuple[bytes, Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    result = edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), result


@pytest.mark.parametrize("user", ["office", "unit_env"])
def test_edited_cells_become_exactly_their_reports(world, user):
    actor = world.actor(user)
    shared = task(world, "shared")
    office_sheet = Sheet(openpyxl.load_workbook(io.BytesIO(export(world.actor("office")))).active)

    def edit(book: openpyxl.Workbook) -> dict[str, str]:
        ws = Sheet(book.active)
        places = {
            "text": ws.set(world.own.pk, "progress_text", "截污管网全部建成，正在调试"),
            "percent": ws.set(world.own.pk, "percent", 95),
            "done": ws.set(shared.pk, "completion", "已完成"),
            "target": ws.set(task(world, "requested").pk, "target", "改了目标"),
            "deadline": ws.set(task(world, "closed").pk, "deadline", "2030年底"),
        }
        if user == "office":
            places["bad"] = ws.set(world.foreign.pk, "percent", "120%")
            ws.set(world.foreign.pk, "progress_text", "超额完成")
            unnamed = world.child
        else:  # a row of a task the unit does not own, from the office's export
            row = ws.copy_row(office_sheet, world.foreign.pk)
            ws.ws.cell(row, ws.col["整改进展"]).value = "替水务局填报"
            places["foreign"] = f"台账 row {row}, column {ws.letter('task_id')} (任务编号)"
            unnamed = task(world, "requested")
        places["unnamed_text"] = ws.set(unnamed.pk, "progress_text", "按编号以外的文字匹配")
        ws.set(unnamed.pk, "task_id", None)  # a deleted 任务编号: matched by its 整改措施
        places["unnamed"] = unnamed.pk
        return places

    data, places = edited(export(actor), edit)
    before = ledger_state()
    preview = ledger_import_preview(actor=actor, data=data, name=NAME)
    unnamed = places.pop("unnamed")
    assert sorted((c.where, c.task_id, c.field, c.old, c.new) for c in preview.changes) == sorted([
        (places["text"], world.own.pk, "progress_text", "已完成截污管网建设八成",
         "截污管网全部建成，正在调试"),
        (places["percent"], world.own.pk, "percent", "80%", "95%"),
        (places["done"], shared.pk, "completion", "50%", "100%"),
        (places["unnamed_text"], unnamed, "progress_text",
         "全部建成" if user == "unit_env" else "", "按编号以外的文字匹配"),
    ])  # fmt: skip
    assert [(n.where, n.message) for n in preview.not_imported] == [
        (places["target"], "not imported: only progress, percent and completion are taken "
                           "from a workbook"),
        (places["deadline"], "not imported: only progress, percent and completion are taken "
                             "from a workbook"),
    ]  # fmt: skip
    if user == "office":
        assert [(n.where, n.message) for n in preview.refusals] == [
            (places["bad"], "progress must be between 0 and 100 (120 given)")]
    else:
        assert [(n.where, n.message) for n in preview.refusals] == [
            (places["foreign"], f"task {world.foreign.pk} is not one of the tasks you report on")]
    assert ledger_state() == before  # a preview writes nothing

    last_event = AuditEvent.objects.aggregate(m=Max("pk"))["m"]
    last_report = ProgressReport.objects.aggregate(m=Max("pk"))["m"]
    result = ledger_import_apply(actor=actor, data=data, name=NAME, digest=preview.digest)
    assert (result.reports, result.refusals) == (3, 1)
    new = ProgressReport.objects.filter(pk__gt=last_report).order_by("task_id")
    assert sorted(new.values_list("task_id", "text", "percent")) == sorted([
        (world.own.pk, "截污管网全部建成，正在调试", 95),
        (shared.pk, "一、截污：完成3公里；\n二、清淤：进场施工", 100),
        (unnamed, "按编号以外的文字匹配", None),
    ])  # fmt: skip
    assert {r.reporter_id for r in new} == {actor.user_id}
    progress = dict(Task.objects.values_list("pk", "progress"))
    expected = {row[0]: row[2] for row in before[0]}
    expected |= {world.own.pk: 95, shared.pk: 100}
    assert progress == expected
    after = ledger_state()
    changed = {world.own.pk, shared.pk, unnamed}
    unchanged_tasks = [row for row in before[0] if row[0] not in changed]
    assert [row for row in after[0] if row[0] not in changed] == unchanged_tasks
    assert after[1] == before[1]  # nobody's units moved
    events = AuditEvent.objects.filter(pk__gt=last_event)
    assert sorted(events.filter(action="report.create").values_list("task_id", flat=True)) == (
        sorted([world.own.pk, shared.pk, unnamed])
    )
    imported = events.get(action="ledger.import")
    assert imported.note == NAME and imported.after["file"] == NAME
    assert set(events.values_list("action", flat=True)) == {"report.create", "ledger.import"}


def per_unit_book(world: World, edit: Callable[[Sheet, Sheet], Any]) -> tuple[bytes, Any]:
    def both(book: openpyxl.Workbook) -> Any:
        return edit(Sheet(book["市生态环境局"]), Sheet(book["市城乡水务局"]))

    return edited(export(world.actor("office"), per_unit=True), both)


@pytest.mark.parametrize("on_both", [False, True], ids=["one sheet edited", "both alike"])
def test_a_task_on_two_units_sheets_takes_edits_that_agree(world, on_both):
    shared = task(world, "shared")

    def edit(env: Sheet, water: Sheet) -> list[str]:
        # The water unit's sheet comes first: its row is where the change is named.
        places = [water.set(shared.pk, "progress_text", "清淤过半"),
                  water.set(shared.pk, "percent", 70)]  # fmt: skip
        if on_both:
            env.set(shared.pk, "progress_text", "清淤过半")
            env.set(shared.pk, "percent", 70)
            places.append(f"市生态环境局 row {env.row_of(shared.pk)}")
        return places

    data, places = per_unit_book(world, edit)
    office = world.actor("office")
    preview = ledger_import_preview(actor=office, data=data, name=NAME)
    assert preview.refusals == () and preview.not_imported == ()
    also = f" (also {places[2]})" if on_both else ""
    assert [(c.where, c.field) for c in preview.changes] == [
        (places[0] + also, "progress_text"), (places[1] + also, "percent")]
    ledger_import_apply(actor=office, data=data, name=NAME, digest=preview.digest)
    report = ProgressReport.objects.filter(task=shared).latest("pk")
    assert (report.text, report.percent) == ("清淤过半", 70)
    assert ProgressReport.objects.filter(task=shared).count() == 2  # the one before, and this


def test_a_task_on_two_units_sheets_with_edits_that_disagree_is_refused_at_both(world):
    shared = task(world, "shared")

    def edit(env: Sheet, water: Sheet) -> tuple[str, str]:
        return env.set(shared.pk, "percent", 70), water.set(shared.pk, "percent", 60)

    data, (at_env, at_water) = per_unit_book(world, edit)
    preview = ledger_import_preview(actor=world.actor("office"), data=data, name=NAME)
    assert preview.items == () and preview.changes == ()
    assert [(n.where, n.message) for n in preview.refusals] == [
        (at_water, f"task {shared.pk} is also at {at_env}, which says otherwise: make the rows "
                   "agree"),
        (at_env, f"task {shared.pk} is also at {at_water}, which says otherwise: make the rows "
                 "agree"),
    ]  # fmt: skip


def _one_edit(world: World) -> tuple[Actor, bytes, ImportPreview]:
    office = world.actor("office")

    def edit(book: openpyxl.Workbook) -> None:
        ws = Sheet(book.active)
        ws.set(world.own.pk, "percent", 90)
        ws.set(world.child.pk, "progress_text", "分局已完成排查")
        ws.set(task(world, "shared").pk, "completion", "已完成")

    data, _ = edited(export(office), edit)
    preview = ledger_import_preview(actor=office, data=data, name=NAME)
    assert preview.reports == 3 and preview.refusals == ()
    return office, data, preview


def test_apply_is_all_or_nothing(world, monkeypatch):
    office, data, preview = _one_edit(world)
    before = ledger_state()

    def fail(ids: Any, today: Any) -> None:  # after the reports and the tasks' progress
        assert ProgressReport.objects.count() == len(before[3]) + 3
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(reportsbulk, "_buckets_refresh", fail)
    with pytest.raises(RuntimeError):
        ledger_import_apply(actor=office, data=data, name=NAME, digest=preview.digest)
    assert ledger_state() == before


def test_a_preview_made_stale_by_a_report_in_between_is_refused(world):
    office, data, preview = _one_edit(world)
    services.report_create(actor=world.actor("unit_licheng"), task_id=world.child.pk,
                           text="分局抢先报送", percent=10)  # fmt: skip
    before = ledger_state()
    with pytest.raises(Conflict):
        ledger_import_apply(actor=office, data=data, name=NAME, digest=preview.digest)
    assert ledger_state() == before
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS


def test_a_workbook_made_before_a_later_report_does_not_bring_the_old_text_back(world):
    office = world.actor("office")
    services.report_create(actor=office, task_id=world.own.pk, text="一期工程完工", percent=85)
    old_workbook = export(office)  # its 整改进展 says 一期工程完工
    services.report_create(actor=office, task_id=world.own.pk, text="二期工程完工", percent=90)

    preview = ledger_import_preview(actor=office, data=old_workbook, name=NAME)

    assert [c for c in preview.changes if c.task_id == world.own.pk] == []
    notes = [n for n in preview.not_imported if "earlier report" in n.message]
    assert len(notes) == 1 and "(整改进展)" in notes[0].where
    # Writing what is new in the same row is taken.
    def news(book: openpyxl.Workbook) -> None:
        Sheet(book.active).set(world.own.pk, "progress_text", "三期工程开工")
        Sheet(book.active).set(world.own.pk, "percent", 95)

    data, _ = edited(old_workbook, news)
    preview = ledger_import_preview(actor=office, data=data, name=NAME)
    assert {(c.field, c.new) for c in preview.changes if c.task_id == world.own.pk} == {
        ("progress_text", "三期工程开工"), ("percent", "95%")
    }
