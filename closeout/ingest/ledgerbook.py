"""An office's existing Excel ledger (台账, .xlsx) read as a plan: a ``ParseResult``.

The workbook is read by the ledger's own reader (``closeout.documents.ledgerread``: the
header rows under a title row, a two-row header, columns in any order by their header
words, merged cells copied over their range, hostile files refused unread); this module
turns its rows into tasks the way a plan's table rows become tasks. An .xls or WPS .et
workbook is converted to .xlsx first, through LibreOffice when it is installed
(``convert.to_xlsx``; without it, an error that says to install it or to save the file
as .xlsx).

1. Read every sheet; a sheet is a ledger sheet when its header names a problem (问题) or
   measure (整改措施) column. Other sheets (说明, 汇总) are noted and skipped; a workbook
   with no ledger sheet is refused, naming its sheets.
2. Write the workbook as a readable source text, one line per row ("台账 第7行: 问题 … |
   整改措施 …"), under each sheet's title rows: every task's span is its row's line, so the
   review page shows the sheet and row a task came from.
3. Per data row: a row whose cells all hold one text (a merged section heading,
   "一、大气污染问题") heads the problems below it; a row without a problem cell continues
   the problem above (and its target); a problem-only row followed by such rows heads
   them and is no task of its own. Units, persons and deadlines are never inherited:
   an empty one is flagged, not guessed.
4. Units through ``parse_units`` (lead units: 牵头单位, else 责任单位; 责任单位 beside a
   牵头单位 column names the cooperating units), persons through ``parse_persons``,
   deadlines through ``parse_deadline``; the progress columns (进展情况, 进度(%), 完成情况,
   销号情况) are kept on the task as written (``Progress``), for the importer to turn
   into the task's first report.
5. A row repeating an earlier row's problem, measure, units and deadline (a ledger with a
   sheet per unit lists a shared task on each) is marked a duplicate.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from closeout.documents.columns import BY_KEY
from closeout.ingest.deadlines import Deadline, parse_deadline
from closeout.ingest.fields import is_no_value
from closeout.ingest.outline import split_enumeration
from closeout.ingest.result import (
    Document,
    ParseContext,
    ParseResult,
    Problem,
    Progress,
    Task,
)
from closeout.ingest.source import TOO_LARGE, UNNAMED, ReadError
from closeout.ingest.spans import row_spans
from closeout.ingest.units import Party, parse_persons, parse_units

if TYPE_CHECKING:  # the reader (openpyxl) is loaded when a workbook is read, not before
    from closeout.documents import ledgerread

FORMAT = "xlsx"
WORKBOOK_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".et": "et"}
# Header words of columns a plan's ledger has and the exported ledger does not (the
# export's vocabulary is `documents.columns`); read here only.
EXTRA_COLUMNS: Mapping[str, Sequence[str]] = {
    "supervising_leaders": ("督导领导", "督导责任领导", "督办领导", "包案领导", "包保领导",
                            "督导市领导", "督导县领导", "督导区领导"),
    "coop_supervising_units": ("配合督导单位", "协同督导单位", "协助督导单位"),
    "problem_number": ("问题编号", "问题序号"),
}  # fmt: skip
LABELS = {"supervising_leaders": "督导领导", "coop_supervising_units": "配合督导单位",
          "problem_number": "问题编号"}  # fmt: skip
TASK_KEYS = {"problem", "measures"}  # a ledger sheet names at least one of them
# Columns of the exported ledger that a plan's import does not take (the system keeps
# them itself): noted once per sheet.
NOT_READ = ("bucket", "status", "plan", "inspection", "category", "last_reported", "task_id")
_DATE = re.compile(r"(?<!\d)(20\d\d|19\d\d)\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_ISSUER = re.compile(r"(?:填报单位|报送单位|填报部门|牵头单位)\s*[:：]\s*([^\s:：]{2,30})")
_KEY_DROP = re.compile(r"[\W_]+")


def workbook_format(name: str, format: str | None = None) -> str | None:
    """ "xlsx", "xls" or "et" when the file is a spreadsheet (by the format given, else by
    its name), else None."""
    if format in ("xlsx", "xls", "et"):
        return format
    return WORKBOOK_SUFFIXES.get(Path(name).suffix.lower()) if format is None else None


def read_ledgerbook(source: bytes | str | Path, context: ParseContext) -> ParseResult:
    """The ledger workbook as a plan (see the module's steps)."""
    from closeout.documents import ledgerread
    from closeout.ingest.convert import ole2_kind, to_xlsx

    name, data = _bytes(source, context)
    limit = context.reading.max_bytes
    if len(data) > limit:
        raise ReadError(name, f"file is larger than {limit} bytes", code=TOO_LARGE, limit=limit)
    kind = workbook_format(name, context.format) or FORMAT
    if kind != FORMAT or ole2_kind(data) == FORMAT:
        # .xls, WPS .et (or one named .xlsx): LibreOffice's .xlsx of it, when installed;
        # else a ReadError saying to install it or to save the file as .xlsx.
        data = to_xlsx(data, name)
    limits = ledgerread.Limits(
        max_bytes=limit,
        max_unpacked=context.reading.max_unpacked_bytes,
        max_entries=context.reading.max_zip_entries,
    )
    try:
        book = ledgerread.read_ledger(data, limits=limits, extra_columns=EXTRA_COLUMNS)
    except ledgerread.ReadError as exc:
        raise ReadError(name, str(exc)) from exc
    return _Builder(name, context).build(book)


def _bytes(source: bytes | str | Path, context: ParseContext) -> tuple[str, bytes]:
    if isinstance(source, bytes):
        return context.name, source
    path = Path(source)
    name = str(path) if context.name == UNNAMED else context.name
    try:
        return name, path.read_bytes()
    except OSError as exc:
        raise ReadError(name, f"cannot open file ({exc.strerror or exc})") from exc


def cell_text(value: ledgerread.Value) -> str | None:
    """A cell as text: a whole number without ".0", a date as 2024年6月30日."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return None if not text or is_no_value(text) else text  # "—", "/", "无": left empty


def percent_of(value: ledgerread.Value) -> int | None:
    """A percentage cell (60, 0.6 shown as 60%, "60%", "６０％") as 0-100, or None when it
    holds none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        raw = unicodedata.normalize("NFKC", value).strip().rstrip("%").strip()
        try:
            number = float(raw)
        except ValueError:
            return None
    else:
        return None
    if not number.is_integer() or not 0 <= number <= 100:
        return None
    return int(number)


def _list_cell(text: str | None) -> str | None:
    """Units or persons on separate lines of one cell (Alt+Enter) are a list."""
    return re.sub(r"\s*\n\s*", "、", text) if text else text


@dataclasses.dataclass
class _Row:
    """One data row as read, before it becomes a task."""

    row: ledgerread.Row
    values: dict[str, str]  # column key -> cell text
    span: tuple[int, int]
    problem: str = ""
    number: str | None = None
    target: str | None = None
    path: tuple[str, ...] = ()
    heading_only: bool = False  # a problem row that only heads the rows below it
    cells: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)  # key → span


