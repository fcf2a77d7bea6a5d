"""Layout (a), ``inline``: tasks from the responsibility groups inside the text.

A paragraph (or a numbered item) names who does each measure in a group right after it:
a bracket read by ``closeout.ingest.brackets`` ("(市住房城乡建设局牵头,市城管局配合)",
"(责任单位:…;责任人:…;整改时限:…)") or labelled fields ending the paragraph
("…。责任单位:市水务局;完成时限:2024年底"). Each group is one task; its text is what
stands between the previous group and its own. Numbered items without a group, at the
level where the other items carry one, are tasks too (their fields empty and flagged).
Under 指导思想, 基本原则, 保障措施 … a group makes no task.
"""

from __future__ import annotations

import re

from closeout.ingest.brackets import (
    BRACKET_CHAR,
    OPENERS,
    Group,
    responsibility_groups,
    trailing_fields,
)
from closeout.ingest.fields import MEASURES, TARGET, field_line
from closeout.ingest.layouts import NON_TASK_SECTION, Draft, item_text, problem_of
from closeout.ingest.outline import Line, split_enumeration


def _run_end(lines: list[Line], i: int) -> int:
    """The line after the run that starts at ``i``: a bracket left open at the end of a
    line goes on over the next lines (at most four in all) when they close it."""
    if not _may_hold_group(lines[i].text):
        return i + 1
    depth = 0
    for j in range(i, min(i + 4, len(lines))):
        if j > i and lines[j].kind not in {"text", "heading"}:
            break
        for ch in BRACKET_CHAR.findall(lines[j].text):
            if ch in OPENERS:
                depth += 1
            elif depth:
                depth -= 1
        if depth == 0:
            return j + 1
    return i + 1


_LEAD_PUNCT = " \t\n。;,、.:"
_TRAIL_PUNCT = " \t\n;,、:"


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
            # The sentence keeps its full stop; a separator left before the group does not.
            body = segment.lstrip(_LEAD_PUNCT).rstrip(_TRAIL_PUNCT)
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
        text = item_text(line, desc)
        number, title, ancestors = problem_of(paths[i])
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
    number, title, ancestors = problem_of(path)
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
