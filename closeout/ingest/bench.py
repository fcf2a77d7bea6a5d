"""Accuracy and speed of the parser against hand-built gold files.

Run ``python -m closeout.ingest.bench``: per seed, per-field accuracy over the matched
tasks, task recall and precision (within the documents the gold covers), and MB/s.
`timings` measures the cases the parser must get through fast (a zip bomb refused, a
huge single line read, the longest sample normalised and parsed) against their limits;
`closeout bench --ingest` prints them. They are benchmarks, not tests: a limit in
seconds fails on a loaded machine.

Gold files (``closeout/ingest/tests/gold/<seed>.json``) are written by hand from the
seed text. A gold task names its task by the first characters of its text; parsed tasks
are matched to gold tasks in document order.

``python -m closeout.ingest.bench --corpus`` scores the layout corpus instead
(``closeout/ingest/tests/corpus/<family>/<name>.<ext>`` with ``<name>.json`` beside it;
its rules of gold are in that folder's README.md): per layout family and for the whole
corpus, task recall and precision and per-field accuracy over the matched tasks.
``--corpus-dir PATH`` scores another folder laid out the same way, such as the held-out
corpus (``closeout/ingest/tests/heldout``, written without seeing the parser).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from closeout.ingest.normalise import normalise
from closeout.ingest.parse import parse
from closeout.ingest.read import ReadContext, ReadError, read
from closeout.ingest.result import ParseResult, to_json

HERE = Path(__file__).parent / "tests"
GOLD = HERE / "gold"
SEEDS = Path(__file__).resolve().parents[1] / "samples" / "plans"
UNIT_KEYS = ("lead_units", "coop_units", "supervising_units", "coop_supervising_units")
FIELDS = (
    "lead_units", "coop_units", "persons", "supervisors", "supervising_leaders",
    "due", "immediate", "ongoing", "duplicate",
)  # fmt: skip


def gold_tasks(gold: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten a gold file into per-task expectations (problem fields onto each measure)."""
    if "tasks" in gold:
        return [dict(t, duplicate=False) for t in gold["tasks"]]
    out: list[dict[str, Any]] = []
    for problem in gold["problems"]:
        for prefix in problem["measures"]:
            task = {k: v for k, v in problem.items() if k != "measures"}
            out.append(dict(task, prefix=prefix, duplicate=False))
    dup = gold.get("duplicates")
    if dup:
        copies = [
            dict(t, document=dup["in"], duplicate=True) for t in out if t["document"] == dup["of"]
        ]
        out.extend(copies)
    return out


def _squash(text: str) -> str:
    return "".join(text.split())


def match(
    gold: list[dict[str, Any]], parsed: list[dict[str, Any]]
) -> list[tuple[dict, dict | None]]:
    """Pair each gold task with the next parsed task of its document whose text starts
    with the gold prefix (in order, so repeated openings pair up correctly)."""
    cursor: dict[int, int] = {}
    by_doc: dict[int, list[dict[str, Any]]] = {}
    for task in parsed:
        by_doc.setdefault(task["document"], []).append(task)
    pairs: list[tuple[dict, dict | None]] = []
    for g in gold:
        tasks = by_doc.get(g["document"], [])
        start = cursor.get(g["document"], 0)
        found = None
        for k in range(start, len(tasks)):
            if _squash(tasks[k]["text"]).startswith(_squash(g["prefix"])):
                found = tasks[k]
                cursor[g["document"]] = k + 1
                break
        pairs.append((g, found))
    return pairs


def _value(task: dict[str, Any], name: str, *, gold: bool) -> object:
    if name == "supervisors":
        return sorted(task.get("supervising_units", []) + task.get("coop_supervising_units", []))
    if name in {"due", "immediate", "ongoing"}:
        return task["deadline"][name]
    if name == "duplicate":
        return task["duplicate"] if gold else task["duplicate_of"] is not None
    return sorted(task.get(name, []))