class _Builder:
    def __init__(self, name: str, context: ParseContext) -> None:
        self.name = name
        self.context = context
        self.lines: list[str] = []
        self.starts: list[int] = []  # where each line starts in the text
        self.offset = 0
        self.warnings: list[str] = []
        self.parties: dict[tuple[str | None, bool], tuple[Party, ...]] = {}
        self.deadlines: dict[tuple[str | None, int | None], Deadline] = {}

    def _line(self, text: str) -> tuple[int, int]:
        start = self.offset
        self.lines.append(text)
        self.starts.append(start)
        self.offset += len(text) + 1  # the line break joining the lines
        return start, start + len(text)

    def build(self, book: ledgerread.Workbook) -> ParseResult:
        ledgers = [s for s in book.sheets if TASK_KEYS & set(s.columns)]
        for sheet in book.sheets:
            if not sheet.header_rows:
                self.warnings.append(f"sheet {sheet.name}: no ledger header; not read")
            elif sheet not in ledgers:
                self.warnings.append(
                    f"sheet {sheet.name}: no 问题 or 整改措施 column; not read as tasks"
                )
        if not ledgers:
            names = "、".join(sheet.name for sheet in book.sheets)
            raise ReadError(
                self.name,
                f"no sheet has a 问题 or 整改措施 column under its header (sheets: {names})",
            )
        for ignored in book.ignored:
            if ignored.sheet in {s.name for s in ledgers}:
                why = "a second column of its kind" if ignored.why == "duplicate" else "unknown"
                self.warnings.append(
                    f"sheet {ignored.sheet} column {ignored.column} ({ignored.header}): "
                    f"{why} header; not read"
                )
        documents: list[Document] = []
        tasks: list[Task] = []
        several = len(ledgers) > 1
        for index, sheet in enumerate(ledgers):
            document, rows = self._sheet(sheet, several)
            documents.append(document)
            year = self.context.year or (document.date.year if document.date else None)
            for item in rows:
                if item.heading_only:
                    continue
                if len(tasks) >= self.context.max_tasks:
                    self.warnings.append(
                        f"more than {self.context.max_tasks} tasks; the rest were not read"
                    )
                    break
                tasks.append(self._task(item, sheet, len(tasks) + 1, index, year))
        if not tasks:
            self.warnings.append("no task found: the ledger sheets have no data rows")
        return ParseResult(
            name=self.name,
            format=FORMAT,
            encoding=None,
            text="\n".join(self.lines),
            documents=tuple(documents),
            tasks=tuple(_mark_duplicates(tasks)),
            indicators=(),
            warnings=tuple(self.warnings),
        )

    def _sheet(self, sheet: ledgerread.Sheet, several: bool) -> tuple[Document, list[_Row]]:
        start = self.offset
        for title in sheet.title_rows:
            self._line(title)
        labels = {key: sheet.headers.get(key) or _label(key) for key in sheet.columns}
        order = sorted(sheet.columns, key=lambda k: (len(sheet.columns[k]), sheet.columns[k]))
        header = " | ".join(labels[key] for key in order)
        rows_label = "-".join(str(r) for r in sheet.header_rows)
        self._line(f"{sheet.name} 第{rows_label}行（表头）: {header}")
        unread = [labels[k] for k in NOT_READ if k in sheet.columns]
        if unread:
            self.warnings.append(
                f"sheet {sheet.name}: columns {'、'.join(unread)} are kept by the system "
                "and not read from a plan's ledger"
            )
        rows: list[_Row] = []
        for row in sheet.rows:
            values = {k: t for k, c in row.cells.items() if (t := cell_text(c.value)) is not None}
            if not values:
                continue
            head = f"{sheet.name} 第{row.row}行: "
            cells: dict[str, tuple[int, int]] = {}
            if _heading(values):
                shown = next(iter(values.values()))  # a heading merged across the sheet: once
            else:
                pieces = []
                at = self.offset + len(head)
                for k in order:
                    if k in values:
                        at += len(labels[k]) + 1
                        cells[k] = (at, at + len(values[k]))
                        at += len(values[k]) + 3  # " | "
                        pieces.append(f"{labels[k]} {values[k]}")
                shown = " | ".join(pieces)
            span = self._line(head + shown)
            rows.append(_Row(row, values, span, cells=cells))
        self._line("")
        items = _problems(rows, (sheet.name,) if several else ())
        document = Document(
            title=_title(sheet),
            issuer=_issuer(sheet),
            date=_date(sheet),
            span=(start, max(start, self.offset - 1)),
            layout="ledger",
        )
        return document, items

    def _task(
        self, item: _Row, sheet: ledgerread.Sheet, seq: int, document: int, year: int | None
    ) -> Task:
        values = item.values
        flags: list[str] = []
        measure = values.get("measures")
        text = measure or item.problem
        if not measure:
            flags.append("no_measures: the row has no measure cell")
        lead_raw = values.get("lead_units")
        coop_raw = values.get("coop_units")
        units_raw = values.get("units")
        if units_raw is not None:
            if "lead_units" in sheet.columns:  # 责任单位 beside 牵头单位: those who take part
                coop_raw = "、".join(v for v in (coop_raw, units_raw) if v)
            else:
                lead_raw = units_raw
        raws = {
            "lead_units": lead_raw,
            "coop_units": coop_raw,
            "supervising_units": values.get("supervising_units"),
            "coop_supervising_units": values.get("coop_supervising_units"),
            "persons": values.get("persons"),
            "supervising_leaders": values.get("supervising_leaders"),
        }
        parties: dict[str, tuple[Party, ...]] = {}
        for key, raw in raws.items():
            parsed = self._parties(raw, persons=key in ("persons", "supervising_leaders"))
            parties[key] = parsed
            if raw and not parsed:
                flags.append(f"placeholder_{key}: {raw!r} names no one (redacted or ×××)")
        if not parties["lead_units"] and lead_raw is None:
            flags.append("missing_lead_units: no responsible unit given")
        raw_deadline = values.get("deadline")
        if (raw_deadline, year) not in self.deadlines:
            self.deadlines[(raw_deadline, year)] = parse_deadline(raw_deadline, year=year)
        deadline = self.deadlines[(raw_deadline, year)]
        if raw_deadline is None:
            flags.append("missing_deadline: no deadline given")
        elif not deadline.parsed:
            flags.append(f"deadline_unparsed: {deadline.note}")
        elif deadline.note:
            flags.append(f"deadline_note: {deadline.note}")
        progress = self._progress(item, flags)
        task = Task(
            seq=seq,
            document=document,
            problem=Problem(item.number, item.problem, item.path),
            text=text,
            target=item.target,
            measures=tuple(piece for _, piece in split_enumeration(text)) or (text,),
            lead_units=parties["lead_units"],
            coop_units=parties["coop_units"],
            persons=parties["persons"],
            supervising_units=parties["supervising_units"],
            coop_supervising_units=parties["coop_supervising_units"],
            supervising_leaders=parties["supervising_leaders"],
            deadline=deadline,
            span=item.span,
            layout="ledger",
            flags=tuple(flags),
            progress=progress,
        )
        cells = {k: (span,) for k, span in item.cells.items()}
        if units_raw is not None:  # 责任单位: the lead's cell, or the cooperating side's
            joins = "coop_units" if "lead_units" in sheet.columns else "lead_units"
            cells[joins] = (*cells.get(joins, ()), *cells.pop("units", ()))
        for key, written in (("problem", item.problem), ("target", item.target)):
            if key not in cells and written and (stated := self._stated(item, written)):
                cells[key] = (stated,)  # a problem row's cell above the row
        return dataclasses.replace(task, spans=row_spans(task, cells))

    def _stated(self, item: _Row, text: str) -> tuple[int, int] | None:
        """Where the line of a row above ``item`` (the problem row it continues) states
        ``text`` as one of its cells."""
        at = bisect.bisect_right(self.starts, item.span[0]) - 1
        for i in range(at - 1, max(-1, at - 500), -1):
            line = self.lines[i]
            for piece in (line.split(": ", 1)[-1], *line.split(" | ")):
                label = piece[: len(piece) - len(text)]
                # The whole cell after its label ("问题 …"), or a merged heading row.
                whole = not label or (label.endswith(" ") and " " not in label[:-1])
                if piece.endswith(text) and whole:
                    end = self.starts[i] + line.index(piece) + len(piece)
                    return end - len(text), end
        return None

    def _parties(self, raw: str | None, *, persons: bool) -> tuple[Party, ...]:
        """A unit or person cell parsed once per workbook (a ledger repeats its units on
        row after row)."""
        if (raw, persons) not in self.parties:
            listed = _list_cell(raw)
            parsed = parse_persons(listed) if persons else parse_units(listed)
            self.parties[(raw, persons)] = parsed
        return self.parties[(raw, persons)]

    def _progress(self, item: _Row, flags: list[str]) -> Progress | None:
        values = item.values
        percent = None
        if "percent" in values:
            percent = percent_of(item.row.value("percent"))
            if percent is None:
                flags.append(
                    f"percent_unread: {values['percent']!r} is not a whole number from 0 to 100"
                )
        found = {
            "text": values.get("progress_text"),
            "completion": values.get("completion"),
            "closeout": values.get("closed_on"),
        }
        if percent is None and not any(found.values()):
            return None
        return Progress(item.row.sheet, item.row.row, percent=percent, **found)


