"""Single-task documents (单项公示) and tables flattened to text: read before the plan layouts.

An acceptance or close-out notice (验收销号公示, 整改结果公示, 整改完成情况公示) states one
task in labelled parts: 整改任务 (or 问题), 整改目标, 整改责任单位, 验收销号单位, 整改措施,
完成情况 — as "label:value" lines, as headings ("一、整改任务") over their text, or as a
form (a two- or four-column table of label and value cells).

1. Collect the labelled parts in document order; a part's value runs over the lines
   below it up to the next label, and stops at the notice's own furniture (公示时间,
   联系电话, 特此公示, the issuer and date that sign it).
2. A part whose kind the current group already holds starts the next group.
3. The document is read this way when its parts name a task (整改任务 / 问题 / 整改措施)
   and either it has one group and reports a completion or verifying unit (完成情况,
   验收销号单位), or its opening lines call it a notice of acceptance or results. Each
   group is one task: its text is the task (else the problem, else the measures), its
   measures the 整改措施, and it keeps its completion text and verifying unit.

``special_layouts`` is the hook the parse pipeline calls per document: it also turns
tables flattened to text (``closeout.ingest.tables.text_tables``) into table drafts and
hides their lines from the text layouts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from closeout.ingest.fields import (
    DEADLINE,
    MEASURES,
    NUMBER,
    PERSON_FIELDS,
    PROBLEM,
    TARGET,
    UNIT_FIELDS,
    FieldValue,
)
from closeout.ingest.layouts import Draft
from closeout.ingest.normalise import Normalised
from closeout.ingest.outline import Line
from closeout.ingest.source import SourceText, Table
from closeout.ingest.tables import (
    COMPLETION,
    PROGRESS,
    VERIFYING_UNITS,
    column_field,
    header,
    measure_list,
    table_drafts,
    text_tables,
    to_analysis,
    verifying_supervises,
)

TASK = "task"  # 整改任务: what the notice's one task is
_TASK_WORDS = {"整改任务", "任务名称", "整改事项", "交办任务", "任务内容", "整改内容"}
_SUBJECT = {TASK, PROBLEM, MEASURES}
_REPORTED = {COMPLETION, VERIFYING_UNITS}
# Parts joined as one list when they run over several lines (else as paragraphs).
_LISTS = {*UNIT_FIELDS, *PERSON_FIELDS, VERIFYING_UNITS, DEADLINE, NUMBER}
NOTICE = re.compile(
    r"验收销号|销号公示|销号情况|整改结果公示|完成情况公示|整改情况公示|验收情况公示|验收公示|"
    r"整改验收|办结公示"
)
_CN = "[一二三四五六七八九十]{1,3}"
# Words without which no line of a document reports a completion or a verifying unit.
_REPORTING = re.compile(r"情况|结果|进度|验收|销号")
_MARK = rf"(?:{_CN}\s*[、.]|[(]{_CN}[)]|\d{{1,2}}\s*[、.](?!\d))?"
_MARK_LEAD = re.compile(rf"^\s*{_MARK}\s*")
_LABEL = re.compile(rf"^\s*{_MARK}\s*【?(?P<label>[\u4e00-\u9fff]{{2,10}})】?\s*(?P<colon>:)?\s*")
# The notice's own furniture: a part's value ends where it begins.
_FURNITURE = re.compile(
    r"^\s*(?:特此公示|公示时间|公示期|公示日期|公示起止|如有异议|如对|欢迎|联系电话|监督电话|"
    r"举报电话|咨询电话|联系人|联系地址|通讯地址|来信|电子邮箱|邮箱|邮编|附件)"
)
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")


@dataclass(slots=True)
class Special:
    """What the hook read: the document's lines with flattened tables hidden, the drafts
    it made, notes for the warnings, and whether the document is a single-task one."""

    lines: list[Line]
    drafts: list[Draft] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    single: bool = False


@dataclass(slots=True)
class _Part:
    kind: str
    label: str
    start: int
    end: int
    pieces: list[tuple[int, int, str]] = field(default_factory=list)
    level: int = 0  # the outline level of a label written as a heading ("四、整改措施")

    def add(self, start: int, end: int, text: str) -> None:
        if text.strip():
            self.pieces.append((start, end, text.strip()))
            self.end = max(self.end, end)

    def value(self) -> FieldValue:
        joint = ";" if self.kind in _LISTS else "\n"
        text = joint.join(p[2].rstrip("。.;") if joint == ";" else p[2] for p in self.pieces)
        start = self.pieces[0][0] if self.pieces else self.start
        return FieldValue(self.kind, self.label, text, start, self.end)


def part_kind(label: str) -> str | None:
    """The part a notice's label names (整改任务 is the task, not a measure list)."""
    clean = re.sub(r"\s+", "", label)
    return TASK if clean in _TASK_WORDS else column_field(clean)


