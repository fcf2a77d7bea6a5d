"""Bracketed responsibility groups (责任分工括注) after a measure.

Plans and work programmes (工作要点, 任务分工方案, 实施方案) name who does a measure in a
bracket right after it, in any of the brackets ``()`` ``〔〕`` ``【】`` ``[]`` ``〖〗``:

- by verbs: "〔市生态环境局牵头,市发展和改革局、工业和信息化局参与,各县(区)人民政府负责落实〕",
  "(市住房城乡建设局牵头,市城管局配合)", "(X、Y按职责分工负责)", "(由县农业农村局牵头)";
- by labels: "(责任单位:市水务局、市农业农村局)", "(牵头单位:…;配合单位:…;完成时限:…)".

Roles come from the verb or the label, never from the position in the bracket:

- 牵头 (and 牵头负责 …) → lead;
- 配合 / 参与 / 协助 / 协同 / 协办 / 指导 → cooperating (指导 guides the work, it does not
  supervise the rectification);
- 负责 / 按职责分工负责 / 为责任主体 → lead too; 负责落实 / 组织实施 / 落实 → implementing
  (``implementing_units``), which the task reads as lead units flagged as implementing:
  the units that carry the measure out answer for it and report on it, whether or not
  another unit leads;
- 督导 / 督办 / 督促 → supervising;
- a label by ``closeout.ingest.fields.classify_label``; a plain 责任单位 after 牵头单位 in the
  same group (or block) names the cooperating units (``fields.resolve_roles``).

A bracket is a group only when every clause in it is one of these (or a deadline next to
them) and it names at least one unit or person; anything else — a remark, "(试行)",
"(2024-2026年)", a unit's own bracket as in 各县(区)人民政府 — is text. Brackets nest,
so a unit's bracket inside a group does not end the group, and the text may run over
several lines: a line break is whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from closeout.ingest.deadlines import DATE, IMMEDIATE, ONGOING
from closeout.ingest.fields import (
    COOP_UNITS,
    DEADLINE,
    IMPLEMENTING_UNITS,
    LEAD_UNITS,
    PERSONS,
    SUPERVISING_UNITS,
    UNIT_FIELDS,
    FieldValue,
    classify_label,
    resolve_roles,
)

OPENERS = "([〔【〖"
CLOSERS = ")]〕】〗"
_PAIR = dict(zip(OPENERS, CLOSERS, strict=True))

# Verb → role; alternatives longest first so "按职责分工负责" wins over "负责".
_VERBS: tuple[tuple[str, str], ...] = (
    (
        r"按职责分工配合|按职责配合|配合落实|配合实施|协同落实|协助落实|共同参与|配合|参与|协助|"
        r"协同|协办|指导",
        COOP_UNITS,
    ),
    (r"跟踪督办|督导|督办|督促", SUPERVISING_UNITS),
    (
        r"牵头负责|牵头落实|牵头实施|牵头组织|分别牵头|牵头|负总责|总负责|"
        r"按职责分工负责|按职责分工落实|按职能分工负责|按职责负责|分工负责|共同负责|分别负责|"
        r"具体负责|负责|主责|为责任主体|为实施主体|为责任单位|是责任主体",
        LEAD_UNITS,
    ),
    (r"负责组织实施|负责落实|负责实施|组织实施|具体落实|抓好落实|落实", IMPLEMENTING_UNITS),
)
VERB = re.compile(
    r"^(?:具体|分别|均|统一)?由?(?P<units>.+?)(?:等(?:单位|部门)?)?"
    r"(?P<verb>" + "|".join(v for v, _ in _VERBS) + r")(?:工作)?$"
)
_ROLE_OF = [(re.compile(rf"^(?:{v})$"), role) for v, role in _VERBS]
# The last characters VERB can end with: a clause ending otherwise is tried no further.
_VERB_LAST = frozenset(word[-1] for v, _ in _VERBS for word in v.split("|")) | {"作"}
# A verb written as a label: "牵头:市水务局".
_VERB_LABEL = {"牵头": LEAD_UNITS, "负责": LEAD_UNITS, "配合": COOP_UNITS, "参与": COOP_UNITS,
               "协助": COOP_UNITS, "督导": SUPERVISING_UNITS}  # fmt: skip

# What a unit's name ends with, collectives (各县区, 有关部门, 各地) included.
UNIT_END = re.compile(
    r"(?:局|委|办|厅|部|院|会|府|委员会|政府|党委|中心|站|所|公司|集团|单位|部门|门|指挥部|街道|"
    r"镇|乡|区|县|市|州|盟|旗|队|处|科|署|社|行|团|联|组|室|分局|支队|企业|医院|学校|园区|"
    r"银行|海关|法院|检察院|机构|机关|协会|人大|政协|地|级|"
    # Institutions: 市委党校, 市博物馆, 县气象台 / 广播电视台, 国有林场.
    r"党校|馆|气象台|电视台|广播台|林场|农场)(?:\([^()]{1,20}\))?$"
)
# Sentence words no unit's name holds: "(以下任务均由各区政府负责落实)" is a clause.
_NOT_UNIT = re.compile(
    r"[。:;!?《》“”\"]|\d{4}|以下|下列|下述|均|需|须|要求|应当|任务|措施|不再|的"
)
_CLAUSE_SEP = ",;。"
# Verbs that say each unit named does its share: they cover the unit lists before them
# in the group too ("盟林业和草原局、气象局,各旗(区)人民政府按职责分工负责").
_SHARED_VERB = re.compile(r"按职责分工负责|按职责分工落实|按职能分工负责|按职责负责|分工负责|"
                          r"共同负责|分别负责")  # fmt: skip
_SPACE = re.compile(r"\s+")
# The characters the bracket scanners act on; they look at no other (so skip to these).
BRACKET_CHAR = re.compile(f"[{re.escape(OPENERS + CLOSERS)}]")
_CLAUSE_CHAR = re.compile(rf"[{re.escape(OPENERS + CLOSERS + _CLAUSE_SEP)}\s]")
_ITEM_CHAR = re.compile(f"[{re.escape(OPENERS + CLOSERS)}、]")


@dataclass(frozen=True, slots=True)
class Group:
    """A responsibility group: the bracket's span (brackets included) and its fields,
    in analysis-text offsets."""

    start: int
    end: int
    fields: tuple[FieldValue, ...]


def _pairs(text: str) -> list[tuple[int, int]]:
    """Every matched bracket pair (open, close), outer ones before the ones they hold."""
    stack: list[tuple[int, str]] = []
    out: list[tuple[int, int]] = []
    for m in BRACKET_CHAR.finditer(text):
        i, ch = m.start(), m.group()
        if ch in _PAIR:
            stack.append((i, _PAIR[ch]))
        elif ch in CLOSERS:
            # A closer pops back to its own opener; stray closers are text.
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][1] == ch:
                    out.append((stack[k][0], i))
                    del stack[k:]
                    break
    return sorted(out)


# "牵头单位:市生态环境局　配合单位:市公安局": a space before the next label separates too.
_SPACED_LABEL = re.compile(r"\s+(?=[\u4e00-\u9fff]{2,14}\s*:)")


def _clauses(inner: str) -> list[tuple[int, str]]:
    """Split at top-level , ; 。 (never inside a unit's own bracket), and at spaces before a
    label: (offset, clause)."""
    spaced = {m.start() for m in _SPACED_LABEL.finditer(inner)} if ":" in inner else set()
    parts: list[tuple[int, str]] = []
    depth, begin = 0, 0
    for m in _CLAUSE_CHAR.finditer(inner):
        i, ch = m.start(), m.group()
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        elif depth == 0 and (
            ch in _CLAUSE_SEP or (i in spaced and ":" in inner[begin:i])  # not "责\n任单位:"
        ):
            parts.append((begin, inner[begin:i]))
            begin = i + 1
    parts.append((begin, inner[begin:]))
    return [(at, part) for at, part in parts if part.strip()]


def _split_items(text: str) -> list[str]:
    """Split at 、 outside brackets."""
    items: list[str] = []
    depth, begin = 0, 0
    for m in _ITEM_CHAR.finditer(text):
        ch = m.group()
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth -= 1 if depth else 0
        elif depth == 0:
            items.append(text[begin : m.start()])
            begin = m.end()
    items.append(text[begin:])
    return items


def looks_like_units(text: str) -> bool:
    """Whether ``text`` is a list of unit names ("市水务局、各县(区)人民政府")."""
    items = _split_items(_SPACE.sub("", text))
    for item in items:
        item = re.sub(r"等(?:单位|部门)?$", "", item)
        if not 2 <= len(item) <= 40 or _NOT_UNIT.search(item):
            return False
        if not UNIT_END.search(item):
            return False
    return True


def states_deadline(text: str) -> bool:
    """Whether ``text`` holds a date or an immediate/ongoing phrase."""
    return bool(DATE.search(text) or IMMEDIATE.search(text) or ONGOING.search(text))


def _looks_like_deadline(text: str) -> bool:
    return states_deadline(text) and ":" not in text


def _value(field: str, label: str, text: str, at: int) -> FieldValue:
    """A field over ``text`` at offset ``at``; whitespace (a line break) leaves the value."""
    lead = len(text) - len(text.lstrip())
    body = text.strip().rstrip("。.")
    value = _SPACE.sub("", body)
    return FieldValue(field, label, value, at + lead, at + lead + len(body))


def _verb_role(verb: str) -> str:
    return next(role for pattern, role in _ROLE_OF if pattern.match(verb))


def parse_group(inner: str, offset: int) -> list[FieldValue] | None:
    """The fields of a bracket's inner text at ``offset``, or None when it is no group."""
    fields: list[FieldValue] = []
    labelled: FieldValue | None = None  # the labelled field a bare clause continues
    waiting: list[tuple[int, str]] = []  # unit lists before a shared verb
    for at, clause in _clauses(inner):
        pos = offset + at
        label, colon, rest = clause.partition(":")
        name = classify_label(label.strip()) if colon else None
        if name is None and colon:
            name = _VERB_LABEL.get(_SPACE.sub("", label))
        if name is not None:
            labelled = _value(name, _SPACE.sub("", label), rest, pos + len(label) + 1)
            fields.append(labelled)
            continue
        if colon:
            return None  # an unknown label: a remark such as "(含管理区:…)"
        squashed = _SPACE.sub("", clause)
        verb = VERB.match(squashed) if squashed[-1:] in _VERB_LAST else None
        if verb and looks_like_units(verb.group("units")):
            # Positions in the clause as written (a line break may run through it).
            written = [k for k, ch in enumerate(clause) if not ch.isspace()]
            a, b = written[verb.start("units")], written[verb.end("units") - 1] + 1
            role = _verb_role(verb.group("verb"))
            # Lists before a verb share it when it says so (按职责分工负责) or when the
            # group has named its lead already: "X局牵头,A局、B局,C公司配合" (A, B, C
            # cooperate). Without either, "A局、B局,C局配合" leaves A and B's role unsaid.
            shares = _SHARED_VERB.fullmatch(verb.group("verb")) or any(
                f.field == LEAD_UNITS for f in fields
            )
            if waiting and not shares:
                return None
            fields.extend(_value(role, verb.group("verb"), c, offset + a) for a, c in waiting)
            waiting = []
            fields.append(FieldValue(role, verb.group("verb"), verb.group("units"), pos + a,
                                     pos + b))  # fmt: skip
            labelled = None
            continue
        if labelled is not None:
            # "责任单位:市环保局,各县区党委、政府": the list goes on after the comma.
            joined = _value(labelled.field, labelled.label, inner[labelled.start - offset :
                            at + len(clause)], labelled.start)  # fmt: skip
            fields[-1] = labelled = joined
            continue
        if looks_like_units(squashed):
            waiting.append((at, clause))  # its verb follows: "X局、Y局,Z政府按职责分工负责"
            continue
        if _looks_like_deadline(squashed) and len(squashed) <= 40:
            fields.append(_value(DEADLINE, "", clause, pos))
            continue
        return None
    if waiting or not any(f.field in (*UNIT_FIELDS, PERSONS, IMPLEMENTING_UNITS) for f in fields):
        return None
    return _merge(resolve_roles(fields))


def _merge(fields: list[FieldValue]) -> list[FieldValue]:
    """One value per field: several clauses of one role join with ";" (a list separator
    for ``parse_units``); the span runs from the first to the last, ``parts`` keeps each."""
    out: dict[str, FieldValue] = {}
    for value in fields:
        seen = out.get(value.field)
        if seen is None:
            out[value.field] = value
            continue
        parts = (*(seen.parts or ((seen.start, seen.end),)), (value.start, value.end))
        out[value.field] = FieldValue(
            value.field, seen.label, f"{seen.value};{value.value}", seen.start, value.end, parts
        )
    return list(out.values())


def responsibility_groups(text: str, offset: int = 0) -> list[Group]:
    """The responsibility groups of ``text`` (which starts at ``offset``), in order.

    A group inside another group's bracket is part of it; a non-group bracket may hold
    one ("(说明…(市A局牵头))" is rare and read as the inner group)."""
    if not any(ch in text for ch in OPENERS):
        return []
    found: list[Group] = []
    for open_at, close_at in _pairs(text):
        if found and open_at < found[-1].end - offset:
            continue  # inside a group already taken
        inner = text[open_at + 1 : close_at]
        if len(inner) > 400 or not inner.strip():
            continue
        fields = parse_group(inner, offset + open_at + 1)
        if fields is not None:
            found.append(Group(offset + open_at, offset + close_at + 1, tuple(fields)))
    return found


_TRAIL_AT = re.compile(r"(?<=[。;!?])\s*(?=【?[\u4e00-\u9fff]{2,14}】?\s*:)")


def trailing_fields(text: str, offset: int, after: int) -> Group | None:
    """Labelled fields that end a paragraph after a sentence, without a bracket:
    "推进岸线整治。责任单位:市水务局;完成时限:2024年底。" (任务分工方案 often write so).

    Looked for after ``after`` (the end of the paragraph's last bracket group); the run
    must start with a known label and hold nothing but fields to the paragraph's end."""
    if ":" not in text:
        return None
    rel = max(0, after - offset)
    for m in _TRAIL_AT.finditer(text, rel):
        start = m.end()
        label = text[start:].split(":", 1)[0].strip("【】 ")
        if classify_label(label) is None:
            continue
        inner = text[start:].rstrip()
        inner = inner.rstrip("。.")
        fields = parse_group(inner, offset + start)
        if fields is not None:
            return Group(offset + start, offset + start + len(inner), tuple(fields))
    return None
