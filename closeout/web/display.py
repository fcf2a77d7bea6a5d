"""Shaping ledger rows for the templates: grouping, labels, sort links. No rules here,
only presentation, so that the templates stay free of anything but layout."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    CloseoutStep,
    Escalation,
    PersonRole,
    ProgressReport,
    Task,
    TaskPerson,
    TaskUnit,
    Unit,
)
from closeout.ledger.rules import labels
from closeout.ledger.rules.workflow import Status, TransitionRule
from closeout.ledger.selectors.people import ActorNames

# What a close-out step's data holds, labelled (see services.closeouts.STEPS).
STEP_DATA_LABELS: dict[str, Any] = {
    "notice_from": _("Public notice from"),
    "notice_until": _("Public notice until"),
    "working_days": _("Working days"),
    "objections": _("Objections lodged"),
    "checked_on": _("Checked on"),
    "inspectors": _("Inspectors"),
    "number": _("Filing number"),
    "from": _("Sent back from"),
    "closed_on": _("Closed on"),
}


def transition_label(rule: TransitionRule) -> str:
    """The rule's label in the active language (`TransitionRule.label` is lazy)."""
    return str(rule.label)


@dataclass(frozen=True)
class UnitChip:
    """One unit, or one collective the plan named ("各县区党委、政府") with its count."""

    name: str
    count: int = 1


@dataclass(frozen=True)
class ListRow:
    task: Task
    leads: list[UnitChip]


def unit_chips(assignments: Iterable[TaskUnit]) -> list[UnitChip]:
    """Units named one by one stay single; units named through a group show as the group,
    the way the plan wrote it, instead of dozens of names."""
    chips: list[UnitChip] = []
    groups: dict[int, int] = {}
    for a in assignments:
        if a.via_group_id is None:
            chips.append(UnitChip(a.unit.name))
        elif a.via_group_id in groups:
            index = groups[a.via_group_id]
            chips[index] = UnitChip(chips[index].name, chips[index].count + 1)
        else:
            groups[a.via_group_id] = len(chips)
            chips.append(UnitChip(a.via_group.name if a.via_group else a.unit.name))
    return chips


def list_rows(tasks: Iterable[Task]) -> list[ListRow]:
    """Rows of the task list; the lead units come from the prefetched assignments."""
    return [
        ListRow(
            task, unit_chips(a for a in task.assignments.all() if a.role == AssignmentRole.LEAD)
        )
        for task in tasks
    ]


@dataclass(frozen=True)
class SortColumn:
    label: Any
    key: str  # the sort a click on the header asks for
    current: str  # "asc", "desc" or "" when the list is not sorted by this column


def sort_columns(current: str, columns: Sequence[tuple[Any, str]]) -> dict[str, SortColumn]:
    """Header links: a click sorts by the column, a second click reverses it."""
    out = {}
    for label, key in columns:
        if current == key:
            out[key] = SortColumn(label, f"-{key}", "asc")
        elif current == f"-{key}":
            out[key] = SortColumn(label, key, "desc")
        else:
            out[key] = SortColumn(label, key, "")
    return out


def units_by_part(assignments: Iterable[TaskUnit]) -> list[tuple[Any, list[Unit]]]:
    """A task's units grouped by their part (lead, cooperating, supervising …), in the
    order a plan's table lists them."""
    groups: dict[str, list[Unit]] = {role: [] for role in AssignmentRole.values}
    for a in assignments:
        groups.setdefault(a.role, []).append(a.unit)
    return [(AssignmentRole(role).label, units) for role, units in groups.items() if units]


def persons_by_part(persons: Iterable[TaskPerson]) -> list[tuple[Any, list[str]]]:
    groups: dict[str, list[str]] = {role: [] for role in PersonRole.values}
    for p in persons:
        groups.setdefault(p.role, []).append(p.text)
    return [(PersonRole(role).label, texts) for role, texts in groups.items() if texts]


