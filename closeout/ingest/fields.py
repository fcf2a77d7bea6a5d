"""Field labels (字段名) as a vocabulary, and the field lines of layouts (b/c).

Plans name the same field many ways (责任单位, 牵头单位, 主体责任单位, 市直牵头督导部门,
完成时限, 整改时限 …). A label is read by its parts rather than matched as a fixed string:
its head says what kind of value it holds (单位/部门 a unit, 责任人/领导 a person,
时限/期限 a deadline, 目标, 措施, 问题) and its modifiers say whose it is (督导/督办 the
supervisor, 配合/协办 the cooperating side). An unknown label therefore still lands in the
right field when it is built from known parts ("区直配合督办单位"), and text such as
"活动时间:" or "办公室:负责…" is no field at all.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

LEAD_UNITS = "lead_units"
COOP_UNITS = "coop_units"
PERSONS = "persons"
SUPERVISING_UNITS = "supervising_units"
COOP_SUPERVISING_UNITS = "coop_supervising_units"
SUPERVISING_LEADERS = "supervising_leaders"
DEADLINE = "deadline"
TARGET = "target"
MEASURES = "measures"
PROBLEM = "problem"
NUMBER = "number"

# Units that carry a measure out (负责落实 in a bracket): lead units the review page shows
# as implementing; not a label of their own, so no member of UNIT_FIELDS.
IMPLEMENTING_UNITS = "implementing_units"
UNIT_FIELDS = (LEAD_UNITS, COOP_UNITS, SUPERVISING_UNITS, COOP_SUPERVISING_UNITS)
# A value that says "nothing here": a dash (— -- －), a slash (/ ／) or 无 / 暂无, as a
# table writes in a cell it leaves empty. Such a field is no field (flagged as missing).
_NO_VALUE = re.compile(r"\s*(?:[-‐‑‒–—―－─━~～/／\\＼]+|无|暂无|空)\s*[。.]?\s*")


def is_no_value(text: str | None) -> bool:
    """Whether ``text`` (a field's or a cell's value) says there is no value."""
    return text is not None and _NO_VALUE.fullmatch(text) is not None


PERSON_FIELDS = (PERSONS, SUPERVISING_LEADERS)

# Who a unit or person field belongs to: an optional level prefix, then modifiers.
_LEVEL = r"(?:市直|区直|县直|省直|市级|区级|县级|省级|市|区|县|省)?"
_SUPERVISE = r"督导|督办|督查|监督"
_COOP = r"配合|协办|协助|参与|协同"
_LEAD = r"牵头|主体|主责|责任|整改|实施|承办|主办|落实|负责|主要责任|整改责任"
UNIT_LABEL = re.compile(
    rf"^{_LEVEL}(?P<mod>(?:{_LEAD}|{_COOP}|{_SUPERVISE})*)(?:单位|部门|处室|科室)$"
)
PERSON_LABEL = re.compile(
    rf"^{_LEVEL}(?P<mod>(?:{_LEAD}|{_COOP}|{_SUPERVISE}|包案|包保|分管)*)"
    r"(?:市级领导|区级领导|县级领导|市领导|区领导|县领导|领导|责任人|负责人)$"
)
DEADLINE_LABEL = re.compile(
    r"^(?:整改|完成|办结|落实|责任)?(?:时限|期限)$|^(?:完成|整改|办结)时间$"
)
TARGET_LABEL = re.compile(r"^(?:整改|工作|治理)?目标$")
MEASURES_LABEL = re.compile(r"^(?:整改|具体|主要|工作|治理)?(?:措施|任务)$")
# "问题二:…" / "问题3:…" / "问题(四):…" labels one problem of a list by its number.
_PROBLEM_NUMBER = r"(?:[一二三四五六七八九十]{1,3}|\d{1,3})"
PROBLEM_LABEL = re.compile(
    r"^(?:督察|督查)?(?:反馈|存在|突出|具体)?(?:问题|问题描述|问题清单|问题内容)$"
    rf"|^问题(?:{_PROBLEM_NUMBER}|\({_PROBLEM_NUMBER}\))$"
)
NUMBER_LABEL = re.compile(r"^(?:序号|编号|问题编号|序列)$")


@lru_cache(maxsize=4096)
def classify_label(label: str) -> str | None:
    """The field a label names, or None when it names no field we know (remembered: the
    same labels come back on every item)."""
    label = re.sub(r"\s+", "", label).strip("【】[]")
    if not 2 <= len(label) <= 14:
        return None
    if m := UNIT_LABEL.match(label):
        mod = m.group("mod")
        supervise = re.search(_SUPERVISE, mod) is not None
        coop = re.search(_COOP, mod) is not None
        if supervise:
            return COOP_SUPERVISING_UNITS if coop else SUPERVISING_UNITS
        return COOP_UNITS if coop else LEAD_UNITS
    if m := PERSON_LABEL.match(label):
        if re.search(_SUPERVISE, m.group("mod")):
            return SUPERVISING_LEADERS
        return PERSONS
    for pattern, name in (
        (DEADLINE_LABEL, DEADLINE),
        (TARGET_LABEL, TARGET),
        (MEASURES_LABEL, MEASURES),
        (PROBLEM_LABEL, PROBLEM),
        (NUMBER_LABEL, NUMBER),
    ):
        if pattern.match(label):
            return name
    return None


# "label:" at the start of a line (after optional outline marker-free whitespace).
FIELD_LINE = re.compile(
    rf"^\s*【?(?P<label>[\u4e00-\u9fff]{{2,14}}|问题\(?{_PROBLEM_NUMBER}\)?)】?\s*[:]\s*"
)


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One labelled value; ``start``/``end`` index the analysis text."""

    field: str
    label: str
    value: str
    start: int
    end: int
    # Where a value joins several clauses of one role ("A牵头,…,C负责落实"), each part's span.
    parts: tuple[tuple[int, int], ...] = ()