def special_layouts(lines: list[Line], norm: Normalised, src: SourceText) -> Special:
    out = Special(list(lines))
    forms: list[tuple[int, Table]] = []
    for table, used in text_tables(lines, norm):
        found = table_drafts(table)
        if found is None:
            if _is_form(table):
                forms.append((lines[used[0]].start, table))
            else:
                at = table.span[0]
                out.notes.append(f"text table at offset {at} has no header row; not read as tasks")
            continue
        out.drafts.extend(found)
        for i in used:
            out.lines[i] = out.lines[i].as_kind("table")
    forms += [(to_analysis(norm, *t.span)[0], t) for t in _doc_tables(lines, norm, src)]
    head = " ".join(line.text for line in lines[:40] if line.kind != "blank")[:300]
    noticed = NOTICE.search(head) is not None
    if not (noticed or forms or any(_REPORTING.search(line.text) for line in out.lines)):
        return out  # a plan that reports nothing done: no notice (and no cost)
    groups = _groups(out.lines, forms, norm)
    kinds = {kind for group in groups for kind in group}
    subject = [g for g in groups if _SUBJECT & set(g)]
    if subject and (
        (len(groups) == 1 and _REPORTED & kinds) or (noticed and (_REPORTED | {TASK}) & kinds)
    ):
        out.single = True
        out.drafts.extend(_draft(g) for g in subject)
    return out


def _is_form(table: Table) -> bool:
    """A form: at least two rows open with a part's label and go on with its value."""
    labelled = 0
    for row in table.rows:
        own = [c for c in row if c.origin is None and c.text.strip()]
        if len(own) >= 2 and part_kind(own[0].text) and not part_kind(own[1].text):
            labelled += 1
    return labelled >= 2


def _doc_tables(lines: list[Line], norm: Normalised, src: SourceText) -> list[Table]:
    """The reader's tables inside this document that are forms rather than ledgers."""
    if not lines or not src.tables:
        return []
    lo, _ = norm.to_original(lines[0].start, lines[0].start)
    _, hi = norm.to_original(lines[-1].start, lines[-1].end)
    return [
        t
        for t in src.tables
        if lo <= t.span[0] <= max(hi, lo + 1) and header(t) is None and _is_form(t)
    ]


def _groups(
    lines: list[Line], forms: list[tuple[int, Table]], norm: Normalised
) -> list[dict[str, _Part]]:
    """The labelled parts, in document order, cut into groups (step 2)."""
    parts: list[_Part] = []
    events: list[tuple[int, object]] = [(line.start, line) for line in lines]
    events += [(at, table) for at, table in forms]
    current: _Part | None = None
    under = 1  # the level of the heading the parts sit under
    for _at, item in sorted(events, key=lambda e: e[0]):
        if isinstance(item, Table):
            parts.extend(_form_parts(item, norm))
            current = None
            continue
        assert isinstance(item, Line)
        if item.kind not in {"text", "heading"}:
            continue
        found = _label_line(item)
        if found:
            if found[0].level:  # a label written as a heading: its level is the section's
                under = found[0].level
            for part in found:
                part.level = part.level or under  # a label line ends with its section
            parts.extend(found)
            current = found[-1]
            continue
        if _ends_part(item, current):
            current = None
            if item.kind == "heading":
                under = item.level
        elif current is not None:
            lead = len(item.text) - len(item.text.lstrip())
            current.add(item.start + lead, item.start + len(item.text.rstrip()), item.text)
        elif item.kind == "heading":
            under = item.level  # the heading the next parts sit under
    _drop_signature(parts, lines)
    groups: list[dict[str, _Part]] = []
    for part in parts:
        if not part.pieces:
            continue  # "二、整改情况" over labelled parts heads them; it holds nothing
        if not groups or part.kind in groups[-1]:
            groups.append({})
        groups[-1][part.kind] = part
    return groups


