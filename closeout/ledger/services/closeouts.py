"""Close-out (销号) steps: what each life-cycle transition requires and records.

`task_transition` calls `check` before it changes the state (refusing, with the field
at fault, a step whose requirements are not met) and `record` after, in the same
transaction:

    request_closeout  a self-assessment against every acceptance criterion (验收标准,
                      by default 生态修复、污染消除、群众满意) and evidence files
    pass_review       初审: the public notice (公示) starts today and runs the configured
                      number of working days (holidays and make-up days respected)
    end_notice        only after the notice's last day, every objection answered
    verify            核查: the date of the on-site check, who checked, the findings
    file              备案: optionally the filing document number
    send_back         退回: a reason; the task returns to 整改中
    reopen            反弹: a reason; counts a rebound against the task
    confirm           the clock starts: the start date is set if the plan gave none

Every step is appended to `CloseoutStep`. Approval steps are never taken by the person
who requested the close-out (the unit-level rule is in `closeout.ledger.access`).
Objections are lodged by anyone who can see the task during its notice, and answered
by the office or the supervising unit, once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import (
    CloseoutStep,
    LookbackCheck,
    LookbackState,
    LoopSettings,
    NotificationKind,
    Objection,
    StepKind,
    Task,
    load_entered_days,
)
from closeout.ledger.models.tasks import DEFAULT_ACCEPTANCE_CRITERIA
from closeout.ledger.rules import calendar
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services.audit import audit
from closeout.ledger.services.notifications import RESPONSIBLE, SUPERVISING, notify_task
from closeout.ledger.services.reports import evidence_check, evidence_store
from closeout.ledger.services.taskstate import lock_task

_CRITERIA_SPLIT = re.compile(r"[、，,；;。\n]+")

STEP_OF_TRANSITION = {
    "request_closeout": StepKind.REQUEST,
    "withdraw_request": StepKind.WITHDRAW,
    "pass_review": StepKind.REVIEW,
    "end_notice": StepKind.NOTICE_END,
    "verify": StepKind.VERIFY,
    "file": StepKind.FILE,
    "send_back": StepKind.SEND_BACK,
    "reopen": StepKind.REOPEN,
}


def acceptance_criteria(task: Task) -> list[str]:
    """The task's acceptance criteria as a list (the default standard when empty)."""
    text = task.acceptance_criteria.strip() or DEFAULT_ACCEPTANCE_CRITERIA
    return [c.strip() for c in _CRITERIA_SPLIT.split(text) if c.strip()]


# How the step fields are named in messages (the key stays in the error's `field`).
FIELD_LABELS = {
    "checked_on": gettext_lazy("date of the on-site check"),
    "inspectors": gettext_lazy("inspectors"),
    "number": gettext_lazy("filing number"),
}


def _label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def _date(data: Mapping[str, Any], name: str, *, required: bool) -> dt.date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise InvalidInput(_("%(field)s is required") % {"field": _label(name)}, field=name)
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            _("%(field)s: %(value)s is not a date (YYYY-MM-DD)")
            % {"field": _label(name), "value": value},
            field=name,
        ) from None


def _text(data: Mapping[str, Any], name: str, *, required: bool, limit: int = 2000) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise InvalidInput(_("%(field)s is required") % {"field": _label(name)}, field=name)
    if len(value) > limit:
        raise InvalidInput(
            _("%(field)s is longer than %(limit)s characters")
            % {"field": _label(name), "limit": limit},
            field=name,
        )
    return value


