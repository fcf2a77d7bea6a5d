"""Task endpoints: the ledger list, one task with its history, progress reports,
life-cycle transitions (销号 steps) and the office's edits.

Every handler reads through `closeout.ledger.selectors` and writes through
`closeout.ledger.services`; permission is decided there, by `closeout.ledger.access`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile

from closeout import uploads
from closeout.api import params, serialize
from closeout.api.auth import actor
from closeout.api.schemas import (
    ErrorOut,
    EventOut,
    FallReason,
    NoteText,
    ReportOut,
    ReportText,
    TaskDetailOut,
    TaskPageOut,
    TaskPatchIn,
    TaskQuery,
    TransitionIn,
    ValidationErrorOut,
)
from closeout.ledger import selectors, services
from closeout.ledger.errors import InvalidInput
from closeout.ledger.selectors import TaskFilter

router = Router(tags=["tasks"])

READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}
UPLOAD_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 413: ErrorOut}


# Optional form texts with a limit: `Form[...] = ""` over a constrained type would make
# them required in the schema, so their defaults are given as form parameters.
_NO_REASON = Form("")
_NO_NOTE = Form("")


def _value(v: Any) -> Any:
    return v.value if isinstance(v, enum.Enum) else v


@router.get("", response={200: TaskPageOut, **READ_ERRORS}, summary="List tasks")
def list_tasks(request: HttpRequest, filters: Query[TaskQuery]) -> dict[str, Any]:
    """The tasks the caller may see, filtered, sorted and one page at a time."""
    f = TaskFilter(
        unit=filters.unit,
        unit_role=_value(filters.unit_role),
        status=tuple(_value(s) for s in filters.status),
        due_from=filters.due_from,
        due_to=filters.due_to,
        category=_value(filters.category),
        inspection=filters.inspection,
        plan=filters.plan,
        q=filters.q,
        immediate=filters.immediate,
        ongoing=filters.ongoing,
        sort=filters.sort,
    )
    page = selectors.task_page(actor(request), f, page=filters.page, size=filters.page_size)
    return {
        "count": page.count,
        "count_exact": page.exact,
        "page": page.number,
        "page_size": page.size,
        "results": [serialize.task_row(t) for t in page.rows],
    }


@router.get(
    "/{int:task_id}",
    response={200: TaskDetailOut, **READ_ERRORS},
    summary="Get a task with its history",
)
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return serialize.task_detail(actor(request), task_id)


@router.patch(
    "/{int:task_id}",
    response={200: TaskDetailOut, **WRITE_ERRORS},
    summary="Edit a task (rectification office)",
)
def patch_task(request: HttpRequest, task_id: int, payload: TaskPatchIn) -> dict[str, Any]:
    """Change some of a task's fields; only the fields sent are changed."""
    who = actor(request)
    changes = {k: _value(v) for k, v in payload.dict(exclude_unset=True).items()}
    services.task_update(actor=who, task_id=task_id, changes=changes)
    return serialize.task_detail(who, task_id)


@router.get(
    "/{int:task_id}/history",
    response={200: list[EventOut], **READ_ERRORS},
    summary="A task's audit trail",
)
def task_history(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    """Every recorded change of the task, oldest first. The trail is append-only:
    no endpoint changes or deletes it."""
    return serialize.history(actor(request), task_id)


@router.get(
    "/{int:task_id}/reports",
    response={200: list[ReportOut], **READ_ERRORS},
    summary="A task's progress reports",
)
def list_reports(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    return [serialize.report(r) for r in selectors.task_reports(actor(request), task_id)]


@router.post(
    "/{int:task_id}/reports",
    response={201: ReportOut, **UPLOAD_ERRORS},
    summary="Report progress (进展报送) with evidence files",
)
def create_report(
    request: HttpRequest,
    task_id: int,
    text: Form[ReportText],
    percent: Form[int | None] = None,
    milestone: Form[int | None] = None,
    period: Form[dt.date | None] = None,
    reason: FallReason = _NO_REASON,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> tuple[int, dict[str, Any]]:
    """A multipart form: `text`, optional `percent` (0–100) or `milestone` (id), evidence
    `files`, and optionally `period`, a day in the reporting period the report is for
    (the current period when absent; an earlier one is marked late when its due date has
    passed; a day that has passed, from 2000 on). File types are decided from their
    bytes, not their names. The files are held to the server's evidence limits (by
    default 20 files of at most 25 MB, 100 MB together): too many is a 400, too large a
    413, and then nothing is kept.

    The task's progress follows the latest report, down as well as up: a `percent`
    below the task's current progress needs a `reason` (a 400 on `reason` otherwise),
    kept on the report. A late report for an earlier period leaves the progress as it
    is."""
    report = services.report_create(
        actor=actor(request),
        task_id=task_id,
        text=text,
        percent=percent,
        milestone_id=milestone,
        files=_uploads(request, files),
        period=period,
        reason=reason,
    )
    return 201, serialize.report(report)


def _uploads(request: HttpRequest, files: list[UploadedFile] | None) -> list[services.Upload]:
    """The files as the services take them: open, on disk when large, never read here.
    An upload stopped while it arrived (closeout.uploads) is refused with its reason."""
    refused = uploads.refusal(request)
    if refused is not None:
        raise refused
    return [services.Upload(name=f.name or "", content=f) for f in files or []]


@router.post(
    "/{int:task_id}/transitions/{name}",
    response={200: TaskDetailOut, **WRITE_ERRORS},
    summary="Take a life-cycle transition",
)
def take_transition(
    request: HttpRequest, task_id: int, name: str, payload: TransitionIn | None = None
) -> dict[str, Any]:
    """Move the task through the close-out (销号) workflow. `name` is one of the
    transitions listed in the task's `transitions`; `data` carries what the step records,
    held to that step's schema (`services.closeouts.STEPS`): a value of the wrong type, a
    missing one or a field the step does not record is a 400 that names the field."""
    who = actor(request)
    services.task_transition(
        actor=who,
        task_id=task_id,
        name=name,
        note=payload.note if payload is not None else "",
        data=payload.data if payload is not None else {},
    )
    return serialize.task_detail(who, task_id)


@router.post(
    "/{int:task_id}/closeout-request",
    response={200: TaskDetailOut, **UPLOAD_ERRORS},
    summary="Request close-out (申请销号) with evidence files",
)
def request_closeout(
    request: HttpRequest,
    task_id: int,
    assessment: Form[str],
    note: NoteText = _NO_NOTE,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    """The `request_closeout` transition as a multipart form: `assessment` is a JSON
    object with a text for every acceptance criterion of the task
    (`{"生态修复": "…", "污染消除": "…", "群众满意": "…"}`), `files` the evidence (at least
    one unless the task already has some; the same limits as a progress report's), `note`
    optional remarks."""
    try:
        given = json.loads(assessment)
    except (ValueError, RecursionError):
        raise InvalidInput(
            _("assessment must be a JSON object of criterion → text"), field="assessment"
        ) from None
    params.check(given, "assessment")  # what the parser checks in a JSON body
    who = actor(request)
    services.task_transition(
        actor=who,
        task_id=task_id,
        name="request_closeout",
        note=note,
        data={"assessment": given},
        files=_uploads(request, files),
    )
    return serialize.task_detail(who, task_id)
