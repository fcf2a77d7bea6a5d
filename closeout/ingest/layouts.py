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

from closeout.ingest.brackets import (
    CLOSERS,
    OPENERS,
    Group,
    responsibility_groups,
    trailing_fields,
)
from closeout.ingest.fields import (
    DEADLINE,
    MEASURES,
    PROBLEM,
    TARGET,
    FieldValue,
    field_line,
    lead_then_responsible,
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
    lines: range = range(0)  # the indexes of the lines it was read from (inline only)
    item_level: int = 0  # the heading level of a numbered item whose field lines it carries
    # (field, units, original offset of the clause) of each standing clause before it
    standing: list[tuple[str, str, int]] = field(default_factory=list)


def _problem(path: tuple[Line, ...]) -> tuple[str | None, str, tuple[str, ...]]:
    if not path:
        return None, "", ()
    head = path[-1]
    return head.number, head.title, tuple(heading_label(p) for p in path[:-1])


# ---------------------------------------------------------------- (a) inline groups


def _run_end(lines: list[Line], i: int) -> int:
    """The line after the run that starts at ``i``: a bracket left open at the end of a
    line goes on over the next lines (at most four in all) when they close it."""
    if not _may_hold_group(lines[i].text):
        return i + 1
    depth = 0
    for j in range(i, min(i + 4, len(lines))):
        if j > i and lines[j].kind not in {"text", "heading"}:
            break
        for ch in lines[j].text:
            if ch in OPENERS:
                depth += 1
            elif ch in CLOSERS and depth:
                depth -= 1
        if depth == 0:
            return j + 1
    return i + 1


_LEAD_PUNCT = " \t\n。;,、.:"


def inline_drafts(lines: list[Line], paths: list[tuple[Line, ...]]) -> list[Draft]:
    """Tasks from responsibility groups inside the text (layout a), one per group.

    A group is a bracket (``closeout.ingest.brackets``) or a run of labelled fields at the
    end of a sentence ("…。责任单位:市水务局;完成时限:2024年底"). A task's text is what
    stands between the previous group of its paragraph (or the paragraph's start) and its
    own; a group alone on its line takes the line before it as its text. Each draft's
    ``lines`` say which lines it used, so the other layouts leave them alone."""
    drafts: list[Draft] = []
    i = 0
    previous: int | None = None  # the last text line without a group, for a lone group
    while i < len(lines):
        line = lines[i]
        if line.kind not in {"text", "heading"}:
            if line.kind != "blank":
                previous = None
            i += 1
            continue
        j = _run_end(lines, i)
        text = "\n".join(ln.text for ln in lines[i:j])
        groups = responsibility_groups(text, line.start) if _may_hold_group(text) else []
        tail = trailing_fields(text, line.start, groups[-1].end if groups else line.start)
        if tail is not None:
            groups.append(tail)
        if not groups:
            previous = i if line.kind == "text" or line.kind == "heading" else None
            i = j
            continue
        made = 0
        cursor = line.start
        for group in groups:
            segment = text[cursor - line.start : group.start - line.start]
            body = segment.strip(_LEAD_PUNCT)
            at = cursor + len(segment) - len(segment.lstrip(_LEAD_PUNCT))
            owner, first = i, i
            if not body and made:
                _join_fields(drafts[-1], group)
                cursor = group.end
                continue
            if not body and previous is not None and previous == i - 1:
                prior = lines[previous]
                body = prior.text.strip()
                at = prior.start + len(prior.text) - len(prior.text.lstrip())
                owner = first = previous
            if not body or _explains(paths[owner]):
                cursor = group.end
                continue
            drafts.append(_inline_draft(lines[owner], paths[owner], body, at, group,
                                        range(first, j), groups[0].start))  # fmt: skip
            made += 1
            cursor = group.end
        if made:
            _sentence_goes_on(drafts[-1], text[cursor - line.start :], cursor)
        previous = None
        i = j
    drafts.extend(_ungrouped_items(lines, paths, drafts))
    return sorted(drafts, key=lambda d: d.start)


def _ungrouped_items(
    lines: list[Line], paths: list[tuple[Line, ...]], drafts: list[Draft]
) -> list[Draft]:
    """Numbered items without a group, at the level whose items carry groups: tasks with
    empty fields (flagged later), so that nothing the plan numbers as a measure is lost."""
    levels = {lines[d.lines.start].level for d in drafts if lines[d.lines.start].kind == "heading"}
    if not levels:
        return []
    used = {i for d in drafts for i in d.lines}
    out: list[Draft] = []
    for i, line in enumerate(lines):
        if line.kind != "heading" or line.level not in levels or i in used:
            continue
        if any(NON_TASK_SECTION.search(p.title) for p in paths[i]):
            continue
        j = i + 1
        while j < len(lines) and lines[j].kind in {"text", "blank"}:
            j += 1
        if j < len(lines) and lines[j].kind == "heading" and lines[j].level > line.level:
            continue  # a section over deeper items
        desc = [lines[k] for k in range(i + 1, j) if lines[k].kind == "text"]
        if any(k in used for k in range(i, j)) or any(field_line(d.text, 0) for d in desc):
            continue  # grouped already, or an item with field lines (layout b/c)
        text = _item_text(line, desc)
        number, title, ancestors = _problem(paths[i])
        end = (desc[-1] if desc else line).end
        at = line.start + len(line.text) - len(line.text.lstrip())
        out.append(Draft("inline", number, title, ancestors, text, at, end, measures=[text],
                         lines=range(i, j)))  # fmt: skip
    return out


_GOES_ON = re.compile(r"\s*[,、][^。;!?]*")


def _sentence_goes_on(draft: Draft, rest: str, at: int) -> None:
    """A group in the middle of its sentence ("推进岸线整治(市水务局牵头),2024年底前完成。"):
    the rest of that sentence is still the measure's."""
    m = _GOES_ON.match(rest)
    if m is None or not re.search(r"[\u4e00-\u9fff]{2}", m.group()):
        return
    tail = re.sub(r"\s*\n\s*", "", m.group().strip())
    draft.text += tail
    draft.measures = [piece for _, piece in split_enumeration(draft.text)] or [draft.text]
    draft.end = at + len(m.group().rstrip())


def _explains(path: tuple[Line, ...]) -> bool:
    """Under 指导思想, 基本原则, 保障措施 … a bracket assigns no rectification task."""
    return any(NON_TASK_SECTION.search(p.title) for p in path)


def _may_hold_group(text: str) -> bool:
    return any(ch in text for ch in OPENERS)


def _inline_draft(
    line: Line,
    path: tuple[Line, ...],
    body: str,
    at: int,
    group: Group,
    used: range,
    first_group: int,
) -> Draft:
    number, title, ancestors = _problem(path)
    if line.kind == "heading" and path and path[-1] is line:
        # "①推进窑炉替代【市发展改革委牵头】": no group is part of the item's title.
        title_at = line.start + line.text.find(title)
        if title_at < first_group < title_at + len(title):
            title = title[: first_group - title_at].rstrip(_LEAD_PUNCT) or title
    end = at + len(body)
    text = re.sub(r"\s*\n\s*", "", body)
    label = field_line(text, at)
    if label is not None and label.field == MEASURES and label.value:
        # "整改措施:实施…(…牵头)": the label names the measure, it is not part of it.
        at, text = label.start, text[label.start - at :]
    fields = {v.field: v for v in group.fields}
    draft = Draft("inline", number, title, ancestors, text, at, end, fields=fields, lines=used)
    draft.measures = [piece for _, piece in split_enumeration(text)] or [text]
    if TARGET in fields:
        draft.target = fields[TARGET].value
    return draft


def _join_fields(draft: Draft, group: Group) -> None:
    """A second bracket straight after the first ("(A牵头)(B配合)") adds to its fields."""
    for value in group.fields:
        draft.fields.setdefault(value.field, value)


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
    carried no field (plain paragraphs), so the caller can account for them.

    Field lines under a numbered item belong to it (family 4: "1.推进…" then 牵头单位 /
    责任单位 / 完成时限 lines); after 牵头单位, a plain 责任单位 names the cooperating units.
    Where items carry such lines, an item of the same level without any is a task too,
    its fields empty (and flagged by the caller), never folded into its neighbour."""
    drafts: list[Draft] = []
    loose: list[tuple[int, int]] = []
    bare: list[_Block] = []  # items without fields, kept until the item level is known
    block: _Block | None = None
    pending: Line | None = None  # a heading not yet given to a block
    path: tuple[Line, ...] = ()

    def close() -> None:
        nonlocal block
        if block is not None:
            if block.fields and not _explains_only(block):
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
    for line, line_path in zip(lines, paths, strict=True):
        if line.kind in {"blank"}:
            continue
        if line.kind == "separator":
            close()
            drop_pending(0)
            path = line_path
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
            heading = block.heading if block is not None else None
            if block is not None and heading and not block.fields and line.level > heading.level:
                block.heading = None  # a section with items under it, not an item
            close()
            drop_pending(line.level)
            pending = line
            path = line_path
            continue
        path = line_path
        if value is not None:
            if block is not None:
                value = lead_then_responsible(block.fields, value)
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
        text = _item_text(head, block.desc)
        ancestors = tuple(heading_label(p) for p in block.path if p is not head)
        out.append(Draft("block", head.number, head.title, ancestors, text, block.start,
                         block.end, measures=[text]))  # fmt: skip
    return out


def _item_text(head: Line, desc: list[Line]) -> str:
    """An item's own words: its heading without the number, and the lines under it; but
    a heading that is only a title ("(一)椒江水质提升", no sentence of its own) over a
    paragraph names the problem, and the paragraph alone is the measure."""
    lines = [d.text.strip() for d in desc]
    if lines and not head.body and not head.text.rstrip().endswith(("。", ";", ".")):
        return "".join(lines)
    parts = [head.title + ("。" if head.body else ""), head.body, *lines]
    return "".join(p for p in parts if p).strip() or head.title


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
        text = _item_text(block.heading, block.desc)
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
