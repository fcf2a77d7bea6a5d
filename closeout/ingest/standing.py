"""Standing clauses (统一责任条款): a unit named once for every later task of a plan.

"以下各项工作均需各县(区)人民政府落实,不再列出", "以下任务涉及各区的,均由各区政府负责落实",
"下列各项任务,各县区人民政府为责任主体", "各区人民政府为各项整改任务的责任主体,以下不再
一一列出", "各县市人民政府、高新区管委会是各项整改任务的落实主体,以下不再列出",
"以下各项任务的落实主体均为各区政府", "各项整改任务均由各县政府负责落实,不再重复列出"
(是/为/作为 … 责任主体/落实主体/实施主体, 以下不再(一一)列出/不再重复): the unit is a
lead (implementing) unit of every task that follows the clause in the same document,
never of the tasks before it. A clause that names who follows up ("以下整改任务均由市委
督查室跟踪督办") adds a supervising unit instead.

Each task that receives a unit this way carries the flag
``standing_units: <units> (from the clause at offset N)`` (N in the original text), so the
review page can show where the unit came from. A line that is nothing but the clause is
no task and no paragraph of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from closeout.ingest.brackets import looks_like_units
from closeout.ingest.fields import LEAD_UNITS, SUPERVISING_UNITS
from closeout.ingest.outline import Line
from closeout.ingest.units import Party, parse_units

if TYPE_CHECKING:
    from closeout.ingest.layouts import Draft
    from closeout.ingest.normalise import Normalised

_LEAD = (
    r"负责组织实施|负责落实|具体落实|组织实施|负责实施|抓好落实|负责|落实|承担主体责任|"
    r"为责任主体|为实施主体|为落实主体|为责任单位"
)
_SUPERVISE = r"跟踪督办|督促落实|督办|督导"
# 以下 … [均][需][由] UNITS VERB: the units are what stands between the last of these
# words and the verb.
HEAD = re.compile(r"以下|下列|下述")
VERB = re.compile(r"(?P<verb>" + _SUPERVISE + "|" + _LEAD + r")(?=$|[,。;]|工作|任务)")
_BEFORE_UNITS = re.compile(r"均需|均由|均须|需要|应当|由|需|须|都|,")
# The clause says the units are not repeated: 以下不再(一一)列出, 不再重复, 不另列出.
_NOT_REPEATED = r"(?:不再|不另)(?:一一|逐一|逐项|单独|重复)?(?:列出|列明|列举|标注|注明|重复)"
_SUBJECT = r"(?:第一)?(?P<verb>责任主体|实施主体|落实主体|责任单位)"
# UNITS 为/是/作为[以下]各项[整改]任务的责任主体 … 以下不再(一一)列出
UNITS_FIRST = re.compile(
    r"(?:^|(?<=[,。;]))(?P<units>[^,。;:]{2,60}?)(?:均|统一)?(?:作为|是|为)(?:以下|下列)?"
    r"(?:各项|所有|全部)?(?:整改)?(?:工作|任务)?的?" + _SUBJECT + r"(?=[^。]*" + _NOT_REPEATED + ")"
)
# 以下各项任务的落实主体均为 UNITS[,不再列出]
SUBJECT_FIRST = re.compile(
    r"(?:以下|下列)[^。]{0,16}?" + _SUBJECT + r"(?:均|统一)?(?:为|是)(?P<units>[^,。;:]{2,60}?)"
    r"(?=$|[,。;])"
)
_ALL_TASKS = re.compile(r"(?:各项|所有|全部)(?:整改)?(?:工作|任务)")
_SENTENCE = re.compile(r"[^。]+。?")


@dataclass(frozen=True, slots=True)
class Standing:
    """A standing clause: the role and units it names (``start``/``end`` the units' span)
    and the clause's own span, in the offsets of the text it was found in."""

    field: str
    value: str
    start: int
    end: int
    clause: tuple[int, int]


def standing_clauses(text: str, offset: int = 0) -> list[Standing]:
    """The standing clauses of ``text`` (which starts at ``offset``), in order."""
    if not any(word in text for word in ("以下", "下列", "下述", "不再", "不另")):
        return []
    out: list[Standing] = []
    for sentence in _SENTENCE.finditer(text):
        body = sentence.group()
        found = _head_first(body) or _units_first(body, UNITS_FIRST)
        found = found or _units_first(body, SUBJECT_FIRST)
        if found is None:
            continue
        units, at, verb = found
        field = SUPERVISING_UNITS if re.fullmatch(_SUPERVISE, verb) else LEAD_UNITS
        start = offset + sentence.start() + at
        clause = (offset + sentence.start(), offset + sentence.end())
        out.append(Standing(field, units, start, start + len(units), clause))
    return out


def _head_first(body: str) -> tuple[str, int, str] | None:
    head = HEAD.search(body)
    if head is None and re.search(_NOT_REPEATED, body):
        head = _ALL_TASKS.search(body)  # 各项整改任务均由…负责落实,不再重复列出
    if head is None:
        return None
    for verb in VERB.finditer(body, head.end()):
        between = body[head.end() : verb.start()]
        cut = max((m.end() for m in _BEFORE_UNITS.finditer(between)), default=0)
        units = between[cut:].strip()
        if looks_like_units(units) and verb.start() - head.end() <= 90:
            return units, head.end() + between.index(units, cut), verb.group("verb")
    return None


def _units_first(body: str, pattern: re.Pattern[str]) -> tuple[str, int, str] | None:
    m = pattern.search(body)
    if m is None or not looks_like_units(m.group("units").strip()):
        return None
    units = m.group("units").strip()
    return units, m.start("units") + m.group("units").index(units), m.group("verb")


def mask_standing(lines: list[Line]) -> tuple[list[Line], list[Standing]]:
    """Find the standing clauses of a document's lines; a line that holds nothing else
    becomes blank, so no layout reads it as a task or a loose paragraph."""
    found: list[Standing] = []
    out: list[Line] = []
    for line in lines:
        readable = line.kind in {"text", "heading"}
        clauses = standing_clauses(line.text, line.start) if readable else []
        if clauses:
            found.extend(clauses)
            covered = sum(c.clause[1] - c.clause[0] for c in clauses)
            if line.kind == "text" and len(re.sub(r"\s", "", line.text)) <= covered:
                line = line.as_kind("blank")
        out.append(line)
    return out, found


def apply_standing(drafts: list[Draft], clauses: list[Standing], norm: Normalised) -> None:
    """Give every draft after a clause (in the same document) the clause's units."""
    if not clauses:
        return
    for draft in drafts:
        # Table drafts are in original offsets, text drafts in analysis offsets.
        for clause in clauses:
            at = norm.to_original(*clause.clause)
            after = draft.start >= at[0] if draft.layout == "table" else draft.start >= clause.end
            if after:
                draft.standing.append((clause.field, clause.value, at))


def standing_parties(
    standing: list[tuple[str, str, tuple[int, int]]], units: dict[str, tuple[Party, ...]]
) -> list[str]:
    """Add a draft's standing units to its parsed units (once); the flags that say so."""
    flags: list[str] = []
    for field, value, (at, _end) in standing:
        have = {p.name for p in units[field]}
        extra = tuple(p for p in parse_units(value) if p.name not in have)
        units[field] = (*units[field], *extra)
        flags.append(f"standing_units: {value} (from the clause at offset {at})")
    return flags


def implementing_parties(value: str | None, units: dict[str, tuple[Party, ...]]) -> list[str]:
    """A bracket's implementing units (…负责落实) join the lead units, flagged as such."""
    if not value:
        return []
    have = {p.name for p in units[LEAD_UNITS]}
    parties = parse_units(value)
    units[LEAD_UNITS] = (*units[LEAD_UNITS], *(p for p in parties if p.name not in have))
    return [f"implementing_units: {'、'.join(p.name for p in parties)}"] if parties else []
