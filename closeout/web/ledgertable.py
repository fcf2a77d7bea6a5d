"""Shaping the ledger table (台账) for its template: the columns a person may choose, their
header links, and the rows. Presentation only; what a row holds comes from the selectors
(`closeout.ledger.selectors.ledger.COLUMNS` names the columns)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from closeout.ledger.models import AssignmentRole, Task
from closeout.ledger.rules.schedule import Bucket
from closeout.web.display import UnitChip, unit_chips


@dataclass(frozen=True)
class Column:
    key: str  # one of selectors.ledger.COLUMNS
    label: Any
    sort: str | None = None  # the sort (selectors.SORTABLE) a click on the header asks for


@dataclass(frozen=True)
class Header:
    key: str
    label: Any
    sort: str | None  # the sort the header's link asks for (None: not sortable)
    current: str  # "asc", "desc" or ""


def headers(columns: Sequence[Column], keys: Sequence[str], current: str) -> list[Header]:
    """The chosen columns in the chosen order, each with its sort link: a click sorts
    by the column, a second click reverses it."""
    by_key = {c.key: c for c in columns}
    out = []
    for key in keys:
        c = by_key[key]
        if c.sort is None:
            out.append(Header(c.key, c.label, None, ""))
        elif current == c.sort:
            out.append(Header(c.key, c.label, f"-{c.sort}", "asc"))
        elif current == f"-{c.sort}":
            out.append(Header(c.key, c.label, c.sort, "desc"))
        else:
            out.append(Header(c.key, c.label, c.sort, ""))
    return out


@dataclass(frozen=True)
class Choice:
    key: str
    label: Any
    shown: bool


def column_choices(columns: Sequence[Column], keys: Sequence[str]) -> list[Choice]:
    """Every column for the picker: the shown ones first, in their order, then the rest."""
    by_key = {c.key: c for c in columns}
    shown = [Choice(k, by_key[k].label, True) for k in keys]
    rest = [Choice(c.key, c.label, False) for c in columns if c.key not in keys]
    return shown + rest


@dataclass(frozen=True)
class LedgerRow:
    task: Task
    leads: list[UnitChip]
    bucket: str  # the schedule status (序时进度), "" for a task in no bucket (a draft)
    bucket_label: Any
    missed: int  # reports missed in a row


def ledger_rows(tasks: Iterable[Task]) -> list[LedgerRow]:
    """Rows of the ledger table; the lead units come from the prefetched assignments,
    the schedule status and missed reports from the task's state (selected with it)."""
    rows = []
    for task in tasks:
        state = getattr(task, "state", None)
        bucket = state.bucket if state is not None else ""
        rows.append(
            LedgerRow(
                task,
                unit_chips(a for a in task.assignments.all() if a.role == AssignmentRole.LEAD),
                bucket,
                Bucket(bucket).label if bucket else "",
                state.missed_reports if state is not None else 0,
            )
        )
    return rows
