"""Layouts (版式): from outline lines to draft tasks, before units and dates are parsed.

Four text layouts are recognised by what the lines carry, never by which file they are in:

(a) ``inline`` (``closeout.ingest.inline``): responsibility groups in the text, bracketed
    "(责任单位:…;责任人:…;整改时限:…)", "〔市生态环境局牵头,…负责落实〕" or trailing
    "。责任单位:…"; one task per group, the innermost heading its problem.
(b/c) ``block``: "label:value" lines per problem (整改目标 / 主体责任单位 / 整改措施 /
    整改时限, or 反馈问题 / 整改目标 / 整改措施 / 责任领导 / 完成时限, or a paragraph
    followed by 牵头单位/配合单位 lines). Each measure under 整改措施 is a task carrying
    the fields its block states once.
(d) ``narrative``: no fields at all; the numbered measures under the plan's measure
    sections are the tasks (under a numbered heading alone on its line, the heading is
    the problem and each paragraph under it a task); units and persons only where a
    measure's own sentence names them (各区政府负责…, 以…为责任主体), and empty fields are
    flagged.

Tables (layout e) are in ``closeout.ingest.tables``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from closeout.ingest.brackets import states_deadline
from closeout.ingest.fields import (
    COOP_UNITS,
    DEADLINE,
    IMPLEMENTING_UNITS,
    LEAD_UNITS,
    MEASURES,
    NUMBER,
    PERSONS,
    PROBLEM,
    TARGET,
    FieldValue,
    field_lines,
    lead_then_responsible,
    more_cooperating,
)
from closeout.ingest.numerals import cn_int
from closeout.ingest.outline import ENUMERATION, Line, heading_label, split_enumeration


@dataclass(slots=True)
class Draft:
    """A task before its fields are parsed; spans index the analysis text."""

    layout: str
    number: str | None
    title: str
    path: tuple[str, ...]
    text: str
    start: int
    end: int
    target: str | None = None
    measures: list[str] = field(default_factory=list)
    fields: dict[str, FieldValue] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    lines: range = range(0)  # the indexes of the lines it was read from (inline only)
    item_level: int = 0  # the heading level of a numbered item whose field lines it carries
    # (field, units, the clause's span in the original) of each standing clause before it
    standing: list[tuple[str, str, tuple[int, int]]] = field(default_factory=list)


def problem_of(path: tuple[Line, ...]) -> tuple[str | None, str, tuple[str, ...]]:
    if not path:
        return None, "", ()
    head = path[-1]
    return head.number, head.title, tuple(heading_label(p) for p in path[:-1])


# ---------------------------------------------------------------- (b/c) field-per-line blocks


@dataclass(slots=True)
class _Block:
    heading: Line | None
    path: tuple[Line, ...]
    desc: list[Line] = field(default_factory=list)
    fields: dict[str, FieldValue] = field(default_factory=dict)
    measures: list[tuple[int, int, str]] = field(default_factory=list)
    mode: str = "desc"
    flags: list[str] = field(default_factory=list)
    taken: list[Draft] = field(default_factory=list)  # inline drafts among its lines

    @property
    def start(self) -> int:
        firsts = [self.heading.start] if self.heading else []
        firsts += [d.start for d in self.desc] + [f.start for f in self.fields.values()]
        firsts += [m[0] for m in self.measures]
        return min(firsts) if firsts else 0

    @property
    def end(self) -> int:
        lasts = [self.heading.end] if self.heading else []  # a bare item is its heading
        lasts += [d.end for d in self.desc] + [f.end for f in self.fields.values()]
        lasts += [m[1] for m in self.measures]
        return max(lasts) if lasts else self.start


def _add_measures(block: _Block, text: str, start: int) -> None:
    for offset, piece in split_enumeration(text):
        at = start + text.index(piece, offset)
        block.measures.append((at, at + len(piece), piece))


def block_drafts(
    lines: list[Line], paths: list[tuple[Line, ...]], inline: list[Draft] | None = None
) -> tuple[list[Draft], list[tuple[int, int]]]:
    """Group label lines into problem blocks. Returns drafts and the spans of blocks that
    carried no field (plain paragraphs), so the caller can account for them.

    Field lines under a numbered item belong to it (family 4: "1.推进…" then 牵头单位 /
    责任单位 / 完成时限 lines); after 牵头单位, a plain 责任单位 names the cooperating units.
    Where items carry such lines, an item of the same level without any is a task too,
    its fields empty (and flagged by the caller), never folded into its neighbour.

    Lines of kind ``taken`` were read by the inline layout (``inline`` holds its drafts):
    a problem block whose measures are such lines ("整改措施:" then "1.…(市A局牵头)")
    makes no task of its own but gives its target and the fields it states once
    (整改时限 …) to those drafts where they state none."""
    taken = {i: d for d in inline or [] for i in d.lines}
    drafts: list[Draft] = []
    loose: list[tuple[int, int]] = []
    bare: list[_Block] = []  # items without fields, kept until the item level is known
    block: _Block | None = None
    pending: Line | None = None  # a heading not yet given to a block
    path: tuple[Line, ...] = ()

    def close() -> None:
        nonlocal block
        if block is not None:
            if block.taken and not block.measures:
                _hand_over(block)
            elif block.fields and not _explains_only(block):
                drafts.extend(_block_to_drafts(block))
            elif block.fields:
                loose.append((block.start, block.end))
            elif block.heading is not None:
                bare.append(block)
            elif block.desc:
                loose.append((block.desc[0].start, block.desc[-1].end))
        block = None

    def drop_pending(next_level: int) -> None:
        nonlocal pending
        if pending is not None and next_level <= pending.level:
            bare.append(_Block(pending, path_of[pending.index]))
        pending = None

    def open_block() -> _Block:
        nonlocal pending
        close()
        heading, pending = pending, None
        return _Block(heading, path)

    path_of = {line.index: p for line, p in zip(lines, paths, strict=True)}
    for index, (line, line_path) in enumerate(zip(lines, paths, strict=True)):
        if line.kind == "taken":
            if (
                block is not None
                and block.heading is not None
                and 0 < line.level <= block.heading.level
            ):
                close()  # the next item ("2.…(责任单位:…)"): no measure of the one above
            if block is not None and taken[index] not in block.taken:
                block.taken.append(taken[index])
            pending = None  # a heading over inline tasks is their problem, not a bare item
            continue
        if line.kind in {"blank"}:
            continue
        if line.kind == "separator":
            close()
            drop_pending(0)
            path = line_path
            continue
        values = field_lines(line.text, line.start) if line.kind == "text" else []
        value = values[0] if values else None
        if line.kind == "heading":
            deeper = block is not None and (
                (block.heading is not None and line.level > block.heading.level)
                or (block.heading is None and line.level >= 3)
            )
            if block is not None and block.mode == "measures" and deeper:
                _add_measures(
                    block, line.text.strip(), line.start + len(line.text) - len(line.text.lstrip())
                )
                continue
            heading = block.heading if block is not None else None
            if block is not None and heading and not block.fields and line.level > heading.level:
                block.heading = None  # a section with items under it, not an item
            close()
            drop_pending(line.level)
            pending = line
            path = line_path
            continue
        path = line_path
        for value in values:  # "牵头单位:…　责任单位:…　完成时限:…" may share a line
            if block is not None:
                value = lead_then_responsible(block.fields, value)
                if (joined := more_cooperating(block.fields, value)) is not None:
                    block.fields[COOP_UNITS] = joined  # 配合单位 and 责任单位 after 牵头单位
                    continue
            closed = (
                block is not None
                and DEADLINE in block.fields
                and value.field != DEADLINE
                # 整改措施 after 整改时限 under one problem heading: still that problem's
                and not (block.heading is not None and value.field in {MEASURES, TARGET})
            )
            # "问题二:…" after the measures of 问题一 starts the next problem.
            later_problem = (
                value.field == PROBLEM
                and block is not None
                and (block.measures or block.taken or block.fields.keys() - {NUMBER})
            )
            if block is None or value.field in block.fields or closed or later_problem:
                block = open_block()
            block.fields[value.field] = value
            block.mode = "measures" if value.field == MEASURES else "fields"
            if value.field == MEASURES and value.value:
                _add_measures(block, value.value, value.start)
        if values:
            continue
        stripped = line.text.strip()
        at = line.start + len(line.text) - len(line.text.lstrip())
        if block is not None and block.mode == "measures":
            _add_measures(block, stripped, at)
            continue
        if (
            block is not None
            and block.fields
            and not block.measures
            and DEADLINE not in block.fields
            and ENUMERATION.match(stripped)
        ):
            # "三是…" after 整改目标 with no 整改措施 label: the label was lost, not the measure.
            block.flags.append("measures_label_missing: measures follow without a 整改措施 label")
            block.mode = "measures"
            _add_measures(block, stripped, at)
            continue
        if block is None or block.fields:
            block = open_block()
        block.desc.append(line)
    close()
    drop_pending(0)
    drafts.extend(_bare_items(drafts, bare, loose))
    return sorted(drafts, key=lambda d: d.start), loose


def _bare_items(
    drafts: list[Draft], bare: list[_Block], loose: list[tuple[int, int]]
) -> list[Draft]:
    """Items without field lines, at the level where other items carry them."""
    levels = {d.item_level for d in drafts if d.item_level}
    out = []
    for block in bare:
        head = block.heading
        assert head is not None
        if head.level not in levels or any(NON_TASK_SECTION.search(p.title) for p in block.path):
            if block.desc:
                loose.append((block.desc[0].start, block.desc[-1].end))
            continue
        text = item_text(head, block.desc)
        ancestors = tuple(heading_label(p) for p in block.path if p is not head)
        out.append(Draft("block", head.number, head.title, ancestors, text, block.start,
                         block.end, measures=[text]))  # fmt: skip
    return out


def item_text(head: Line, desc: list[Line]) -> str:
    """An item's own words: its heading without the number, and the lines under it; but
    a heading that is only a title ("(一)椒江水质提升", no sentence of its own) over a
    paragraph names the problem, and the paragraph alone is the measure."""
    lines = [d.text.strip() for d in desc]
    if lines and not head.body and not head.text.rstrip().endswith(("。", ";", ".")):
        return "".join(lines)
    parts = [head.title + ("。" if head.body else ""), head.body, *lines]
    return "".join(p for p in parts if p).strip() or head.title


def _hand_over(block: _Block) -> None:
    """The block's target and once-stated fields go to the inline drafts it holds."""
    shared = {k: v for k, v in block.fields.items() if k not in {MEASURES, TARGET, PROBLEM}}
    target = block.fields.get(TARGET)
    for draft in block.taken:
        for name, value in shared.items():
            if name == DEADLINE and states_deadline(draft.text):
                continue  # "2.完善管网,2024年底前完成": its own words are its deadline
            draft.fields.setdefault(name, value)
        if target is not None and draft.target is None:
            draft.target = target.value


