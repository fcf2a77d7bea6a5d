"""Escalation measures (督办) issued by hand, the unit's response and lifting.

The sweep issues and lifts the measures the office's rules call for; people issue the
measures no rule can (区域限批, 移交问责, or any level out of turn), responsible units
respond, and the office lifts a manual measure when its cause is dealt with. Responses
and liftings are written once. Who may do each is decided in `closeout.ledger.access`.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import Conflict, InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    Escalation,
    LoopSettings,
    NotificationKind,
    Role,
    TaskUnit,
    load_entered_days,
)
from closeout.ledger.rules import calendar, limits
from closeout.ledger.rules.dates import check_date
from closeout.ledger.rules.escalation import RANK, Level, Trigger, manual_measure
from closeout.ledger.services.audit import audit
from closeout.ledger.services.notifications import RESPONSIBLE, notify_task
from closeout.ledger.services.taskstate import lock_task


def escalation_issue(
    *,
    actor: Actor,
    task_id: int,
    level: str,
    reason: str,
    cause_key: str,
    response_days: int = 10,
) -> Escalation:
    """Issue a measure by hand. `cause_key` names its cause (a document number, say):
    the same level is never issued twice for the same key."""
    try:
        lvl = Level(level)
    except ValueError:
        raise InvalidInput(_("unknown level %(level)s") % {"level": level}, field="level") from None
    reason = limits.MEASURE_REASON.check(reason)
    if not reason:
        raise InvalidInput(_("a measure needs a reason"), field="reason")
    cause_key = limits.MEASURE_CAUSE.check(cause_key)
    try:
        measure = manual_measure(lvl, cause_key)
    except ValueError:
        raise InvalidInput(_("a measure issued by hand needs a cause key"), field="cause") from None
    if not 0 <= response_days <= 90:
        raise InvalidInput(_("response days must be between 0 and 90"), field="response_days")
    today = clock.today()
    with transaction.atomic():
        task = lock_task(task_id)
        if not access.can_view(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not access.can_escalate(actor, task):
            raise NotPermitted(_("only the office or the supervising unit issues measures"))
        lead = (
            TaskUnit.objects.filter(task_id=task.pk, role=AssignmentRole.LEAD)
            .order_by("id")
            .values_list("unit_id", flat=True)
            .first()
        )
        body = LoopSettings.current().issuing_body
        if actor.role == Role.SUPERVISOR and actor.unit_id is not None:
            from closeout.ledger.models import Unit

            body = str(Unit.objects.get(pk=actor.unit_id))
        response_due = _response_due(today, response_days)
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    task=task,
                    unit_id=lead,
                    level=lvl,
                    rank=RANK[lvl],
                    trigger=Trigger.MANUAL,
                    cause=str(measure.cause)[:120],
                    reason=reason,
                    manual=True,
                    issued_by=body,
                    issuer_id=actor.user_id,
                    issued_on=today,
                    response_due=response_due,
                )
        except IntegrityError:
            raise Conflict(
                _("a %(level)s for this cause was already issued") % {"level": lvl.label}
            ) from None
        audit(
            actor,
            "escalation.issue",
            escalation,
            task=task,
            after={"level": lvl, "cause": escalation.cause, "reason": reason},
        )
        notify_task(
            task,
            NotificationKind.ESCALATION,
            roles=RESPONSIBLE,
            note=reason[:200],
            escalation=escalation,
        )
    return escalation


def _locked(actor: Actor, escalation_id: int) -> Escalation:
    escalation = (
        Escalation.objects.select_for_update()
        .select_related("task")
        .filter(pk=escalation_id)
        .first()
    )
    if escalation is None or not access.can_view(actor, escalation.task):
        raise NotFound(_("measure %(id)s does not exist") % {"id": escalation_id})
    return escalation


def escalation_respond(*, actor: Actor, escalation_id: int, response: str) -> Escalation:
    """The responsible unit answers a measure (整改说明/情况说明), once."""
    response = limits.RESPONSE.check(response)
    if not response:
        raise InvalidInput(_("the response needs a text"), field="response")
    with transaction.atomic():
        escalation = _locked(actor, escalation_id)
        if not access.can_respond(actor, escalation.task):
            raise NotPermitted(_("only the responsible unit responds to a measure"))
        if escalation.responded_at is not None:
            raise InvalidTransition(_("this measure has already been answered"))
        escalation.response = response
        escalation.responded_at = clock.now()
        escalation.responded_by_id = actor.user_id
        escalation.save(update_fields=["response", "responded_at", "responded_by"])
        audit(
            actor,
            "escalation.respond",
            escalation,
            task=escalation.task,
            after={"response": response},
        )
    return escalation


def escalation_lift(*, actor: Actor, escalation_id: int, reason: str) -> Escalation:
    """The office lifts a measure by hand (the sweep lifts rule-based ones itself)."""
    reason = limits.LIFT_REASON.check(reason)
    if not reason:
        raise InvalidInput(_("lifting a measure needs a reason"), field="reason")
    with transaction.atomic():
        escalation = _locked(actor, escalation_id)
        if not access.can_lift(actor, escalation.task):
            raise NotPermitted(_("only the rectification office lifts measures"))
        if escalation.lifted_on is not None:
            raise InvalidTransition(_("this measure has already been lifted"))
        escalation.lifted_on = clock.today()
        escalation.lift_reason = reason
        escalation.save(update_fields=["lifted_on", "lift_reason"])
        audit(actor, "escalation.lift", escalation, task=escalation.task, after={"reason": reason})
    return escalation


def _response_due(day: dt.date, working_days: int) -> dt.date:
    """The response deadline, `working_days` after the day of issue. It is entered as a
    number of working days (0–90), so it is never before the day of issue; it is held to
    the rule of entered dates all the same (`rules.dates`), should the range widen."""
    load_entered_days()
    due = calendar.add_working_days(day, working_days)
    return check_date(
        due,
        field="response_days",
        label=_("the response deadline"),
        today=day,
        not_before=day,
        not_before_label=_("the day the measure is issued"),
    )
