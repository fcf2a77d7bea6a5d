"""Read a ledger workbook (台账) that comes back from a unit or an office into plain rows.

Pure Python (openpyxl, no Django). The workbook is whatever the sender's spreadsheet
made of our export, or their own: its title rows, its header words (`columns.column_of`),
its column order, a two-row header (a merged "责任单位" over "牵头单位"/"配合单位"), a
problem merged over the rows of its tasks. Every data row keeps where it came from
(sheet, row as Excel shows it, column letter), so whoever uses a value can say which
cell was wrong.

1. Check the file before openpyxl sees it: a zip (an encrypted workbook is an OLE file,
   an old .xls too), holding an Excel workbook, not too many entries nor too many bytes
   once unpacked (a zip bomb), no encrypted entry.
2. Read the workbook's sheets, shared strings and styles in openpyxl's read-only mode,
   each sheet's values and merged ranges from its XML (`sheetxml`: the values openpyxl's
   cells give, without a cell object each); a merged value is copied to every cell of
   its range.
3. Find the header row by its words within the first rows (`HEADER_SCAN`), skipping title
   rows; a row below it that only holds header words (or the header's own merged cells)
   is the second row of a two-row header, and its words win for the columns under it.
4. Every later row with a value in a known column is a data row; blank rows are skipped;
   columns with unknown headers are reported as ignored.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from closeout.documents import sheetxml
from closeout.documents.columns import column_of, normalise_header

HEADER_SCAN = 15  # the header must be within the first rows of a sheet
Value = str | int | float | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold before it is refused unread."""

    max_bytes: int = 20 * 1024 * 1024  # the file as sent
    max_unpacked: int = 300 * 1024 * 1024  # all its zip entries once unpacked
    max_entries: int = 2000
    max_rows: int = 100_000  # rows of all sheets together, blank ones included
    max_columns: int = 60  # columns read of each sheet
    max_merged: int = 200_000  # merged ranges of one sheet


class ReadError(Exception):
    """The workbook cannot be read: `message` says why, `where` which part (a sheet,
    a row) when it is one part."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


@dataclass(frozen=True)
class Cell:
    value: Value
    column: str  # the column letter, as Excel shows it (A, B, ..., AA)


@dataclass(frozen=True)
class Row:
    sheet: str
    row: int  # 1-based, as Excel shows it
    cells: Mapping[str, Cell]  # by column key (`columns.Column.key`)

    def value(self, key: str) -> Value:
        cell = self.cells.get(key)
        return cell.value if cell is not None else None

    def where(self, key: str | None = None) -> str:
        """'台账 row 7' or '台账 row 7, column H' (the cell of `key`)."""
        cell = self.cells.get(key) if key else None
        if cell is None:
            return f"{self.sheet} row {self.row}"
        return f"{self.sheet} row {self.row}, column {cell.column}"


@dataclass(frozen=True)
class Ignored:
    sheet: str
    column: str
    header: str
    why: str  # "unknown" or "duplicate"


@dataclass(frozen=True)
class Sheet:
    name: str
    header_rows: tuple[int, ...]  # empty when no header was found (the sheet is skipped)
    columns: Mapping[str, str]  # column key -> letter
    rows: tuple[Row, ...]
    # The text of each row above the header (a title, 填报单位, 填报日期), and each read
    # column's header words as written ("责任单位/牵头单位" for a two-row header).
    title_rows: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Workbook:
    sheets: tuple[Sheet, ...]
    ignored: tuple[Ignored, ...] = field(default=())

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for sheet in self.sheets for row in sheet.rows)

    @property
    def keys(self) -> frozenset[str]:
        """The column keys any sheet has."""
        return frozenset(k for sheet in self.sheets for k in sheet.columns)


def read_ledger(
    data: bytes,
    *,
    limits: Limits = Limits(),
    extra_columns: Mapping[str, Iterable[str]] | None = None,
) -> Workbook:
    """The workbook's data rows, sheet by sheet (see the module's steps).

    `extra_columns` adds header words for columns the caller also takes (key -> words),
    e.g. a reason column that the customary table does not have."""
    _check_container(data, limits)
    extra = {
        normalise_header(word): key
        for key, words in (extra_columns or {}).items()
        for word in words
    }

    def key_of(text: object) -> str | None:
        return column_of(text) or extra.get(normalise_header(text))

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ReadError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parsers raise
        raise ReadError(f"not a readable Excel workbook (.xlsx): {exc}") from exc
    sheets: list[Sheet] = []
    ignored: list[Ignored] = []
    budget = [limits.max_rows]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = sheetxml.Book.of(wb)
            for ws in wb.worksheets:
                grid = _grid(archive, ws, book, limits, budget)
                merged = _merged_ranges(archive, getattr(ws, "_worksheet_path", ""), limits)
                _fill_merged(grid, merged, limits.max_columns)
                sheet, dropped = _sheet(ws.title, grid, key_of)
                sheets.append(sheet)
                ignored.extend(dropped)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"not a readable Excel workbook (.xlsx): {exc}") from exc
    finally:
        wb.close()
    if not any(sheet.header_rows for sheet in sheets):
        names = "、".join(sheet.name for sheet in sheets)
        raise ReadError(
            f"no sheet has the ledger's headers (序号, 问题, 整改措施, 整改进展, ...) in its "
            f"first {HEADER_SCAN} rows (sheets read: {names})"
        )
    return Workbook(sheets=tuple(sheets), ignored=tuple(ignored))


def _check_container(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_bytes:
        raise ReadError(
            f"the file is larger than {limits.max_bytes // (1024 * 1024)} MB ({len(data)} bytes)"
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(
            "the workbook is encrypted (password-protected) or an old .xls file: "
            "save it as .xlsx without a password"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("not an Excel workbook (.xlsx): the file is not a zip container")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError(f"not an Excel workbook (.xlsx): {exc}") from exc
    if len(entries) > limits.max_entries:
        raise ReadError(f"the workbook holds too many parts ({len(entries)} zip entries)")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_unpacked:
        raise ReadError(
            f"the workbook unpacks to {unpacked} bytes, more than the "
            f"{limits.max_unpacked // (1024 * 1024)} MB allowed (a zip bomb?)"
        )
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise ReadError("the workbook's parts are encrypted: save it without a password")
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        raise ReadError("not an Excel workbook (.xlsx): the zip holds no workbook")


def _grid(
    archive: zipfile.ZipFile, ws: Any, book: sheetxml.Book, limits: Limits, budget: list[int]
) -> list[list[Value]]:
    """The sheet's values as shown, row by row (missing rows are empty lists), read from
    its XML (`sheetxml`) whatever its <dimension> tag says (other programs write wrong
    ones)."""
    grid: list[list[Value]] = []
    path = getattr(ws, "_worksheet_path", "").lstrip("/")
    with archive.open(path) as source:
        for values in sheetxml.rows(source, book, limits.max_columns):
            budget[0] -= 1
            if budget[0] < 0:
                raise ReadError(
                    f"too many rows: at most {limits.max_rows} rows can be read at a time",
                    where=ws.title,
                )
            grid.append(values)  # type: ignore[arg-type]
    return grid


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+[^>]*?ref=\"([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)\"")


def _merged_ranges(
    archive: zipfile.ZipFile, path: str, limits: Limits
) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range of the sheet's XML."""
    if not path:
        return []
    try:
        xml = archive.read(path.lstrip("/"))
    except KeyError:
        return []
    out: list[tuple[int, int, int, int]] = []
    for match in _MERGE.finditer(xml):
        if len(out) >= limits.max_merged:
            raise ReadError(f"too many merged cell ranges (more than {limits.max_merged})")
        out.append(range_boundaries(match.group(1).decode()))
    return out