def _label(key: str) -> str:
    column = BY_KEY.get(key)
    return column.header if column is not None else LABELS.get(key, key)


def _problems(rows: list[_Row], path: tuple[str, ...]) -> list[_Row]:
    """Give each row its problem, number, target and section path (step 3)."""
    section: tuple[str, ...] = ()
    current: _Row | None = None  # the row that started the current problem
    out: list[_Row] = []
    for item in rows:
        values = item.values
        if _heading(values):
            section = (next(iter(values.values())),)  # a merged section heading
            current = None
            continue
        if set(values) <= {"seq", "problem_number"}:
            if not _numeric(values.get("seq")):
                section = (values.get("seq") or values.get("problem_number") or "",)
                current = None
            continue  # a number alone is no task
        item.path = (*path, *section)
        if "problem" in values:
            item.problem = values["problem"]
            item.number = values.get("problem_number")
            item.target = values.get("target")
            item.heading_only = set(values) <= {"seq", "problem", "problem_number", "target"}
            if current is not None and current.problem == item.problem:
                item.number = item.number or current.number
                item.target = item.target or current.target
            current = item
        elif current is not None:
            item.problem = current.problem
            item.number = values.get("problem_number") or current.number
            item.target = values.get("target") or current.target
        else:
            item.target = values.get("target")
        out.append(item)
    # A problem-only row heads the rows that continue it, and its 序号 numbers their
    # problem; with none after it, it is a task of its own (flagged: no measure).
    for i, item in enumerate(out):
        if item.heading_only:
            following = out[i + 1] if i + 1 < len(out) else None
            item.heading_only = (
                following is not None
                and "problem" not in following.values
                and following.problem == item.problem
            )
        if item.heading_only:
            item.number = item.number or item.values.get("seq")
            for later in out[i + 1 :]:
                if "problem" in later.values or later.problem != item.problem:
                    break
                later.number = later.values.get("problem_number") or item.number
    _numbers_from_seq(out)
    return out


