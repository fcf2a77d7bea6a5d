"""The layout corpus (tests/corpus, rules of gold in its README.md): valid gold, and a
ratchet holding the parser at each family's floor.

The floors in corpus/floors.json are the parser's measured scores rounded down to 0.01.
Floors only go up: when the parser improves, raise them to the new figures (the issue's
target is 0.95 on the whole corpus); never lower one to let a change through.
"""

from __future__ import annotations

import json
import math

import pytest

from closeout.ingest import parse
from closeout.ingest.bench import (
    CORPUS,
    CORPUS_METRICS,
    DOCUMENT_SUFFIXES,
    FAMILIES,
    corpus_documents,
    corpus_mismatches,
    corpus_tallies,
)
from closeout.ingest.tests.goldcheck import check_gold

DOCS = corpus_documents()
FLOORS = json.loads((CORPUS / "floors.json").read_text(encoding="utf-8"))


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
    check_gold(doc)


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