def check(
    actor: Actor,
    task: Task,
    name: str,
    note: str,
    data: Mapping[str, Any],
    files: Sequence[Any],
) -> dict[str, Any]:
    """Refuse a step whose requirements are not met; return what `record` stores."""
    today = clock.today()
    if files and name not in ("request_closeout", *STEP_OF_TRANSITION):
        raise InvalidInput(_("this step takes no files"), field="files")
    evidence_check(files)  # the limits per request and per file, before anything is kept
    if name == "request_closeout":
        criteria = acceptance_criteria(task)
        given = data.get("assessment") or {}
        if not isinstance(given, Mapping):
            raise InvalidInput(
                _("the self-assessment must name each criterion"), field="assessment"
            )
        unknown = set(given) - set(criteria)
        if unknown:
            raise InvalidInput(
                _("not an acceptance criterion of this task: %(names)s")
                % {"names": "、".join(sorted(unknown))},
                field="assessment",
            )
        missing = [c for c in criteria if not str(given.get(c) or "").strip()]
        if missing:
            raise InvalidInput(
                _("the self-assessment says nothing about: %(names)s")
                % {"names": "、".join(missing)},
                field="assessment",
            )
        if not files and not task.evidence.exists():
            raise InvalidInput(
                _("a close-out request needs at least one evidence file"), field="files"
            )
        return {"assessment": {c: str(given[c]).strip() for c in criteria}}
    if name == "pass_review":
        days = LoopSettings.current().notice_working_days
        load_entered_days()
        until = calendar.notice_ends_on(today, days)  # CalendarNotCovered is an InvalidInput
        return {"notice_from": today, "notice_until": until, "working_days": days}
    if name == "end_notice":
        if task.notice_until is not None and today <= task.notice_until:
            raise InvalidTransition(
                _("the public notice runs until %(until)s; it cannot end before")
                % {"until": task.notice_until}
            )
        open_objections = Objection.objects.filter(
            task_id=task.pk, answered_at__isnull=True
        ).count()
        if open_objections:
            raise InvalidTransition(
                _("%(count)s objections lodged during the notice are not answered yet")
                % {"count": open_objections}
            )
        return {
            "objections": Objection.objects.filter(
                task_id=task.pk, round=task.closeout_round
            ).count()
        }
    if name == "verify":
        checked_on = _date(data, "checked_on", required=True)
        assert checked_on is not None
        if checked_on > today:
            raise InvalidInput(
                _("the date of the check cannot be in the future"), field="checked_on"
            )
        inspectors = _text(data, "inspectors", required=True, limit=300)
        if not note.strip():
            raise InvalidInput(_("the findings of the on-site check are required"), field="note")
        return {"checked_on": checked_on, "inspectors": inspectors}
    if name == "file":
        return {"number": _text(data, "number", required=False, limit=100)}
    if name == "send_back":
        return {"from": task.status}
    if name == "reopen":
        return {"closed_on": task.closed_on}
    return {}


def record(
    actor: Actor,
    task: Task,
    name: str,
    note: str,
    prepared: dict[str, Any],
    files: Sequence[Any],
) -> CloseoutStep | None:
    """Apply and append the step after the state changed (same transaction)."""
    today = clock.today()
    fields: list[str] = []
    if name == "confirm" and task.start_date is None:
        task.start_date = today
        fields.append("start_date")
    kind = STEP_OF_TRANSITION.get(name)
    if kind is None:
        if fields:
            task.save(update_fields=fields)
        return None
    if name == "request_closeout":
        task.closeout_round += 1
        fields.append("closeout_round")
    if name == "pass_review":
        task.notice_until = prepared["notice_until"]
        fields.append("notice_until")
    if name in ("send_back", "withdraw_request"):
        task.notice_until = None
        fields.append("notice_until")
    if name == "reopen":
        task.rebounds += 1
        fields.append("rebounds")
        LookbackCheck.objects.filter(task_id=task.pk, state=LookbackState.SCHEDULED).update(
            state=LookbackState.VOID
        )
    if fields:
        task.save(update_fields=fields)
    step = CloseoutStep.objects.create(
        task=task,
        round=max(task.closeout_round, 1),
        kind=kind,
        at=clock.now(),
        actor_id=actor.user_id,
        actor_label=actor.label,
        unit_id=actor.unit_id,
        opinion=note.strip(),
        data={k: v.isoformat() if isinstance(v, dt.date) else v for k, v in prepared.items()},
    )
    for upload in files:
        evidence_store(actor=actor, task=task, upload=upload, step=step)
    _notify(task, name, actor, note)
    return step


