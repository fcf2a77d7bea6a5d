"""Table ledgers (layout e): columns read through their header words, one task per row.

1. The header is the first of the table's top rows whose cells name at least two
   different fields, one of them a measure, problem, unit or deadline column. Rows right
   under it whose every cell is a header word too are sub-headers: a merged 责任单位 over
   牵头单位/配合单位 gives each column the deepest word above it ("牵头" alone under
   责任单位 reads as 牵头责任单位; flattened, the empty cells right of 责任单位 are under
   it). Columns are never known by their position.
2. A row whose only text is one cell merged across the table ("一、大气污染防治") is a
   section: the rows under it carry it as their problem's path. A repeated header row
   (a page break in Word or PDF) is skipped.
3. A merged cell (``Cell.origin``) is stated for every row it covers, whatever its
   field. A cell left empty without a merge inherits only the problem, number and target
   of the row above (tables flattened to text lose their merges); units and deadlines
   are never inherited, so an empty one is flagged rather than guessed. A row with its
   own 序号 under an empty problem cell stays in the problem above (and keeps its
   number); beside a code column (问题编号 ZG-2023-07) 序号 only counts the rows and the
   code is the problem's number.
4. Tables flattened to text (``序号 | 问题 | 整改措施 |`` lines, with or without outer
   bars, | ｜ │ ┃ or tabs, ruled or not) are cut back into cells by ``text_tables``; a
   section row keeps its place in the table whether its empty cells are written or not.
   Columns aligned with runs of spaces are a table from a header row on; a row missing
   cells puts each under the header it stands under on the screen.

Every value keeps the span of its cell: spans here index the original text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache

from closeout.ingest.fields import (
    COOP_UNITS,
    DEADLINE,
    LEAD_UNITS,
    MEASURES,
    NUMBER,
    PERSON_FIELDS,
    PERSONS,
    PROBLEM,
    SUPERVISING_UNITS,
    TARGET,
    UNIT_FIELDS,
    FieldValue,
    classify_label,
)
from closeout.ingest.layouts import Draft
from closeout.ingest.normalise import Normalised, normalise
from closeout.ingest.outline import Line, split_enumeration
from closeout.ingest.source import Cell, Table

# Fields beyond those of the plans (fields.py): what a ledger or a notice reports.
PROGRESS = "progress"  # 整改进展: where the work stands
COMPLETION = "completion"  # 完成情况: what was done, as the office states it
VERIFYING_UNITS = "verifying_units"  # 验收销号单位: who accepts and closes the task out

_CORE = {MEASURES, PROBLEM, LEAD_UNITS, DEADLINE}
# 序号 beside a code column (问题编号 ZG-2023-07): it only counts the rows, the code
# numbers the problem.
SEQUENCE = "sequence"
_INHERITED = {PROBLEM, NUMBER, TARGET}
_NOT_TASK_FIELDS = _INHERITED | {MEASURES, SEQUENCE}
# Header words of the genre beyond the field vocabulary of fields.py.
_EXTRA_WORDS = (
    (MEASURES, "整改内容 整改任务 任务 重点任务 主要任务 工作内容 任务内容 整改事项 工作措施"),
    (MEASURES, "整改举措 具体举措 工作举措 主要举措"),
    (PROBLEM, "问题 主要问题 问题名称 交办问题 问题概述 问题简述 问题表现 反馈意见 督察反馈意见"),
    (PROBLEM, "反映问题 群众反映问题 信访问题 投诉问题 举报问题 信访内容 投诉内容 反映内容"),
    (DEADLINE, "时间节点 完成时间节点 计划完成时间 时限要求 完成时限要求 时间要求"),
    (PERSONS, "主要责任人 直接责任人 具体责任人"),
    (LEAD_UNITS, "责任主体 整改责任主体 责任部门 牵头部门"),
    (NUMBER, "受理编号 交办编号 案件编号 问题序号"),
    (NUMBER, "问题代码 问题编码 清单编号 整改编号 任务编号 台账编号"),
    (PROGRESS, "整改进展 进展情况 整改进展情况 工作进展 推进情况 整改进度 目前进展 进展"),
    (COMPLETION, "完成情况 整改完成情况 整改情况 整改结果 销号情况 整改落实情况 完成进度"),
    (
        VERIFYING_UNITS,
        "验收销号单位 验收单位 销号单位 验收部门 验收销号部门 组织验收单位 验收责任单位",
    ),
)
_EXTRA = {word: name for name, words in _EXTRA_WORDS for word in words.split(" ")}
_CODE = re.compile(r"编号|编码|代码")  # a number column that holds codes, not 序号
# A sub-header word that only says whose unit the column above holds.
_ROLE_WORDS = {"牵头", "配合", "协办", "参与", "主办", "主责", "协助", "督导", "督办"}
_SECTION_MARK = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.]|[(][一二三四五六七八九十]{1,3}[)])"
)


@lru_cache(maxsize=4096)
def column_field(text: str) -> str | None:
    """The field a header cell (or a form's label) names, or None."""
    clean = re.sub(r"\s+", "", normalise(text).text).strip(":*")
    return _EXTRA.get(clean) or classify_label(clean)


def _labels(row: tuple[Cell, ...]) -> dict[int, str]:
    return {cell.col: name for cell in row if (name := column_field(cell.text))}


def _is_subheader(row: tuple[Cell, ...], above: dict[int, str]) -> bool:
    own = [c for c in row if c.origin is None and c.text.strip()]
    return bool(own) and all(
        column_field(c.text) or (c.text.strip() in _ROLE_WORDS and c.col in above) for c in own
    )


_SPREAD = {*UNIT_FIELDS, *PERSON_FIELDS}


def _spread(row: tuple[Cell, ...]) -> dict[int, str]:
    """A header row's unit and person words over the empty cells right of them: a header
    cell merged across columns, flattened (责任单位 over 牵头 and 配合)."""
    out: dict[int, str] = {}
    last = ""
    for cell in sorted(row, key=lambda c: c.col):
        if cell.text.strip():
            last = cell.text if column_field(cell.text) in _SPREAD else ""
        elif last:
            out[cell.col] = last
    return out


def _column(texts: list[str]) -> str | None:
    """A column's field from its header texts, top to bottom: the deepest word wins."""
    distinct: list[str] = []
    for text in texts:
        if text.strip() and (not distinct or distinct[-1] != text):
            distinct.append(text)
    for depth in range(len(distinct) - 1, -1, -1):
        word = distinct[depth]
        if (name := column_field(word)) is not None:
            return name
        if depth and word.strip() in _ROLE_WORDS:
            parent = re.sub(r"\s+", "", distinct[depth - 1])
            if (name := column_field(word.strip() + parent)) is not None:
                return name
    return None


def header(table: Table) -> tuple[int, dict[int, str]] | None:
    """The last header row and each column's field, or None when no row is a header."""
    rows = table.rows
    for r, row in enumerate(rows[:6]):
        found = _labels(row)
        filled = sum(1 for c in row if c.origin is None and c.text.strip())
        if len(set(found.values())) < 2 or not _CORE & set(found.values()):
            continue
        if 2 * sum(1 for c in row if c.origin is None and c.col in found) <= filled:
            continue  # a form's row (label, value, label, value), not a header
        last = r
        above = {**found, **{c: LEAD_UNITS for c in _spread(row)}}
        while last + 1 < len(rows) and last - r < 2 and _is_subheader(rows[last + 1], above):
            last += 1
        texts: dict[int, list[str]] = {}
        for head_row in rows[r : last + 1]:
            spread = _spread(head_row) if head_row is not rows[last] else {}
            for cell in head_row:
                texts.setdefault(cell.col, []).append(spread.get(cell.col, cell.text))
        columns = {c: name for c, words in texts.items() if (name := _column(words))}
        # A column's word is the deepest one written: an empty cell under a word (a
        # flattened table's merged header cell) does not hide it.
        deepest = {c: next((w for w in reversed(ws) if w.strip()), "") for c, ws in texts.items()}
        return last, _settle(columns, deepest)
    return None


def _settle(columns: dict[int, str], words: dict[int, str]) -> dict[int, str]:
    """Resolve columns of one kind that mean two things side by side."""
    kinds = list(columns.values())
    numbers = [c for c, n in columns.items() if n == NUMBER]
    codes = [c for c in numbers if _CODE.search(words[c])]
    if len(numbers) > 1 and codes:
        for c in numbers:
            if c not in codes:
                columns[c] = SEQUENCE
    tasks = [c for c, n in columns.items() if n == MEASURES and "措施" not in words[c]]
    if kinds.count(MEASURES) > 1 and tasks:
        # 整改任务 beside 整改措施: the task column states what is to be achieved.
        for c in tasks:
            columns[c] = PROBLEM if PROBLEM not in kinds else TARGET
    leads = [c for c, n in columns.items() if n == LEAD_UNITS]
    if COOP_UNITS not in kinds and any("牵头" in words[c] for c in leads):
        # After 牵头单位, 责任单位 names the units that carry the work out with it.
        for c in leads:
            if re.sub(r"\s+", "", words[c]) in {"责任单位", "责任部门"}:
                columns[c] = COOP_UNITS
    return columns


def table_drafts(table: Table) -> list[Draft] | None:
    """Drafts for one table, or None when it has no recognisable header.

    Unlike the text layouts, spans here index the original text (cells carry them).
    """
    found = header(table)
    if found is None:
        return None
    head_row, columns = found
    head_rows = table.rows[: head_row + 1]
    drafts: list[Draft] = []
    carried: dict[str, FieldValue] = {}
    section: tuple[str, ...] = ()
    for row in table.rows[head_row + 1 :]:
        if _repeats_header(row, columns):
            continue
        if (title := _section(row, columns)) is not None:
            section, carried = (title,), {}
            continue
        values, own = _row_values(row, columns, head_row, head_rows)
        if not own - {NUMBER, SEQUENCE}:
            continue
        if _new_problem(own, columns, carried):  # nothing of the one above carries
            carried = {}
        elif NUMBER in own:  # a row's own 序号 under a problem merged over it
            values[NUMBER] = carried[NUMBER]
        for name in _INHERITED:
            if name in values:
                carried[name] = values[name]
            elif name in carried:
                values[name] = carried[name]
        drafts.append(_draft(row, values, section))
    return drafts


def _new_problem(own: set[str], columns: dict[int, str], carried: dict[str, FieldValue]) -> bool:
    """Whether a row starts a problem: it states one, or its code; or its 序号, unless
    the problem cell is left empty under the problem of the rows above (a merged cell
    flattened), whose number it then keeps."""
    if PROBLEM in own or (NUMBER in own and SEQUENCE in columns.values()):
        return True
    if NUMBER not in own:
        return False
    return not (PROBLEM in carried and NUMBER in carried)


def _row_values(
    row: tuple[Cell, ...], columns: dict[int, str], head_row: int, head: tuple
) -> tuple[dict[str, FieldValue], set[str]]:
    values: dict[str, FieldValue] = {}
    own: set[str] = set()
    labels = {cell.col: cell.text for cells in head for cell in cells}
    for cell in row:
        name = columns.get(cell.col)
        if name is None or (cell.origin is not None and cell.origin[0] <= head_row):
            continue
        if cell.origin is not None and cell.origin[0] == cell.row:
            continue  # a cell merged across columns is the value of its first column
        value = normalise(cell.text).text.strip()
        if not value:
            continue
        if cell.origin is None:
            own.add(name)
        label = labels.get(cell.col, "")
        if name in values:  # two columns of one kind (责任单位 + 牵头单位): join them
            prev = values[name]
            start, end = min(prev.start, cell.span[0]), max(prev.end, cell.span[1])
            parts = (*(prev.parts or ((prev.start, prev.end),)), cell.span)
            values[name] = FieldValue(name, prev.label, prev.value + ";" + value, start, end, parts)
        else:
            values[name] = FieldValue(name, label, value, cell.span[0], cell.span[1])
    return values, own


def _draft(row: tuple[Cell, ...], values: dict[str, FieldValue], path: tuple[str, ...]) -> Draft:
    measure = values.get(MEASURES)
    problem = values.get(PROBLEM)
    text = measure.value if measure else (problem.value if problem else "")
    flags = [] if measure else ["no_measures: the row has no measure cell"]
    mine = [c for c in row if c.origin is None or c.origin[0] == c.row]
    start = min(c.span[0] for c in mine)
    end = max(c.span[1] for c in mine)
    number = values[NUMBER].value if NUMBER in values else None
    draft = Draft("table", number, problem.value if problem else "", path, text, start, end,
                  target=values[TARGET].value if TARGET in values else None,
                  fields=verifying_supervises(
                      {k: _as_list(v) for k, v in values.items() if k not in _NOT_TASK_FIELDS}),
                  flags=flags)  # fmt: skip
    draft.measures = measure_list(text)
    return draft


def verifying_supervises(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The unit that accepts and closes a task out (验收销号单位) supervises it, unless
    the document names its supervising units apart."""
    verifying = fields.get(VERIFYING_UNITS)
    if verifying is None or SUPERVISING_UNITS in fields:
        return fields
    v = verifying
    return {
        **fields,
        SUPERVISING_UNITS: FieldValue(SUPERVISING_UNITS, v.label, v.value, v.start, v.end, v.parts),
    }


_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff)])\s+(?=[\u4e00-\u9fff(])")


def _as_list(value: FieldValue) -> FieldValue:
    """Units a cell lists on lines of their own (a flattened line break) are a list."""
    if value.field not in (*UNIT_FIELDS, VERIFYING_UNITS):
        return value
    text = _CJK_GAP.sub("、", value.value)
    return FieldValue(value.field, value.label, text, value.start, value.end, value.parts)


# "1.…" "(2)…" "③…" opening a measure inside one cell, after the cell's start, a space
# (a paragraph break flattened) or a sentence end; "2.5万吨" is no marker.
_NUMBERED = re.compile(r"(?:^|(?<=[\s;。;]))(?:\d{1,2}[.、](?!\d)|[(]\d{1,2}[)]|[\u2460-\u2473])")


def measure_list(text: str) -> list[str]:
    """A cell's or a part's measures: at numbered items, else at 一是/二是."""
    cuts = [m.start() for m in _NUMBERED.finditer(text)]
    pieces = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    pieces = [p for p in pieces if p]
    if len(pieces) < 2:
        pieces = [piece for _, piece in split_enumeration(text)]
    return pieces or [text]


def _repeats_header(row: tuple[Cell, ...], columns: dict[int, str]) -> bool:
    found = _labels(row)
    return len(found) >= 2 and sum(columns.get(c) == n for c, n in found.items()) >= len(found) - 1


def _section(row: tuple[Cell, ...], columns: dict[int, str]) -> str | None:
    """The title of a section row: one text alone, merged across the row or numbered
    as a heading (一、 / (一)) in a row whose other cells are empty."""
    texts = {c.text.strip() for c in row if c.text.strip()}
    if len(texts) != 1:
        return None
    (text,) = texts
    cells = [c for c in row if c.text.strip()]
    across = len(cells) >= 2 and len({c.col for c in cells}) >= 2
    if across and len(cells) >= max(2, len(columns) // 2):
        return text
    if _SECTION_MARK.match(normalise(text).text) and columns.get(cells[0].col) != MEASURES:
        return text
    return None


# ---------------------------------------------------------------- tables flattened to text

# The bars that part a flattened row's cells (the full-width ｜ is | after NFKC; box
# drawings keep their own), else tabs.
_BARS = "|│┃"
# A ruling line: a Markdown |---|---| or a drawn border (┌──┬──┐, +---+---+).
_RULE = re.compile(r"^[\s|│┃+:=\-─━┼╋├┤┣┫┌┐└┘┏┓┗┛┬┴┳┻]*$")
_DASHES = re.compile(r"[-─━=]{3}")


def _is_rule(text: str) -> bool:
    return _RULE.match(text) is not None and _DASHES.search(text) is not None


# Cells parted by runs of spaces (an aligned table; the ideographic space is one after
# NFKC): a run of such rows is a table only from a row that is a header.
SPACES = "  "
_GAP = re.compile(r"\S+(?:\s\S+)*")  # a cell: words parted by single spaces


_SEPARATOR_HINT = re.compile(f"[{_BARS}\t]|  ")  # in every line _separator gives one


def _separator(text: str) -> str | None:
    """What parts a flattened row's cells (a bar, a tab, runs of spaces), or None."""
    if _SEPARATOR_HINT.search(text) is None:
        return None
    for bar in _BARS:
        if text.count(bar) >= 2:
            return bar
    if "\t" in text:
        return "\t"
    return SPACES if "  " in text.strip() else None


def _cut(
    text: str, outer: tuple[bool, bool] = (True, True), sep: str | None = None, least: int = 2
) -> list[tuple[int, int]] | None:
    """The cells of one flattened row as (start, end) within ``text``, or None when it
    has fewer than ``least`` cells with text.

    ``sep`` is the table's separator (else the row's own); ``outer`` says whether the
    table's rows open and close with a bar (as its first row does): a row opening with an
    empty cell then still keeps that cell."""
    sep = sep or _separator(text)
    if sep == SPACES:
        spaced = [(m.start(), m.end()) for m in _GAP.finditer(text)]
        return spaced if len(spaced) >= least else None
    if sep is None or sep not in text:
        return None
    bounds: list[tuple[int, int]] = []
    begin = 0
    for i, ch in enumerate(text + sep):
        if ch == sep:
            bounds.append((begin, i))
            begin = i + 1
    if sep != "\t":
        if outer[0] and not text[: bounds[0][1]].strip():
            bounds = bounds[1:]
        if outer[1] and bounds and not text[bounds[-1][0] : bounds[-1][1]].strip():
            bounds = bounds[:-1]
    cells = []
    for a, b in bounds:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        cells.append((a + lead, a + len(piece.rstrip()) if piece.strip() else a + lead))
    return cells if sum(1 for a, b in cells if b > a) >= least else None


def _bare_section(lines: list[Line], i: int, sep: str) -> bool:
    """A section title on a line of its own between two rows of a flattened table (the
    empty cells of its row dropped): a short 一、 / (一) heading whose next line goes on
    with the table."""
    line = lines[i]
    if line.kind != "heading" or line.level > 2 or len(line.text.strip()) > 40:
        return False
    after = next((x for x in lines[i + 1 :] if x.kind != "blank"), None)
    return (
        after is not None
        and _separator(after.text) == sep
        and _cut(after.text, sep=sep) is not None
    )


def text_tables(lines: list[Line], norm: Normalised) -> list[tuple[Table, list[int]]]:
    """Runs of flattened table rows among the text lines: each as a Table whose cells
    index the original text, with the positions (in ``lines``) of the lines it took.

    A run opens at a row with two cells of text or more; inside it, a row with the run's
    separator and one cell of text (a section row, a sub-header under merged cells), a
    ruling line and a bare section title go on with it."""
    out: list[tuple[Table, list[int]]] = []
    run: list[int] = []
    kind = ""  # the run's separator, once a row has shown it

    def close() -> None:
        rows = [i for i in run if not _is_rule(lines[i].text)]
        if kind == SPACES:  # from its header row on, if it has one
            heads = [n for n, i in enumerate(rows) if _spaced_header(lines[i].text)]
            rows = rows[heads[0] :] if heads else []
            run[:] = [i for i in run if rows and i >= rows[0]]
        if len(rows) >= 2:
            out.append((_text_table([lines[i] for i in rows], norm, kind), list(run)))
        run.clear()

    for i, line in enumerate(lines):
        if line.kind == "blank" and run and kind != SPACES:
            continue  # (an aligned table ends at a blank line: the text after it is prose)
        readable = line.kind in {"text", "heading"}
        sep = _separator(line.text) if readable else None
        rule = readable and _is_rule(line.text)
        if run and (
            rule
            or (sep is not None and sep == (kind or sep) and _cut(line.text, sep=sep, least=1))
            or (kind and sep is None and _bare_section(lines, i, kind))
        ):
            run.append(i)
            kind = kind or sep or ""
            continue
        close()
        kind = ""
        if rule or (sep is not None and _cut(line.text, sep=sep) is not None):
            run.append(i)
            kind = sep if not rule and sep else ""
    close()
    return out


def _spaced_header(text: str) -> bool:
    cut = _cut(text, sep=SPACES)
    if cut is None:
        return False
    cells = tuple(Cell(0, c, text[a:b], (a, b)) for c, (a, b) in enumerate(cut))
    return header(Table(cells, (0, len(text)))) is not None


def _screen(line: Line, cut: list[tuple[int, int]], norm: Normalised) -> list[tuple[int, int]]:
    """Where each cell of a line stands on the screen (in display columns of the original
    text: CJK characters and the ideographic space take two)."""
    origin = norm.to_original(line.start, line.start)[0]

    def width(at: int) -> int:
        upto = norm.to_original(line.start + at, line.start + at)[0]
        text = norm.original[origin:upto]
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    return [(width(a), width(b)) for a, b in cut]


def _aligned(row: list[tuple[int, int]], head: list[tuple[int, int]]) -> list[int]:
    """The header column of each cell of a space-aligned row (screen positions): in order
    when the row has a cell for every column, else the column it overlaps most, a column
    running from its header word to the next (text exports align cells left); pieces
    under one column are one cell."""
    if len(row) == len(head):
        return list(range(len(head)))
    bounds = [float(start) for start, _ in head[1:]]  # a column runs to the next header
    ranges = list(zip([float("-inf"), *bounds], [*bounds, float("inf")], strict=True))
    return [
        max(range(len(ranges)), key=lambda c: min(hi, ranges[c][1]) - max(lo, ranges[c][0]))
        for lo, hi in row
    ]


def _text_table(rows: list[Line], norm: Normalised, sep: str) -> Table:
    cells: list[Cell] = []
    head = rows[0].text.strip()
    outer = (head[:1] == sep, head[-1:] == sep)
    head_cut = _cut(rows[0].text, sep=sep) or []
    screen = _screen(rows[0], head_cut, norm)
    for r, line in enumerate(rows):
        found = _cut(line.text, outer, sep=sep, least=1)
        cols: list[int] | range = range(len(found or ()))
        if found is None:  # a bare section title: one cell, the first
            text = line.text
            lead = len(text) - len(text.lstrip())
            found, cols = [(lead, len(text.rstrip()))], [0]
        elif sep == SPACES:
            cols = _aligned(_screen(line, found, norm), screen)
        for c, (a, b) in zip(cols, found, strict=True):  # two under one column join
            start, end = norm.to_original(line.start + a, line.start + b)
            cells.append(Cell(r, c, norm.original[start:end], (start, end)))
    first, last = norm.to_original(rows[0].start, rows[-1].end)
    return Table(tuple(cells), (first, last))


def to_analysis(norm: Normalised, start: int, end: int) -> tuple[int, int]:
    """The analysis span of an original span (the inverse of ``Normalised.to_original``)."""
    return bisect_left(norm.starts, start), bisect_left(norm.starts, end)
