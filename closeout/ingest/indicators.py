"""Quantitative targets (量化指标) in plan text: name, comparator, value, unit, year.

"城市污水处理率不低于96%" → (城市污水处理率, >=, 96, %). The comparator comes from the verb
before the number (不低于, 控制在, 下降到 …) and the qualifier after it (以上, 以下, 左右);
"稳定达到国家二级标准(35微克/立方米)" is a concentration limit, so "<=". The year is the
nearest "YYYY年" before the target in the same sentence ("2013年以来" starts a period, it is
not a target year); a "——" bullet that states none takes the "到YYYY年" of the paragraph
that introduces the list. "A、B比例分别达到60%以上和98%以上" gives one target per name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_MAG = r"[万亿千百]?"
_MEASURE = (
    r"(?:吨|立方米|千瓦时|千瓦|公顷|平方公里|平方米|公里|千米|米|亩|个|座|家|台|辆|天|项|处|条"
    r"|所|套|户|人次|人|倍|标准立方米|元)"
)
UNIT = rf"(?:%|‰|[微毫]克/(?:立方米|升)|mg/m3|μg/m3|ug/m3|{_MAG}{_MEASURE}(?:/(?:日|天|年|小时))?)"
COMPARATORS = (
    (r"不低于|不少于|不小于|不得低于|不得少于", ">="),
    (
        r"不高于|不超过|不大于|不得超过|不得高于|控制在|降至|下降到|下降至|降低到|降低至|降到"
        r"|减少到",
        "<=",
    ),
    (r"低于|小于|少于", "<"),
    (r"高于|大于|超过|多于", ">"),
    (r"达到|提高到|提高至|提升到|提升至|增加到|增加至|增长到|稳定在|保持在|保持|为|实现", "="),
)
_COMP = "|".join(f"(?P<c{i}>{pattern})" for i, (pattern, _) in enumerate(COMPARATORS))
TARGET = re.compile(
    rf"(?:{_COMP})\s*(?:[^\d,。;:、\n()]{{0,4}}?)"
    rf"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>{UNIT})?\s*(?P<qual>以上|以下|以内|左右|及以上|及以下)?"
)


# TARGET without its groups: its comparators are then plain alternatives, so the regex
# engine skips straight to their first characters. Each of its matches is TARGET's match
# at the same place (same alternatives in the same order), read again for the groups.
# Compiled when first needed, not on import.
@lru_cache(maxsize=1)
def _target_scan() -> re.Pattern[str]:
    return re.compile(
        rf"(?:{'|'.join(pattern for pattern, _ in COMPARATORS)})\s*(?:[^\d,。;:、\n()]{{0,4}}?)"
        rf"\d+(?:\.\d+)?\s*(?:{UNIT})?\s*(?:以上|以下|以内|左右|及以上|及以下)?"
    )


STANDARD = re.compile(
    rf"(?P<verb>稳定达到|达到)(?P<std>[^,。;\n()]{{0,12}}标准)\s*\(\s*(?P<value>\d+(?:\.\d+)?)\s*"
    rf"(?P<unit>{UNIT})\s*\)"
)
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年(?!以来|以后|起)")
_LIST_YEAR = re.compile(r"(?:到|至|于)(\d{4})\s*年")
# "分别达到60%以上和98%以上": the values after the first, paired with the names before it.
_MORE_VALUES = re.compile(
    rf"\s*(?:和|、|及)\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>{UNIT})?\s*"
    r"(?P<qual>以上|以下|以内|左右|及以上|及以下)?"
)
_NAME_STOP = re.compile(r"[,。;:!?\n、\t]")
_LEAD = re.compile(
    r"^(?:——|—|-|\s|(?:到|至|在|于)?\d{4}\s*年(?:以来|底|末|前)?(?:前)?|全市|全区|全县|确保|力争"
    r"|使|将|其中|实现|年均|以上|同时|并|且|和|力争到|基本)+"
)


@dataclass(frozen=True, slots=True)
class Indicator:
    name: str
    comparator: str
    value: float
    unit: str | None
    year: int | None
    text: str
    span: tuple[int, int]

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "comparator": self.comparator,
            "value": self.value,
            "unit": self.unit,
            "year": self.year,
            "text": self.text,
            "span": list(self.span),
        }


def _name_before(text: str, pos: int) -> tuple[str, int]:
    start = pos
    while start > 0 and not _NAME_STOP.match(text[start - 1]) and pos - start < 40:
        start -= 1
    raw = text[start:pos]
    lead = _LEAD.match(raw)
    if lead:
        start += lead.end()
    return text[start:pos].strip(), start


def _year_before(text: str, pos: int) -> int | None:
    line_start = text.rfind("\n", 0, pos) + 1
    sentence_start = max(text.rfind("。", 0, pos) + 1, line_start)
    years = [int(m.group(1)) for m in _YEAR.finditer(text, sentence_start, pos)]
    plausible = [y for y in years if 1990 <= y <= 2100]
    if plausible:
        return plausible[-1]
    if text.startswith(("——", "—", "-"), line_start):
        # A bullet of a list: the year is where the list was introduced ("到2020年,…").
        block = text[max(0, line_start - 600) : line_start]
        introduced = [int(m.group(1)) for m in _LIST_YEAR.finditer(block)]
        plausible = [y for y in introduced if 1990 <= y <= 2100]
        return plausible[-1] if plausible else None
    return None


def _names_before(text: str, pos: int) -> list[tuple[str, int]]:
    """The names listed before "分别" ("A、B比例分别…"), each with its start."""
    start = pos
    while start > 0 and not re.match(r"[,。;:!?\n\t]", text[start - 1]) and pos - start < 80:
        start -= 1
    lead = _LEAD.match(text[start:pos])
    if lead:
        start += lead.end()
    names, cursor = [], start
    for part in text[start:pos].split("、"):
        if part.strip():
            names.append((part.strip(), cursor))
        cursor += len(part) + 1
    return names


def targets(text: str) -> Iterator[re.Match[str]]:
    """``TARGET.finditer(text)``, found through ``_target_scan()``."""
    for scan in _target_scan().finditer(text):
        m = TARGET.match(text, scan.start())
        assert m is not None and m.end() == scan.end()  # the same pattern, with groups
        yield m


def find_indicators(text: str, *, offset: int = 0) -> tuple[Indicator, ...]:
    """Quantitative targets in ``text`` (the normalised analysis form).

    Spans index ``text`` shifted by ``offset``; a candidate needs a name and either a unit
    or an explicit comparator so that list numbers ("1.") and dates are not targets.
    """
    found: list[Indicator] = []
    taken: list[tuple[int, int]] = []
    for m in STANDARD.finditer(text):
        name, start = _name_before(text, m.start())
        if not name:
            continue
        found.append(
            Indicator(name, "<=", float(m.group("value")), m.group("unit"),
                      _year_before(text, start), text[start : m.end()],
                      (start + offset, m.end() + offset))
        )  # fmt: skip
        taken.append((m.start(), m.end()))
    for m in targets(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        unit, qual = m.group("unit"), m.group("qual")
        comparator = next(COMPARATORS[i][1] for i in range(len(COMPARATORS)) if m.group(f"c{i}"))
        if qual in {"以上", "及以上"}:
            comparator = ">=" if comparator in {"=", ">="} else comparator
        elif qual in {"以下", "以内", "及以下"}:
            comparator = "<=" if comparator in {"=", "<="} else comparator
        elif qual == "左右":
            comparator = "≈"
        end = m.end()
        following = text[end : end + 1]
        # A year, a list number or a count of documents is not a target.
        if unit is None and (comparator == "=" or following in {"年", "月", "日", "."}):
            continue
        if unit is None and qual is None:
            continue
        name, start = _name_before(text, m.start())
        if len(name) < 2:
            continue
        if name.endswith("分别"):
            found.extend(_respectively(text, m, comparator, offset))
            continue
        found.append(
            Indicator(name, comparator, float(m.group("value")), unit,
                      _year_before(text, start), text[start:end], (start + offset, end + offset))
        )  # fmt: skip
    return tuple(sorted(found, key=lambda i: i.span))


def _respectively(text: str, m: re.Match[str], comparator: str, offset: int) -> list[Indicator]:
    """ "A、B比例分别达到60%以上和98%以上": one target per name, in order."""
    verb_start = m.start()
    names = _names_before(text, verb_start - len("分别"))
    values = [(m.group("value"), m.group("unit"), m.group("qual"), m.end())]
    cursor = m.end()
    while more := _MORE_VALUES.match(text, cursor):
        values.append((more.group("value"), more.group("unit"), more.group("qual"), more.end()))
        cursor = more.end()
    if len(names) != len(values):
        names = [(" ".join(n for n, _ in names), names[0][1] if names else verb_start)] * len(
            values
        )
    first_unit = next((u for _, u, _, _ in values if u), None)
    out = []
    start = names[0][1] if names else verb_start
    for (name, _), (value, unit, qual, _end) in zip(names, values, strict=True):
        comp = comparator
        if qual in {"以上", "及以上"}:
            comp = ">=" if comp in {"=", ">="} else comp
        elif qual in {"以下", "以内", "及以下"}:
            comp = "<=" if comp in {"=", "<="} else comp
        elif qual == "左右":
            comp = "≈"
        out.append(
            Indicator(name, comp, float(value), unit or first_unit, _year_before(text, start),
                      text[start:cursor], (start + offset, cursor + offset))
        )  # fmt: skip
    return out
