"""The checks every corpus gold file passes (the rules of gold in corpus/README.md), shared
by the layout corpus (test_corpus.py) and the held-out corpus (test_heldout.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from closeout.ingest import normalise, read
from closeout.ingest.bench import FAMILIES, CorpusDocument, canonical

UNIT_LISTS = (
    "lead_units", "coop_units", "persons", "supervising_units", "coop_supervising_units",
    "supervising_leaders",
)  # fmt: skip
OPTIONAL = {"implementing_units", "completion"}


def _iso(value: object, where: str) -> None:
    assert isinstance(value, str), f"{where}: {value!r} is not a date string"
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        pytest.fail(f"{where}: {value!r} is not an ISO date")
    assert date.isoformat() == value, f"{where}: {value!r} is not an ISO date"


def _text(doc: CorpusDocument) -> str:
    """The document as read and normalised (simplified characters, half-width), canonical."""
    return canonical(normalise(read(doc.path).text).text)


def check_gold(doc: CorpusDocument) -> None:
    """Fail unless `doc`'s gold has the corpus format and its prefixes occur in order."""
    gold = doc.gold
    assert set(gold) >= {"family", "documents", "tasks"}
    assert gold["family"] in FAMILIES
    assert gold["documents"] == [0]
    text = _text(doc)
    position = 0
    for k, task in enumerate(gold["tasks"]):
        where = f"{doc.path.name} task {k} {task.get('prefix')!r}"
        assert set(task) >= {"document", "prefix", *UNIT_LISTS, "deadline"}, where
        assert set(task) <= {"document", "prefix", *UNIT_LISTS, "deadline", *OPTIONAL}, where
        assert task["document"] in gold["documents"], where
        for name in (*UNIT_LISTS, "implementing_units"):
            value = task.get(name, [])
            assert isinstance(value, list), where
            assert all(isinstance(u, str) and u.strip() for u in value), where
            assert len(set(value)) == len(value), f"{where}: {name} repeats a unit"
        assert set(task.get("implementing_units", [])) <= set(task["lead_units"]), where
        deadline = task["deadline"]
        assert set(deadline) <= {"due", "immediate", "ongoing", "milestones"}, where
        assert isinstance(deadline["immediate"], bool), where
        assert isinstance(deadline["ongoing"], bool), where
        if deadline["due"] is not None:
            _iso(deadline["due"], where)
        milestones = deadline.get("milestones")
        if milestones is not None:
            for date in milestones:
                _iso(date, where)
            assert milestones == sorted(milestones) and len(milestones) >= 2, where
            assert milestones[-1] == deadline["due"], where
        prefix = canonical(task["prefix"])
        assert len(prefix) >= 2, where
        # In document order, as the bench pairs gold and parsed tasks in order.
        found = text.find(prefix, position)
        assert found >= 0, f"{where}: prefix not in the text after position {position}"
        position = found + 1
