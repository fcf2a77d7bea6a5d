"""Table ledgers (layout e): a header row read through the field vocabulary, one task per row.

The header is the first of the table's top rows in which at least two cells name known
fields and one of them is a measure, problem, unit or deadline column. Cells that a
vertical merge left empty inherit the problem, number and target of the row above
(a problem spans several measure rows); units and deadlines are never inherited, so an
empty one is flagged rather than guessed.
"""

from __future__ import annotations

from closeout.ingest.fields import (
    DEADLINE,
    LEAD_UNITS,
    MEASURES,
    NUMBER,
    PROBLEM,
    TARGET,
    FieldValue,
    classify_label,
)
from closeout.ingest.layouts import Draft
from closeout.ingest.normalise import normalise
from closeout.ingest.outline import split_enumeration
from closeout.ingest.source import Table

_CORE = {MEASURES, PROBLEM, LEAD_UNITS, DEADLINE}
_INHERITED = {PROBLEM, NUMBER, TARGET}
# Header words of the genre beyond the field vocabulary.
_EXTRA = {"整改内容": MEASURES, "整改任务": MEASURES, "问题": PROBLEM, "主要问题": PROBLEM}


def _label(text: str) -> str | None:
    clean = normalise(text).text.replace(" ", "").strip(":")
    return _EXTRA.get(clean) or classify_label(clean)


def header(table: Table) -> tuple[int, dict[int, str]] | None:
    rows = table.rows
    for r, row in enumerate(rows[:3]):
        columns = {cell.col: name for cell in row if (name := _label(cell.text))}
        if len(columns) >= 2 and _CORE & set(columns.values()):
            return r, columns
    return None


def table_drafts(table: Table) -> list[Draft] | None:
    """Drafts for one table, or None when it has no recognisable header.

    Unlike the text layouts, spans here index the original text (cells carry them).
    """
    found = header(table)
    if found is None:
        return None
    head_row, columns = found
    drafts: list[Draft] = []
    carried: dict[str, FieldValue] = {}
    for row in table.rows[head_row + 1 :]:
        values: dict[str, FieldValue] = {}
        for cell in row:
            name = columns.get(cell.col)
            if name is None:
                continue
            value = normalise(cell.text).text.strip()
            if not value:
                continue
            if name in values:  # two columns of one kind (责任单位 + 牵头单位): join them
                prev = values[name]
                value = prev.value + ";" + value
                values[name] = FieldValue(name, prev.label, value, prev.start, cell.span[1])
            else:
                values[name] = FieldValue(name, cell.text, value, cell.span[0], cell.span[1])
        if not values or set(values) <= {NUMBER}:
            continue
        for name in _INHERITED:
            if name in values:
                carried[name] = values[name]
            elif name in carried:
                values[name] = carried[name]
        measure = values.get(MEASURES)
        problem = values.get(PROBLEM)
        text = measure.value if measure else (problem.value if problem else "")
        flags = [] if measure else ["no_measures: the row has no measure cell"]
        start = min(cell.span[0] for cell in row)
        end = max(cell.span[1] for cell in row)
        number = values[NUMBER].value if NUMBER in values else None
        title = problem.value if problem else ""
        draft = Draft("table", number, title, (), text, start, end,
                      target=values[TARGET].value if TARGET in values else None,
                      fields={k: v for k, v in values.items() if k not in _INHERITED | {MEASURES}},
                      flags=flags)  # fmt: skip
        draft.measures = [piece for _, piece in split_enumeration(text)] or [text]
        drafts.append(draft)
    return drafts
