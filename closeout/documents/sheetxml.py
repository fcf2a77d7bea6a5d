"""A worksheet's cell values read straight from its XML (工作表单元格值), for `ledgerread`.

openpyxl's read-only mode builds a cell object, a style lookup and, for every inline
string (what openpyxl itself and many generators write), a rich-text object per cell: a
5,000-row ledger took 0.8 s to read, most of it there. This reads the same sheet part
with the same XML parser openpyxl uses (`openpyxl.xml.functions.iterparse`) and gives
each row's values exactly as openpyxl's `iter_rows` gives them, from openpyxl's own
reading of the workbook (`Book.of`: its shared strings, date styles, number formats and
date epoch):

- a row at its `r` (or after the last one); the rows a sheet leaves out are empty, a
  row numbered at or above one already read is dropped (as openpyxl drops it);
- a cell at its column (`r`, or after the last one), columns past `max_columns` left
  out, a later cell of a column overwriting an earlier one;
- values as `data_only` reading has them: a formula's cached value, shared and inline
  strings (plain text, then its runs' texts; phonetic runs left out), numbers as int or
  float, a date-styled number as a date (an impossible one "#VALUE!"), t="d" ISO dates,
  booleans, error codes as written;

and then as the person sees them (what `ledgerread` reads): a number shown as a
percentage (a "%" in its number format) times 100, texts stripped (blank ones None),
booleans as text, trailing blanks dropped from each row.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

Value = str | int | float | dt.date | dt.datetime | dt.time | dt.timedelta | None
ROW = f"{{{SHEET_MAIN_NS}}}row"
VALUE = f"{{{SHEET_MAIN_NS}}}v"
INLINE = f"{{{SHEET_MAIN_NS}}}is"


@dataclass(frozen=True)
class Book:
    """What the cells of a workbook's sheets are read with: openpyxl's reading of its
    shared strings and styles."""

    shared_strings: Any
    epoch: dt.datetime
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]
    percent_styles: frozenset[int]
    styles: int  # how many cell styles the workbook has

    @classmethod
    def of(cls, wb: Any) -> Book:
        """`wb`: a workbook openpyxl loaded (read-only)."""
        percent = set()
        for index, style in enumerate(wb._cell_styles):
            fmt_id = style.numFmtId
            if fmt_id < BUILTIN_FORMATS_MAX_SIZE:
                code = BUILTIN_FORMATS.get(fmt_id, "General")
            else:
                code = wb._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
            if "%" in (code or ""):
                percent.add(index)
        return cls(
            # read-only mode hands the workbook's one string table to each sheet
            shared_strings=next((ws._shared_strings for ws in wb.worksheets), []),
            epoch=wb.epoch,
            date_styles=frozenset(wb._date_formats),
            timedelta_styles=frozenset(wb._timedelta_formats),
            percent_styles=frozenset(percent),
            styles=len(wb._cell_styles),
        )


def rows(source: IO[bytes], book: Book, max_columns: int) -> Iterator[list[Value]]:
    """The sheet's rows from the first, as shown (see the module); each row a list."""
    read = 0  # the number of rows given so far
    number = 0  # the current row's number as the sheet gives it
    for _event, element in iterparse(source):
        if element.tag != ROW:
            continue
        number = _row_number(element.get("r"), number)
        while read + 1 < number:
            read += 1
            yield []
        if read < number:
            read += 1
            yield _cells(element, book, max_columns)
        element.clear()


def _row_number(raw: str | None, last: int) -> int:
    if raw is None:
        return last + 1
    try:
        return int(raw)
    except ValueError:
        value = float(raw)
        if not value.is_integer():
            raise ValueError(f"{raw} is not a valid row number") from None
        return int(value)


def _cells(row: Any, book: Book, max_columns: int) -> list[Value]:
    values: dict[int, Value] = {}
    column = 0
    for cell in row:
        coordinate = cell.get("r")
        column = coordinate_to_tuple(coordinate)[1] if coordinate else column + 1
        if 1 <= column <= max_columns:
            values[column] = _value(cell, coordinate, book)
    width = max((c for c, v in values.items() if v is not None), default=0)
    return [values.get(c) for c in range(1, width + 1)]


def _value(cell: Any, coordinate: str | None, book: Book) -> Value:
    kind = cell.get("t", "n")
    style = cell.get("s", 0)
    if style:
        style = int(style)
    if kind == "inlineStr":
        node = cell.find(INLINE)
        text = _inline(node) if node is not None else None
        return (text.strip() or None) if text is not None else None
    raw = cell.findtext(VALUE, None) or None
    if raw is None:
        return None
    if kind == "n":
        number: int | float = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        if style in book.date_styles:
            try:
                return from_excel(number, book.epoch, timedelta=style in book.timedelta_styles)
            except (OverflowError, ValueError):
                warnings.warn(
                    f"Cell {coordinate} is marked as a date but the serial value {number} is "
                    "outside the limits for dates. The cell will be treated as an error.",
                    stacklevel=2,
                )
                return "#VALUE!"
        if style >= book.styles:
            raise IndexError(f"cell {coordinate} has style {style}, which the workbook lacks")
        if style in book.percent_styles:  # a cell shown as "60%" holds 0.6
            return round(number * 100, 6)
        return number
    if kind == "s":
        text = book.shared_strings[int(raw)]
    elif kind == "b":
        return str(bool(int(raw)))
    elif kind == "d":
        return from_ISO8601(raw)
    else:
        text = raw  # "str" (a formula's text), "e" (an error code) and any other kind
    if isinstance(text, str):
        return text.strip() or None
    return text


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _inline(node: Any) -> str:
    """An inline string's text as openpyxl gives it: its plain text (the last <t>), then
    each run's text, in order."""
    plain = None
    runs = []
    for child in node:
        tag = _local(child.tag)
        if tag == "t":
            plain = child.text
        elif tag == "r":
            text = None
            for part in child:
                if _local(part.tag) == "t":
                    text = part.text
            if text is not None:
                runs.append(text)
    return "".join([plain, *runs] if plain is not None else runs)
