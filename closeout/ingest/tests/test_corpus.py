"""The layout corpus (tests/corpus, rules of gold in its README.md): valid gold, and a
ratchet holding the parser at each family's floor.

The floors in corpus/floors.json are the parser's measured scores rounded down to 0.01.
Floors only go up: when the parser improves, raise them to the new figures (the issue's
target is 0.95 on the whole corpus); never lower one to let a change through.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from closeout.ingest import normalise, parse, read
from closeout.ingest.bench import (
    CORPUS,
    CORPUS_METRICS,
    DOCUMENT_SUFFIXES,
    FAMILIES,
    CorpusDocument,
    canonical,
    corpus_documents,
    corpus_mismatches,
    corpus_tallies,
)

DOCS = corpus_documents()
UNIT_LISTS = (
    "lead_units", "coop_units", "persons", "supervising_units", "coop_supervising_units",
    "supervising_leaders",
)  # fmt: skip
OPTIONAL = {"implementing_units", "completion"}
FLOORS = json.loads((CORPUS / "floors.json").read_text(encoding="utf-8"))


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


def test_the_corpus_has_every_family_with_five_documents_or_more():
    counts = {family: sum(d.family == family for d in DOCS) for family in FAMILIES}
    assert all(n >= 5 for n in counts.values()), counts
    assert len(DOCS) >= 48
    strays = [
        p
        for p in CORPUS.glob("*/*")
        if p.suffix.lower() in DOCUMENT_SUFFIXES and not p.with_suffix(".json").exists()
    ]
    assert not strays, f"documents without gold: {strays}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: f"{d.family}/{d.path.name}")
def test_gold_file_is_valid(doc):
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


@pytest.fixture(scope="module")
def tallies():
    return corpus_tallies(DOCS)


def test_floors_name_every_family_and_metric():
    assert set(FLOORS) == {*FAMILIES, "all"}
    for family, floors in FLOORS.items():
        assert set(floors) == set(CORPUS_METRICS), family
        assert all(0 <= v <= 1 for v in floors.values()), family


@pytest.mark.parametrize("family", [*FAMILIES, "all"])
def test_parser_stays_at_or_above_the_floor_of_each_family(tallies, family):
    scores = tallies[family].scores()
    below = {
        metric: (round(scores[metric], 3), floor)
        for metric, floor in FLOORS[family].items()
        if scores[metric] < floor
    }
    if below:
        lines = [m for d in DOCS if d.family == family for m in corpus_mismatches(d, parse(d.path))]
        pytest.fail(f"{family} below its floor {below}:\n" + "\n".join(lines[:30]))


def test_floors_have_two_decimals_at_most():
    # A floor is a measured score rounded down to 0.01.
    for family, floors in FLOORS.items():
        for metric, value in floors.items():
            assert math.isclose(value * 100, round(value * 100)), (family, metric, value)
