"""Request and response shapes of the API (they are also the OpenAPI 3 schema)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

from closeout.api.params import Id, Page
from closeout.ledger.models import AssignmentRole, Category, ReportSource
from closeout.ledger.rules import limits
from closeout.ledger.rules.escalation import Level
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors import SORTABLE
from closeout.ledger.selectors.tasks import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS

MAX_PAGE_SIZE = 200


def _within(limit: limits.Limit) -> StringConstraints:
    """At most `limit` characters (blanks around the text trimmed first), as the service
    takes it (`closeout.ledger.rules.limits`); `maxLength` in the OpenAPI schema."""
    return StringConstraints(strip_whitespace=True, max_length=limit.chars)


ReportText = Annotated[str, _within(limits.REPORT_TEXT)]
FallReason = Annotated[str, _within(limits.FALL_REASON)]
NoteText = Annotated[str, _within(limits.STEP_NOTE)]
ObjectionText = Annotated[str, _within(limits.OBJECTION_TEXT)]
ObjectorName = Annotated[str, _within(limits.OBJECTOR_NAME)]
ObjectorContact = Annotated[str, _within(limits.OBJECTOR_CONTACT)]
AnswerText = Annotated[str, _within(limits.ANSWER)]
SpamReason = Annotated[str, _within(limits.SPAM_REASON)]
FindingsText = Annotated[str, _within(limits.LOOKBACK_FINDINGS)]
MeasureReason = Annotated[str, _within(limits.MEASURE_REASON)]
MeasureCause = Annotated[str, _within(limits.MEASURE_CAUSE)]
ResponseText = Annotated[str, _within(limits.RESPONSE)]
LiftReason = Annotated[str, _within(limits.LIFT_REASON)]
TaskText = Annotated[str, _within(limits.TASK_TEXT)]
TargetText = Annotated[str, _within(limits.TASK_TARGET)]
DeadlineText = Annotated[str, _within(limits.DEADLINE_RAW)]


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class ValidationErrorOut(ErrorOut):
    errors: list[dict[str, Any]] = []


# ---------------------------------------------------------------------------- tasks


class TaskQuery(Schema):
    """Filters, sorting and paging of the task list. Every filter is optional."""

    unit: Id | None = Field(None, description="Unit id; its sub-units are included.")
    unit_role: AssignmentRole | None = Field(
        None, description="Narrow `unit` to one part the unit plays in the task."
    )
    status: list[Status] = Field(
        default_factory=list, description="Repeat to match any of several states."
    )
    due_from: dt.date | None = Field(None, description="Due on or after this date.")
    due_to: dt.date | None = Field(None, description="Due on or before this date.")
    category: Category | None = None
    inspection: Id | None = Field(None, description="Inspection id.")
    plan: Id | None = Field(None, description="Plan id.")
    q: str = Field(
        "",
        description="Words that must all occur in the task or problem text "
        f"(at most {SEARCH_MAX_LENGTH} characters and {SEARCH_MAX_WORDS} words).",
    )
    immediate: bool | None = Field(None, description="Immediate tasks (立行立改) only, or none.")
    ongoing: bool | None = Field(None, description="Ongoing tasks (长期坚持) only, or none.")
    sort: str = Field("due_date", description=f"One of: {', '.join(SORTABLE)}.")
    page: Page = 1
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class UnitRefOut(Schema):
    id: int
    name: str


class ProblemRefOut(Schema):
    id: int
    number: str
    title: str


class DeadlineOut(Schema):
    raw: str = Field(description="The deadline as the plan writes it (整改时限).")
    due: dt.date | None = Field(description="Normalised due date, if there is one.")
    immediate: bool
    ongoing: bool


class TaskRowOut(Schema):
    id: int
    seq: int
    text: str
    problem: ProblemRefOut
    plan: int
    inspection: int | None
    category: str
    category_label: str
    status: str
    status_label: str
    deadline: DeadlineOut
    progress: int
    lead_units: list[UnitRefOut]
    coop_units: list[UnitRefOut]
    supervising_units: list[UnitRefOut]
    coop_supervising_units: list[UnitRefOut]
    updated_at: dt.datetime


class TaskPageOut(Schema):
    count: int
    count_exact: bool = Field(
        True,
        description="false when `count` is a lower bound (a text search is counted up to 1000)",
    )
    page: int
    page_size: int
    results: list[TaskRowOut]


class PersonOut(Schema):
    id: int
    role: str
    text: str
    unit: int | None
    post: str
    name: str


class MilestoneOut(Schema):
    id: int
    seq: int
    title: str
    due_date: dt.date
    expected_progress: int
    reached_on: dt.date | None


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: dt.datetime


class ReportOut(Schema):
    id: int
    task: int
    unit: int | None
    reporter: int | None
    period_start: dt.date | None
    period_end: dt.date | None
    submitted_at: dt.datetime
    text: str
    percent: int | None
    reason: str = Field(description="Why the progress fell, when the report lowered it.")
    milestone: int | None
    late: bool
    source: ReportSource = Field(
        description="How the report came in: filed by a unit (unit), in a ledger workbook "
        "sent back (workbook), or as a task's first report when its plan was imported from "
        "an Excel ledger (ledger_import) or a document such as a close-out notice "
        "(document_import)."
    )
    evidence: list[EvidenceOut]


class TransitionOut(Schema):
    name: str
    label: str
    needs_reason: bool


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    before: Any = None
    after: Any = None
    note: str


class StepOut(Schema):
    id: int
    round: int = Field(
        description="The close-out attempt: a request after a send-back opens the next."
    )
    kind: str = Field(
        description="request, withdraw, review, notice_end, verify, file, send_back, reopen"
    )
    kind_label: str
    at: dt.datetime
    actor: str
    unit: UnitRefOut | None
    opinion: str
    data: dict[str, Any] = Field(
        description="What the step recorded: the self-assessment (request), the notice "
        "window (review), the on-site check (verify), the filing number (file) …"
    )
    evidence: list[EvidenceOut]


class ObjectionOut(Schema):
    id: int
    task: int
    round: int
    lodged_at: dt.datetime
    name: str = Field(description="Empty unless the caller answers objections.")
    contact: str = Field(description="Empty unless the caller answers objections.")
    text: str = Field(
        description="Empty for an objection marked as spam, unless the caller answers objections."
    )
    answer: str
    answered_at: dt.datetime | None
    spam: bool = Field(description="Marked as spam by the office: it needs no answer.")
    spam_reason: str
    spam_at: dt.datetime | None


class LookbackOut(Schema):
    id: int
    task: int
    closed_on: dt.date = Field(description="The closing this check looks back on.")
    months: int
    due_on: dt.date
    state: str = Field(description="scheduled, stable, rebound or void")
    state_label: str
    unit: int | None
    checked_on: dt.date | None
    findings: str


class EscalationOut(Schema):
    id: int
    task: int
    unit: UnitRefOut | None = Field(description="The unit the measure is addressed to.")
    level: str
    level_label: str
    trigger: str
    cause: str = Field(description="The cause key: the same level never repeats for it.")
    reason: str = Field(description="Why, in the reader's language.")
    manual: bool
    issued_by: str
    issued_on: dt.date
    response_due: dt.date | None
    response: str
    responded_at: dt.datetime | None
    lifted_on: dt.date | None
    lift_reason: str


class MissedReportOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    due_by: dt.date
    recorded_on: dt.date
    unit: int | None
    report: int | None = Field(description="The report filed late for the period, if any.")
    filled_at: dt.datetime | None


class TaskDetailOut(TaskRowOut):
    problem_text: str
    plan_title: str
    inspection_name: str | None
    target: str
    measures: list[str]
    acceptance_criteria: str
    start_date: dt.date | None
    closed_on: dt.date | None
    last_reported_at: dt.datetime | None
    persons: list[PersonOut]
    milestones: list[MilestoneOut]
    reports: list[ReportOut]
    source_excerpt: str = Field(description="The plan's words this task was read from.")
    transitions: list[TransitionOut] = Field(description="What the caller may do now.")
    history: list[EventOut]
    bucket: str | None = Field(
        description="Schedule status (序时进度): done, sustained, on_schedule, behind, overdue; "
        "null for drafts and cancelled tasks."
    )
    bucket_label: str | None
    notice_until: dt.date | None = Field(description="Last day of the public notice (公示).")
    closeout_round: int
    rebounds: int
    missed_in_a_row: int
    steps: list[StepOut] = Field(description="Every close-out step, all rounds, oldest first.")
    objections: list[ObjectionOut]
    lookbacks: list[LookbackOut]
    escalations: list[EscalationOut]
    missed_reports: list[MissedReportOut]


class TaskPatchIn(Schema):
    """Fields the rectification office may change; send only those to change."""

    text: TaskText | None = None
    target: TargetText | None = None
    measures: list[str] | None = None
    category: Category | None = None
    deadline_raw: DeadlineText | None = None
    due_date: dt.date | None = Field(
        None, description="Not before the start date; from 2000 to 20 years from today."
    )
    immediate: bool | None = None
    ongoing: bool | None = None
    start_date: dt.date | None = None
    acceptance_criteria: str | None = None


class TransitionIn(Schema):
    note: NoteText = Field(
        "",
        description="Reason or opinion; required for send_back, cancel and reopen, and the "
        "findings of the on-site check for verify.",
    )
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="What the step records: request_closeout "
        '{"assessment": {criterion: text}} for every acceptance criterion (evidence files '
        "through POST /api/tasks/{id}/closeout-request, or already on the task); verify "
        '{"checked_on": "YYYY-MM-DD", "inspectors": text}; file {"number": text}.',
    )


# ------------------------------------------------------------------- the closed loop


class ObjectionIn(Schema):
    text: ObjectionText
    name: ObjectorName = ""
    contact: ObjectorContact = ""


class AnswerIn(Schema):
    answer: AnswerText


class SpamIn(Schema):
    reason: SpamReason = Field(
        description="Why the objection is spam (advertising, abuse, a flood)."
    )


class LookbackIn(Schema):
    rebound: bool = Field(description="true: the problem came back (反弹); the task reopens.")
    findings: FindingsText
    checked_on: dt.date | None = Field(
        None,
        description="Today when not given; not in the future, not before the task was closed.",
    )


class EscalationIn(Schema):
    level: Level
    reason: MeasureReason
    cause: MeasureCause = Field(description="What the measure answers (a document number, say).")
    response_days: int = Field(10, description="Working days the unit has to respond.")


class ResponseIn(Schema):
    response: ResponseText


class LiftIn(Schema):
    reason: LiftReason


class NotificationQuery(Schema):
    unread: bool = Field(False, description="Only the unread ones.")
    page: Page = 1
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str = Field(description="The notification in the reader's language.")
    task: int | None
    escalation: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPageOut(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    results: list[NotificationOut]


class MarkReadIn(Schema):
    ids: list[Id] | None = Field(None, description="The notifications to mark; all when absent.")


class MarkedOut(Schema):
    marked: int


# ---------------------------------------------------------------------------- the rest


class UnitQuery(Schema):
    parent: Id | None = Field(None, description="Only the direct children of this unit.")
    q: str = Field(
        "",
        description="Words in the name, full name or a former name "
        f"(at most {SEARCH_MAX_LENGTH} characters and {SEARCH_MAX_WORDS} words).",
    )
    page: Page = 1
    page_size: int = Field(MAX_PAGE_SIZE, ge=1, le=1000)


class UnitOut(Schema):
    id: int
    name: str
    full_name: str
    kind: str
    level: str
    parent: int | None
    path: str
    depth: int
    active: bool


class UnitPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[UnitOut]


class UnitCountsOut(Schema):
    unit: int
    name: str
    counts: dict[str, int] = Field(description="Tasks by status.")
    total: int


class PlanOut(Schema):
    id: int
    title: str
    issuer: str
    issued_on: dt.date | None
    status: str
    version: int
    published: bool
    report_cycle: str


class InspectionOut(Schema):
    id: int
    kind: str
    kind_label: str
    round: int | None
    name: str
    team: str
    region: int | None
    entered_on: dt.date | None
    left_on: dt.date | None
    feedback_on: dt.date | None


class MeOut(Schema):
    username: str
    role: str
    role_label: str
    unit: UnitRefOut | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool


class TokenCreatedOut(TokenOut):
    key: str = Field(description="Shown once; only a hash is kept.")