@dataclass(frozen=True)
class HistoryRow:
    event: AuditEvent
    label: Any
    changes: list[str]
    actor: str  # as the reader may see it (selectors.people)


def _status_label(value: Any) -> str:
    return labels.choice_label(Status, value)


def _field_label(name: str) -> str | None:
    """A task field's name in words (the task's edit history lists what changed)."""
    try:
        return str(capfirst(Task._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return None


def _record_name(action: str) -> str | None:
    """The kind of record an admin-saved event is about (`milestone.create`), in words."""
    target = action.partition(".")[0]
    try:
        return str(capfirst(apps.get_model("ledger", target)._meta.verbose_name))
    except LookupError:
        return None


def action_label(action: str) -> str:
    return labels.action_label(action, what=_record_name(action))


def _changes(event: AuditEvent) -> list[str]:
    before, after = event.before or {}, event.after or {}
    out = []
    if "status" in after and "status" in before:
        out.append(f"{_status_label(before['status'])} → {_status_label(after['status'])}")
    if "progress" in after and before.get("progress") != after["progress"]:
        out.append(f"{before.get('progress', 0)}% → {after['progress']}%")
    if event.action == "task.update":
        out.extend(sorted(filter(None, (_field_label(name) for name in after))))
    if event.action == "evidence.add" and "name" in after:
        out.append(str(after["name"]))
    return out


def history_rows(events: Iterable[AuditEvent], names: ActorNames) -> list[HistoryRow]:
    """The task's audit events with their action in words (never the code)."""
    return [
        HistoryRow(
            event,
            action_label(event.action),
            _changes(event),
            names.label(event.actor_id, event.actor_label),
        )
        for event in events
    ]


@dataclass(frozen=True)
class ReportRow:
    report: ProgressReport
    reporter: str | None  # the login, when the reader may see it (the unit is shown anyway)


def report_rows(reports: Iterable[ProgressReport], names: ActorNames) -> list[ReportRow]:
    return [
        ReportRow(r, names.login(r.reporter_id, r.reporter.get_username()) if r.reporter else None)
        for r in reports
    ]


@dataclass(frozen=True)
class StepRow:
    """One close-out step: its self-assessment (request) and its other data, labelled."""

    step: CloseoutStep
    assessment: list[tuple[str, str]]
    details: list[tuple[Any, str]]
    actor: str  # as the reader may see it (selectors.people)


def _step_row(step: CloseoutStep, names: ActorNames) -> StepRow:
    data = step.data or {}
    assessment = data.get("assessment")
    details = []
    for key, label in STEP_DATA_LABELS.items():
        value = data.get(key)
        if value in (None, ""):
            continue
        shown = _status_label(value) if key == "from" else labels.value_label(value)
        details.append((label, shown))
    return StepRow(
        step,
        list(assessment.items()) if isinstance(assessment, dict) else [],
        details,
        names.label(step.actor_id, step.actor_label),
    )


def step_rounds(
    steps: Iterable[CloseoutStep], names: ActorNames
) -> list[tuple[int, list[StepRow]]]:
    """The close-out steps grouped by round (第几次申请), each round oldest first."""
    rounds: dict[int, list[StepRow]] = {}
    for step in steps:
        rounds.setdefault(step.round, []).append(_step_row(step, names))
    return sorted(rounds.items())


@dataclass(frozen=True)
class MeasureRow:
    """One escalation measure with its reason in words and the forms the reader may use."""

    escalation: Escalation
    reason: str
    lift_reason: str
    respond_form: Any = None
    lift_form: Any = None

    @property
    def cause(self) -> str:
        """The measure's cause key in words (逾期（期限 2020年12月31日）)."""
        return labels.cause_label(self.escalation.cause)


# Evidence images a browser shows as they are (thumbnails, `?inline=1`); any other type,
# TIFF and HEIC photos included, is only ever downloaded as an attachment.
INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def shows_inline(content_type: str) -> bool:
    """Whether an evidence file of this (sniffed) type is shown in the page as an image."""
    return content_type in INLINE_IMAGE_TYPES


# The fields a draft task's source marks (the parse result's "spans"), in the order the
# page lists them. The task's own text and measures are the excerpt itself: not marked.
SOURCE_FIELD_LABELS: dict[str, Any] = {
    "problem": _("Problem"),
    "target": _("Rectification target"),
    "lead_units": _("Lead responsible unit"),
    "implementing_units": _("Units that carry it out"),
    "coop_units": _("Cooperating unit"),
    "persons": _("Responsible person"),
    "supervising_units": _("Supervising unit"),
    "coop_supervising_units": _("Cooperating supervising unit"),
    "supervising_leaders": _("Supervising leader"),
    "deadline": _("Deadline"),
    "completion": _("Completion as stated"),
    "progress_text": _("Progress"),
    "verifying_units": _("Acceptance and close-out unit"),
}
STANDING_UNITS = "standing_units"  # the clauses that gave units (among lead/supervising)


@dataclass(frozen=True)
class SourcePiece:
    """A run of the source text; ``fields`` the fields read from it (none: plain text)."""

    text: str
    fields: tuple[str, ...] = ()

    @property
    def field_names(self) -> str:
        return " ".join(self.fields)

    @property
    def label(self) -> str:
        return ", ".join(str(SOURCE_FIELD_LABELS[f]) for f in self.fields)


@dataclass(frozen=True)
class FieldSource:
    """A field read outside the task's excerpt: a problem heading, a standing clause."""

    field: str
    label: str
    text: str
    standing: bool  # the words of a standing clause (以下各项工作均需…落实)
    cut: bool  # the text is longer than shown


@dataclass(frozen=True)
class TaskSource:
    """A draft task's source on the review page: its excerpt with each field's words
    marked, and the fields read elsewhere in the plan."""

    excerpt: list[SourcePiece]
    cut: bool  # the task's source goes on after the excerpt
    elsewhere: list[FieldSource]  # the problem's apart: the page heads each problem once
    problem: str = ""  # the problem's words as written, when read outside the excerpt


def task_source(
    excerpt: str,
    start: int,
    end: int,
    spans: Mapping[str, Sequence[tuple[int, int]]],
    snippets: Mapping[tuple[int, int], str] | None = None,
) -> TaskSource:
    """Mark the words each field was read from in ``excerpt`` (the source text from
    offset ``start``; the task's span ends at ``end``; ``spans`` field → spans of the
    original text). A field whose span is the whole task (an Excel row's line) marks
    nothing; a span outside the excerpt is listed with its text from ``snippets``
    (span → its text, as far as read), if given; a standing clause is always listed;
    the problem's words outside the excerpt are ``problem`` (its heading's)."""
    snippets = snippets or {}
    stop = start + len(excerpt)
    standing = set(spans.get(STANDING_UNITS, ()))
    implementing = set(spans.get("implementing_units", ()))  # also among the leads'
    inside: list[tuple[int, int, str]] = []
    elsewhere: list[FieldSource] = []
    problem = ""
    for name, label in SOURCE_FIELD_LABELS.items():
        for s, e in spans.get(name, ()):
            if (s, e) == (start, end) or (name == "lead_units" and (s, e) in implementing):
                continue
            if start <= s and e <= stop and (s, e) not in standing:
                inside.append((s - start, e - start, name))
            elif name == "problem":
                problem = problem or snippets.get((s, e), "")
            elif (s, e) in snippets:
                text = snippets[(s, e)]
                elsewhere.append(
                    FieldSource(name, str(label), text, (s, e) in standing, len(text) < e - s)
                )
    cuts = sorted({0, len(excerpt), *(a for a, _, _ in inside), *(b for _, b, _ in inside)})
    pieces = []
    for a, b in itertools.pairwise(cuts):
        fields = tuple(dict.fromkeys(n for s, e, n in inside if s <= a and b <= e))
        pieces.append(SourcePiece(excerpt[a:b], fields))
    return TaskSource(pieces, stop < end, elsewhere, problem)
