"""`sheetxml.rows` gives each row's values as openpyxl's read-only cells give them (taken
as shown: percentages times 100, texts stripped, booleans as text), for workbooks as
openpyxl writes them (inline strings) and as Excel-like writers do (XlsxWriter: shared
and rich strings, formulas with cached values, dates, percentages, booleans, errors),
and for sheet XML with gaps, cells without references and rows out of order."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
import xlsxwriter
from openpyxl import Workbook, load_workbook

from closeout.documents import sheetxml

MAX_COLUMNS = 8


def _as_openpyxl_shows(data: bytes) -> list[list[list[Any]]]:
    """Every sheet's rows through openpyxl's read-only cells, as ledgerread took them
    before it read the sheet XML itself."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        ws.reset_dimensions()
        grid = []
        for cells in ws.iter_rows(max_col=MAX_COLUMNS):
            values: list[Any] = []
            for cell in cells:
                value = getattr(cell, "value", None)
                if isinstance(value, float | int) and not isinstance(value, bool):
                    if "%" in (getattr(cell, "number_format", "") or ""):
                        value = round(value * 100, 6)
                elif isinstance(value, str):
                    value = value.strip() or None
                elif isinstance(value, bool):
                    value = str(value)
                values.append(value)
            while values and values[-1] is None:
                values.pop()
            grid.append(values)
        sheets.append(grid)
    wb.close()
    return sheets


def _read(data: bytes) -> list[list[list[Any]]]:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    book = sheetxml.Book.of(wb)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        out = []
        for ws in wb.worksheets:
            with archive.open(ws._worksheet_path.lstrip("/")) as source:
                out.append(list(sheetxml.rows(source, book, MAX_COLUMNS)))
    wb.close()
    return out


def _openpyxl_book() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["序号", "整改措施", " 责任单位 ", "进度", "日期", "完成", None, None, "第九列"])
    ws.append([1, "措施一\n第二行", "市生态环境局", 0.6, dt.datetime(2024, 6, 30), True])
    ws.append([])
    ws.append([2.5, "   ", None, 60, dt.date(2024, 1, 2), False])
    ws["D2"].number_format = "0%"
    ws["D4"].number_format = "0.00%"
    ws["E2"].number_format = "yyyy-mm-dd"
    ws.cell(row=9, column=3, value="隔了几行")
    second = wb.create_sheet("第二页")
    second.append(["问题", 3, -1.25, 1e20, "=SUM(B1:C1)"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsxwriter_book() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("台账")
    percent = wb.add_format({"num_format": "0%"})
    date = wb.add_format({"num_format": "yyyy年m月d日"})
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["序号", "整改措施", "责任单位", "进度", "日期", "完成", "公式"])
    ws.write_number(1, 0, 1)
    ws.write_rich_string(1, 1, "措施", bold, "一", "（加粗）")
    ws.write_string(1, 2, " 市生态环境局 ")
    ws.write_number(1, 3, 0.8, percent)
    ws.write_datetime(1, 4, dt.datetime(2024, 6, 30), date)
    ws.write_boolean(1, 5, True)
    ws.write_formula(1, 6, "=A2*2", None, 2)
    ws.write_formula(2, 6, '="已"&"完成"', None, "已完成")
    ws.write_formula(3, 6, "=1/0", None, "#DIV/0!")
    ws.write_string(3, 1, "")
    ws.write_number(5, 7, 12.5)
    ws.write_number(5, 9, 99)  # past the columns read
    ws.merge_range("A7:C7", "二、水污染防治")
    ws.write_datetime(7, 4, dt.datetime(2024, 6, 30, 14, 30), wb.add_format({"num_format": "h:mm"}))
    wb.close()
    return buf.getvalue()


def _with_sheet_xml(rows_xml: str) -> bytes:
    """The openpyxl workbook with its first sheet's rows replaced by `rows_xml`."""
    data = _openpyxl_book()
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                start, end = text.index("<sheetData>"), text.index("</sheetData>")
                content = (text[: start + len("<sheetData>")] + rows_xml + text[end:]).encode()
            out.writestr(item, content)
    return buf.getvalue()


ODD_ROWS = (
    '<row r="2"><c t="inlineStr"><is><t>甲</t></is></c><c><v>7</v></c>'
    '<c r="E2" t="inlineStr"><is><r><t>乙</t></r><t>前</t>'
    '<rPh sb="0" eb="1"><t>注音</t></rPh></is></c></row>'
    '<row><c r="A3" t="str"><v> 公式文字 </v></c><c r="B3" t="e"><v>#N/A</v></c>'
    '<c r="C3" t="b"><v>0</v></c><c r="D3" t="inlineStr"/><c r="E3"><v>1.5E3</v></c></row>'
    '<row r="5.0"><c r="B5" t="inlineStr"><is><t/></is></c><c r="C5" t="d">'
    '<v>2024-06-30T00:00:00</v></c><c r="C5"><v>8</v></c></row>'
    '<row r="4"><c r="A4"><v>9</v></c></row>'
)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_openpyxl_book(), id="openpyxl's inline strings"),
        pytest.param(_xlsxwriter_book(), id="shared and rich strings, formulas"),
        pytest.param(_with_sheet_xml(ODD_ROWS), id="gaps, no references, out of order"),
    ],
)
def test_rows_are_the_values_openpyxl_gives(data: bytes) -> None:
    expected = _as_openpyxl_shows(data)
    assert _read(data) == expected
    assert any(len(sheet) > 2 for sheet in expected)


def test_a_sheet_with_a_row_number_that_is_no_number_is_refused() -> None:
    data = _with_sheet_xml('<row r="2.5"><c><v>1</v></c></row>')
    with pytest.raises(ValueError, match="not a valid row number"):
        _read(data)
