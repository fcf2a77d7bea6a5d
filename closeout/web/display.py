"""Shaping ledger rows for the templates: grouping, labels, sort links. No rules here,
only presentation, so that the templates stay free of anything but layout."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    PersonRole,
    Task,
    TaskPerson,
    TaskUnit,
    Unit,
)
from closeout.ledger.workflow import Status, TransitionRule, transition_rules

ACTION_LABELS: dict[str, Any] = {
    "task.create": _("Task created"),
    "task.update": _("Task edited"),
    "report.create": _("Progress reported"),
    "evidence.add": _("Evidence file added"),
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


def _status_label(value: Any) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


def _changes(event: AuditEvent) -> list[str]:
    before, after = event.before or {}, event.after or {}
    out = []
    if "status" in after and "status" in before:
        out.append(f"{_status_label(before['status'])} → {_status_label(after['status'])}")
    if "progress" in after and before.get("progress") != after["progress"]:
        out.append(f"{before.get('progress', 0)}% → {after['progress']}%")
    if event.action == "task.update":
        out.extend(sorted(after))
    if event.action == "evidence.add" and "name" in after:
        out.append(str(after["name"]))
    return out


def history_rows(events: Iterable[AuditEvent]) -> list[HistoryRow]:
    rules = transition_rules()
    rows = []
    for event in events:
        name = event.action.removeprefix("task.")
        label = ACTION_LABELS.get(event.action) or (
            transition_label(rules[name]) if name in rules else event.action
        )
        rows.append(HistoryRow(event, label, _changes(event)))
    return rows
