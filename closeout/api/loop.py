"""The closed loop (闭环) around a task: objections during a public notice (异议),
look-back checks (回头看), escalation measures (督办), and the caller's notifications
(站内消息).

Handlers read through `closeout.ledger.selectors.loop` and write through
`closeout.ledger.services`; who may do what is decided there.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.http import HttpRequest
from ninja import Query, Router

from closeout.api import serialize
from closeout.api.auth import actor
from closeout.api.schemas import (
    AnswerIn,
    ErrorOut,
    EscalationIn,
    EscalationOut,
    LiftIn,
    LookbackIn,
    LookbackOut,
    MarkedOut,
    MarkReadIn,
    NotificationPageOut,
    NotificationQuery,
    ObjectionIn,
    ObjectionOut,
    ResponseIn,
    SpamIn,
    ValidationErrorOut,
)
from closeout.ledger import selectors, services
from closeout.ledger.services import notifications

router = Router(tags=["closed loop"])

READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}
LIMITED_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 429: ErrorOut}


# --------------------------------------------------------------------------- objections


@router.get(
    "/tasks/{int:task_id}/objections",
    response={200: list[ObjectionOut], **READ_ERRORS},
    summary="Objections lodged against a task's close-outs",
)
def list_objections(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    """Oldest first. Names and contacts of objectors are shown only to those who answer."""
    who = actor(request)
    rows = selectors.task_objections(who, task_id)
    sees = selectors.sees_objectors(who, task_id)
    return [serialize.objection(o, sees_objector=sees) for o in rows]


@router.post(
    "/tasks/{int:task_id}/objections",
    response={201: ObjectionOut, **LIMITED_ERRORS},
    summary="Lodge an objection during the public notice (公示)",
)
def lodge_objection(
    request: HttpRequest, task_id: int, payload: ObjectionIn
) -> tuple[int, dict[str, Any]]:
    """A unit with no part in the task may object to a task the public sees while it is
    on public notice (409 at any other time); the office, the leaders and the task's own
    responsible and supervising units may not (403). `name` and `contact` are optional.
    Objections are rate-limited per task and per address (429 past the limit)."""
    who = actor(request)
    found = services.objection_lodge(
        actor=who,
        task_id=task_id,
        text=payload.text,
        name=payload.name,
        contact=payload.contact,
        address=get_client_ip_address(request),
    )
    return 201, serialize.objection(found, sees_objector=True)


@router.post(
    "/objections/{int:objection_id}/answer",
    response={200: ObjectionOut, **WRITE_ERRORS},
    summary="Answer an objection (office or supervising unit, once)",
)
def answer_objection(request: HttpRequest, objection_id: int, payload: AnswerIn) -> dict[str, Any]:
    """Not by the person who requested the close-out (403); an objection answered or
    marked as spam is a 409."""
    found = services.objection_answer(
        actor=actor(request), objection_id=objection_id, answer=payload.answer
    )
    return serialize.objection(found, sees_objector=True)


@router.post(
    "/objections/{int:objection_id}/spam",
    response={200: ObjectionOut, **WRITE_ERRORS},
    summary="Mark an objection as spam (rectification office, once, with a reason)",
)
def mark_spam(request: HttpRequest, objection_id: int, payload: SpamIn) -> dict[str, Any]:
    """A spam objection needs no answer before the notice ends; it stays on record with
    the reason, and its text is shown only to those who answer objections. Not by the
    person who requested the close-out (403); an objection answered or already marked is
    a 409."""
    found = services.objection_mark_spam(
        actor=actor(request), objection_id=objection_id, reason=payload.reason
    )
    return serialize.objection(found, sees_objector=True)


# --------------------------------------------------------------------------- look-backs


@router.get(
    "/tasks/{int:task_id}/lookbacks",
    response={200: list[LookbackOut], **READ_ERRORS},
    summary="A task's look-back checks",
)
def list_lookbacks(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    return [serialize.lookback(c) for c in selectors.task_lookbacks(actor(request), task_id)]


@router.post(
    "/lookbacks/{int:check_id}",
    response={200: LookbackOut, **WRITE_ERRORS},
    summary="Record a look-back check (回头看): stable, or a rebound that reopens the task",
)
def record_lookback(request: HttpRequest, check_id: int, payload: LookbackIn) -> dict[str, Any]:
    check = services.lookback_record(
        actor=actor(request),
        check_id=check_id,
        rebound=payload.rebound,
        findings=payload.findings,
        checked_on=payload.checked_on,
    )
    return serialize.lookback(check)


# --------------------------------------------------------------------------- escalations


@router.get(
    "/tasks/{int:task_id}/escalations",
    response={200: list[EscalationOut], **READ_ERRORS},
    summary="A task's escalation measures",
)
def list_escalations(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    """Newest first, lifted ones included, each with its reason and the unit's response."""
    rows = selectors.task_escalations(actor(request), task_id)
    return [serialize.escalation(e) for e in rows]