def _explains_only(block: _Block) -> bool:
    """A block that states a target or a problem but no measure, unit, person or deadline
    explains (工作目标:…, 整改要求:…, a problem whose measures carry their own brackets):
    no task of its own."""
    return not block.measures and block.fields.keys() <= {TARGET, PROBLEM, MEASURES}


def _block_to_drafts(block: _Block) -> list[Draft]:
    fields = block.fields
    flags = list(block.flags)
    desc = " ".join(d.text.strip() for d in block.desc)
    problem_text = fields[PROBLEM].value if PROBLEM in fields else None
    if block.heading is not None:
        number, title = block.heading.number, block.heading.title
        ancestors = tuple(heading_label(p) for p in block.path if p is not block.heading)
        ancestors = tuple(a for a in ancestors if a != heading_label(block.heading))
    else:
        number, title, ancestors = None, "", tuple(heading_label(p) for p in block.path)
        if problem_text:
            title = problem_text
        elif MEASURES in fields or TARGET in fields:
            flags.append("problem_heading_missing: the block has no problem heading")
            title = _first_sentence(desc or (fields[TARGET].value if TARGET in fields else ""))
        elif block.path:
            number, title = block.path[-1].number, block.path[-1].title
            ancestors = tuple(heading_label(p) for p in block.path[:-1])
    target = fields[TARGET].value if TARGET in fields else None
    base = dict(number=number, title=title, path=ancestors, target=target)
    shared = {k: v for k, v in fields.items() if k not in {MEASURES, TARGET, PROBLEM}}
    if block.measures:
        return [
            Draft("block", text=text, start=s, end=e, measures=[text], fields=dict(shared),
                  flags=list(flags), **base)  # type: ignore[arg-type]
            for s, e, text in block.measures
        ]  # fmt: skip
    if block.heading is not None and not fields.keys() & {TARGET, MEASURES, PROBLEM}:
        # A numbered item with its field lines under it: the item is the task.
        text = item_text(block.heading, block.desc)
        return [
            Draft("block", text=text, start=block.start, end=block.end, measures=[text],
                  fields=dict(shared), flags=flags, item_level=block.heading.level,
                  **base)  # type: ignore[arg-type]
        ]  # fmt: skip
    # No measure list: the paragraph before the labels is the measure (牵头单位 after a
    # paragraph), else the problem itself stands as the one task.
    text = desc if desc and problem_text is None and block.heading is None else ""
    if not text:
        text = problem_text or desc or target or title
        flags.append("no_measures: the problem states no measures")
    return [
        Draft("block", text=text, start=block.start, end=block.end, measures=[text],
              fields=dict(shared), flags=flags, **base)  # type: ignore[arg-type]
    ]  # fmt: skip