def _notify(task: Task, name: str, actor: Actor, note: str) -> None:
    me = actor.user_id
    if name == "request_closeout":
        notify_task(task, NotificationKind.CLOSEOUT_REQUESTED, roles=SUPERVISING, exclude_user=me)
    elif name == "pass_review":
        notify_task(
            task, NotificationKind.NOTICE_STARTED, roles=RESPONSIBLE, office=True, exclude_user=me
        )
    elif name == "end_notice":
        notify_task(task, NotificationKind.VERIFICATION_DUE, roles=SUPERVISING, exclude_user=me)
    elif name == "verify":
        notify_task(task, NotificationKind.FILING_DUE, office=True, exclude_user=me)
    elif name == "file":
        notify_task(task, NotificationKind.CLOSED, roles=RESPONSIBLE, exclude_user=me)
    elif name == "send_back":
        notify_task(
            task, NotificationKind.SENT_BACK, roles=RESPONSIBLE, note=note[:200], exclude_user=me
        )
    elif name == "reopen":
        notify_task(
            task,
            NotificationKind.REOPENED,
            roles=RESPONSIBLE,
            office=True,
            note=note[:200],
            exclude_user=me,
        )


# --- objections (异议) ----------------------------------------------------------------


def may_lodge_objection(actor: Actor, task: Task) -> bool:
    """Anyone who can see the task may object while its close-out is on public notice."""
    return task.status == Status.NOTICE and access.can_view(actor, task)


def objection_lodge(
    *, actor: Actor, task_id: int, text: str, name: str = "", contact: str = ""
) -> Objection:
    """Anyone who can see a task may object while its close-out is on public notice."""
    text = text.strip()
    if not text:
        raise InvalidInput(_("the objection needs a text"), field="text")
    if len(text) > 5000:
        raise InvalidInput(_("the objection is longer than 5000 characters"), field="text")
    with transaction.atomic():
        task = lock_task(task_id)
        if not access.can_view(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not may_lodge_objection(actor, task):
            raise InvalidTransition(_("objections are taken only during the public notice"))
        objection = Objection.objects.create(
            task=task,
            round=task.closeout_round,
            lodged_at=clock.now(),
            name=name.strip()[:100],
            contact=contact.strip()[:100],
            text=text,
        )
        # The objector's name and contact are not copied into the task's history, which
        # everyone who sees the task can read; those who answer see them on the objection.
        audit(actor, "objection.lodge", objection, task=task, after={"text": text})
        notify_task(task, NotificationKind.OBJECTION, roles=SUPERVISING, office=True)
    return objection


def may_answer_objection(actor: Actor, task: Task) -> bool:
    """The office, or a supervising unit of the task; never a unit that is itself
    responsible for the task (answering is what lets its own notice end)."""
    if actor.role == "office":
        return True
    relations = access.task_relations(actor, task)
    return actor.role == "supervisor" and relations == {"supervising"}


def objection_answer(*, actor: Actor, objection_id: int, answer: str) -> Objection:
    """The office or the supervising unit answers an objection (once)."""
    answer = answer.strip()
    if not answer:
        raise InvalidInput(_("the answer needs a text"), field="answer")
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update().select_related("task").filter(pk=objection_id)
        ).first()
        if objection is None or not access.can_view(actor, objection.task):
            raise NotFound(_("objection %(id)s does not exist") % {"id": objection_id})
        if not may_answer_objection(actor, objection.task):
            raise NotPermitted(_("only the office or the supervising unit answers objections"))
        if objection.answered_at is not None:
            raise InvalidTransition(_("this objection has already been answered"))
        objection.answer = answer
        objection.answered_at = clock.now()
        objection.answered_by_id = actor.user_id
        objection.save(update_fields=["answer", "answered_at", "answered_by"])
        audit(actor, "objection.answer", objection, task=objection.task, after={"answer": answer})
    return objection
