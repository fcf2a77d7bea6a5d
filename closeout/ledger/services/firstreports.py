"""The first reports of a plan imported from an office's Excel ledger (台账进展转入).

An office that already keeps a ledger has each task's progress in it (进展情况, 进度(%),
完成情况, 销号情况). When the ledger is imported as a draft plan (`imports.plan_import`),
each row's progress becomes its task's first progress report, in the import's own
transaction: the draft plan, its tasks and their first reports exist together or not at
all. What a row's columns make of a report, and which flags it puts on the task, is
`rules.carried.carried_report`.

Unlike a unit's report (`reports.report_create`, which refuses draft tasks), this one is
written while the task is a draft: it is the import's record of where the work stood,
not a report for a reporting period. So its periods are empty and it never fills a
missed-report record nor moves the task's last reported period; the task's progress
follows its percentage. Its source is the import (`ProgressReport.source`: 台账导入):
the reporter is the importing user, the unit the task's first lead unit, and its
"report.create" event names the plan, the file and the row it came from (`source`).

A document states a task's progress in its own words too: a close-out notice (验收销号
公示, 整改结果公示) its 完成情况, a table its 完成情况 or 整改进展 column. Those become the
task's first report the same way (`rules.carried.reported_report`), with the document
as its source (文件导入) and its event naming the task's number in the plan instead of
a row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, InvalidInput
from closeout.ledger.models import (
    AuditEvent,
    Plan,
    ProgressReport,
    ReportSource,
    Task,
)
from closeout.ledger.rules import limits
from closeout.ledger.rules import progress as progress_rule
from closeout.ledger.rules.carried import Carried, carried_report, reported_report
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services import bulkinsert
from closeout.ledger.services.audit import audit_values
from closeout.ledger.services.reportsbulk import first_lead_units

CHUNK = 500
SOURCE = ReportSource.LEDGER_IMPORT.value  # the `source` of an imported report's event


@dataclass(frozen=True)
class FirstReport:
    """A draft task's first report as the import found it: on a ledger's row, or (sheet
    and row None) in a document's own words."""

    task: Task
    carried: Carried
    sheet: str | None
    row: int | None
    source: str = SOURCE


def first_of(
    parsed: dict[str, Any],
) -> tuple[Carried, str | None, int | None, str] | None:
    """What a parsed task (`ParseResult` JSON) says of its progress, as the rest of its
    `FirstReport`: a ledger row's progress columns ("progress"), else the document's own
    words ("progress_text", "completion"); None when it says nothing."""
    progress = parsed.get("progress")
    if progress:
        carried = carried_of(progress)
        return None if carried is None else (carried, progress["sheet"], progress["row"], SOURCE)
    reported = reported_report(
        text=parsed.get("progress_text"), completion=parsed.get("completion")
    )
    return None if reported is None else (reported, None, None, ReportSource.DOCUMENT_IMPORT.value)


def carried_of(progress: dict[str, Any] | None) -> Carried | None:
    """The report a parsed task's ledger columns make (`ParseResult` JSON "progress")."""
    if not progress:
        return None
    return carried_report(
        text=progress.get("text"),
        percent=progress.get("percent"),
        completion=progress.get("completion"),
        closeout=progress.get("closeout"),
    )


def place(sheet: str, row: int) -> str:
    """Where a row is, in the user's language (台账 第7行)."""
    return _("%(sheet)s row %(row)s") % {"sheet": sheet, "row": row}


def _where(item: FirstReport) -> str:
    """Where a first report was found: its ledger row, else its task's number."""
    if item.sheet is None or item.row is None:
        return _("task %(seq)s") % {"seq": item.task.seq}
    return place(item.sheet, item.row)


def first_reports_create(
    *, actor: Actor, plan: Plan, name: str, reports: Sequence[FirstReport]
) -> list[ProgressReport]:
    """Write the first reports of a plan's draft tasks (call inside the import's
    transaction). Refused (InvalidInput naming the row) when a text is over the report's
    limit or a task is not a draft of `plan`: nothing is written then, as the import's
    transaction is undone."""
    checked: list[tuple[FirstReport, str]] = []
    for item in reports:
        if item.task.plan_id != plan.pk or item.task.status != Status.DRAFT:
            raise InvalidInput(
                _("%(where)s: task %(task)s is not a draft of this plan")
                % {"where": _where(item), "task": item.task.pk},
                field="file",
            )
        try:
            text = limits.REPORT_TEXT.check(item.carried.text)
        except DomainError as exc:
            raise InvalidInput(f"{_where(item)}: {exc.message}", field="file") from exc
        checked.append((item, text))
    if not checked:
        return []
    leads = first_lead_units([item.task.pk for item, _text in checked])
    now = clock.now()
    created = bulkinsert.insert_instances(
        ProgressReport,
        [
            dict(
                task_id=item.task.pk,
                unit_id=leads.get(item.task.pk),
                reporter_id=actor.user_id,
                submitted_at=now,
                text=text,
                percent=item.carried.percent,
                source=item.source,
            )
            for item, text in checked
        ],
    )
    # The task's progress follows its first report; one UPDATE per distinct figure.
    groups: dict[int, list[int]] = defaultdict(list)
    befores: dict[int, int] = {}
    for item, _text in checked:
        befores[item.task.pk] = item.task.progress
        after = progress_rule.new_progress(
            item.task.progress, item.carried.percent, current_period=True
        )
        item.task.progress = after
        groups[after].append(item.task.pk)
    for progress, task_ids in groups.items():
        for chunk in _chunks(task_ids):
            Task.objects.filter(pk__in=chunk).update(
                progress=progress, last_reported_at=now, updated_at=now
            )
    bulkinsert.insert(
        AuditEvent,
        [
            _event(actor, plan, name, report, item, befores[item.task.pk])
            for report, (item, _text) in zip(created, checked, strict=True)
        ],
        arrays=False,
    )
    return created


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _event(
    actor: Actor, plan: Plan, name: str, report: ProgressReport, item: FirstReport, before: int
) -> dict[str, Any]:
    """The "report.create" event of `report_create`, with the import as its source."""
    return audit_values(
        actor,
        "report.create",
        report,
        task_id=item.task.pk,
        before={"progress": before},
        after={
            "progress": item.task.progress,
            "text": report.text,
            "milestone": None,
            "period": None,
            "late": False,
            "source": {
                "kind": item.source,
                "plan": plan.pk,
                "file": name,
                **(
                    {"sheet": item.sheet, "row": item.row}
                    if item.sheet is not None
                    else {"seq": item.task.seq}
                ),
            },
        },
        note=f"{name}: {_where(item)}",
    )
