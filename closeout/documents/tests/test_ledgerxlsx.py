"""The ledger workbook as written from plain rows, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from closeout.documents.columns import CUSTOMARY
from closeout.documents.ledgerxlsx import (
    DEFAULT_SHEET,
    LedgerRow,
    pick_columns,
    sheet_name,
    write_ledger,
)
from closeout.documents.tests.pdfcheck import assert_renders


def _row(problem: int, task: int, **values: object) -> LedgerRow:
    return LedgerRow(
        problem_key=problem,
        problem=f"问题{problem}：黑臭水体反弹",
        task_id=task,
        target="消除黑臭",
        measures=f"整治河涌第{task}段",
        units="市生态环境局",
        deadline="2025年12月31日",
        completion="未完成",
        **values,  # type: ignore[arg-type]
    )


ROWS = [_row(1, 11), _row(1, 12), _row(1, 13), _row(2, 21), _row(3, 31), _row(3, 32)]


def _book(rows: list[LedgerRow], **options: object) -> tuple[bytes, openpyxl.Workbook]:
    out = io.BytesIO()
    write_ledger(rows, out, title="广州市整改工作台账", as_of=dt.date(2025, 6, 30), **options)  # type: ignore[arg-type]
    data = out.getvalue()
    return data, openpyxl.load_workbook(io.BytesIO(data))


def test_headers_are_the_customary_ones_in_order_then_the_task_number() -> None:
    _, book = _book(ROWS)
    ws = book[DEFAULT_SHEET]
    headers = [c.value for c in ws[2]]
    assert headers == [c.header for c in CUSTOMARY] + ["任务编号"]
    assert ws["A1"].value == "广州市整改工作台账（截至2025年6月30日）"
    assert [ws.cell(r, len(headers)).value for r in range(3, 9)] == [11, 12, 13, 21, 31, 32]


def test_problem_cells_are_merged_over_their_tasks_and_numbered_per_problem() -> None:
    _, book = _book(ROWS)
    ws = book[DEFAULT_SHEET]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:A5", "B3:B5", "A7:A8", "B7:B8"} <= merged
    assert not any(r.startswith(("A6", "B6")) for r in merged)  # a single task: no merge
    assert [ws.cell(r, 1).value for r in (3, 6, 7)] == [1, 2, 3]
    assert ws["B3"].value == "问题1：黑臭水体反弹"
    assert ws["D4"].value == "整治河涌第12段"
    assert ws["D4"].alignment.wrap_text and ws["D4"].border.left.style == "thin"


def test_header_is_frozen_and_printed_on_every_a3_landscape_page_one_wide() -> None:
    _, book = _book(ROWS)
    ws = book[DEFAULT_SHEET]
    assert ws.freeze_panes == "A3"
    assert ws.page_setup.paperSize == 8
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$2:$2"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, not written
    assert ws.page_setup.fitToHeight == 0
    assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width


def test_optional_columns_come_after_the_customary_ones_by_key_or_header() -> None:
    rows = [_row(1, 11, percent=40, bucket="滞后", lead_units="市水务局")]
    _, book = _book(rows, optional=["序时进度", "percent", "lead_units"])
    ws = book.active
    assert [c.value for c in ws[2]][9:] == ["牵头单位", "进度(%)", "序时进度", "任务编号"]
    assert [c.value for c in ws[3]][9:] == ["市水务局", 40, "滞后", 11]


def test_an_unknown_optional_column_is_named() -> None:
    with pytest.raises(ValueError, match="'颜色'"):
        pick_columns(["颜色"])


def test_one_sheet_per_lead_unit_with_names_excel_accepts() -> None:
    rows = [
        _row(1, 11, sheet="市水务局"),
        _row(1, 12, sheet="市水务局"),
        _row(1, 13, sheet="市城市管理和综合执法局[含下属单位]/执法支队：一二三四五六七八九十"),
        _row(2, 21, sheet=""),
    ]
    _, book = _book(rows, per_unit=True)
    names = book.sheetnames
    assert names[0] == "市水务局" and names[2] == "未明确牵头单位"
    assert len(names[1]) <= 31 and not set("[]:*?/\\") & set(names[1])
    assert [book["市水务局"].cell(r, 10).value for r in (3, 4)] == [11, 12]
    assert {str(r) for r in book["市水务局"].merged_cells.ranges} >= {"A3:A4", "B3:B4"}
    assert book[names[1]]["A3"].value == 1  # each sheet numbers its problems from 1


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("a/b:c", set(), "a_b_c"),
        ("  ", set(), "台账"),
        ("台账", {"台账"}, "台账(2)"),
        ("x" * 40, set(), "x" * 31),
        ("x" * 40, {"x" * 31}, "x" * 28 + "(2)"),
        ("'q'", set(), "q"),
    ],
)
def test_sheet_names_are_valid_and_unique(name: str, taken: set[str], expected: str) -> None:
    assert sheet_name(name, taken) == expected
    assert expected.casefold() in taken


def test_an_empty_ledger_still_has_its_header() -> None:
    _, book = _book([])
    assert book.sheetnames == [DEFAULT_SHEET]
    assert book.active.cell(2, 3).value == "整改目标"


def test_the_workbook_opens_without_repair() -> None:
    data, _ = _book(ROWS)
    assert_renders(data, ".xlsx", "整改措施", "整治河涌第12段", "问题3：黑臭水体反弹")
