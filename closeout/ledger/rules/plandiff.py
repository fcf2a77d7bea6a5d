"""What changed between two versions of a plan (方案修订对比): a plain function over the
parsed tasks (the JSON form of `closeout.ingest.to_json`), so it is tested without a database.

Tasks are matched first by identical text, then, within the same problem, by the most
similar remaining text (difflib ratio ≥ `MATCH_CUTOFF`): a revised plan mostly rewords a
measure or moves a deadline, and those are changes, not a removal plus an addition.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MATCH_CUTOFF = 0.6
COMPARED = (
    "text",
    "target",
    "measures",
    "lead_units",
    "coop_units",
    "persons",
    "supervising_units",
    "coop_supervising_units",
    "supervising_leaders",
    "deadline",
)


@dataclass(frozen=True)
class TaskChange:
    old_seq: int
    new_seq: int
    fields: dict[str, tuple[Any, Any]]  # name → (old value, new value)


@dataclass(frozen=True)
class PlanDiff:
    added: list[int] = field(default_factory=list)  # seqs in the new version
    removed: list[int] = field(default_factory=list)  # seqs in the old version
    changed: list[TaskChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": [
                {
                    "old_seq": c.old_seq,
                    "new_seq": c.new_seq,
                    "fields": {k: list(v) for k, v in c.fields.items()},
                }
                for c in self.changed
            ],
            "unchanged": self.unchanged,
        }


def _problem(task: Mapping[str, Any]) -> str:
    problem = task.get("problem") or {}
    return "/".join([*problem.get("path", []), problem.get("title", "")])


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (old.get(k), new.get(k)) for k in COMPARED if old.get(k) != new.get(k)}


def diff_tasks(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> PlanDiff:
    """Compare the tasks of two parses (duplicates already left out by the caller)."""
    by_text: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for task in old:
        by_text[task["text"]].append(task)
    pairs: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    left_new: list[Mapping[str, Any]] = []
    for task in new:
        same = by_text.get(task["text"])
        if same:
            pairs.append((same.pop(0), task))
        else:
            left_new.append(task)
    left_old = [t for ts in by_text.values() for t in ts]
    added: list[int] = []
    for task in left_new:
        best, score = None, MATCH_CUTOFF
        for candidate in left_old:
            if _problem(candidate) != _problem(task):
                continue
            ratio = difflib.SequenceMatcher(None, candidate["text"], task["text"]).ratio()
            if ratio >= score:
                best, score = candidate, ratio
        if best is None:
            added.append(task["seq"])
        else:
            left_old.remove(best)
            pairs.append((best, task))
    changed = []
    unchanged = 0
    for old_task, new_task in sorted(pairs, key=lambda p: p[1]["seq"]):
        fields = _fields(old_task, new_task)
        if fields:
            changed.append(TaskChange(old_task["seq"], new_task["seq"], fields))
        else:
            unchanged += 1
    return PlanDiff(
        added=sorted(added),
        removed=sorted(t["seq"] for t in left_old),
        changed=changed,
        unchanged=unchanged,
    )
