"""The ledger as an Excel workbook (整改工作台账), written as its rows come.

Pure Python: plain `LedgerRow`s in (one per task, in ledger order), an .xlsx file out.
The layout is the one offices exchange: a title row, the header row frozen below it,
the customary columns (`columns.CUSTOMARY`) then the optional ones the office picked,
and the task number (任务编号) always last, by which a workbook sent back finds its
tasks. 序号 (numbered per problem) and 问题 are merged down over the consecutive tasks of
one problem. Printing: A3 landscape, one page wide, the header row on every page.

Memory stays bounded: XlsxWriter's constant_memory mode writes each row to a temporary
file as soon as the next row begins, and only one problem's tasks are held at a time
(to know how far its merge reaches). XlsxWriter was chosen by measurement: on 100,000
tasks of twelve Chinese columns it is the only maintained writer that streams merged,
bordered, wrapped cells with a print set-up within a bounded memory (rvgsrust-xlsxwriter
holds the sheet in memory to merge: 400 MB; pyexcelerate has no print set-up and merges
in quadratic time; openpyxl's write_only mode is slower still).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import xlsxwriter
import xlsxwriter.workbook

from closeout.documents.columns import ALL, BY_KEY, CUSTOMARY, OPTIONAL, TASK_ID, Column

A3 = 8  # Excel's paper size number for A3
FAST_DEFLATE = 1  # zlib level of the workbook's parts


class QuickZipFile(zipfile.ZipFile):
    """The zip container XlsxWriter packs the workbook into, deflating at level 1.

    XlsxWriter opens its ZipFile with zlib's default level (6) and has no option for
    another. On a ledger's sheet (mostly Chinese text) level 6 takes seven times as
    long as level 1 for a file a quarter smaller: on 100,000 tasks, the largest part of
    the export's time. XlsxWriter looks the class up in its own module when a workbook
    closes, so it is replaced there (XlsxWriter is pinned below 4, and a test checks
    the hook is still the one used).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", FAST_DEFLATE)
        super().__init__(*args, **kwargs)


xlsxwriter.workbook.ZipFile = QuickZipFile  # type: ignore[misc]
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DEFAULT_SHEET = "台账"
NO_LEAD_UNIT = "未明确牵头单位"
Value = str | int | None


@dataclass(frozen=True)
class LedgerRow:
    """One task of the ledger as written: every column's value (str, int or None).

    `problem_key` tells the tasks of one problem apart from the next (its 序号 and 问题
    cells are merged over its consecutive tasks); `sheet` is the lead unit whose sheet
    the task goes on when the workbook has a sheet per unit.
    """

    problem_key: int | str
    problem: str
    task_id: int
    target: Value = None
    measures: Value = None
    units: Value = None
    persons: Value = None
    deadline: Value = None
    progress_text: Value = None
    completion: Value = None
    lead_units: Value = None
    coop_units: Value = None
    supervising_units: Value = None
    percent: Value = None
    bucket: Value = None
    status: Value = None
    plan: Value = None
    inspection: Value = None
    category: Value = None
    last_reported: Value = None
    closed_on: Value = None
    sheet: str = ""


@dataclass(frozen=True)
class LedgerSummary:
    tasks: int
    problems: int
    sheets: tuple[str, ...]


def pick_columns(optional: Iterable[str] = ()) -> tuple[Column, ...]:
    """The columns written: the customary ones, the optional ones asked for (by key or
    header, in the order of `columns.OPTIONAL`), and the task number last. An unknown
    name raises ValueError naming it."""
    wanted: set[str] = set()
    for name in optional:
        name = name.strip()
        if not name:
            continue
        column = BY_KEY.get(name) or next((c for c in ALL if c.header == name), None)
        if column is None or column not in OPTIONAL:
            choices = ", ".join(f"{c.key} ({c.header})" for c in OPTIONAL)
            raise ValueError(f"unknown optional column {name!r}; choose from {choices}")
        wanted.add(column.key)
    return (*CUSTOMARY, *(c for c in OPTIONAL if c.key in wanted), TASK_ID)


