"""`LedgerWorksheet.write_plain_row` writes exactly the XML XlsxWriter writes for the same
cells one by one: the fast path may not change a byte of the file."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from closeout.documents.ledgerworksheet import STRING_MAX, LedgerBook, LedgerWorksheet
from closeout.documents.tests.pdfcheck import assert_renders

AWKWARD = [
    "整治河涌第12段",
    "A&B <c> \"quoted\" 'single'",
    " 前导空格",
    "结尾空格 ",
    "两行\n第二行",
    "\n",
    "tab\tinside",
    "control\x01\x1fchars\r",
    "_x0000_ looks like an escape",
    "non\ufffecharacter\uffff",
    "=SUM(A1:A2)",
    "http://example.cn/x?a=1&b=2",
    "123",
    "😀 emoji 𠀀",
    "x" * (STRING_MAX + 10),
]


def _sheet_xml(fill: object) -> str:
    out = io.BytesIO()
    book = LedgerBook(out, {"title": "t"})
    ws = book.book.add_worksheet("s", worksheet_class=LedgerWorksheet)
    fill(ws, book)  # type: ignore[operator]
    book.close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as packed:
        return packed.read("xl/worksheets/sheet1.xml").decode("utf-8")


def _rows_of(xml: str) -> str:
    found = re.search(r"<sheetData>(.*)</sheetData>", xml, re.S)
    assert found is not None
    return found.group(1)


ROWS: list[list[object]] = [
    ["表头", "编号"],
    *([text, 7] for text in AWKWARD),
    [None, 0],
    ["", -3],
    # several texts in a row, the awkward one not first: each cell is looked at
    ["普通文字", " 中间一格前导空格", "后面的 ", 5],
    ["普通", "含\x7f分隔符", "a&b", 6],
    ["甲", "乙\x7f ", "丙", 7],
    [12345678901234, None],
]


def test_plain_rows_are_the_xml_xlsxwriter_writes_cell_by_cell() -> None:
    def one_by_one(ws: LedgerWorksheet, book: LedgerBook) -> None:
        cell, number = book.formats["cell"], book.formats["number"]
        for r, values in enumerate(ROWS):
            for c, value in enumerate(values):
                if value is None or value == "":
                    ws.write_blank(r, c, None, cell)
                elif isinstance(value, int):
                    ws.write_number(r, c, value, number)
                else:
                    ws.write_string(r, c, str(value), cell)

    def whole_rows(ws: LedgerWorksheet, book: LedgerBook) -> None:
        cell, number = book.xf("cell"), book.xf("number")
        for r, values in enumerate(ROWS):
            xfs = [number if isinstance(v, int) else cell for v in values]
            ws.write_plain_row(r, values, xfs)  # type: ignore[arg-type]

    expected = _sheet_xml(one_by_one)
    written = _sheet_xml(whole_rows)
    assert _rows_of(written) == _rows_of(expected)
    assert written == expected  # the dimension and everything around the rows too


def test_plain_rows_read_back_as_written() -> None:
    out = io.BytesIO()
    book = LedgerBook(out, {"title": "t"})
    ws = book.book.add_worksheet("s", worksheet_class=LedgerWorksheet)
    for r, text in enumerate(AWKWARD):
        ws.write_plain_row(r, [text, r], [book.xf("cell"), book.xf("number")])
    book.close()
    data = out.getvalue()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    read = [sheet.cell(r + 1, 1).value for r in range(len(AWKWARD))]
    assert read[:3] == AWKWARD[:3]
    assert read[4] == "两行\n第二行" and read[10] == "=SUM(A1:A2)"
    assert sheet.cell(11, 1).data_type == "s"  # text, not a formula
    assert len(read[-1]) == STRING_MAX
    assert [sheet.cell(r + 1, 2).value for r in range(3)] == [0, 1, 2]
    assert_renders(data, ".xlsx", "前导空格", "emoji")


def test_rows_must_come_in_order() -> None:
    book = LedgerBook(io.BytesIO(), {"title": "t"})
    ws = book.book.add_worksheet("s", worksheet_class=LedgerWorksheet)
    ws.write_plain_row(3, ["a"], [book.xf("cell")])
    with pytest.raises(ValueError, match="row 3"):
        ws.write_plain_row(3, ["b"], [book.xf("cell")])
    book.close()


def test_text_that_looks_like_rich_text_is_escaped() -> None:
    # XlsxWriter's constant_memory mode would pass "<r>…</r>" through as markup (it takes
    # it for one of its own rich strings); a ledger cell is always plain text.
    out = io.BytesIO()
    book = LedgerBook(out, {"title": "t"})
    ws = book.book.add_worksheet("s", worksheet_class=LedgerWorksheet)
    ws.write_plain_row(0, ["<r>not rich</r>"], [book.xf("cell")])
    book.close()
    assert openpyxl.load_workbook(io.BytesIO(out.getvalue())).active["A1"].value == (
        "<r>not rich</r>"
    )
