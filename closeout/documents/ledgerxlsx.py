"""The ledger as an Excel workbook (整改工作台账), written as its rows come.

Pure Python: plain `LedgerRow`s in (one per task, in ledger order), an .xlsx file out.
The layout is the one offices exchange: a title row, the header row frozen below it,
the customary columns (`columns.CUSTOMARY`) then the optional ones the office picked,
and the task number (任务编号) always last, by which a workbook sent back finds its
tasks. 序号 (numbered per problem) and 问题 are merged down over the consecutive tasks of
one problem. Printing: A3 landscape, one page wide, the header row on every page.

Memory stays bounded: only one problem's tasks are held at a time (to know how far its
merge reaches), and each row goes to XlsxWriter's temporary file as it is written
(`ledgerworksheet`, which says why rows are written whole and which writers were
measured).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from closeout.documents.columns import ALL, BY_KEY, CUSTOMARY, OPTIONAL, TASK_ID, Column
from closeout.documents.ledgerworksheet import Cell, LedgerBook, declare_merge

SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DEFAULT_SHEET = "台账"
NO_LEAD_UNIT = "未明确牵头单位"
Value = str | int | None


class LedgerRow(NamedTuple):
    """One task of the ledger as written: every column's value (str, int or None).

    `problem_key` tells the tasks of one problem apart from the next (its 序号 and 问题
    cells are merged over its consecutive tasks); `sheet` is the lead unit whose sheet
    the task goes on when the workbook has a sheet per unit. A named tuple: a large
    export builds and pickles one per task, which a frozen dataclass makes slower.
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


MERGED_KEYS = ("seq", "problem")  # merged down over a problem's tasks
NUMBER_KEYS = ("percent", "task_id")  # centred numbers; the other columns wrap


class _Sheet:
    """One worksheet being written: its next row and how many problems it holds."""

    def __init__(self, book: LedgerBook, name: str, title: str, columns: Sequence[Column]) -> None:
        keys = [c.key for c in columns]
        self.ws = book.add_sheet(name, title, columns)
        self.merged = [i for i, key in enumerate(keys) if key in MERGED_KEYS]
        # Each column's format: merged, a centred number, or wrapped text.
        self.xfs = [
            book.xf("merged" if k in MERGED_KEYS else "number" if k in NUMBER_KEYS else "cell")
            for k in keys
        ]
        # A row's cells by position in LedgerRow; 序号, the problem's number in its
        # sheet, takes the place of problem_key (which the sheet does not show).
        self.seq = keys.index("seq")
        self.pick = operator.itemgetter(
            *(LedgerRow._fields.index("problem_key" if k == "seq" else k) for k in keys)
        )
        self.row = 2  # below the title and the header
        self.problems = 0

    def write_problem(self, group: list[LedgerRow]) -> None:
        """The tasks of one problem, a row each; 序号 (numbered per problem) and 问题 in
        the first row and formatted blanks below, merged over them afterwards (in
        constant_memory mode rows cannot be revisited)."""
        self.problems += 1
        ws, xfs, merged = self.ws, self.xfs, self.merged
        for i, row in enumerate(group):
            values: list[Cell] = list(self.pick(row))
            for c in merged:
                values[c] = None if i > 0 else self.problems if c == self.seq else values[c]
            ws.write_plain_row(self.row + i, values, xfs)
        if len(group) > 1:
            last = self.row + len(group) - 1
            for c in merged:
                declare_merge(ws, self.row, c, last, c)
        self.row += len(group)


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
    book = LedgerBook(target, {"title": heading, "subject": "整改工作台账"})
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
                sheet = _Sheet(book, name, sheet_heading, columns)
                current = key
            sheet.write_problem(group)
            tasks += len(group)
            problems += 1
        if sheet is None:
            sheets.append(sheet_name(DEFAULT_SHEET, taken))
            _Sheet(book, sheets[0], heading, columns)
    finally:
        book.close()
    return LedgerSummary(tasks=tasks, problems=problems, sheets=tuple(sheets))
