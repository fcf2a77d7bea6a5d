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
"""

from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from collections.abc import Callable
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


def main() -> int:
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


if __name__ == "__main__":
    sys.exit(main())