def _plain_unit_label(label: str) -> bool:
    """A unit label that names no role of its own (责任单位, 主体责任单位), not a verb
    ("负责落实" in a bracket is a lead by its own word)."""
    return "牵头" not in label and label.endswith(("单位", "部门", "处室", "科室"))


def resolve_roles(values: list[FieldValue]) -> list[FieldValue]:
    """A plain 责任单位 after a 牵头单位 names the cooperating units.

    "牵头单位:市水利局;责任单位:市自然资源局" (in one group, or on the lines of one item):
    the lead is named by its own label, so the second unit label, which carries no 牵头,
    is the cooperating side, beside any 配合单位 the group names as well
    ("牵头单位:…;配合单位:…;责任单位:…" → all but the lead cooperate)."""
    leads = [v for v in values if v.field == LEAD_UNITS]
    if len(leads) < 2 or "牵头" not in leads[0].label:
        return values
    out = []
    for v in values:
        if v.field == LEAD_UNITS and v is not leads[0] and _plain_unit_label(v.label):
            v = FieldValue(COOP_UNITS, v.label, v.value, v.start, v.end, v.parts)
        out.append(v)
    return out


def lead_then_responsible(held: dict[str, FieldValue], value: FieldValue) -> FieldValue:
    """``value`` as read after the fields ``held`` by its item (``resolve_roles`` for lines)."""
    lead = held.get(LEAD_UNITS)
    if (
        value.field == LEAD_UNITS
        and lead is not None
        and "牵头" in lead.label
        and _plain_unit_label(value.label)
    ):
        return FieldValue(COOP_UNITS, value.label, value.value, value.start, value.end, value.parts)
    return value


def more_cooperating(held: dict[str, FieldValue], value: FieldValue) -> FieldValue | None:
    """The item's cooperating units joined with ``value`` when one of the two is a
    责任单位 read as cooperating (``lead_then_responsible``) and the other a 配合单位 line
    of the same item; None when ``value`` is no such second half (a second 配合单位 line
    starts another item)."""
    seen = held.get(COOP_UNITS)
    if value.field != COOP_UNITS or seen is None:
        return None
    if (classify_label(seen.label) == LEAD_UNITS) == (classify_label(value.label) == LEAD_UNITS):
        return None
    parts = (*(seen.parts or ((seen.start, seen.end),)), (value.start, value.end))
    joined = f"{seen.value};{value.value}"
    return FieldValue(COOP_UNITS, seen.label, joined, seen.start, value.end, parts)


def field_line(text: str, offset: int) -> FieldValue | None:
    """A "label:value" line, or None. The value keeps its trailing period stripped."""
    m = FIELD_LINE.match(text)
    if m is None:
        return None
    name = classify_label(m.group("label"))
    if name is None:
        return None
    value = text[m.end() :].rstrip()
    trimmed = value.rstrip("。.;")
    return FieldValue(
        name, m.group("label"), trimmed, offset + m.end(), offset + m.end() + len(trimmed)
    )


# A further "label:" on the same line, after spaces or a semicolon.
_NEXT_LABEL = re.compile(r"(?:\s+|[;])\s*(?=【?(?P<label>[\u4e00-\u9fff]{2,14})】?\s*:)")


def field_lines(text: str, offset: int) -> list[FieldValue]:
    """The fields of a line: one, or several side by side ("牵头单位:市生态环境局
    责任单位:市公安局　完成时限:2024年底"), each a known label; [] when it is no field line."""
    first = field_line(text, offset)
    if first is None:
        return []
    cuts = [
        m.start()
        for m in _NEXT_LABEL.finditer(text, first.start - offset)
        if classify_label(m.group("label")) is not None
    ]
    if not cuts:
        return [first]
    out: list[FieldValue] = []
    bounds = [0, *cuts, len(text)]
    for a, b in itertools.pairwise(bounds):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip(" \t;\u3000"))
        value = field_line(piece[lead:], offset + a + lead)
        if value is None:
            return [first]
        out.append(value)
    return out


_MARKED = re.compile(r"[(\[【〔]牵头[)\]】〕]")


def marked_lead(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """ "责任单位:市生态环境局(牵头)、市公安局、市交通运输局": the marked unit leads and the
    others cooperate (when no cooperating field is given). The marker leaves the names."""
    lead = fields.get(LEAD_UNITS)
    if lead is None or COOP_UNITS in fields or not _MARKED.search(lead.value):
        return fields
    leads: list[str] = []
    coops: list[str] = []
    for group in re.split(r"([,;])", lead.value):
        items = group.split("、") if group not in {",", ";"} else []
        for item in items:
            if not item.strip():
                continue
            (leads if _MARKED.search(item) else coops).append(_MARKED.sub("", item).strip())
    if not coops:
        return {**fields, LEAD_UNITS: _with_value(lead, "、".join(leads))}
    out = dict(fields)
    out[LEAD_UNITS] = _with_value(lead, "、".join(leads))
    out[COOP_UNITS] = FieldValue(COOP_UNITS, lead.label, "、".join(coops), lead.start, lead.end)
    return out


def _with_value(value: FieldValue, text: str) -> FieldValue:
    return FieldValue(value.field, value.label, text, value.start, value.end, value.parts)
