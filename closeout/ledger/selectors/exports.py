"""The ledger as rows for its workbook (台账导出): exactly the tasks the ledger table
shows the actor, with the same filters, as plain `LedgerRow`s for
`closeout.documents.ledgerxlsx`.

Streamed: the ordered keys (task id, sheet) come through one cursor, and each chunk of
CHUNK keys costs a fixed number of queries (the tasks with their problem, plan,
inspection, state and latest report text; their units; their persons), whatever the
size of the ledger. With a sheet per unit the keys are the tasks' lead assignments, so a
task with two lead units is on both units' sheets (and once in a chunk's queries).

`exported_rows` gives the same rows by task id: the import compares a workbook that
comes back with what the export wrote, cell by cell.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db import connections
from django.db.models import Exists, F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from closeout.documents.completion import Completion, words_of
from closeout.documents.ledgerprocess import write_ledger_file
from closeout.documents.ledgerrows import TaskFacts, Vocabulary, build_row
from closeout.documents.ledgerxlsx import (
    LedgerRow,
    LedgerSummary,
    ledger_title,
    pick_columns,
    write_ledger,
)
from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import ProgressReport, Task, TaskPerson, TaskUnit, Unit
from closeout.ledger.models.tasks import AssignmentRole, PersonRole
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors.tasks import TaskFilter, task_list

CHUNK = 2000
TITLE = "整改工作台账"

# What each status means in the workbook's 完成情况 column (the words themselves, and
# what they mean when a workbook comes back, are `closeout.documents.completion`'s).
COMPLETION: dict[str, Completion] = {
    Status.DRAFT: Completion.OPEN,
    Status.IN_PROGRESS: Completion.OPEN,
    Status.REQUESTED: Completion.DONE,
    Status.NOTICE: Completion.DONE,
    Status.VERIFICATION: Completion.DONE,
    Status.VERIFIED: Completion.DONE,
    Status.CLOSED: Completion.CLOSED,
    Status.SUSTAINED: Completion.SUSTAINED,
    Status.CANCELLED: Completion.CANCELLED,
}
# The words of the workbook's 任务状态 and 序时进度 columns.
STATUS_WORDS = {
    Status.DRAFT: "待确认",
    Status.IN_PROGRESS: "整改中",
    Status.REQUESTED: "申请销号",
    Status.NOTICE: "公示中",
    Status.VERIFICATION: "待核查",
    Status.VERIFIED: "已核查待备案",
    Status.CLOSED: "已销号",
    Status.SUSTAINED: "已完成、长期坚持",
    Status.CANCELLED: "已撤销",
}
BUCKET_WORDS = {
    Bucket.DONE: "已完成",
    Bucket.SUSTAINED: "已完成、长期坚持",
    Bucket.ON_SCHEDULE: "达到序时进度",
    Bucket.BEHIND: "未达到序时进度",
    Bucket.OVERDUE: "逾期",
}
CATEGORY_WORDS = {
    "air": "大气",
    "water": "水",
    "soil": "土壤",
    "solid_waste": "固废",
    "ecology": "生态",
    "responsibility": "责任落实",
    "industry": "产业结构",
    "supervision": "执法监管",
    "other": "其他",
}
_RESPONSIBLE_PERSONS = (PersonRole.RESPONSIBLE, PersonRole.RESPONSIBLE_LEADER)
VOCABULARY = Vocabulary(
    completion={status: words_of(state) for status, state in COMPLETION.items()},
    status={str(k): v for k, v in STATUS_WORDS.items()},
    bucket={str(k): v for k, v in BUCKET_WORDS.items()},
    category=CATEGORY_WORDS,
    open_words=words_of(Completion.OPEN),
)


def completion_state(status: str) -> Completion:
    """What the ledger's 完成情况 says of a task in `status`."""
    return COMPLETION.get(status, Completion.OPEN)


def completion_words(status: str) -> str:
    """完成情况 as the ledger writes it, from the task's status."""
    return words_of(completion_state(status))


def _ledger_order(prefix: str = "") -> list[Any]:
    """Ledger order (by plan, problem and task), of a task reached through `prefix`."""
    return [
        f"{prefix}plan_id",
        F(f"{prefix}problem__seq").asc(),
        f"{prefix}problem_id",
        f"{prefix}seq",
        f"{prefix}id",
    ]


