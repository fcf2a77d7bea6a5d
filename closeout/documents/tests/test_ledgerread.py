"""Reading a ledger workbook that comes back (ledgerread): headers found by their words,
title rows, two-row headers, merged cells, blank rows, and hostile files refused."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook

from closeout.documents.ledgerread import Limits, ReadError, read_ledger


def book(*rows: list[Any], merges: tuple[str, ...] = (), title: str = "台账",
         formats: dict[str, str] | None = None) -> bytes:  # fmt: skip
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PLAIN = ["序号", "问题", "整改目标", "整改措施", "责任单位", "整改进展", "完成情况", "任务编号"]


@pytest.mark.parametrize(
    ("rows", "merges", "expected_header", "expected"),
    [
        pytest.param(
            [PLAIN, [1, "问题一", "目标", "措施一", "市生态环境局", "进展", "未完成", 7]],
            (),
            (1,),
            {"measures": ("措施一", "D"), "task_id": (7, "H"), "completion": ("未完成", "G")},
            id="customary order",
        ),
        pytest.param(
            [["任务编号", "整改进展", "整改措施", "序号"], [7, "进展", "措施一", 1]],
            (),
            (1,),
            {"task_id": (7, "A"), "progress_text": ("进展", "B"), "measures": ("措施一", "C")},
            id="other order",
        ),
        pytest.param(
            [["某某市督察整改台账"], ["填报单位：市生态环境局"], PLAIN,
             [1, "问题一", "", "措施一"]],
            ("A1:H1",),
            (3,),
            {"measures": ("措施一", "D"), "problem": ("问题一", "B")},
            id="title rows",
        ),
        pytest.param(
            [["编号", "反馈问题", "具体措施", "进展情况", "整改完成情况", "系统编号"],
             [1, "问题一", "措施一", "进展", "已完成", 9]],
            (),
            (1,),
            {"seq": (1, "A"), "measures": ("措施一", "C"), "progress_text": ("进展", "D"),
             "completion": ("已完成", "E"), "task_id": (9, "F")},
            id="synonyms",
        ),
        pytest.param(
            [["序号", "整改措施", "责任单位", None, "进度（%）"],
             [None, None, "牵头单位", "配合单位", None],
             [1, "措施一", "市生态环境局", "市水务局", 60]],
            ("A1:A2", "B1:B2", "C1:D1", "E1:E2"),
            (1, 2),
            {"lead_units": ("市生态环境局", "C"), "coop_units": ("市水务局", "D"),
             "percent": (60, "E")},
            id="two-row header",
        ),
    ],
)  # fmt: skip
def test_header_is_found_by_its_words(
    rows: list[list[Any]], merges: tuple[str, ...], expected_header: tuple[int, ...],
    expected: dict[str, tuple[Any, str]],
) -> None:  # fmt: skip
    out = read_ledger(book(*rows, merges=merges))
    sheet = out.sheets[0]
    assert sheet.header_rows == expected_header
    row = sheet.rows[0]
    assert row.row == expected_header[-1] + 1
    for key, (value, letter) in expected.items():
        assert (row.cells[key].value, row.cells[key].column) == (value, letter)


def test_problem_merged_over_its_tasks_applies_to_every_row() -> None:
    out = read_ledger(
        book(PLAIN, [1, "问题一", "", "措施一"], [2, None, "", "措施二"],
             [3, "问题二", "", "措施三"], merges=("B2:B3",))
    )  # fmt: skip
    assert [r.value("problem") for r in out.rows] == ["问题一", "问题一", "问题二"]
    assert [r.row for r in out.rows] == [2, 3, 4]


def test_blank_rows_are_skipped_and_row_numbers_kept() -> None:
    out = read_ledger(
        book(PLAIN, [1, "问题一", "", "措施一"], [], [None, " "], [2, "问题二", "", "措施二"])
    )
    assert [(r.row, r.value("seq")) for r in out.rows] == [(2, 1), (5, 2)]


def test_unknown_and_duplicate_columns_are_reported_as_ignored() -> None:
    out = read_ledger(book(["序号", "备注", "整改措施", "措施"], [1, "x", "措施一", "again"]))
    assert [(i.column, i.header, i.why) for i in out.ignored] == [
        ("B", "备注", "unknown"), ("D", "措施", "duplicate"),
    ]  # fmt: skip
    assert set(out.rows[0].cells) == {"seq", "measures"}


def test_percent_formatted_cell_is_read_as_shown() -> None:
    out = read_ledger(book(["整改措施", "进度"], ["措施一", 0.6], formats={"B2": "0%"}))
    assert out.rows[0].value("percent") == 60


def test_extra_columns_are_recognised() -> None:
    out = read_ledger(
        book(["整改措施", "下降原因"], ["措施一", "返工"]), extra_columns={"reason": ["下降原因"]}
    )
    assert out.rows[0].value("reason") == "返工"
    assert out.rows[0].where("reason") == "台账 row 2, column B"


def test_every_sheet_is_read_and_sheets_without_headers_are_skipped() -> None:
    wb = Workbook()
    first = wb.active
    first.title = "说明"
    first.append(["本表由系统导出"])
    second = wb.create_sheet("台账")
    second.append(["整改措施", "整改进展"])
    second.append(["措施一", "进展"])
    buf = io.BytesIO()
    wb.save(buf)
    out = read_ledger(buf.getvalue())
    assert [s.header_rows for s in out.sheets] == [(), (1,)]
    assert out.rows[0].sheet == "台账"


def _zip(entries: dict[str, bytes], level: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", level) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "limits", "message"),
    [
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, Limits(), "encrypted",
                     id="encrypted or xls"),
        pytest.param(b"name,progress\n1,2\n", Limits(), "not a zip", id="csv"),
        pytest.param(b"", Limits(), "not a zip", id="empty"),
        pytest.param(_zip({"word/document.xml": b"<w/>"}), Limits(), "holds no workbook",
                     id="docx-like zip"),
        pytest.param(_zip({"xl/workbook.xml": b"<" * 10_000_000}), Limits(max_unpacked=1_000_000),
                     "zip bomb", id="zip bomb"),
        pytest.param(_zip({f"xl/{n}.xml": b"" for n in range(30)}), Limits(max_entries=20),
                     "too many parts", id="too many entries"),
        pytest.param(_zip({"xl/workbook.xml": b"not xml"}), Limits(), "not a readable",
                     id="broken workbook"),
        pytest.param(book(PLAIN, *([[1, "p", "", "m"]] * 30)), Limits(max_rows=20), "too many rows",
                     id="too many rows"),
        pytest.param(b"x" * 2000, Limits(max_bytes=1000), "larger than", id="too large"),
        pytest.param(book(["甲", "乙"], ["1", "2"]), Limits(), "no sheet has the ledger's headers",
                     id="no headers"),
    ],
)  # fmt: skip
def test_hostile_files_are_refused_with_a_clear_error(
    data: bytes, limits: Limits, message: str
) -> None:
    with pytest.raises(ReadError) as caught:
        read_ledger(data, limits=limits)
    assert message in str(caught.value)


def test_too_many_rows_names_the_sheet() -> None:
    with pytest.raises(ReadError) as caught:
        data = book(PLAIN, *([[1, "p", "", "m"]] * 30), title="第二批")
        read_ledger(data, limits=Limits(max_rows=20))
    assert caught.value.where == "第二批"


def test_reader_does_not_import_django() -> None:
    code = (
        "import sys, closeout.documents.ledgerread; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