def _fill_merged(
    grid: list[list[Value]], merged: list[tuple[int, int, int, int]], max_columns: int
) -> None:
    """Copy each merged range's value (its top-left cell's) to every cell of it, within
    the rows and columns that were read."""
    for min_col, min_row, max_col, max_row in merged:
        if min_row > len(grid) or min_col > max_columns:
            continue
        top = grid[min_row - 1]
        value = top[min_col - 1] if min_col <= len(top) else None
        if value is None:
            continue
        last = min(max_col, max_columns)
        for r in range(min_row, min(max_row, len(grid)) + 1):
            line = grid[r - 1]
            if len(line) < last:
                line.extend([None] * (last - len(line)))
            for c in range(min_col, last + 1):
                line[c - 1] = value


def _sheet(title: str, grid: list[list[Value]], key_of: Any) -> tuple[Sheet, list[Ignored]]:
    header = _header_row(grid, key_of)
    if header is None:
        return Sheet(name=title, header_rows=(), columns={}, rows=()), []
    top = grid[header]
    below = grid[header + 1] if header + 1 < len(grid) else []
    two_rows = _is_sub_header(top, below, key_of)
    header_rows = (header + 1, header + 2) if two_rows else (header + 1,)
    columns: dict[str, str] = {}
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[Ignored] = []
    width = max(len(top), len(below) if two_rows else 0)
    for c in range(width):
        letter = get_column_letter(c + 1)
        upper = top[c] if c < len(top) else None
        lower = below[c] if two_rows and c < len(below) else None
        key = (key_of(lower) if lower is not None else None) or key_of(upper)
        words = "/".join(str(v) for v in dict.fromkeys((upper, lower)) if v is not None)
        if key is None:
            if words:
                ignored.append(Ignored(title, letter, words, "unknown"))
            continue
        if key in columns:
            ignored.append(Ignored(title, letter, words, "duplicate"))
            continue
        columns[key] = letter
        index[key] = c
        headers[key] = words
    rows = []
    for r in range(header + len(header_rows), len(grid)):
        line = grid[r]
        cells = {
            key: Cell(line[c], columns[key])
            for key, c in index.items()
            if c < len(line) and line[c] is not None
        }
        if cells:
            rows.append(Row(sheet=title, row=r + 1, cells=cells))
    # A merged title is copied over every column it covers: keep each text once.
    above = (dict.fromkeys(str(v) for v in line if v is not None) for line in grid[:header])
    titles = tuple(" ".join(words) for words in above if words)
    return Sheet(title, header_rows, columns, tuple(rows), titles, headers), ignored


def _header_row(grid: list[list[Value]], key_of: Any) -> int | None:
    """The index of the row with the most header words (at least two) among the first
    rows; a title row (one long merged text) names none."""
    best, best_count = None, 1
    for r, line in enumerate(grid[:HEADER_SCAN]):
        count = len({key_of(v) for v in line if v is not None} - {None})
        if count > best_count:
            best, best_count = r, count
    if best and _is_sub_header(grid[best - 1], grid[best], key_of):
        return best - 1  # the best row is the second row of a two-row header
    return best


def _is_sub_header(top: list[Value], below: list[Value], key_of: Any) -> bool:
    """Whether `below` is a header's second row: the row above names columns, `below`
    names at least one column that the row above does not, and every cell of it is a
    header word or the merged value of the cell above it (a header merged over both
    rows)."""
    if not any(key_of(value) for value in top if value is not None):
        return False  # a title row above the header
    new = False
    filled = False
    for c, value in enumerate(below):
        if value is None:
            continue
        filled = True
        upper = top[c] if c < len(top) else None
        if value == upper:
            continue
        if key_of(value) is None:
            return False
        new = True
    return filled and new
