"""Where each field of a task was read (字段出处): spans of the original text.

Every value a task carries keeps the span(s) of the source text it was read from, as
offsets into the decoded original (``ParseResult.text``, mapped back through the
normaliser's offset map), so that the review page can show the words behind each field:

- unit and person fields: the field as labelled (each clause of a joined value, each
  cell of two joined columns), a bracket's implementing units (…负责落实) among the lead
  units, and the whole standing clause (以下各项工作均需…落实) that gave a unit; the last
  two are listed again under ``implementing_units`` and ``standing_units``;
- ``deadline``: the field, or the phrases of the task's own sentences it was read from;
- ``problem``, ``target``, ``measures``: where the heading, block, cells or notice state
  them, found in the analysis text at or before the task's end (each measure apart);
- ``completion``, ``progress_text``, ``verifying_units``: a notice's or a table's parts;
- ``text``: the task's own span.

Only a field with a value has spans, and only a source that gave the value counts (a
redacted "×××" field gives no unit, so it is no unit's span); nothing is placed where the
text does not state it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from closeout.ingest.fields import (
    COOP_SUPERVISING_UNITS,
    COOP_UNITS,
    IMPLEMENTING_UNITS,
    LEAD_UNITS,
    PERSONS,
    SUPERVISING_LEADERS,
    SUPERVISING_UNITS,
    FieldValue,
)
from closeout.ingest.singles import COMPLETION, PROGRESS, VERIFYING_UNITS
from closeout.ingest.tables import to_analysis
from closeout.ingest.units import Party, parse_persons, parse_units

if TYPE_CHECKING:
    from closeout.ingest.layouts import Draft
    from closeout.ingest.normalise import Normalised
    from closeout.ingest.result import Task

Span = tuple[int, int]
STANDING_UNITS = "standing_units"
# How far before a task's end its problem heading or target is looked for (characters of
# the analysis text), and how far a search that ignores line breaks reaches.
_BACK = 50_000
_NEAR = 6_000
_LONGEST = 2_000  # a value longer than this is not searched for with line breaks ignored


class _Place:
    """Offsets of one draft: a table's are original, the others index the analysis text."""

    def __init__(self, draft: Draft, norm: Normalised) -> None:
        self.norm = norm
        self.table = draft.layout == "table"
        if self.table:
            self.lo, self.hi = to_analysis(norm, draft.start, draft.end)
        else:
            self.lo, self.hi = draft.start, draft.end

    def of(self, value: FieldValue) -> tuple[Span, ...]:
        pieces = value.parts or ((value.start, value.end),)
        if self.table:
            return tuple(pieces)
        return tuple(self.norm.to_original(a, b) for a, b in pieces)

    def find(self, value: str | None) -> Span | None:
        """The nearest place at or before the task's end that states ``value``."""
        found = _find(self.norm.text, (value or "").strip(), max(0, self.lo - _BACK), self.hi)
        return self.norm.to_original(*found) if found else None


def _find(text: str, value: str, lo: int, hi: int) -> Span | None:
    if not value:
        return None
    at = text.rfind(value, lo, hi)
    if at >= 0:
        return at, at + len(value)
    chars = [ch for ch in value if not ch.isspace()]
    if not chars or len(chars) > _LONGEST:
        return None
    # The value joins lines its source breaks or indents differently.
    start = max(lo, hi - _NEAR - len(value))
    last = None
    for last in re.finditer(r"\s*".join(map(re.escape, chars)), text[start:hi]):  # noqa: B007
        pass
    return (start + last.start(), start + last.end()) if last else None


def _gives(value: FieldValue | str | None, persons: bool = False) -> bool:
    """Whether a source names anyone (a redacted field does not)."""
    text = value.value if isinstance(value, FieldValue) else value
    return _names_anyone(text or "", persons)


@lru_cache(maxsize=4096)
def _names_anyone(text: str, persons: bool) -> bool:
    """Remembered: a plan repeats its unit fields and standing clauses task after task."""
    return bool(parse_persons(text) if persons else parse_units(text))


def _parties(task: Task) -> dict[str, tuple[Party, ...]]:
    """The task's unit and person fields by name."""
    return {
        LEAD_UNITS: task.lead_units,
        COOP_UNITS: task.coop_units,
        PERSONS: task.persons,
        SUPERVISING_UNITS: task.supervising_units,
        COOP_SUPERVISING_UNITS: task.coop_supervising_units,
        SUPERVISING_LEADERS: task.supervising_leaders,
    }


def field_spans(draft: Draft, norm: Normalised, task: Task) -> dict[str, tuple[Span, ...]]:
    """The spans of every field of ``task`` (read from ``draft``) that has a value."""
    place = _Place(draft, norm)
    fields = draft.fields
    out: dict[str, tuple[Span, ...]] = {"text": (task.span,)}
    standing: dict[str, list[Span]] = {}
    for name, units, span in draft.standing:
        if _gives(units):
            standing.setdefault(name, []).append(span)
    parties = {**_parties(task), VERIFYING_UNITS: task.verifying_units}
    for name, named in parties.items():
        if not named:
            continue
        persons = name in (PERSONS, SUPERVISING_LEADERS)
        spans: list[Span] = []
        implementing = fields.get(IMPLEMENTING_UNITS) if name == LEAD_UNITS else None
        alone = implementing is None and name not in standing  # the field gave them all
        if (value := fields.get(name)) is not None and (alone or _gives(value, persons)):
            spans.extend(place.of(value))
        if implementing is not None and _gives(implementing):
            out[IMPLEMENTING_UNITS] = place.of(implementing)
            spans.extend(out[IMPLEMENTING_UNITS])
        spans.extend(standing.get(name, ()))
        if spans:
            out[name] = tuple(dict.fromkeys(spans))
    clauses = [span for name in (LEAD_UNITS, SUPERVISING_UNITS) for span in standing.get(name, ())]
    if clauses:
        out[STANDING_UNITS] = tuple(dict.fromkeys(clauses))
    if task.deadline.raw is not None and task.deadline.spans:
        out["deadline"] = tuple(task.deadline.spans)
    for name, text in ((COMPLETION, task.completion), (PROGRESS, task.progress_text)):
        if text and (value := fields.get(name)) is not None:
            out["progress_text" if name == PROGRESS else name] = place.of(value)
    if task.problem.title and (found := place.find(task.problem.title)):
        out["problem"] = (found,)
    if task.target and (found := place.find(task.target)):
        out["target"] = (found,)
    # A measure that is the task's whole text (a heading's title and its body) is its span.
    measures = [found for m in task.measures
                if (found := task.span if m == task.text else place.find(m))]  # fmt: skip
    if measures:
        out["measures"] = tuple(measures)
    return out


def row_spans(task: Task, cells: Mapping[str, tuple[Span, ...]]) -> dict[str, tuple[Span, ...]]:
    """An Excel ledger's row (台账) is read from its cells, and the text shows each row as
    one line ("Sheet1 第7行: 整改措施 … | 责任单位 …"): a field has the spans of the cells
    it was read from there (``cells``: column key → spans; a problem or target the row
    continues from a row above has that row's cell), the task's text its measure cell
    (else the problem's)."""
    values: dict[str, object] = {
        "problem": task.problem.title,
        "target": task.target,
        **_parties(task),
        "deadline": task.deadline.raw,
    }
    out = {name: cells[name] for name, value in values.items() if value and cells.get(name)}
    text = cells.get("measures") or cells.get("problem")
    if text:
        out["text"] = out["measures"] = text
    return out
