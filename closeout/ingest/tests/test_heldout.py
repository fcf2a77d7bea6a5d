"""The held-out corpus (tests/heldout, see its README.md): written from the rules of gold
without seeing the parser, scored once. Its gold must be valid; the parser's scores on it
are measured by the bench, not held at a floor here."""

from __future__ import annotations

import importlib.util
import json

import docx
import pytest

from closeout.ingest.bench import (
    DOCUMENT_SUFFIXES,
    FAMILIES,
    HELDOUT,
    canonical,
    corpus_documents,
    main,
)
from closeout.ingest.tests.goldcheck import UNIT_LISTS, check_gold

DOCS = corpus_documents(HELDOUT)


def test_the_heldout_corpus_has_every_family_with_two_documents_or_more():
    counts = {family: sum(d.family == family for d in DOCS) for family in FAMILIES}
    assert all(n >= 2 for n in counts.values()), counts
    assert len(DOCS) >= 20
    assert sum(len(d.gold["tasks"]) for d in DOCS) >= 90
    strays = [
        p
        for p in HELDOUT.glob("*/*")
        if p.suffix.lower() in DOCUMENT_SUFFIXES and not p.with_suffix(".json").exists()
    ]
    assert not strays, f"documents without gold: {strays}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: f"{d.family}/{d.path.name}")
def test_gold_file_is_valid(doc):
    check_gold(doc)
    for k, task in enumerate(doc.gold["tasks"]):
        for name in (*UNIT_LISTS, "implementing_units"):
            for unit in task.get(name, []):
                # Written out as the README says: half-width brackets, no stray spaces.
                assert canonical(unit) == unit, f"{doc.path.name} task {k} {name}: {unit!r}"


def _generator():
    spec = importlib.util.spec_from_file_location("heldout_make_docx", HELDOUT / "make_docx.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tables(document) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


@pytest.mark.parametrize("name", sorted(_generator().DOCUMENTS))
def test_each_docx_is_what_make_docx_writes(name):
    built = _generator().DOCUMENTS[name]()
    stored = docx.Document(str(HELDOUT / name))
    assert [p.text for p in stored.paragraphs] == [p.text for p in built.paragraphs]
    assert _tables(stored) == _tables(built)


def test_bench_scores_another_corpus_folder(tmp_path, capsys):
    family = tmp_path / "brackets"
    family.mkdir()
    (family / "one.txt").write_text(
        "一、整改任务\n1.开展入河排污口排查整治(市生态环境局牵头,市水务局配合)。\n",
        encoding="utf-8",
    )
    task = {
        "document": 0, "prefix": "开展入河排污口", "lead_units": ["市生态环境局"],
        "coop_units": ["市水务局"], "persons": [], "supervising_units": [],
        "coop_supervising_units": [], "supervising_leaders": [],
        "deadline": {"due": None, "immediate": False, "ongoing": False},
    }  # fmt: skip
    gold = {"family": "brackets", "note": "", "documents": [0], "tasks": [task]}
    (family / "one.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    assert main(["--corpus-dir", str(tmp_path)]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()}
    assert rows["brackets"][:2] == ["1", "1"]  # one document, one gold task
    assert rows["all"][:2] == ["1", "1"]
    assert rows["prefixes"][:2] == ["0", "0"]


def test_bench_refuses_a_corpus_folder_that_is_not_one(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--corpus-dir", str(tmp_path / "missing")])
    assert "not a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--corpus-dir", str(tmp_path)])
    assert "no <family>/<name>.json" in capsys.readouterr().err