def _first_sentence(text: str) -> str:
    return re.split(r"[。;]", text, maxsplit=1)[0][:80]


# ---------------------------------------------------------------- (d) narrative plans

# Sections that explain the plan rather than assign work.
NON_TASK_SECTION = re.compile(
    r"指导思想|基本原则|总体要求|工作原则|工作目标|总体目标|主要目标|目标任务$|保障措施|组织保障|"
    r"工作要求|组织领导|实施保障|组织实施|工作步骤|实施步骤|进度安排|背景|意义|适用范围|"
    r"编制依据|整改目标|^目标$"
)


def narrative_drafts(lines: list[Line], paths: list[tuple[Line, ...]]) -> list[Draft]:
    """Tasks from numbered measures: the deepest numbered level used outside the
    explanatory sections; text under the same parent before its first numbered item
    (whose number the source lost) becomes one more task, flagged."""
    eligible = [
        i for i, (line, path) in enumerate(zip(lines, paths, strict=True))
        if line.kind == "heading" and not any(NON_TASK_SECTION.search(p.title) for p in path)
    ]  # fmt: skip
    if not eligible:
        return []
    shallow = [lines[i].level for i in eligible if lines[i].level <= 3]
    if not shallow:
        return []  # only (1) / ① items: no measure level to read
    level = max(shallow)
    drafts: list[Draft] = []
    for i in eligible:
        if lines[i].level != level:
            continue
        line = lines[i]
        content = [line.text.strip()]
        j = i + 1
        while j < len(lines) and lines[j].kind in {"text", "blank"}:
            if lines[j].kind == "text":
                content.append(lines[j].text.strip())
            j += 1
        path = tuple(heading_label(p) for p in paths[i][:-1])
        paragraphs = _measure_paragraphs([lines[k] for k in range(i + 1, j)])
        if paragraphs and not line.body and _reads_as_title(line.title):
            # A heading alone on its line is the problem; each paragraph under it a measure.
            drafts.extend(_narrative_draft(line, path, run) for run in paragraphs)
            continue
        end = max(lines[k].end for k in range(i, j) if lines[k].kind != "blank")
        measures = [c for c in content[1:]] or [line.body or line.title]
        start = line.start + len(line.text) - len(line.text.lstrip())
        text = "\n".join(content)
        drafts.append(
            Draft("narrative", line.number, line.title, path, text, start, end,
                  measures=measures, fields=narrative_roles(text, start))
        )  # fmt: skip
    drafts.extend(_orphans(lines, paths, level))
    return sorted(drafts, key=lambda d: d.start)


