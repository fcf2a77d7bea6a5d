"""Layouts (版式): from outline lines to draft tasks, before units and dates are parsed.

Four text layouts are recognised by what the lines carry, never by which file they are in:

(a) ``inline``: a paragraph ending in a field group "(责任单位:…;责任人:…;整改时限:…)";
    the paragraph is the task, the innermost heading its problem.
(b/c) ``block``: "label:value" lines per problem (整改目标 / 主体责任单位 / 整改措施 /
    整改时限, or 反馈问题 / 整改目标 / 整改措施 / 责任领导 / 完成时限, or a paragraph
    followed by 牵头单位/配合单位 lines). Each measure under 整改措施 is a task carrying
    the fields its block states once.
(d) ``narrative``: no fields at all; the numbered measures under the plan's measure
    sections are the tasks and their empty fields are flagged.

Tables (layout e) are in ``closeout.ingest.tables``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from closeout.ingest.fields import (
    DEADLINE,
    MEASURES,
    PROBLEM,
    TARGET,
    FieldValue,
    field_line,
    inline_group,
)
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


def _problem(path: tuple[Line, ...]) -> tuple[str | None, str, tuple[str, ...]]:
    if not path:
        return None, "", ()
    head = path[-1]
    return head.number, head.title, tuple(heading_label(p) for p in path[:-1])


# ---------------------------------------------------------------- (a) inline field groups


def inline_drafts(lines: list[Line], paths: list[tuple[Line, ...]]) -> list[Draft]:
    drafts: list[Draft] = []
    for line, path in zip(lines, paths, strict=True):
        if line.kind not in {"text", "heading"}:
            continue
        group = inline_group(line.text, line.start)
        if group is None or not group[2]:
            continue
        g_start, _g_end, values = group
        body = line.text[:g_start].rstrip()
        lead = len(body) - len(body.lstrip())
        number, title, ancestors = _problem(path)
        if line.kind == "heading":
            ancestors = tuple(heading_label(p) for p in path[:-1])
        fields = {v.field: v for v in values}
        text = body.strip()
        draft = Draft("inline", number, title, ancestors, text, line.start + lead,
                      line.start + len(body), fields=fields)  # fmt: skip
        draft.measures = [piece for _, piece in split_enumeration(text)] or [text]
        if TARGET in fields:
            draft.target = fields[TARGET].value
        drafts.append(draft)
    return drafts


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

    @property
    def start(self) -> int:
        firsts = [self.heading.start] if self.heading else []
        firsts += [d.start for d in self.desc] + [f.start for f in self.fields.values()]
        firsts += [m[0] for m in self.measures]
        return min(firsts) if firsts else 0

    @property
    def end(self) -> int:
        lasts = [d.end for d in self.desc] + [f.end for f in self.fields.values()]
        lasts += [m[1] for m in self.measures]
        return max(lasts) if lasts else self.start


def _add_measures(block: _Block, text: str, start: int) -> None:
    for offset, piece in split_enumeration(text):
        at = start + text.index(piece, offset)
        block.measures.append((at, at + len(piece), piece))


def block_drafts(
    lines: list[Line], paths: list[tuple[Line, ...]]
) -> tuple[list[Draft], list[tuple[int, int]]]:
    """Group label lines into problem blocks. Returns drafts and the spans of blocks that
    carried no field (plain paragraphs), so the caller can account for them."""
    drafts: list[Draft] = []
    loose: list[tuple[int, int]] = []
    block: _Block | None = None
    pending: Line | None = None  # a heading not yet given to a block
    path: tuple[Line, ...] = ()

    def close() -> None:
        nonlocal block
        if block is not None:
            if block.fields:
                drafts.extend(_block_to_drafts(block))
            elif block.desc:
                loose.append((block.desc[0].start, block.desc[-1].end))
        block = None

    def open_block() -> _Block:
        nonlocal pending
        close()
        heading, pending = pending, None
        return _Block(heading, path)

    for line, line_path in zip(lines, paths, strict=True):
        path = line_path
        if line.kind in {"blank"}:
            continue
        if line.kind == "separator":
            close()
            pending = None
            continue
        value = field_line(line.text, line.start) if line.kind == "text" else None
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
            close()
            pending = line
            continue
        if value is not None:
            closed = block is not None and DEADLINE in block.fields and value.field != DEADLINE
            if block is None or value.field in block.fields or closed:
                block = open_block()
            block.fields[value.field] = value
            block.mode = "measures" if value.field == MEASURES else "fields"
            if value.field == MEASURES and value.value:
                _add_measures(block, value.value, value.start)
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
    return drafts, loose


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
    level = max(lines[i].level for i in eligible if lines[i].level <= 3)
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
        end = max(lines[k].end for k in range(i, j) if lines[k].kind != "blank")
        path = tuple(heading_label(p) for p in paths[i][:-1])
        measures = [c for c in content[1:]] or [line.body or line.title]
        drafts.append(
            Draft("narrative", line.number, line.title, path, "\n".join(content),
                  line.start + len(line.text) - len(line.text.lstrip()), end, measures=measures)
        )  # fmt: skip
    drafts.extend(_orphans(lines, paths, level))
    return sorted(drafts, key=lambda d: d.start)


def _orphans(lines: list[Line], paths: list[tuple[Line, ...]], level: int) -> list[Draft]:
    """Text directly under a parent heading whose numbered children start later."""
    out: list[Draft] = []
    i = 0
    while i < len(lines):
        line = lines[i]
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
        if run and nxt is not None and nxt.kind == "heading" and nxt.level == level:
            text = "\n".join(r.text.strip() for r in run)
            path = tuple(heading_label(p) for p in paths[i])
            out.append(
                Draft("narrative", None, _first_sentence(text), path, text, run[0].start,
                      run[-1].end, measures=[r.text.strip() for r in run],
                      flags=["number_missing: unnumbered text before the first numbered measure"])
            )  # fmt: skip
        i = j
    return out