def _ends_part(line: Line, part: _Part | None) -> bool:
    """The notice's furniture, its date, or a heading that names no part ("三、公示期限")
    at the level of the part's own heading (else of the section it sits in) closes it."""
    text = _MARK_LEAD.sub("", line.text)
    if _FURNITURE.match(text) or _DATE_LINE.match(line.text):
        return True
    return line.kind == "heading" and line.level <= (part.level if part and part.level else 1)


# A further "label:" inside a label line's value, after a semicolon or a full stop.
_MORE = re.compile(r"[;。]\s*【?(?P<label>[\u4e00-\u9fff]{2,10})】?\s*:\s*")


def _label_line(line: Line) -> list[_Part]:
    """The parts a label line opens: "整改责任单位:A;配合单位:B" opens two."""
    m = _LABEL.match(line.text)
    if m is None:
        return []
    # The pattern ends in \s*, so anything left after it is more than whitespace.
    if not m.group("colon") and m.end() < len(line.text):
        return []  # "整改措施有力" runs on: a sentence, not a label
    kind = part_kind(m.group("label"))
    if kind is None:
        return []
    cuts = [(m.end(), m.end(), kind, m.group("label"))]
    for more in _MORE.finditer(line.text, m.end()):
        if (other := part_kind(more.group("label"))) is not None:
            cuts.append((more.start(), more.end(), other, more.group("label")))
    parts = []
    for i, (_at, value_at, what, label) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else len(line.text.rstrip())
        part = _Part(what, label, line.start + value_at, line.start + value_at)
        part.level = line.level if line.kind == "heading" and not m.group("colon") else 0
        part.add(line.start + value_at, line.start + end, line.text[value_at:end])
        parts.append(part)
    return parts


def _drop_signature(parts: list[_Part], lines: list[Line]) -> None:
    """The issuer's line just above the closing date is no part of the last value."""
    if not parts or not parts[-1].pieces:
        return
    dates = {line.start for line in lines if _DATE_LINE.match(line.text)}
    starts = [line.start for line in lines if line.kind != "blank"]
    last = parts[-1]
    while len(last.pieces) > 1:
        start, _end, text = last.pieces[-1]
        following = [s for s in starts if s > start]
        if following and following[0] in dates and len(text) <= 30 and "。" not in text:
            last.pieces.pop()
            last.end = last.pieces[-1][1]
        else:
            break


def _form_parts(table: Table, norm: Normalised) -> list[_Part]:
    """A form's cells: each label cell followed by its value cell (rows of two or four)."""
    parts: list[_Part] = []
    for row in table.rows:
        cells = [c for c in row if c.text.strip() and (c.origin is None or c.origin[0] != c.row)]
        i = 0
        while i + 1 < len(cells):
            label, value = cells[i], cells[i + 1]
            kind = part_kind(label.text)
            if kind is None or part_kind(value.text) is not None or value.origin is not None:
                i += 1
                continue
            start, end = to_analysis(norm, *value.span)
            text = norm.text[start:end]
            if label.origin is not None and parts and parts[-1].kind == kind:
                parts[-1].add(start, end, text)  # a label merged down over two value rows
            else:
                part = _Part(kind, label.text.strip(), start, end)
                part.add(start, end, text)
                parts.append(part)
            i += 2
    return parts


def _draft(group: dict[str, _Part]) -> Draft:
    values = {kind: part.value() for kind, part in group.items() if part.pieces}
    task, problem, measures = values.get(TASK), values.get(PROBLEM), values.get(MEASURES)
    subject = task or problem or measures
    assert subject is not None  # only groups with a subject become drafts
    pieces = []
    if measures is not None:
        for piece_line in measures.value.split("\n"):
            pieces += measure_list(piece_line)
    flags = [] if measures else ["no_measures: the notice states no measures"]
    number = values[NUMBER].value if NUMBER in values else None
    title = (problem or task or subject).value
    spans = [p.start for p in group.values()], [p.end for p in group.values()]
    kept = {k: v for k, v in values.items() if k not in {TASK, PROBLEM, MEASURES, TARGET, NUMBER}}
    fields = verifying_supervises(kept)
    return Draft("single", number, title, (), subject.value, min(spans[0]), max(spans[1]),
                 target=values[TARGET].value if TARGET in values else None,
                 measures=pieces or [subject.value], fields=fields, flags=flags)  # fmt: skip


__all__ = ["COMPLETION", "PROGRESS", "VERIFYING_UNITS", "Special", "special_layouts"]