# Who a narrative measure names for its own work, in its sentences (it has no field
# lines): "各区政府负责组织摸排…" / "由X负责…" and "以X为责任主体" give lead units (X负责落实
# the implementing ones, which lead too); "X主要负责同志…作为…第一责任人" the persons. A
# name counts only when it ends as a unit does, so "各级党政一把手主体责任" or "能负责"
# name no one.
_UNIT_END = r"(?:政府|党委|党工委|管委会|局|委|办|厅|中心|部门|单位|科|处|室)"
# Not part of the name: the work it is given ("这项工作由城建办负责"), and a name is no
# numeral list ("一、二级网格责任主体…负责" names levels, not a unit 一).
_NAME = r"(?![一二三四五六七八九十\d]+、)[^,。;:()《》“”\n]{2,40}?"
_GIVEN = r"(?:(?:这|此|该|上述|以上)项?(?:工作|任务))?由?"
_NARRATIVE_ROLES = (
    (
        re.compile(rf"(?:^|(?<=[。;,\n])){_GIVEN}(?P<v>{_NAME}{_UNIT_END})负责落实"),
        IMPLEMENTING_UNITS,
    ),
    (
        re.compile(rf"(?:^|(?<=[。;,\n])){_GIVEN}(?P<v>{_NAME}{_UNIT_END})负责(?![人同落])"),
        LEAD_UNITS,
    ),
    (re.compile(rf"以(?P<v>{_NAME}{_UNIT_END})为责任主体"), LEAD_UNITS),
    (
        re.compile(
            rf"(?:^|(?<=[。;\n]))(?P<v>{_NAME}(?:主要|分管)(?:负责同志|负责人|领导))"
            r"[^。;]{0,40}?(?:作为|是|为)[^。;]{0,40}?第一责任人"
        ),
        PERSONS,
    ),
)


