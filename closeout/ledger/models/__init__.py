"""The ledger's tables. One module per group of entities; import from here."""

from __future__ import annotations

import closeout.ledger.lookups  # noqa: F401  (registers the any_of lookup)
from closeout.ledger.models.accounts import ApiToken, Profile, Role
from closeout.ledger.models.audit import AuditEvent
from closeout.ledger.models.closeouts import CloseoutStep, Objection, StepKind
from closeout.ledger.models.documents import IssuedNumber, NumberKind, NumberSeries
from closeout.ledger.models.escalations import Escalation, EscalationRule
from closeout.ledger.models.imports import ProposalReason, UnitProposal
from closeout.ledger.models.indicators import Indicator, IndicatorDirection, IndicatorReading
from closeout.ledger.models.lookbacks import LookbackCheck, LookbackState
from closeout.ledger.models.notifications import Digest, Notification, NotificationKind
from closeout.ledger.models.plans import Inspection, InspectionKind, Plan, PlanStatus, ReportCycle
from closeout.ledger.models.reports import Evidence, MissedReport, ProgressReport, ReportSource
from closeout.ledger.models.snapshots import Snapshot, SnapshotKind, SnapshotRow
from closeout.ledger.models.sweeps import CalendarDay, LoopSettings, SweepRun, load_entered_days
from closeout.ledger.models.tasks import (
    AssignmentRole,
    Category,
    Milestone,
    PersonRole,
    Problem,
    ProblemSource,
    Task,
    TaskPerson,
    TaskState,
    TaskUnit,
)
from closeout.ledger.models.units import Unit, UnitAlias, UnitGroup, UnitKind, UnitLevel
from closeout.ledger.models.views import SavedView
from closeout.ledger.rules.workflow import Status

__all__ = [
    "ApiToken",
    "AssignmentRole",
    "AuditEvent",
    "CalendarDay",
    "Category",
    "CloseoutStep",
    "Digest",
    "Escalation",
    "EscalationRule",
    "Evidence",
    "Indicator",
    "IndicatorDirection",
    "IndicatorReading",
    "Inspection",
    "InspectionKind",
    "IssuedNumber",
    "LookbackCheck",
    "LookbackState",
    "LoopSettings",
    "Milestone",
    "MissedReport",
    "Notification",
    "NotificationKind",
    "NumberKind",
    "NumberSeries",
    "Objection",
    "PersonRole",
    "Plan",
    "PlanStatus",
    "Problem",
    "ProblemSource",
    "Profile",
    "ProgressReport",
    "ProposalReason",
    "ReportCycle",
    "ReportSource",
    "Role",
    "SavedView",
    "Snapshot",
    "SnapshotKind",
    "SnapshotRow",
    "Status",
    "StepKind",
    "SweepRun",
    "Task",
    "TaskPerson",
    "TaskState",
    "TaskUnit",
    "Unit",
    "UnitAlias",
    "UnitGroup",
    "UnitKind",
    "UnitLevel",
    "UnitProposal",
    "load_entered_days",
]