def _numbers_from_seq(rows: list[_Row]) -> None:
    """A problem with no 问题编号 is numbered by its 序号 when one 序号 covers all its rows
    (merged over them, as the problem is); a 序号 per task numbers tasks, not problems."""
    groups: dict[tuple[str, tuple[str, ...]], list[_Row]] = {}
    for item in rows:
        groups.setdefault((item.problem, item.path), []).append(item)
    for group in groups.values():
        seqs = {item.values.get("seq") for item in group}
        if len(seqs) == 1 and None not in seqs and all(i.number is None for i in group):
            for item in group:
                item.number = next(iter(seqs))


def _heading(values: Mapping[str, str]) -> bool:
    """A row whose cells all hold one text: a heading merged across the sheet."""
    return len(values) >= 2 and len(set(values.values())) == 1


def _numeric(text: str | None) -> bool:
    return bool(text) and re.fullmatch(r"[\d.\-]+", str(text)) is not None


def _title(sheet: ledgerread.Sheet) -> str | None:
    for text in sheet.title_rows:
        if 4 <= len(text) <= 120 and not _ISSUER.search(text) and not _DATE.search(text):
            return text
    return sheet.title_rows[0][:300] if sheet.title_rows else None


def _issuer(sheet: ledgerread.Sheet) -> str | None:
    for text in sheet.title_rows:
        if m := _ISSUER.search(text):
            return m.group(1)
    return None


def _date(sheet: ledgerread.Sheet) -> dt.date | None:
    for text in sheet.title_rows:
        for m in _DATE.finditer(text):
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _key(task: Task) -> str:
    units = "、".join(p.name for p in task.lead_units)
    raw = task.deadline.raw or ""
    return _KEY_DROP.sub("", f"{task.problem.title}|{task.text}|{units}|{raw}")


def _mark_duplicates(tasks: list[Task]) -> list[Task]:
    """Step 5: an exact repeat (after blanks and punctuation) of an earlier row."""
    first: dict[str, int] = {}
    out = []
    for task in tasks:
        key = _key(task)
        original = first.setdefault(key, task.seq)
        if original != task.seq:
            flags = (*task.flags, f"duplicate: repeats task {original}; not to be imported twice")
            task = dataclasses.replace(task, duplicate_of=original, flags=flags)
        out.append(task)
    return out