@router.post(
    "/tasks/{int:task_id}/escalations",
    response={201: EscalationOut, **WRITE_ERRORS},
    summary="Issue a measure by hand (office or supervising unit)",
)
def issue_escalation(
    request: HttpRequest, task_id: int, payload: EscalationIn
) -> tuple[int, dict[str, Any]]:
    """The same level is never issued twice for one `cause` (409)."""
    who = actor(request)
    issued = services.escalation_issue(
        actor=who,
        task_id=task_id,
        level=payload.level.value,
        reason=payload.reason,
        cause_key=payload.cause,
        response_days=payload.response_days,
    )
    return 201, serialize.escalation(selectors.escalation_detail(who, task_id, issued.pk))


@router.post(
    "/escalations/{int:escalation_id}/respond",
    response={200: EscalationOut, **WRITE_ERRORS},
    summary="The responsible unit's response to a measure (once)",
)
def respond_escalation(
    request: HttpRequest, escalation_id: int, payload: ResponseIn
) -> dict[str, Any]:
    """By the responsible unit the measure addresses, once (409 after); the office lifts
    measures and does not answer them (403)."""
    who = actor(request)
    done = services.escalation_respond(
        actor=who, escalation_id=escalation_id, response=payload.response
    )
    return serialize.escalation(selectors.escalation_detail(who, done.task_id, done.pk))


@router.post(
    "/escalations/{int:escalation_id}/lift",
    response={200: EscalationOut, **WRITE_ERRORS},
    summary="Lift a measure (rectification office)",
)
def lift_escalation(request: HttpRequest, escalation_id: int, payload: LiftIn) -> dict[str, Any]:
    who = actor(request)
    done = services.escalation_lift(actor=who, escalation_id=escalation_id, reason=payload.reason)
    return serialize.escalation(selectors.escalation_detail(who, done.task_id, done.pk))


# --------------------------------------------------------------------------- notifications


@router.get(
    "/notifications",
    response={200: NotificationPageOut, **READ_ERRORS},
    summary="My notifications (inbox), newest first",
)
def list_notifications(request: HttpRequest, filters: Query[NotificationQuery]) -> dict[str, Any]:
    who = actor(request)
    qs = selectors.inbox(who, unread_only=filters.unread)
    start = (filters.page - 1) * filters.page_size
    return {
        "count": qs.count(),
        "unread": notifications.unread_count(who),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [serialize.notification(n) for n in qs[start : start + filters.page_size]],
    }


@router.post(
    "/notifications/read",
    response={200: MarkedOut, **WRITE_ERRORS},
    summary="Mark my notifications read (some, or all)",
)
def mark_read(request: HttpRequest, payload: MarkReadIn | None = None) -> dict[str, Any]:
    """Without `ids`, every unread notification of the caller; an id that is not the
    caller's is a 404 and marks nothing."""
    ids = payload.ids if payload is not None else None
    return {"marked": services.notifications_mark_read(actor(request), ids)}
