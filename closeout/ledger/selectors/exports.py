"""The ledger as rows for its workbook (台账导出): exactly the tasks the ledger table
shows the actor, with the same filters, as plain `LedgerRow`s for
`closeout.documents.ledgerxlsx`.

Streamed: the ordered task ids come through one cursor, and each chunk of CHUNK tasks
costs a fixed number of queries (the tasks with their problem, plan, inspection, state
and latest report text; their units; their persons), whatever the size of the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import F, OuterRef, QuerySet, Subquery

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
from closeout.ledger.models import ProgressReport, Task, TaskPerson, TaskUnit
from closeout.ledger.models.tasks import AssignmentRole, PersonRole
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors.tasks import TaskFilter, task_list

CHUNK = 2000
TITLE = "整改工作台账"

# The words of the workbook's 完成情况, 任务状态 and 序时进度 columns.
COMPLETION = {
    Status.DRAFT: "未完成",
    Status.IN_PROGRESS: "未完成",
    Status.REQUESTED: "已完成，待销号",
    Status.NOTICE: "已完成，待销号",
    Status.VERIFICATION: "已完成，待销号",
    Status.VERIFIED: "已完成，待销号",
    Status.CLOSED: "已销号",
    Status.SUSTAINED: "已完成，长期坚持",
    Status.CANCELLED: "已撤销",
}
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


def completion_words(status: str) -> str:
    """完成情况 as the ledger writes it, from the task's status."""
    return COMPLETION.get(status, "")  # type: ignore[call-overload]


def measures_text(measures: Any) -> str:
    """整改措施: the ordered measures, numbered when there are several."""
    if isinstance(measures, str):
        return measures
    items = [str(m).strip() for m in measures or () if str(m).strip()]
    if len(items) == 1:
        return items[0]
    return "\n".join(f"{i}. {m}" for i, m in enumerate(items, 1))


def _date(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def _lead_unit_name() -> Subquery:
    first_lead = TaskUnit.objects.filter(task_id=OuterRef("pk"), role=AssignmentRole.LEAD)
    return Subquery(first_lead.order_by("id").values("unit__name")[:1])


def export_ids(
    actor: Actor, filters: TaskFilter | None = None, *, per_unit: bool = False
) -> QuerySet[Any]:
    """The ids of the tasks exported, in ledger order: by plan, problem and task (with
    `per_unit`, by the name of the task's first lead unit first; tasks with none last)."""
    qs = task_list(actor, filters).order_by()
    order: list[Any] = ["plan_id", F("problem__seq").asc(), "problem_id", "seq", "id"]
    if per_unit:
        qs = qs.annotate(lead_name=_lead_unit_name())
        order = [F("lead_name").asc(nulls_last=True), *order]
    fields = ["id", "lead_name"] if per_unit else ["id"]
    return qs.order_by(*order).values_list(*fields)


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows_of(ids: list[int], sheets: dict[int, str]) -> Iterator[LedgerRow]:
    """The LedgerRows of one chunk of task ids, in their order: three queries."""
    latest = ProgressReport.objects.filter(task_id=OuterRef("pk")).order_by("-submitted_at", "-id")
    tasks = {
        t["id"]: t
        for t in Task.objects.filter(pk__in=ids)
        .annotate(latest_report=Subquery(latest.values("text")[:1]))
        .values(
            "id", "problem_id", "problem__title", "problem__text", "target", "measures",
            "deadline_raw", "due_date", "status", "progress", "category", "closed_on",
            "last_reported_at", "plan__title", "inspection__name", "state__bucket",
            "latest_report",
        )
    }
    units: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for task_id, role, name in (
        TaskUnit.objects.filter(task_id__in=ids)
        .order_by("task_id", "id")
        .values_list("task_id", "role", "unit__name")
    ):
        units[task_id][role].append(name)
    persons: dict[int, list[str]] = defaultdict(list)
    for task_id, text in (
        TaskPerson.objects.filter(task_id__in=ids, role__in=_RESPONSIBLE_PERSONS)
        .order_by("task_id", "id")
        .values_list("task_id", "text")
    ):
        if text not in persons[task_id]:
            persons[task_id].append(text)
    for task_id in ids:
        t = tasks.get(task_id)
        if t is None:  # deleted since the ids were read
            continue
        parts = units[task_id]
        lead, coop = parts[AssignmentRole.LEAD], parts[AssignmentRole.COOP]
        supervising = parts[AssignmentRole.SUPERVISING] + parts[AssignmentRole.COOP_SUPERVISING]
        yield LedgerRow(
            problem_key=t["problem_id"],
            problem=t["problem__title"] or t["problem__text"] or "",
            task_id=task_id,
            target=t["target"] or None,
            measures=measures_text(t["measures"]) or None,
            units="、".join(dict.fromkeys(lead + coop)) or None,
            persons="、".join(persons[task_id]) or None,
            deadline=t["deadline_raw"] or _date(t["due_date"]),
            progress_text=t["latest_report"] or None,
            completion=completion_words(t["status"]),
            lead_units="、".join(lead) or None,
            coop_units="、".join(coop) or None,
            supervising_units="、".join(dict.fromkeys(supervising)) or None,
            percent=t["progress"],
            bucket=BUCKET_WORDS.get(t["state__bucket"]),  # type: ignore[call-overload]
            status=STATUS_WORDS.get(t["status"]),  # type: ignore[call-overload]
            plan=t["plan__title"],
            inspection=t["inspection__name"],
            category=CATEGORY_WORDS.get(t["category"], t["category"] or None),
            last_reported=_date(t["last_reported_at"]),
            closed_on=_date(t["closed_on"]),
            sheet=sheets.get(task_id, ""),
        )


def ledger_rows(
    actor: Actor,
    filters: TaskFilter | None = None,
    *,
    per_unit: bool = False,
    chunk: int = CHUNK,
) -> Iterator[LedgerRow]:
    """The workbook's rows of the tasks `task_list(actor, filters)` holds, in ledger
    order (by plan, problem, task; with `per_unit` grouped by first lead unit, whose
    name each row carries as its `sheet`), streamed a chunk at a time."""
    ids = export_ids(actor, filters, per_unit=per_unit).iterator(chunk_size=chunk)
    for block in _chunks(ids, chunk):
        sheets = {row[0]: row[1] or "" for row in block} if per_unit else {}
        yield from _rows_of([row[0] for row in block], sheets)


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
    return write_ledger(
        ledger_rows(actor, filters, per_unit=per_unit),
        target,
        title=TITLE,
        as_of=as_of or clock.today(),
        optional=optional,
        per_unit=per_unit,
    )
