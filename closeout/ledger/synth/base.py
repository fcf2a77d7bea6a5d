"""What every part of the generator shares: the tables and their column order, the
configuration, the tree nodes and the row emitter that allocates ids."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from closeout.ledger.models import (
    Inspection,
    Milestone,
    Plan,
    Problem,
    ProgressReport,
    Snapshot,
    SnapshotRow,
    Task,
    TaskPerson,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitGroup,
)

AS_OF = dt.date(2025, 6, 30)
UTC = dt.UTC


# Column order of every table the generator fills (attribute names; `closeout gen`
# checks that each list covers every concrete column of its model).
def _columns(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TABLES: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "unit": (Unit, _columns("id name full_name kind level parent_id path depth code active")),
    "unitalias": (UnitAlias, _columns("id unit_id name former valid_until")),
    "unitgroup": (UnitGroup, _columns("id name owner_id aliases")),
    "unitgroup_members": (UnitGroup.members.through, _columns("id unitgroup_id unit_id")),
    "inspection": (Inspection, _columns(
        "id kind round name team region_id entered_on left_on feedback_on feedback_text")),
    "plan": (Plan, _columns(
        "id title issuer issued_on status version previous_id source_name source_file"
        " source_text content_hash published report_cycle report_cycle_days created_at"
        " created_by_id")),
    "plan_inspections": (Plan.inspections.through, _columns("id plan_id inspection_id")),
    "problem": (Problem, _columns(
        "id plan_id inspection_id seq number title text outline_path category source"
        " span_start span_end")),
    "problem_regions": (Problem.regions.through, _columns("id problem_id unit_id")),
    "task": (Task, _columns(
        "id plan_id problem_id inspection_id seq text target measures category deadline_raw"
        " due_date immediate ongoing start_date acceptance_criteria progress last_reported_at"
        " closed_on flags span_start span_end source_spans created_at updated_at status"
        " last_report_period rebounds closeout_round notice_until")),
    "taskstate": (TaskState, _columns("task_id bucket missed_reports missed_since")),
    "taskunit": (TaskUnit, _columns("id task_id unit_id role task_status via_group_id")),
    "taskperson": (TaskPerson, _columns("id task_id role text unit_id post name")),
    "milestone": (Milestone, _columns(
        "id task_id seq title due_date expected_progress reached_on")),
    "progressreport": (ProgressReport, _columns(
        "id task_id unit_id reporter_id period_start period_end submitted_at text percent"
        " milestone_id late reason source")),
    # The weekly snapshots of the weeks before AS_OF (`closeout.ledger.synth.history`).
    "snapshot": (Snapshot, _columns("id period_start period_end as_of taken_at tasks")),
    "snapshotrow": (SnapshotRow, _columns(
        "id snapshot_id plan_id kind key unit_id bucket tasks missed rebounds escalated"
        " notice")),
}  # fmt: skip


@dataclass
class UnitNode:
    id: int
    name: str
    path: str
    depth: int
    key: tuple[str, ...]
    new: bool = True


@dataclass
class Region:
    """An administrative region with the bodies that act for it."""

    node: UnitNode
    name: str  # "济南市", "历下区"
    short: str  # how its bodies are prefixed in plans: "市", "区", "县", "省"
    committee: UnitNode | None = None
    government: UnitNode | None = None
    departments: list[UnitNode] = field(default_factory=list)
    supervisors: list[UnitNode] = field(default_factory=list)
    districts: list[Region] = field(default_factory=list)
    towns: list[UnitNode] = field(default_factory=list)

    @property
    def bodies(self) -> list[UnitNode]:
        return [u for u in (self.committee, self.government) if u] + self.departments


@dataclass(frozen=True)
class Config:
    tasks: int
    seed: int = 1
    reports_per_task: float = 3.0
    batch: int = 20000
    # Appended runs add plans with a distinct title instead of colliding with earlier ones.
    run_label: str = ""
    # Weeks of snapshots before the week of AS_OF (0: none, as for an appended run).
    history_weeks: int = 26


Rows = dict[str, list[tuple[Any, ...]]]


class Emitter:
    """Allocates ids and collects rows per table until the next flush.

    `start_ids` gives the first free id of every table (ids are allocated here, so rows
    can be streamed without asking the database); `existing_units` maps a unit's name path
    (("山东省", "济南市", "市生态环境局"), …) to (id, path, depth) for units already in the
    database, which an appended run reuses instead of duplicating; likewise groups and
    inspections by name.
    """

    def __init__(
        self,
        config: Config,
        start_ids: dict[str, int] | None = None,
        existing_units: dict[tuple[str, ...], tuple[int, str, int]] | None = None,
        existing_groups: dict[str, int] | None = None,
        existing_inspections: dict[str, int] | None = None,
    ) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.next_id = {key: 1 for key in TABLES} | (start_ids or {})
        self.existing_units = existing_units or {}
        self.existing_groups = existing_groups or {}
        self.existing_inspections = existing_inspections or {}
        self.counts = {key: 0 for key in TABLES}
        self.rows: Rows = {key: [] for key in TABLES}

    # -------------------------------------------------------------- plumbing

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _emit(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].append(row)
        self.counts[table] += 1

    def _flush(self) -> Rows:
        out, self.rows = self.rows, {key: [] for key in TABLES}
        return out
