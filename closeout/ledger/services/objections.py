"""Objections (异议) to a close-out on public notice (公示): lodged, answered, or marked
as spam.

The public and units with no part in the task lodge them while the notice runs, within
the rate limits of `ratelimits`; the office or the supervising unit answers each one,
once; the office may instead mark one as spam, with a reason. A notice ends only when
every objection is answered or marked as spam (`Objection.objects.unsettled()`). A spam
objection stays on record: its text, the mark, who made it and why, and the audit
event. Who may do what is `closeout.ledger.access`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import NotificationKind, Objection
from closeout.ledger.rules import limits
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services.audit import audit
from closeout.ledger.services.notifications import SUPERVISING, notify_task
from closeout.ledger.services.ratelimits import objection_attempt
from closeout.ledger.services.taskstate import lock_task


def objection_lodge(
    *,
    actor: Actor,
    task_id: int,
    text: str,
    name: str = "",
    contact: str = "",
    address: str | None = None,
) -> Objection:
    """Lodge an objection to a task on public notice. `address` is where the request
    came from, for the rate limits (None when not known)."""
    text = limits.OBJECTION_TEXT.check(text)
    if not text:
        raise InvalidInput(_("the objection needs a text"), field="text")
    name = limits.OBJECTOR_NAME.check(name)
    contact = limits.OBJECTOR_CONTACT.check(contact)
    # Counted before the database is touched: a flood is refused without a lock.
    objection_attempt(task_id, address)
    with transaction.atomic():
        task = lock_task(task_id)
        if not access.objection_visible(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not access.can_lodge_objection(actor, task):
            raise NotPermitted(
                _("objections are lodged by the public and by units with no part in the task")
            )
        if task.status != Status.NOTICE:
            raise InvalidTransition(_("objections are taken only during the public notice"))
        objection = Objection.objects.create(
            task=task,
            round=task.closeout_round,
            lodged_at=clock.now(),
            name=name,
            contact=contact,
            text=text,
        )
        # The objector's name and contact are not copied into the task's history, which
        # everyone who sees the task can read; those who answer see them on the objection.
        audit(actor, "objection.lodge", objection, task=task, after={"text": text})
        notify_task(task, NotificationKind.OBJECTION, roles=SUPERVISING, office=True)
    return objection


def _locked(actor: Actor, objection_id: int) -> Objection:
    objection = (
        Objection.objects.select_for_update().select_related("task").filter(pk=objection_id)
    ).first()
    if objection is None or not access.can_view(actor, objection.task):
        raise NotFound(_("objection %(id)s does not exist") % {"id": objection_id})
    return objection


def _still_open(objection: Objection) -> None:
    if objection.answered_at is not None:
        raise InvalidTransition(_("this objection has already been answered"))
    if objection.spam_at is not None:
        raise InvalidTransition(_("this objection has been marked as spam"))


def objection_answer(*, actor: Actor, objection_id: int, answer: str) -> Objection:
    """The office or the supervising unit answers an objection (once)."""
    answer = limits.ANSWER.check(answer)
    if not answer:
        raise InvalidInput(_("the answer needs a text"), field="answer")
    with transaction.atomic():
        objection = _locked(actor, objection_id)
        if not access.can_answer_objection(actor, objection.task):
            raise NotPermitted(
                _(
                    "only the office or the supervising unit answers objections, and not "
                    "the person who requested the close-out"
                )
            )
        _still_open(objection)
        objection.answer = answer
        objection.answered_at = clock.now()
        objection.answered_by_id = actor.user_id
        objection.save(update_fields=["answer", "answered_at", "answered_by"])
        audit(actor, "objection.answer", objection, task=objection.task, after={"answer": answer})
    return objection


def objection_mark_spam(*, actor: Actor, objection_id: int, reason: str) -> Objection:
    """The office marks an objection as spam (垃圾信息: advertising, abuse, a flood of the
    same text), with a reason; it then needs no answer before the notice ends. Once, and
    only while it is neither answered nor marked."""
    reason = limits.SPAM_REASON.check(reason)
    if not reason:
        raise InvalidInput(_("marking an objection as spam needs a reason"), field="reason")
    with transaction.atomic():
        objection = _locked(actor, objection_id)
        if not access.can_mark_spam(actor, objection.task):
            raise NotPermitted(
                _(
                    "only the office marks objections as spam, and not the person who "
                    "requested the close-out"
                )
            )
        _still_open(objection)
        objection.spam_at = clock.now()
        objection.spam_by_id = actor.user_id
        objection.spam_reason = reason
        objection.save(update_fields=["spam_at", "spam_by", "spam_reason"])
        audit(actor, "objection.spam", objection, task=objection.task, after={"reason": reason})
    return objection