def narrative_roles(text: str, start: int) -> dict[str, FieldValue]:
    """The units and persons a narrative measure's sentences name (see _NARRATIVE_ROLES);
    ``start`` is the text's offset in the analysis text."""
    found: dict[str, list[re.Match[str]]] = {}
    for pattern, name in _NARRATIVE_ROLES:
        found.setdefault(name, []).extend(pattern.finditer(text))
    fields: dict[str, FieldValue] = {}
    for name, matches in found.items():
        if not matches:
            continue
        matches.sort(key=lambda m: m.start())
        fields[name] = FieldValue(
            name, "", "、".join(m.group("v") for m in matches),
            start + matches[0].start("v"), start + matches[-1].end("v"),
            tuple((start + m.start("v"), start + m.end("v")) for m in matches),
        )  # fmt: skip
    return fields


# A heading's title is one phrase ("统筹做好…、省环保督察整改工作") or short ("贴近实际,讲求实效");
# an item whose first line runs on in clauses ("(六)9月,街道计划联合各社区…,发动公众广泛参与,
# 组织…开展宣传咨询活动。") is a measure, continued by the lines under it.
_TITLE_MAX = 30
_CLAUSE_MARK = re.compile("[,;。]")


def _reads_as_title(title: str) -> bool:
    return len(title) <= _TITLE_MAX or _CLAUSE_MARK.search(title) is None


# A line this short (a signature, a date, "倡议人:___") is no measure of its own.
_SHORT_LINE = 16


def _measure_paragraphs(lines: list[Line]) -> list[list[Line]]:
    """The text lines under a heading, one run per measure paragraph; a short line joins
    the paragraph before it."""
    runs: list[list[Line]] = []
    for line in lines:
        if line.kind != "text":
            continue
        if runs and len("".join(line.text.split())) < _SHORT_LINE:
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def _narrative_draft(heading: Line, path: tuple[str, ...], run: list[Line]) -> Draft:
    """One measure paragraph (with the short lines it took in) under a heading alone."""
    text = "\n".join(p.text.strip() for p in run)
    start = run[0].start + len(run[0].text) - len(run[0].text.lstrip())
    return Draft("narrative", heading.number, heading.title, path, text, start, run[-1].end,
                 measures=[text], fields=narrative_roles(text, start))  # fmt: skip


def _number_lost(first: Line, last: int | None) -> bool:
    """Whether a section's first numbered item shows that one before it lost its number."""
    number = cn_int(first.number or "")
    return number is None or number not in ({1} if last is None else {1, last + 1})


def _orphans(lines: list[Line], paths: list[tuple[Line, ...]], level: int) -> list[Draft]:
    """Text directly under a parent heading whose numbered children start later, when
    their numbering shows one was lost: the first child is neither 1 nor the successor
    of the item before it (numbering may run on across sections). Otherwise the text
    introduces the section (its description) and is no task."""
    out: list[Draft] = []
    last: int | None = None  # the number of the latest item at the measure level
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind == "separator":
            last = None
        if line.kind == "heading" and line.level == level:
            last = cn_int(line.number or "")
        if line.kind != "heading" or line.level >= level:
            i += 1
            continue
        if any(NON_TASK_SECTION.search(p.title) for p in paths[i]):
            i += 1
            continue
        j = i + 1
        run: list[Line] = []
        while j < len(lines) and lines[j].kind in {"text", "blank"}:
            if lines[j].kind == "text":
                run.append(lines[j])
            j += 1
        nxt = lines[j] if j < len(lines) else None
        if (
            run
            and nxt is not None
            and nxt.kind == "heading"
            and nxt.level == level
            and _number_lost(nxt, last)
        ):
            text = "\n".join(r.text.strip() for r in run)
            path = tuple(heading_label(p) for p in paths[i])
            out.append(
                Draft("narrative", None, _first_sentence(text), path, text, run[0].start,
                      run[-1].end, measures=[r.text.strip() for r in run],
                      fields=narrative_roles(text, run[0].start),
                      flags=["number_missing: unnumbered text before the first numbered measure"])
            )  # fmt: skip
        i = j
    return out
