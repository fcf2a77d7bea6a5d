"""The weekly snapshots (调度快照) of the weeks before the generator's date, derived from
each generated task's own dates, so that a generated ledger has trends and a "change
since last week" before its first sweep.

For each of the `weeks` weeks (Monday to Sunday) before the week of `AS_OF`, a task is
counted as of that Sunday by the schedule rule applied to what the generator knows of
it at that date:

- it is not yet there before its start (the plan's issue date);
- done (or sustained, for an ongoing task filed so) from the week it was closed on;
- overdue once its due date has passed while still open;
- otherwise on schedule or behind. Its progress is taken to grow evenly from its start
  to the progress it has now (at its closing, or at `AS_OF`), and the expected progress
  is the share of time elapsed to its due date (milestones are not modelled here), so
  the ratio of the two, and the bucket, stays the same for the whole open stretch:
  behind when progress × (due − start) < 100 × (now − start). A task with no due date
  is on schedule.

Missing reports are counted for the weeks of the weekly rounds the generator writes
(the last `RECENT_WEEKS`): a task owing reports whose previous week has no report.
Before those weeks the history holds none, nor rebounds, measures or public notices
(the generator writes none of these before `AS_OF`). Draft and cancelled tasks are never
counted (when a task was cancelled is not known). The current week is left to the first
sweep, which freezes it from the stored buckets.

Counted with run lengths (each task has at most three stretches), so a million tasks
cost a few seconds, not 26 passes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from closeout.ledger.models import SnapshotKind
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status

UTC = dt.UTC
COUNTED = frozenset(
    {Status.IN_PROGRESS, Status.REQUESTED, Status.NOTICE, Status.VERIFICATION,
     Status.VERIFIED, Status.CLOSED, Status.SUSTAINED}
)  # fmt: skip
OWES_REPORTS = frozenset({Status.IN_PROGRESS, Status.REQUESTED, Status.SUSTAINED})


class History:
    """Collects the counts of `weeks` past weeks, task by task (`add`), then yields the
    snapshot rows (`rows`)."""

    def __init__(self, as_of: dt.date, weeks: int, recent_weeks: int) -> None:
        this_monday = as_of - dt.timedelta(days=as_of.weekday())
        self.weeks = weeks
        self.mondays = [this_monday - dt.timedelta(weeks=weeks - w) for w in range(weeks)]
        self.first_sunday = self.mondays[0] + dt.timedelta(days=6) if weeks else as_of
        self.recent_from = max(0, weeks - recent_weeks)
        # (plan, kind, key, unit, bucket) → tasks per week, as differences
        self.diff: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * (weeks + 1))
        self.missed: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * weeks)

    def _week_from(self, day: dt.date | None) -> int:
        """The first week whose Sunday is on or after `day` (`weeks` when none is)."""
        if day is None:
            return self.weeks
        days = (day - self.first_sunday).days
        return min(self.weeks, max(0, -(-days // 7)))

    def add(
        self, *, plan: int, category: str, leads: Iterable[int], status: str, start: dt.date,
        due: dt.date | None, closed_on: dt.date | None, progress: int, now: dt.date,
        reported: set[dt.date],
    ) -> None:  # fmt: skip
        if not self.weeks or status not in COUNTED:
            return
        begin = self._week_from(start)
        closed = self._week_from(closed_on)
        late = self._week_from(due + dt.timedelta(days=1)) if due is not None else self.weeks
        if due is None:
            open_bucket = Bucket.ON_SCHEDULE
        else:
            end = closed_on or now
            behind = progress * max((due - start).days, 1) < 100 * max((end - start).days, 0)
            open_bucket = Bucket.BEHIND if behind else Bucket.ON_SCHEDULE
        done = Bucket.SUSTAINED if status == Status.SUSTAINED else Bucket.DONE
        stretches = (
            (begin, min(closed, late), open_bucket),
            (max(begin, late), closed, Bucket.OVERDUE),
            (max(begin, closed), self.weeks, done),
        )
        month = "" if due is None else f"{due.year:04d}-{due.month:02d}"
        keys: list[tuple[int, str, str, int | None]] = [
            (plan, SnapshotKind.CATEGORY, category, None),
            (plan, SnapshotKind.DUE, month, None),
        ]
        keys += [(plan, SnapshotKind.UNIT, "", unit) for unit in leads]
        for first, stop, bucket in stretches:
            if first >= stop:
                continue
            for key in keys:
                counts = self.diff[(*key, bucket)]
                counts[first] += 1
                counts[stop] -= 1
        if status not in OWES_REPORTS:
            return
        for w in range(max(self.recent_from, begin + 1), min(closed, self.weeks)):
            previous = self.mondays[w] - dt.timedelta(weeks=1)
            if previous >= start and previous not in reported:
                bucket = Bucket.OVERDUE if w >= late else open_bucket
                for key in keys:
                    self.missed[(*key, bucket)][w] += 1

    def rows(self, new_id: Callable[[str], int]) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of the tables `snapshot` and `snapshotrow` (`TABLES` order)."""
        out: dict[str, list[tuple[Any, ...]]] = {"snapshot": [], "snapshotrow": []}
        totals = [0] * self.weeks
        running: dict[tuple[Any, ...], list[int]] = {}
        for key, diff in self.diff.items():
            level, weekly = 0, []
            for w in range(self.weeks):
                level += diff[w]
                weekly.append(level)
                if key[1] == SnapshotKind.CATEGORY:
                    totals[w] += level
            running[key] = weekly
        ids = []
        for w, monday in enumerate(self.mondays):
            sunday = monday + dt.timedelta(days=6)
            sid = new_id("snapshot")
            ids.append(sid)
            taken = dt.datetime.combine(sunday, dt.time(23), UTC)
            out["snapshot"].append((sid, monday, sunday, sunday, taken, totals[w]))
        for (plan, kind, key, unit, bucket), weekly in running.items():
            missed = self.missed.get((plan, kind, key, unit, bucket))
            for w, n in enumerate(weekly):
                if n:
                    out["snapshotrow"].append((
                        new_id("snapshotrow"), ids[w], plan, kind, key, unit, bucket, n,
                        missed[w] if missed else 0, 0, 0, 0,
                    ))  # fmt: skip
        return out
