"""Progress rolled up from tasks to problems and plans (整改进展汇总): the rule behind the
ledger's problem view and the plan totals.

A roll-up is the count of tasks per schedule bucket (closeout.ledger.rules.schedule.Bucket),
plus the tasks in no bucket yet (PENDING: imported and not confirmed, 待确认). Cancelled
tasks are not counted at all: they no longer answer the problem.

1. A task is finished when its bucket is done (已完成) or sustained (已完成、长期坚持): an
   ongoing task (长期坚持) filed as completed counts as finished, though it stays under
   look-back.
2. A problem is done (整改完成) when it has at least one counted task and every counted
   task is finished. A problem with a task still pending (not confirmed) is not done: the
   task has not even started. A problem with no counted task is not done either — it has
   nothing to show for it.
3. A plan rolls up its problems: the sum of their bucket counts, the number of problems,
   and how many of them are done by rule 2.

Pure functions over counts, no database: the selectors count with GROUP BY and hand
the counts here, and a test holds their SQL form of rule 2 to `problem_done`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from closeout.ledger.rules.schedule import Bucket

PENDING = ""  # the bucket of a task not confirmed yet (TaskState.bucket is empty)
FINISHED = frozenset({Bucket.DONE.value, Bucket.SUSTAINED.value})
KEYS = (*Bucket.values, PENDING)


def _full(counts: Mapping[str, int]) -> dict[str, int]:
    unknown = set(counts) - set(KEYS)
    if unknown:
        raise ValueError(f"not a schedule bucket: {sorted(unknown)}")
    if any(n < 0 for n in counts.values()):
        raise ValueError("a count cannot be negative")
    return {key: int(counts.get(key, 0)) for key in KEYS}


@dataclass(frozen=True)
class Rollup:
    """Task counts per bucket of one problem, plan or any set of tasks (every bucket
    present, 0 when empty; PENDING for tasks not confirmed)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEYS, 0))

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Rollup:
        return cls(_full(counts))

    @property
    def tasks(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> int:
        """Tasks done or sustained (rule 1)."""
        return sum(self.counts[key] for key in FINISHED)

    @property
    def pending(self) -> int:
        """Tasks not confirmed yet (in no bucket)."""
        return self.counts[PENDING]

    @property
    def done(self) -> bool:
        """The problem is done (rule 2)."""
        return problem_done(self.counts)

    @property
    def share(self) -> int:
        """Finished tasks as a whole percent of all counted tasks (0 without tasks),
        rounded down so that 99.6% never shows as done."""
        return 100 * self.finished // self.tasks if self.tasks else 0


def problem_done(counts: Mapping[str, int]) -> bool:
    """Rule 2: at least one counted task, and every one of them finished."""
    full = _full(counts)
    total = sum(full.values())
    return total > 0 and sum(full[key] for key in FINISHED) == total


@dataclass(frozen=True)
class PlanRollup:
    """A plan's roll-up (rule 3): its tasks by bucket, its problems and those done."""

    tasks: Rollup
    problems: int
    problems_done: int

    @property
    def done(self) -> bool:
        return self.problems > 0 and self.problems_done == self.problems


def plan_rollup(problems: Iterable[Mapping[str, int]]) -> PlanRollup:
    """Rule 3 over the bucket counts of each of a plan's problems."""
    total = dict.fromkeys(KEYS, 0)
    count = done = 0
    for counts in problems:
        full = _full(counts)
        if not sum(full.values()):
            continue  # a problem with no counted task is not one of the plan's here
        count += 1
        done += problem_done(full)
        for key, n in full.items():
            total[key] += n
    return PlanRollup(Rollup(total), count, done)