def export_keys(
    actor: Actor,
    filters: TaskFilter | None = None,
    *,
    per_unit: bool = False,
    chunk: int = CHUNK,
) -> Iterator[tuple[int, str]]:
    """(task id, sheet) of every row exported, in ledger order, streamed.

    One sheet: every task once, sheet "". With `per_unit`: one row per lead unit of
    each task, ordered by (lead unit name, plan, problem, task), the sheet being the
    unit's name; then the tasks with no lead unit (sheet "", written on
    未明确牵头单位). Two cursors at most, whatever the size of the ledger."""
    tasks = task_list(actor, filters).order_by()
    if per_unit:
        leads = (
            TaskUnit.objects.filter(role=AssignmentRole.LEAD, task_id__in=tasks.values("pk"))
            .order_by("unit__name", *_ledger_order("task__"))
            .values_list("task_id", "unit__name")
            .distinct()  # two lead units of one name: the task once on their sheet
        )
        for task_id, name in leads.iterator(chunk_size=chunk):
            yield task_id, name or ""
        led = TaskUnit.objects.filter(task_id=OuterRef("pk"), role=AssignmentRole.LEAD)
        tasks = tasks.exclude(Exists(led))
    ids = tasks.order_by(*_ledger_order()).values_list("id", flat=True)
    for task_id in ids.iterator(chunk_size=chunk):
        yield task_id, ""


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_TASK_VALUES = (
    "id", "problem_id", "problem_words", "text", "target", "measures",
    "deadline_raw", "due_date", "status", "progress", "category", "closed_on",
    "last_reported_at", "plan__title", "inspection__name", "state__bucket", "latest_report",
)  # fmt: skip


def _plain_rows(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a values_list queryset as the database driver returns them, without
    Django's per-row machinery (a third of the export's reading time). Only for columns
    that need no conversion on either database: integers and text."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _unit_names() -> dict[int, str]:
    """Every unit's name by id (one query: a register of units is small next to the
    assignments that name them, which are read by id)."""
    return dict(_plain_rows(Unit.objects.order_by().values_list("id", "name")))


