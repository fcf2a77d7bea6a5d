"""The sweep's last rule: the period's frozen counts (调度快照, `Snapshot`).

For the period of the office's digest cycle (`LoopSettings.digest_cycle`, weekly by
default) that contains the sweep's day, the confirmed tasks (`COUNTED_STATES`) are
counted with two GROUP BY queries (`closeout.ledger.selectors.counts`), by plan and
stored schedule bucket and

- category: one row per category;
- unit: one row per lead responsible unit (牵头单位). A task with two lead units is
  counted once for each, so this dimension adds up to the plan's total only where each
  task has one lead (the pages say "tasks led", not "tasks");
- due: one row per month the task is due ("YYYY-MM"; "" for none).

Each row also counts, of its tasks, those missing reports (a run of missed reports),
rebounded (a look-back found the problem back), with a measure standing (an escalation
not lifted) and under public notice.

Which period is written: only the one containing the sweep's day, and only while no
later period has a snapshot. So a sweep run "as of" a past day (a backfill, the demo's
replay going backwards) never rewrites a period that a later sweep has already left
behind: the first sweep of a new period freezes every earlier one. Within its period a
sweep replaces the rows when the counts differ (the period is still running), and a
second sweep that finds the same counts writes nothing, not even the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from closeout.ledger.models import Snapshot, SnapshotKind, SnapshotRow
from closeout.ledger.rules import cycles
from closeout.ledger.selectors.counts import COUNTS, Row, by_category_and_due, by_unit, rows
from closeout.ledger.sweep.base import Context

__all__ = ["COUNTS", "by_category_and_due", "by_unit", "freeze", "rows", "snapshot"]

Figures = dict[str, int]


def period(day: dt.date, digest_cycle: str, digest_cycle_days: int | None) -> cycles.Period:
    """The period of the office's digest cycle that contains `day`."""
    return cycles.period_of(day, cycles.Cycle.of_settings(digest_cycle, digest_cycle_days))


def stored(snapshot: Snapshot) -> list[Row]:
    found = SnapshotRow.objects.filter(snapshot=snapshot).values_list(
        "plan_id", "kind", "key", "unit_id", "bucket", *COUNTS
    )
    return sorted(found, key=lambda row: (row[0], row[1], row[2], row[3] or 0, row[4]))


def write(snapshot: Snapshot, new: Iterable[Row]) -> int:
    """Replace a snapshot's rows; returns how many were written."""
    SnapshotRow.objects.filter(snapshot=snapshot).delete()
    made = SnapshotRow.objects.bulk_create(
        (
            SnapshotRow(
                snapshot=snapshot, plan_id=plan, kind=kind, key=key, unit_id=unit,
                bucket=bucket, tasks=tasks, missed=missed, rebounds=rebounds,
                escalated=escalated, notice=notice,
            )
            for plan, kind, key, unit, bucket, tasks, missed, rebounds, escalated, notice in new
        ),
        batch_size=2000,
    )  # fmt: skip
    return len(made)


def freeze(day: dt.date, digest_cycle: str, digest_cycle_days: int | None) -> int | None:
    """(Re)write the snapshot of the period containing `day` from the stored buckets.
    None when it is not to be written (a later period is frozen, or a sweep of a later
    day of the same period already wrote it), else the number of rows written (0 when
    the counts were already those stored)."""
    current = period(day, digest_cycle, digest_cycle_days)
    if Snapshot.objects.filter(period_start__gt=current.start).exists():
        return None
    snapshot = Snapshot.objects.filter(period_start=current.start).first()
    if snapshot is not None and snapshot.as_of > day:
        return None
    new = rows()
    total = sum(row[5] for row in new if row[1] == SnapshotKind.CATEGORY)
    if snapshot is None:
        snapshot = Snapshot.objects.create(
            period_start=current.start, period_end=current.end, as_of=day,
            taken_at=timezone.now(), tasks=total,
        )  # fmt: skip
        return write(snapshot, new)
    if stored(snapshot) == new:
        if snapshot.as_of != day:  # the same counts, a later day of the period
            snapshot.as_of = day
            snapshot.save(update_fields=["as_of"])
        return 0
    # the wall clock, not the sweep's day: the pages cache a snapshot's figures under it
    snapshot.as_of, snapshot.taken_at, snapshot.tasks = day, timezone.now(), total
    snapshot.save(update_fields=["as_of", "taken_at", "tasks"])
    return write(snapshot, new)


def snapshot(ctx: Context) -> Figures:
    settings = ctx.settings
    written = freeze(ctx.day, settings.digest_cycle, settings.digest_cycle_days)
    if written is None:
        ctx.result.warnings.append(
            f"snapshot: the period of {ctx.day.isoformat()} is not rewritten, a later "
            "sweep has already frozen it or a later period"
        )
        return {"snapshot_rows": 0}
    return {"snapshot_rows": written}
