"""``parse(path_or_bytes, context) -> ParseResult``: the whole pipeline (解析流程).

1. Read the file into its original text and tables (``read``).
2. Normalise for analysis, keeping the offset map back to the original.
3. Cut the text into documents at plan separators (篇一 … 篇二十二).
4. Per document, find its standing clauses (以下各项工作均需…落实, ``standing``), then tasks
   by layout: tables with a field header, responsibility groups in the text (bracketed
   or trailing, ``inline``), field-per-line blocks; only when none of them is present, the
   numbered measures of a narrative plan. A standing clause's unit joins every later
   task of its document.
5. Parse units, persons and deadlines of every task; flag what is missing or unread;
   keep where each field was read (``spans``).
6. Mark duplicates (the same problem and measure met again), find indicators, and
   collect warnings for everything that was not turned into a task.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
import re
from datetime import date
from pathlib import Path

from closeout.ingest.deadlines import parse_deadline
from closeout.ingest.fields import (
    COOP_SUPERVISING_UNITS,
    COOP_UNITS,
    DEADLINE,
    IMPLEMENTING_UNITS,
    LEAD_UNITS,
    PERSONS,
    SUPERVISING_LEADERS,
    SUPERVISING_UNITS,
    is_no_value,
    marked_lead,
)
from closeout.ingest.indicators import find_indicators
from closeout.ingest.inline import inline_drafts
from closeout.ingest.layouts import Draft, block_drafts, narrative_drafts
from closeout.ingest.ledgerbook import read_ledgerbook, workbook_format
from closeout.ingest.normalise import Normalised, normalise
from closeout.ingest.outline import Line, heading_paths, lines_of
from closeout.ingest.read import read
from closeout.ingest.result import Document, ParseContext, ParseResult, Problem, Task
from closeout.ingest.sentencedeadlines import text_deadline, text_flags
from closeout.ingest.singles import COMPLETION, PROGRESS, VERIFYING_UNITS, special_layouts
from closeout.ingest.source import SourceText
from closeout.ingest.spans import field_spans
from closeout.ingest.standing import (
    apply_standing,
    implementing_parties,
    mask_standing,
    standing_parties,
)
from closeout.ingest.tables import table_drafts
from closeout.ingest.units import Party, parse_persons, parse_units

_TITLE_WORD = re.compile(r"方案|计划|要点|意见|通知|办法|清单|台账|报告|措施")
_ISSUER = re.compile(r"(?:发布机构|发文机关|发布单位|信息来源|来源)\s*[:]\s*([^\s:]{2,30})")
# "信息来源:济南市政府门户网站" names the website that published the page, not the issuer.
_WEBSITE = re.compile(r"(?:网站|网|官网|公众号|微博|客户端|APP)$", re.IGNORECASE)
# Page chrome that looks like a title: breadcrumbs ("您所在的位置: 首页 > 政务公开 > …").
_BREADCRUMB = re.compile(r">|›|»|所在的?位置|当前位置|首页")
_DATE = re.compile(r"(?<!\d)(20\d\d|19\d\d)\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_KEY_DROP = re.compile(r"[^\w]|_")


def parse(
    source: bytes | str | Path | SourceText, context: ParseContext | None = None
) -> ParseResult:
    context = context or ParseContext()
    named = context.name if isinstance(source, bytes | SourceText) else str(source)
    if not isinstance(source, SourceText) and workbook_format(named, context.format):
        return read_ledgerbook(source, context)  # an Excel ledger (台账): rows, not text
    if isinstance(source, SourceText):
        src = source
    else:
        reading = dataclasses.replace(context.reading, name=context.name)
        src = read(source, reading, format=context.format)
    norm = normalise(src.text)
    lines = _mask_tables(lines_of(norm.text), norm, src)
    warnings = list(src.warnings)
    documents: list[Document] = []
    drafts_by_doc: list[list[Draft]] = []
    for seg in _segments(lines):
        doc_lines, standing = mask_standing(lines[seg[0] : seg[1]])
        drafts, layout, notes = _document_drafts(doc_lines, norm, src)
        apply_standing(drafts, standing, norm)
        if not drafts and seg[0] == 0 and len(documents) == 0 and seg[1] < len(lines):
            continue  # the compilation's own preamble before 篇一
        index = len(documents)
        documents.append(_document(doc_lines, norm, layout))
        drafts_by_doc.append(drafts)
        warnings.extend(f"document {index}: {note}" for note in notes)
    tasks: list[Task] = []
    for index, drafts in enumerate(drafts_by_doc):
        dated = documents[index].date
        # The year the plan is for dates a bare 年底前; the year it was signed does not.
        year = context.year if context.year is not None else plan_year(documents[index].title)
        written = dated.year if dated is not None else context.year
        for draft in drafts:
            if len(tasks) >= context.max_tasks:
                warnings.append(f"more than {context.max_tasks} tasks; the rest were not read")
                break
            tasks.append(_task(draft, len(tasks) + 1, index, norm, year, written))
    tasks = _mark_duplicates(tasks)
    indicators = tuple(
        dataclasses.replace(i, span=norm.to_original(*i.span)) for i in find_indicators(norm.text)
    )
    if not tasks:
        warnings.append("no task found: the document has neither fields nor numbered measures")
    return ParseResult(src.name, src.format, src.encoding, src.text, tuple(documents),
                       tuple(tasks), indicators, tuple(warnings))  # fmt: skip


def _mask_tables(lines: list[Line], norm: Normalised, src: SourceText) -> list[Line]:
    """Table rows are read from cells, so their text lines are hidden from the text layouts."""
    if not src.tables:
        return lines
    spans = [t.span for t in src.tables]
    out = []
    for line in lines:
        at = norm.starts[line.start] if line.start < len(norm.starts) else len(norm.original)
        if line.kind != "blank" and any(a <= at < b for a, b in spans):
            line = line.as_kind("table")
        out.append(line)
    return out


def _segments(lines: list[Line]) -> list[tuple[int, int]]:
    cuts = [i for i, line in enumerate(lines) if line.kind == "separator"]
    bounds = [0, *cuts, len(lines)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _document_drafts(
    lines: list[Line], norm: Normalised, src: SourceText
) -> tuple[list[Draft], str, list[str]]:
    special = special_layouts(lines, norm, src)  # tables flattened to text, one-task notices
    if special.single:
        return special.drafts, "single", special.notes
    lines, drafts, notes = special.lines, special.drafts, special.notes
    if lines:
        lo = (
            norm.starts[lines[0].start] if lines[0].start < len(norm.starts) else len(norm.original)
        )
        last = lines[-1]
        hi = (
            norm.starts[last.end - 1] + 1
            if 0 < last.end <= len(norm.starts)
            else len(norm.original)
        )
        for t, table in enumerate(src.tables):
            if not lo <= table.span[0] < max(hi, lo + 1):
                continue
            found = table_drafts(table)
            if found is None:
                notes.append(f"table {t + 1} has no recognisable header row; not read as tasks")
            else:
                drafts.extend(found)
    paths = heading_paths(lines)
    inline = inline_drafts(lines, paths)
    used = {i for d in inline for i in d.lines}
    rest = [line.as_kind("taken") if i in used else line for i, line in enumerate(lines)]
    blocks, loose = block_drafts(rest, paths, inline)
    drafts.extend(inline)
    drafts.extend(blocks)
    if drafts:
        if loose and (inline or blocks):
            notes.append(
                f"{len(loose)} paragraph(s) carry no fields and were not made tasks "
                f"(first at offset {norm.to_original(*loose[0])[0]})"
            )
        layouts = [d.layout for d in drafts]
        layout = max(set(layouts), key=layouts.count)
    else:
        drafts = narrative_drafts(lines, paths)
        layout = "narrative" if drafts else "none"
    return sorted(drafts, key=lambda d: d.start if d.layout != "table" else -1), layout, notes


def _document(lines: list[Line], norm: Normalised, layout: str) -> Document:
    texts = [line for line in lines if line.kind != "blank"]
    title: str | None = None
    if texts and texts[0].kind == "separator":
        title = texts[0].text.strip()
    else:
        for line in texts[:30]:
            stripped = line.text.strip()
            if (
                4 <= len(stripped) <= 60
                and _TITLE_WORD.search(stripped)
                and not _BREADCRUMB.search(stripped)
                and line.kind == "text"
            ):
                title = stripped
                break
    head = "\n".join(line.text for line in texts[:12])
    issuer = None
    for m in _ISSUER.finditer(head):
        if not _WEBSITE.search(m.group(1)):
            issuer = m.group(1)
            break
    found: date | None = None
    for m in _DATE.finditer(head):
        try:
            found = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            break
        except ValueError:
            continue
    start = lines[0].start if lines else 0
    end = lines[-1].end if lines else 0
    return Document(title, issuer, found, norm.to_original(start, end), layout)


_TITLE_YEAR = re.compile(r"(?<![\d—–\-~至到])((?:19|20)\d\d)\s*年(?:度)?(?!\s*[—–\-~至到])")
_PROGRAMME = re.compile(r"要点|计划|方案|清单|安排")
_EVENT_TITLE = re.compile(r"督察|巡视|巡察|审计|检查")


def plan_year(title: str | None) -> int | None:
    """The one year a plan is for, when its title names it: "2021年广州市生态环境工作要点",
    "铜仁市2022年度生态环境问题整改清单". Not a period ("实施方案(2022—2025年)") nor the
    year of the inspection it answers ("贯彻落实2022年省委…督察反馈意见整改方案")."""
    if not title or not _PROGRAMME.search(title) or _EVENT_TITLE.search(title):
        return None
    years = {int(m.group(1)) for m in _TITLE_YEAR.finditer(title)}
    if len(years) != 1 or re.search(r"\d{4}\s*年?\s*[—–\-~至到]", title):
        return None
    return years.pop()


def _task(
    draft: Draft, seq: int, document: int, norm: Normalised, year: int | None, written: int | None
) -> Task:
    def raw(name: str) -> str | None:
        value = draft.fields.get(name)
        return value.value if value else None

    # A field holding a dash, a slash or 无 is an empty cell: no field.
    fields = {k: v for k, v in draft.fields.items() if not is_no_value(v.value)}
    draft.fields = marked_lead(fields)  # 责任单位:市A局(牵头)、市B局
    flags = list(draft.flags)
    units: dict[str, tuple[Party, ...]] = {}
    for name in (LEAD_UNITS, COOP_UNITS, SUPERVISING_UNITS, COOP_SUPERVISING_UNITS):
        units[name] = parse_units(raw(name))
    flags.extend(implementing_parties(raw(IMPLEMENTING_UNITS), units))  # …负责落实
    flags.extend(standing_parties(draft.standing, units))  # 以下各项工作均需…落实
    persons = parse_persons(raw(PERSONS))
    leaders = parse_persons(raw(SUPERVISING_LEADERS))
    for name, parsed in (*units.items(), (PERSONS, persons), (SUPERVISING_LEADERS, leaders)):
        given = raw(name)
        if given and not parsed:
            flags.append(f"placeholder_{name}: {given!r} names no one (redacted or ×××)")
    if not units[LEAD_UNITS] and raw(LEAD_UNITS) is None and raw(IMPLEMENTING_UNITS) is None:
        flags.append("missing_lead_units: no responsible unit given")
    deadline = parse_deadline(raw(DEADLINE), year=year, written=written)
    if (given_deadline := draft.fields.get(DEADLINE)) is not None:
        at = (given_deadline.start, given_deadline.end)
        at = at if draft.layout == "table" else norm.to_original(*at)
        deadline = dataclasses.replace(deadline, spans=(at,))
        said = text_flags(draft.text)  # the measure's own 立即停止, 常态化开展
        if said and (said.immediate > deadline.immediate or said.ongoing > deadline.ongoing):
            deadline = dataclasses.replace(
                deadline, immediate=deadline.immediate or said.immediate,
                ongoing=deadline.ongoing or said.ongoing)  # fmt: skip
            flags.append(f"deadline_from_text: {said.raw}")
    else:  # no field: the task's own sentences may state it
        stated = text_deadline(draft.text, norm, (draft.start, draft.end), year=year,
                               original=draft.layout == "table", written=written)  # fmt: skip
        deadline = stated or deadline
        flags.append(f"deadline_from_text: {stated.raw}" if stated else
                     "missing_deadline: no deadline given")  # fmt: skip
    if deadline.raw is not None and not deadline.parsed:
        flags.append(f"deadline_unparsed: {deadline.note}")
    elif deadline.note and deadline.raw is not None:
        flags.append(f"deadline_note: {deadline.note}")
    span = (
        (draft.start, draft.end)
        if draft.layout == "table"
        else norm.to_original(draft.start, draft.end)
    )
    task = Task(
        seq=seq,
        document=document,
        problem=Problem(draft.number, draft.title, draft.path),
        text=draft.text,
        target=draft.target,
        measures=tuple(draft.measures),
        lead_units=units[LEAD_UNITS],
        coop_units=units[COOP_UNITS],
        persons=persons,
        supervising_units=units[SUPERVISING_UNITS],
        coop_supervising_units=units[COOP_SUPERVISING_UNITS],
        supervising_leaders=leaders,
        deadline=deadline,
        span=span,
        layout=draft.layout,
        flags=tuple(flags),
        completion=raw(COMPLETION),
        progress_text=raw(PROGRESS),
        verifying_units=parse_units(raw(VERIFYING_UNITS)),
        spans=(spans := {}),
    )
    spans.update(field_spans(draft, norm, task))  # read from the task's own fields
    return task


def _key(task: Task) -> str:
    # The problem's number too: "3.完善管网" and "4.完善管网" are two items, not a repeat.
    number = task.problem.number or ""
    return _KEY_DROP.sub("", number + "|" + task.problem.title + "|" + task.text)


def _bigrams(text: str) -> set[str]:
    return set(map(operator.add, text, text[1:]))  # {text[i : i + 2] for each i}


def _mark_duplicates(tasks: list[Task]) -> list[Task]:
    """A task whose problem and text nearly equal an earlier task's is its duplicate.

    Candidates share the first or last eight characters of their key (so the pass stays
    linear); "nearly" is a bigram Jaccard of 0.85, which ignores the punctuation and
    stray characters that differ between two scrapes of the same plan.
    """
    by_head: dict[str, list[int]] = {}
    by_tail: dict[str, list[int]] = {}
    keys = [_key(t) for t in tasks]
    grams: dict[str, set[str]] = {}  # by key: a repeat's key is its original's
    out: list[Task] = []
    for i, task in enumerate(tasks):
        key = keys[i]
        original: int | None = None
        if len(key) >= 8:
            candidates = by_head.get(key[:8], []) + by_tail.get(key[-8:], [])
            for j in candidates:
                if keys[j] == key:  # the same key: a Jaccard of 1
                    original = tasks[j].seq
                    break
                a = grams[key] if key in grams else grams.setdefault(key, _bigrams(key))
                other = keys[j]
                b = grams[other] if other in grams else grams.setdefault(other, _bigrams(other))
                small, large = sorted((len(a), len(b)))
                if not a or small * 100 < large * 84:
                    continue  # the Jaccard is at most small / large, below 0.84
                shared = len(a & b)
                if shared / (len(a) + len(b) - shared) >= 0.85:  # the union's size
                    original = tasks[j].seq
                    break
            if original is None:
                by_head.setdefault(key[:8], []).append(i)
                by_tail.setdefault(key[-8:], []).append(i)
        if original is not None:
            flags = (*task.flags, f"duplicate: repeats task {original}; not to be imported twice")
            task = dataclasses.replace(task, duplicate_of=original, flags=flags)
        out.append(task)
    return out