def score(result: ParseResult, gold: dict[str, Any]) -> dict[str, float]:
    parsed: list[dict[str, Any]] = to_json(result)["tasks"]  # type: ignore[assignment]
    expected = gold_tasks(gold)
    pairs = match(expected, parsed)
    matched = [(g, p) for g, p in pairs if p is not None]
    in_scope = [t for t in parsed if t["document"] in set(gold["documents"])]
    scores = {
        "recall": len(matched) / len(expected) if expected else 1.0,
        "precision": len(matched) / len(in_scope) if in_scope else 1.0,
    }
    for name in FIELDS:
        right = sum(_value(g, name, gold=True) == _value(p, name, gold=False) for g, p in matched)
        scores[name] = right / len(matched) if matched else 0.0
    return scores


def mismatches(result: ParseResult, gold: dict[str, Any]) -> list[str]:
    """Human-readable differences, for a failing test's message."""
    out: list[str] = []
    for g, p in match(gold_tasks(gold), to_json(result)["tasks"]):  # type: ignore[arg-type]
        if p is None:
            out.append(f"doc {g['document']} {g['prefix']!r}: not found")
            continue
        for name in FIELDS:
            want, got = _value(g, name, gold=True), _value(p, name, gold=False)
            if want != got:
                out.append(f"doc {g['document']} {g['prefix']!r} {name}: want {want} got {got}")
    return out


def speed(path: Path, runs: int = 3) -> tuple[float, float]:
    size = path.stat().st_size
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        parse(path)
        best = min(best, time.perf_counter() - start)
    return best, size / best / 1e6


def _zip_bomb() -> bytes:
    """A .docx of 20 MB of zeros compressed to a few kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


def _refused(data: bytes, name: str) -> None:
    try:
        read(data, ReadContext(name=name))
    except ReadError:
        return
    raise AssertionError(f"{name} was read")


def timed_cases() -> dict[str, tuple[Callable[[], object], float]]:
    """Each case: what it runs, and its limit in seconds."""
    bomb = _zip_bomb()
    line = ("整改时限:2020年年底," * 200_000).encode("gb18030")
    seed = next(SEEDS.glob("004_*.txt"))
    text = seed.read_text(encoding="utf-8")
    return {
        "zip bomb as .docx refused": (lambda: _refused(bomb, "bomb.docx"), 2.0),
        "huge single line read": (lambda: read(line, ReadContext(name="long.txt")), 5.0),
        "seed 004 normalised": (lambda: normalise(text), 0.5),
        "seed 004 parsed": (lambda: parse(seed), 0.5),
    }


def timings(runs: int = 3) -> list[dict[str, Any]]:
    """The best of `runs` for each timed case, against its limit."""
    out = []
    for name, (case, limit) in timed_cases().items():
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            case()
            best = min(best, time.perf_counter() - start)
        out.append(
            {"case": name, "seconds": round(best, 3), "limit": limit, "passed": best <= limit}
        )
    return out


def seed_report() -> int:
    header = ["seed", "tasks", *("recall", "precision"), *FIELDS, "seconds", "MB/s"]
    print("  ".join(f"{h:>9}" for h in header))
    for path in sorted(SEEDS.glob("*.txt")):
        seed = path.name[:3]
        result = parse(path)
        seconds, rate = speed(path)
        gold_file = GOLD / f"{seed}.json"
        cells = [seed, str(len(result.tasks))]
        if gold_file.exists():
            scores = score(result, json.loads(gold_file.read_text(encoding="utf-8")))
            cells += [f"{scores[k]:.3f}" for k in ("recall", "precision", *FIELDS)]
        else:
            cells += ["-"] * (2 + len(FIELDS))
        cells += [f"{seconds:.3f}", f"{rate:.2f}"]
        print("  ".join(f"{c:>9}" for c in cells))
    return 0


CORPUS = HERE / "corpus"
HELDOUT = HERE / "heldout"
FAMILIES = (
    "brackets", "prefixes", "standing", "fieldlines", "sentence_deadlines", "tables",
    "single_task", "programmes", "preambles",
)  # fmt: skip
CORPUS_FIELDS = ("lead_units", "coop_units", "persons", "due", "immediate", "ongoing")
CORPUS_METRICS = ("recall", "precision", *CORPUS_FIELDS)
DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")
# A leading enumeration marker (一、 (一) 1. 1、 (1) 1) ① 第一项 【任务一】 问题1: HG-FK-03) or
# field label (整改措施:). The corpus compares task texts with and without it, so a parser may
# keep or drop the item's number; gold prefixes never start with one.
_MARKER = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[项条部分个]|[一二三四五六七八九十百]+[、.]"
    r"|\([一二三四五六七八九十百\d]+\)|\d{1,3}[、.)]|[\u2460-\u2473\u2776-\u2793]"
    r"|[【〔\[][^】〕\]\d\s]{0,4}?(?:[一二三四五六七八九十百零〇]{1,4}|\d{1,3})[^】〕\]\d\s]{0,2}[】〕\]]"
    r"|问题[\d一二三四五六七八九十]+[:、.]?|[A-Z]{1,4}(?:-[A-Z]{1,4})*-\d+[:、.]?"
    r"|(?:整改措施|整改任务|工作任务|主要任务|具体措施)[:])"
)
_LEADING = re.compile(r"^[\s,;:.、。]+")
# Circled numbers (① ❶ ➀), which NFKC would turn into bare digits ("①完成" → "1完成").
_CIRCLED = re.compile(r"([\u2460-\u2473\u2776-\u2793])")


@dataclass(frozen=True)
class CorpusDocument:
    """One corpus document: its layout family, its file and its gold."""

    family: str
    path: Path
    gold: dict[str, Any]


def corpus_documents(root: Path = CORPUS) -> list[CorpusDocument]:
    """Every `<family>/<name>.json` with the one document of the same name beside it."""
    docs: list[CorpusDocument] = []
    for gold_path in sorted(root.glob("*/*.json")):
        family = gold_path.parent.name
        sources = [
            p
            for p in gold_path.parent.glob(f"{gold_path.stem}.*")
            if p.suffix.lower() in DOCUMENT_SUFFIXES
        ]
        if len(sources) != 1:
            raise ValueError(f"{gold_path}: expected one document beside it, found {sources}")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("family") != family:
            raise ValueError(f"{gold_path}: family {gold.get('family')!r} is not {family!r}")
        docs.append(CorpusDocument(family, sources[0], gold))
    return docs


def canonical(text: str) -> str:
    """Compatibility form without whitespace: full- and half-width compare equal."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def without_marker(text: str) -> str:
    """`text` in canonical form, without its leading enumeration markers and punctuation.

    The markers are stripped before whitespace is removed, so a code's number ends where
    the text has a space ("GN-02 2021年…" loses GN-02, not GN-022021), and a circled
    number stays a marker while the rest is normalised ("①完成…" loses ①, not "1完成…")."""
    pieces = _CIRCLED.split(text)
    kept = "".join(p if k % 2 else unicodedata.normalize("NFKC", p) for k, p in enumerate(pieces))
    out = _LEADING.sub("", kept)
    for _ in range(4):
        stripped = _LEADING.sub("", _MARKER.sub("", out, count=1))
        if stripped == out:
            break
        out = stripped
    return canonical(out)