def _day(value: Any, here: dt.tzinfo) -> str | None:
    """A date or timestamp column as the driver gives it (SQLite: text, timestamps in
    UTC; PostgreSQL: date and aware datetime objects), as the office's day."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if len(value) == 10:
            return value  # already YYYY-MM-DD
        value = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    if isinstance(value, dt.datetime):
        return value.astimezone(here).date().isoformat()
    return str(value.isoformat())


def _facts_of(keys: list[tuple[int, str]], names: dict[int, str]) -> Iterator[TaskFacts]:
    """The TaskFacts of one chunk of (task id, sheet) keys, in their order (a task may
    come more than once, on several sheets): three queries, each given the chunk's ids
    as one parameter (`ids_in`), their rows taken as the driver gives them (`_day` and
    json read the dates and the measures). `names`: `_unit_names()`, to which a unit
    created since it was read is added (one more query, in that race only)."""
    ids = array("q", dict.fromkeys(task_id for task_id, _sheet in keys))
    latest = ProgressReport.objects.filter(task_id=OuterRef("pk")).order_by("-submitted_at", "-id")
    tasks = {
        t[0]: t
        for t in _plain_rows(
            Task.objects.filter(pk__ids_in=ids)
            .annotate(
                latest_report=Subquery(latest.values("text")[:1]),
                problem_words=Coalesce(
                    NullIf("problem__title", Value("")), "problem__text", output_field=TextField()
                ),
            )
            .values_list(*_TASK_VALUES)
        )
    }
    assignments = _plain_rows(
        TaskUnit.objects.filter(task_id__ids_in=ids)
        .order_by("task_id", "id")
        .values_list("task_id", "role", "unit_id")
    )
    missing = {unit_id for _t, _r, unit_id in assignments} - names.keys()
    if missing:
        names.update(
            _plain_rows(
                Unit.objects.filter(pk__ids_in=array("q", missing)).values_list("id", "name")
            )
        )
    units: dict[tuple[int, str], list[str]] = {}
    for task_id, role, unit_id in assignments:
        units.setdefault((task_id, role), []).append(names[unit_id])
    persons: dict[int, list[str]] = {}
    for task_id, text in _plain_rows(
        TaskPerson.objects.filter(task_id__ids_in=ids, role__in=_RESPONSIBLE_PERSONS)
        .order_by("task_id", "id")
        .values_list("task_id", "text")
    ):
        named = persons.setdefault(task_id, [])
        if text not in named:
            named.append(text)
    lead, coop = AssignmentRole.LEAD, AssignmentRole.COOP
    sup, coop_sup = AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING
    here = timezone.get_current_timezone()
    nothing: tuple[str, ...] = ()
    same: dict[Any, Any] = {}  # within the chunk: the batches pickled are smaller than it

    def shared(value: Any) -> Any:
        return same.setdefault(value, value)

    for task_id, sheet in keys:
        t = tasks.get(task_id)
        if t is None:  # deleted since the ids were read
            continue
        measures = json.loads(t[5]) if isinstance(t[5], str) else t[5]
        # The task's text is its 整改措施 only when it lists none; the texts many tasks
        # share (plan, round, problem) are one object each, which pickle sends once.
        text = "" if _lists_measures(measures) else t[3]
        yield TaskFacts._make((
            t[0], t[1], shared(t[2]), text, t[4], measures, t[6], _day(t[7], here), *t[8:11],
            _day(t[11], here), _day(t[12], here), shared(t[13]), shared(t[14]), *t[15:],
            tuple(units.get((task_id, lead), nothing)),
            tuple(units.get((task_id, coop), nothing)),
            (*units.get((task_id, sup), nothing), *units.get((task_id, coop_sup), nothing)),
            tuple(persons.get(task_id, nothing)), sheet,
        ))  # fmt: skip


def _lists_measures(measures: Any) -> bool:
    if isinstance(measures, str):
        return bool(measures.strip())
    return any(str(m).strip() for m in measures or ())


def ledger_facts(
    actor: Actor,
    filters: TaskFilter | None = None,
    *,
    per_unit: bool = False,
    chunk: int = CHUNK,
) -> Iterator[TaskFacts]:
    """What `ledger_rows` builds its rows from, streamed a chunk at a time."""
    names: dict[int, str] | None = None
    for block in _chunks(export_keys(actor, filters, per_unit=per_unit, chunk=chunk), chunk):
        names = _unit_names() if names is None else names
        yield from _facts_of(block, names)


def ledger_rows(
    actor: Actor,
    filters: TaskFilter | None = None,
    *,
    per_unit: bool = False,
    chunk: int = CHUNK,
) -> Iterator[LedgerRow]:
    """The workbook's rows of the tasks `task_list(actor, filters)` holds, in ledger
    order (by plan, problem, task; with `per_unit` a row per lead unit, grouped by the
    unit's name, which each row carries as its `sheet`), streamed a chunk at a time."""
    for facts in ledger_facts(actor, filters, per_unit=per_unit, chunk=chunk):
        yield build_row(facts, VOCABULARY)


def exported_rows(task_ids: Iterable[int], *, chunk: int = CHUNK) -> dict[int, LedgerRow]:
    """The row the export writes for each of these tasks (whoever exports: a row's cells
    do not depend on the actor), by task id; three queries a chunk."""
    ids = sorted(set(task_ids))
    out: dict[int, LedgerRow] = {}
    names = _unit_names() if ids else {}
    for block in _chunks(ids, chunk):
        for facts in _facts_of([(task_id, "") for task_id in block], names):
            out[facts.task_id] = build_row(facts, VOCABULARY)
    return out


def ledger_filename(as_of: dt.date, *, suffix: str = ".xlsx") -> str:
    """The workbook's file name: 整改工作台账（截至2025年6月30日）.xlsx."""
    return f"{ledger_title(TITLE, as_of)}{suffix}"


def ledger_workbook(
    actor: Actor,
    filters: TaskFilter | None = None,
    *,
    target: str | Path | IO[bytes],
    optional: Iterable[str] = (),
    per_unit: bool = False,
    as_of: dt.date | None = None,
) -> LedgerSummary:
    """Write the ledger workbook of what the actor sees (with `filters`) to `target`.
    An unknown optional column is InvalidInput (field `columns`)."""
    try:
        pick_columns(optional)
    except ValueError as error:
        raise InvalidInput(str(error), field="columns") from None
    options: dict[str, Any] = {
        "title": TITLE,
        "as_of": as_of or clock.today(),
        "optional": optional,
        "per_unit": per_unit,
    }
    if isinstance(target, str | Path):
        # A large ledger is written by a second process, which also builds its rows
        # from the facts this one reads.
        facts = ledger_facts(actor, filters, per_unit=per_unit)
        return write_ledger_file(facts, target, vocabulary=VOCABULARY, **options)
    return write_ledger(ledger_rows(actor, filters, per_unit=per_unit), target, **options)