def sheet_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, not blank, not
    starting or ending with an apostrophe, and unique (case-insensitive) within `taken`,
    to which it is added."""
    base = _SHEET_FORBIDDEN.sub("_", name).strip().strip("'") or DEFAULT_SHEET
    base = base[:SHEET_NAME_MAX]
    candidate, n = base, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f"({n})"
        candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def ledger_title(title: str, as_of: dt.date) -> str:
    return f"{title}（截至{as_of.year}年{as_of.month}月{as_of.day}日）"


def _problems(rows: Iterable[LedgerRow]) -> Iterator[list[LedgerRow]]:
    """Consecutive rows of one problem (and one sheet), one group at a time."""
    group: list[LedgerRow] = []
    for row in rows:
        if group and (row.problem_key != group[0].problem_key or row.sheet != group[0].sheet):
            yield group
            group = []
        group.append(row)
    if group:
        yield group


class _Sheet:
    """One worksheet being written: its title, header, print set-up and next row."""

    def __init__(
        self, book: Any, name: str, title: str, columns: Sequence[Column], formats: dict[str, Any]
    ) -> None:
        self.ws = book.add_worksheet(name)
        self.columns = columns
        self.formats = formats
        self.row = 0
        self.problems = 0
        last = len(columns) - 1
        for i, column in enumerate(columns):
            self.ws.set_column(i, i, column.width)
        self.ws.set_row(0, 30)
        self.ws.merge_range(0, 0, 0, last, title, formats["title"])
        self.ws.write_row(1, 0, [c.header for c in columns], formats["header"])
        self.ws.freeze_panes(2, 0)
        self.ws.set_paper(A3)
        self.ws.set_landscape()
        self.ws.repeat_rows(1)
        self.ws.fit_to_pages(1, 0)
        self.ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        self.ws.center_horizontally()
        self.ws.set_footer("&C第 &P 页，共 &N 页")
        self.row = 2

    def write_problem(self, group: list[LedgerRow]) -> None:
        """The tasks of one problem; 序号 and 问题 merged down over them.

        In constant_memory mode a row cannot be written once a later one has begun, so
        the rows go first (the merged columns' value in the first row, formatted blanks
        below) and the merge is declared after them (
        `_declare_merge`).
        """
        self.problems += 1
        first = self.row
        ws, cell, number, merged = (
            self.ws,
            self.formats["cell"],
            self.formats["number"],
            self.formats["merged"],
        )
        for i, row in enumerate(group):
            r = self.row
            for c, column in enumerate(self.columns):
                key = column.key
                if key == "seq":
                    if i == 0:
                        ws.write_number(r, c, self.problems, merged)
                    else:
                        ws.write_blank(r, c, None, merged)
                    continue
                if key == "problem":
                    if i == 0:
                        ws.write_string(r, c, row.problem or "", merged)
                    else:
                        ws.write_blank(r, c, None, merged)
                    continue
                value = getattr(row, key)
                if value is None or value == "":
                    ws.write_blank(r, c, None, cell)
                elif isinstance(value, int):
                    ws.write_number(r, c, value, number)
                else:
                    ws.write_string(r, c, value, cell)
            self.row += 1
        if len(group) > 1:
            last = self.row - 1
            for c, column in enumerate(self.columns):
                if column.key in ("seq", "problem"):
                    _declare_merge(ws, first, c, last, c)


def _declare_merge(ws: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Declare a merged range over cells already written.

    `merge_range` writes the range's cells itself, which constant_memory mode refuses
    for rows already flushed, so the range goes straight into the list XlsxWriter
    writes as <mergeCells> when the sheet closes (the same list `merge_range` appends
    to; XlsxWriter is pinned below 4 and the tests read the merges back). The cells
    were written by the caller with the merged format, which is what Excel expects.
    """
    ws.merge.append([first_row, first_col, last_row, last_col])


def _formats(book: Any) -> dict[str, Any]:
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "top"}
    return {
        "title": book.add_format(
            {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center",
             "valign": "vcenter"}
        ),
        "header": book.add_format(
            {**base, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
             "bg_color": "#D9E1F2"}
        ),
        "cell": book.add_format({**base, "text_wrap": True}),
        "number": book.add_format({**base, "align": "center"}),
        "merged": book.add_format({**base, "text_wrap": True, "valign": "vcenter"}),
    }


def write_ledger(
    rows: Iterable[LedgerRow],
    target: str | Path | IO[bytes],
    *,
    title: str = "整改工作台账",
    as_of: dt.date | None = None,
    optional: Iterable[str] = (),
    per_unit: bool = False,
) -> LedgerSummary:
    """Write the ledger workbook to `target` (a path or a binary file), row by row.

    One sheet ("台账") for the whole ledger, or with `per_unit` one sheet per lead unit
    (`LedgerRow.sheet`; rows must come grouped by it, each group a sheet of its own).
    Returns what was written. An unknown optional column raises ValueError.
    """
    columns = pick_columns(optional)
    heading = ledger_title(title, as_of or dt.date.today())
    book = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
         "strings_to_urls": False},
    )
    book.set_properties({"title": heading, "subject": "整改工作台账"})
    formats = _formats(book)
    taken: set[str] = set()
    sheets: list[str] = []
    sheet: _Sheet | None = None
    current: str | None = None
    tasks = problems = 0
    try:
        for group in _problems(rows):
            key = (group[0].sheet or NO_LEAD_UNIT) if per_unit else DEFAULT_SHEET
            if sheet is None or key != current:
                name = sheet_name(key, taken)
                sheets.append(name)
                sheet_heading = f"{key} {heading}" if per_unit else heading
                sheet = _Sheet(book, name, sheet_heading, columns, formats)
                current = key
            sheet.write_problem(group)
            tasks += len(group)
            problems += 1
        if sheet is None:
            sheets.append(sheet_name(DEFAULT_SHEET, taken))
            _Sheet(book, sheets[0], heading, columns, formats)
    finally:
        book.close()
    return LedgerSummary(tasks=tasks, problems=problems, sheets=tuple(sheets))
