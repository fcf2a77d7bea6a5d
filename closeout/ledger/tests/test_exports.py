"""The ledger export (台账导出): its rows (`selectors.exports.ledger_rows`), the workbook of
what an actor sees, and `closeout export xlsx` / `closeout benchxlsx`."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from closeout.documents.completion import WORDS, completion_of
from closeout.documents.ledgerrows import measures_text
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import Task
from closeout.ledger.models.accounts import Role
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors import exports
from closeout.ledger.selectors.exports import (
    completion_state,
    completion_words,
    export_keys,
    exported_rows,
    ledger_rows,
    ledger_workbook,
)
from closeout.ledger.selectors.tasks import TaskFilter
from closeout.ledger.services import UnitRef, task_create, task_transition
from closeout.ledger.services.reports import report_create
from closeout.ledger.tests.factories import ProblemFactory, World, build_world, make_task

pytestmark = pytest.mark.django_db
OFFICE = Actor(role=Role.OFFICE, label="test-office")


@pytest.fixture
def world() -> World:
    w = build_world()
    second = ProblemFactory(plan=w.plan, seq=2, title="饮用水水源地保护区内违规建设")
    extra = make_task(second, 4, w.water, w.supervising, text="拆除违建", measures=["拆除", "复绿"])
    task_transition(actor=OFFICE, task_id=extra.pk, name="confirm")
    report_create(actor=w.actor("unit_env"), task_id=w.own.pk, text="已完成截污管网建设八成")
    return w


def _book(actor: Actor, filters: TaskFilter | None = None, **options: object) -> openpyxl.Workbook:
    out = io.BytesIO()
    ledger_workbook(actor, filters, target=out, **options)  # type: ignore[arg-type]
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def _ids(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[int]:
    column = [c.value for c in ws[2]].index("任务编号") + 1
    return [ws.cell(r, column).value for r in range(3, ws.max_row + 1)]


def test_rows_come_in_ledger_order_with_their_words(world: World) -> None:
    rows = list(ledger_rows(OFFICE, None, chunk=2))  # chunks of two: the seam is crossed
    assert [r.task_id for r in rows[:3]] == [world.own.pk, world.child.pk, world.foreign.pk]
    assert len({r.problem_key for r in rows[:3]}) == 1
    assert rows[3].problem_key != rows[0].problem_key
    own = rows[0]
    assert own.units == "市生态环境局" and own.supervising_units == "市督导组"
    assert own.persons == "市生态环境局主要负责人"
    assert own.progress_text == "已完成截污管网建设八成"
    assert own.deadline == "2020年年底" and own.completion == "未完成"
    assert rows[3].measures == "1. 拆除\n2. 复绿"
    assert rows[3].problem == "饮用水水源地保护区内违规建设"


@pytest.mark.parametrize(
    ("status", "words"),
    [(Status.IN_PROGRESS, "未完成"), (Status.CLOSED, "已销号"), (Status.NOTICE, "已完成，待销号"),
     (Status.SUSTAINED, "已完成，长期坚持"), (Status.CANCELLED, "已撤销"),
     (Status.DRAFT, "未完成")],
)  # fmt: skip
def test_completion_words_follow_the_status(status: str, words: str) -> None:
    assert completion_words(status) == words


@pytest.mark.parametrize("status", list(Status))
def test_the_completion_words_written_read_back_as_the_same_state(status: str) -> None:
    word = completion_words(status)
    assert word in WORDS.values()
    assert completion_of(word) == completion_state(status)


def test_measures_text_numbers_several_keeps_one_and_falls_back_to_the_text() -> None:
    assert measures_text(["截污"]) == "截污"
    assert measures_text([]) == ""
    assert measures_text([], "整改任务") == "整改任务"
    assert measures_text(["a", " ", "b"], "整改任务") == "1. a\n2. b"


def test_a_task_without_measures_writes_its_text_as_measures(world: World) -> None:
    row = next(r for r in ledger_rows(OFFICE) if r.task_id == world.own.pk)
    assert row.measures == world.own.text


def test_a_task_whose_measures_are_all_blank_writes_its_text(world: World) -> None:
    Task.objects.filter(pk=world.own.pk).update(measures=["  ", ""])
    rows = {r.task_id: r for r in ledger_rows(OFFICE)}
    assert rows[world.own.pk].measures == world.own.text
    Task.objects.filter(pk=world.own.pk).update(measures=["清淤", "截污"])
    rows = {r.task_id: r for r in ledger_rows(OFFICE)}
    assert rows[world.own.pk].measures == "1. 清淤\n2. 截污"


def test_a_unit_exports_only_its_own_tasks(world: World) -> None:
    ws = _book(world.actor("unit_env")).active
    assert _ids(ws) == [world.own.pk]
    ws = _book(world.actor("unit_licheng")).active
    assert _ids(ws) == [world.child.pk]


def test_the_filters_are_those_of_the_ledger_table(world: World) -> None:
    ws = _book(OFFICE, TaskFilter(unit=world.water.pk)).active
    assert sorted(_ids(ws)) == sorted([world.foreign.pk, world.foreign.pk + 1])
    with pytest.raises(InvalidInput):
        _book(OFFICE, TaskFilter(bucket=("nonsense",)))


def test_problem_cells_merge_over_the_tasks_of_one_problem(world: World) -> None:
    ws = _book(OFFICE).active
    assert {"A3:A5", "B3:B5"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws["B3"].value == world.own.problem.title


def test_per_unit_sheets_and_optional_columns(world: World) -> None:
    book = _book(OFFICE, per_unit=True, optional=["lead_units", "序时进度"])
    assert book.sheetnames == ["历城区生态环境分局", "市城乡水务局", "市生态环境局"]
    water = book["市城乡水务局"]
    assert [c.value for c in water[2]][-3:] == ["牵头单位", "序时进度", "任务编号"]
    assert len(_ids(water)) == 2 and water["J3"].value == "市城乡水务局"


def _two_leads(world: World) -> int:
    """A task led by 市生态环境局 and 市城乡水务局, and one with no lead unit."""
    problem = ProblemFactory(plan=world.plan, seq=3, title="联合整治")
    shared = task_create(actor=OFFICE, problem=problem, seq=7, text="联合整治",
                         units=[UnitRef(world.water), UnitRef(world.env)])  # fmt: skip
    orphan = task_create(actor=OFFICE, problem=problem, seq=8, text="无人牵头",
                         units=[UnitRef(world.supervising, "supervising")])  # fmt: skip
    for task in (shared, orphan):
        task_transition(actor=OFFICE, task_id=task.pk, name="confirm")
    return shared.pk


def test_a_task_is_on_the_sheet_of_every_unit_that_leads_it(world: World) -> None:
    shared = _two_leads(world)
    book = _book(OFFICE, per_unit=True)
    assert book.sheetnames == [
        "历城区生态环境分局", "市城乡水务局", "市生态环境局", "未明确牵头单位"]  # fmt: skip
    assert shared in _ids(book["市城乡水务局"]) and shared in _ids(book["市生态环境局"])
    assert _ids(book["市生态环境局"]) == [world.own.pk, shared]  # in ledger order
    assert [t for t, _sheet in export_keys(OFFICE, per_unit=True)].count(shared) == 2
    assert len(_ids(book["未明确牵头单位"])) == 1
    # A unit sees the task through its own lead, and gets both its sheets.
    unit_book = _book(world.actor("unit_env"), per_unit=True)
    assert unit_book.sheetnames == ["市城乡水务局", "市生态环境局"]


@pytest.mark.parametrize("per_unit", [False, True])
def test_each_chunk_costs_the_same_few_queries(world: World, per_unit: bool) -> None:
    _two_leads(world)
    counts = []
    for chunk in (1, 2, 100):
        with CaptureQueriesContext(connection) as queries:
            rows = list(ledger_rows(OFFICE, per_unit=per_unit, chunk=chunk))
        counts.append((len(rows), len(queries)))
    n = counts[0][0]
    assert n == (7 if per_unit else 6)  # the shared task twice with a sheet per unit
    chunks = [-(-n // size) for size in (1, 2, 100)]
    # Three queries a chunk, besides the one or two cursors of the keys and the units'
    # names.
    extra = [count - 3 * c for (_n, count), c in zip(counts, chunks, strict=True)]
    assert len(set(extra)) == 1 and extra[0] <= (3 if per_unit else 2), counts


def test_exported_rows_are_the_rows_the_export_writes(world: World) -> None:
    written = {r.task_id: r for r in ledger_rows(OFFICE)}
    assert exported_rows(written) == written


def test_an_unknown_optional_column_is_invalid_input(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        _book(OFFICE, optional=["颜色"])
    assert caught.value.field == "columns"


def test_the_command_writes_the_filtered_workbook(world: World, tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    call_command(
        "export",
        "xlsx",
        "--as",
        "unit_water",
        "--columns",
        "percent,status",
        "-o",
        str(out),
        "--as-of",
        "2025-06-30",
    )
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "整改工作台账（截至2025年6月30日）"
    assert [c.value for c in ws[2]][-3:] == ["进度(%)", "任务状态", "任务编号"]
    assert sorted(_ids(ws)) == sorted([world.foreign.pk, world.foreign.pk + 1])
    assert not list(tmp_path.glob(".ledger-*"))  # the temporary file is gone


def test_the_command_writes_a_default_name_and_sheets_per_unit(
    world: World, tmp_path: Path
) -> None:
    call_command(
        "export",
        "xlsx",
        "--per-unit",
        "--plan",
        str(world.plan.pk),
        "-o",
        str(tmp_path),
        "--as-of",
        "2025-06-30",
    )
    made = tmp_path / "整改工作台账（截至2025年6月30日）.xlsx"
    assert len(openpyxl.load_workbook(made).sheetnames) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "nobody"], "no user 'nobody'"),
        (["--due-from", "yesterday"], "--due-from"),
        (["--columns", "颜色"], "颜色"),
        (["--bucket", "late"], "late"),
    ],
)
def test_the_command_names_bad_input(
    world: World, tmp_path: Path, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("export", "xlsx", *args, "-o", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()


def test_benchxlsx_prints_its_figures(world: World) -> None:
    out = io.StringIO()
    call_command("benchxlsx", "--json", stdout=out)
    assert '"tasks": 4' in out.getvalue() and '"peak_mb"' in out.getvalue()


SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (None, None),
        ("", None),
        ("2025-06-30", "2025-06-30"),  # a date column on SQLite
        (dt.date(2025, 6, 30), "2025-06-30"),  # on PostgreSQL
        ("2025-06-30 17:30:00", "2025-07-01"),  # a timestamp on SQLite is UTC
        ("2025-06-30 15:59:59.999999", "2025-06-30"),
        (dt.datetime(2025, 6, 30, 17, 30, tzinfo=dt.UTC), "2025-07-01"),  # on PostgreSQL
    ],
)
def test_days_are_the_offices_days_whichever_database_gave_them(value, day) -> None:
    assert exports._day(value, SHANGHAI) == day