def corpus_match(
    gold: list[dict[str, Any]], parsed: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Like `match`, comparing canonical texts with or without a leading item number."""
    cursor: dict[int, int] = {}
    by_doc: dict[int, list[dict[str, Any]]] = {}
    for task in parsed:
        by_doc.setdefault(task["document"], []).append(task)
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for g in gold:
        tasks = by_doc.get(g["document"], [])
        prefix = canonical(g["prefix"])
        found = None
        for k in range(cursor.get(g["document"], 0), len(tasks)):
            text = tasks[k]["text"]
            if canonical(text).startswith(prefix) or without_marker(text).startswith(prefix):
                found = tasks[k]
                cursor[g["document"]] = k + 1
                break
        pairs.append((g, found))
    return pairs


def corpus_value(task: dict[str, Any], name: str) -> object:
    """A field of a gold or parsed task, in the form both are compared in."""
    if name in {"due", "immediate", "ongoing"}:
        return task["deadline"][name]
    return sorted(canonical(u) for u in task.get(name, []))


@dataclass
class Tally:
    """Counts behind a family's (or the corpus's) scores."""

    documents: int = 0
    expected: int = 0
    parsed: int = 0
    matched: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CORPUS_FIELDS, 0))

    def add(self, other: Tally) -> None:
        self.documents += other.documents
        self.expected += other.expected
        self.parsed += other.parsed
        self.matched += other.matched
        for name in CORPUS_FIELDS:
            self.right[name] += other.right[name]

    def scores(self) -> dict[str, float]:
        out = {
            "recall": self.matched / self.expected if self.expected else 1.0,
            "precision": self.matched / self.parsed if self.parsed else 1.0,
        }
        for name in CORPUS_FIELDS:
            out[name] = self.right[name] / self.matched if self.matched else 0.0
        return out


def _pairs(doc: CorpusDocument, result: ParseResult) -> tuple[list, list[dict[str, Any]]]:
    parsed: list[dict[str, Any]] = to_json(result)["tasks"]  # type: ignore[assignment]
    in_scope = [t for t in parsed if t["document"] in set(doc.gold["documents"])]
    return corpus_match(doc.gold["tasks"], parsed), in_scope


def tally_document(doc: CorpusDocument, result: ParseResult) -> Tally:
    pairs, in_scope = _pairs(doc, result)
    tally = Tally(documents=1, expected=len(pairs), parsed=len(in_scope))
    for g, p in pairs:
        if p is None:
            continue
        tally.matched += 1
        for name in CORPUS_FIELDS:
            tally.right[name] += corpus_value(g, name) == corpus_value(p, name)
    return tally


def corpus_mismatches(doc: CorpusDocument, result: ParseResult) -> list[str]:
    """Human-readable differences of one document, for a failing test or the report."""
    where = f"{doc.family}/{doc.path.name}"
    pairs, in_scope = _pairs(doc, result)
    out: list[str] = []
    for g, p in pairs:
        if p is None:
            out.append(f"{where} {g['prefix']!r}: not found")
            continue
        for name in CORPUS_FIELDS:
            want, got = corpus_value(g, name), corpus_value(p, name)
            if want != got:
                out.append(f"{where} {g['prefix']!r} {name}: want {want} got {got}")
    extra = len(in_scope) - sum(p is not None for _, p in pairs)
    if extra:
        out.append(f"{where}: {extra} parsed task(s) not in gold")
    return out


def corpus_tallies(
    docs: list[CorpusDocument] | None = None,
    parser: Callable[[Path], ParseResult] = parse,
) -> dict[str, Tally]:
    """Tallies per family, in FAMILIES order, then "all" for the whole corpus."""
    docs = corpus_documents() if docs is None else docs
    tallies = {family: Tally() for family in FAMILIES}
    for doc in docs:
        tallies.setdefault(doc.family, Tally()).add(tally_document(doc, parser(doc.path)))
    whole = Tally()
    for tally in tallies.values():
        whole.add(tally)
    tallies["all"] = whole
    return tallies


def corpus_report(tallies: dict[str, Tally]) -> str:
    header = ["family", "docs", "tasks", "parsed", *CORPUS_METRICS]
    lines = ["  ".join(f"{h:>18}" if i == 0 else f"{h:>10}" for i, h in enumerate(header))]
    for family, tally in tallies.items():
        scores = tally.scores()
        cells = [str(tally.documents), str(tally.expected), str(tally.parsed)]
        cells += [f"{scores[k]:.3f}" for k in CORPUS_METRICS]
        lines.append(f"{family:>18}  " + "  ".join(f"{c:>10}" for c in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(prog="python -m closeout.ingest.bench")
    options.add_argument("--corpus", action="store_true", help="score the layout corpus")
    options.add_argument(
        "--corpus-dir",
        type=Path,
        metavar="PATH",
        help=f"score the corpus in PATH (<family>/<name>.json beside each document) "
        f"instead of {CORPUS.relative_to(HERE.parents[2])}; implies --corpus",
    )
    options.add_argument(
        "--mismatches", action="store_true", help="with --corpus or --corpus-dir: list them"
    )
    args = options.parse_args(argv)
    if not args.corpus and args.corpus_dir is None:
        return seed_report()
    root = CORPUS if args.corpus_dir is None else args.corpus_dir
    if not root.is_dir():
        options.error(f"--corpus-dir {root}: not a folder")
    docs = corpus_documents(root)
    if not docs:
        options.error(f"--corpus-dir {root}: no <family>/<name>.json gold files in it")
    print(corpus_report(corpus_tallies(docs)))
    if args.mismatches:
        for doc in docs:
            for line in corpus_mismatches(doc, parse(doc.path)):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
