"""What every rule of the sweep shares: the slots its statements are run with, the
run's figures (`SweepResult`) and the context a rule is applied in (`Context`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateField, DateTimeField, IntegerField, Model

from closeout.ledger.models import LoopSettings, SweepRun
from closeout.ledger.sweep.sql import Slot

# The values that change from one run to the next are slots of statements compiled once
# per process (`closeout.ledger.sweep.sql.statement`).
DAY = Slot("day", DateField())
SINCE = Slot("since", IntegerField())
NOW = Slot("now", DateTimeField())


@dataclass
class SweepResult:
    as_of: dt.date
    tasks: int = 0
    buckets: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    escalations_issued: int = 0
    lookbacks_scheduled: int = 0
    # Details beyond the JSON contract (kept in the run log).
    missed_reports: int = 0
    buckets_changed: int = 0
    streaks_changed: int = 0
    notices_ended: int = 0
    escalations_lifted: int = 0
    lookbacks_due: int = 0
    notifications: int = 0
    snapshot_rows: int = 0  # rows of the period's snapshot (调度快照) written
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # time per rule

    # The figures that count as a change of the ledger (`changed`); notifications and
    # announcements follow from them.
    CHANGES = (
        "missed_reports",
        "streaks_changed",
        "buckets_changed",
        "notices_ended",
        "lookbacks_scheduled",
        "escalations_issued",
        "escalations_lifted",
    )

    def to_json(self) -> dict[str, Any]:
        """The issue's contract: exactly these keys."""
        return {
            "as_of": self.as_of.isoformat(),
            "tasks": self.tasks,
            "buckets": self.buckets,
            "changed": self.changed,
            "escalations_issued": self.escalations_issued,
            "lookbacks_scheduled": self.lookbacks_scheduled,
        }

    def details(self) -> dict[str, Any]:
        return {
            **self.to_json(),
            "missed_reports": self.missed_reports,
            "buckets_changed": self.buckets_changed,
            "streaks_changed": self.streaks_changed,
            "notices_ended": self.notices_ended,
            "escalations_lifted": self.escalations_lifted,
            "lookbacks_due": self.lookbacks_due,
            "notifications": self.notifications,
            "snapshot_rows": self.snapshot_rows,
            "warnings": self.warnings,
            "seconds": self.seconds,
        }


@dataclass
class Context:
    """One run of the sweep as its rules see it: the day, the office's settings, the
    run's record, the first day missing reports are looked for (`window_start`), and the
    highest id each table the sweep inserts into had when the run began (`before`: a
    row above it was written by this run)."""

    day: dt.date
    settings: LoopSettings
    run: SweepRun
    window_start: dt.date
    before: dict[str, int]
    result: SweepResult

    def since(self, model: type[Model]) -> int:
        return self.before[str(model._meta.model_name)]
