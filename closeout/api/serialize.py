"""Ledger rows → the plain dicts the response schemas describe. No queries beyond the
relations the selectors already loaded (except where noted)."""

from __future__ import annotations

from typing import Any

from closeout.ledger import access, selectors
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    Category,
    CloseoutStep,
    Escalation,
    Evidence,
    LookbackCheck,
    MissedReport,
    Notification,
    NotificationKind,
    Objection,
    ProgressReport,
    Task,
)
from closeout.ledger.rules.workflow import Status, transition_rules
from closeout.ledger.selectors.people import ActorNames
from closeout.ledger.services import notifications

_ROLE_KEYS = {
    AssignmentRole.LEAD: "lead_units",
    AssignmentRole.COOP: "coop_units",
    AssignmentRole.SUPERVISING: "supervising_units",
    AssignmentRole.COOP_SUPERVISING: "coop_supervising_units",
}


def task_row(task: Task) -> dict[str, Any]:
    """One list row. Expects `selectors.with_list_relations` (or `task_detail`)."""
    units: dict[str, list[dict[str, Any]]] = {key: [] for key in _ROLE_KEYS.values()}
    for a in task.assignments.all():
        key = _ROLE_KEYS.get(a.role)  # type: ignore[call-overload]
        if key is not None:
            units[key].append({"id": a.unit_id, "name": a.unit.name})
    return {
        "id": task.pk,
        "seq": task.seq,
        "text": task.text,
        "problem": {
            "id": task.problem_id,
            "number": task.problem.number,
            "title": task.problem.title,
        },
        "plan": task.plan_id,
        "inspection": task.inspection_id,
        "category": task.category,
        "category_label": str(Category(task.category).label),
        "status": task.status,
        "status_label": str(Status(task.status).label),
        "deadline": {
            "raw": task.deadline_raw,
            "due": task.due_date,
            "immediate": task.immediate,
            "ongoing": task.ongoing,
        },
        "progress": task.progress,
        **units,
        "updated_at": task.updated_at,
    }


def evidence(e: Evidence) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.original_name,
        "size": e.size,
        "content_type": e.content_type,
        "sha256": e.sha256,
        "uploaded_at": e.uploaded_at,
    }


def report(r: ProgressReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "task": r.task_id,
        "unit": r.unit_id,
        "reporter": r.reporter_id,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "submitted_at": r.submitted_at,
        "text": r.text,
        "percent": r.percent,
        "reason": r.reason,
        "milestone": r.milestone_id,
        "late": r.late,
        "source": r.source,
        "evidence": [evidence(e) for e in r.evidence.all()],
    }


def event(e: AuditEvent, names: ActorNames) -> dict[str, Any]:
    """`names`: who acted, as the caller may see it (a login, or the unit it acted for)."""
    return {
        "id": e.pk,
        "at": e.at,
        "actor": names.label(e.actor_id, e.actor_label),
        "action": e.action,
        "before": e.before,
        "after": e.after,
        "note": e.note,
    }


def history(actor: Actor, task_id: int) -> list[dict[str, Any]]:
    """A task's audit events, each actor named as the caller may see them."""
    events = list(selectors.task_history(actor, task_id))
    names = ActorNames(actor, [e.actor_id for e in events])
    return [event(e, names) for e in events]


def step(s: CloseoutStep, names: ActorNames) -> dict[str, Any]:
    """Expects the step's unit and evidence loaded (`selectors.loop`)."""
    return {
        "id": s.pk,
        "round": s.round,
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "at": s.at,
        "actor": names.label(s.actor_id, s.actor_label),
        "unit": {"id": s.unit_id, "name": s.unit.name} if s.unit is not None else None,
        "opinion": s.opinion,
        "data": s.data or {},
        "evidence": [evidence(e) for e in s.evidence.all()],
    }


def objection(o: Objection, *, sees_objector: bool) -> dict[str, Any]:
    """The objector's name and contact, and the text of an objection marked as spam, go
    only to those who answer objections."""
    spam = o.spam_at is not None
    return {
        "id": o.pk,
        "task": o.task_id,
        "round": o.round,
        "lodged_at": o.lodged_at,
        "name": o.name if sees_objector else "",
        "contact": o.contact if sees_objector else "",
        "text": o.text if sees_objector or not spam else "",
        "answer": o.answer,
        "answered_at": o.answered_at,
        "spam": spam,
        "spam_reason": o.spam_reason,
        "spam_at": o.spam_at,
    }


def lookback(c: LookbackCheck) -> dict[str, Any]:
    return {
        "id": c.pk,
        "task": c.task_id,
        "closed_on": c.closed_on,
        "months": c.months,
        "due_on": c.due_on,
        "state": c.state,
        "state_label": c.get_state_display(),
        "unit": c.unit_id,
        "checked_on": c.checked_on,
        "findings": c.findings,
    }


def escalation(e: Escalation) -> dict[str, Any]:
    """Expects the measure's unit loaded (`selectors.loop`)."""
    return {
        "id": e.pk,
        "task": e.task_id,
        "unit": {"id": e.unit_id, "name": e.unit.name} if e.unit is not None else None,
        "level": e.level,
        "level_label": e.get_level_display(),
        "trigger": e.trigger,
        "cause": e.cause,
        "reason": selectors.escalation_reason(e),
        "manual": e.manual,
        "issued_by": e.issued_by,
        "issued_on": e.issued_on,
        "response_due": e.response_due,
        "response": e.response,
        "responded_at": e.responded_at,
        "lifted_on": e.lifted_on,
        "lift_reason": selectors.lift_reason(e),
    }


def missed_report(m: MissedReport) -> dict[str, Any]:
    return {
        "id": m.pk,
        "period_start": m.period_start,
        "period_end": m.period_end,
        "due_by": m.due_by,
        "recorded_on": m.recorded_on,
        "unit": m.unit_id,
        "report": m.report_id,
        "filled_at": m.filled_at,
    }


def notification(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": str(NotificationKind(n.kind).label),
        "text": notifications.render(n),
        "task": n.task_id,
        "escalation": n.escalation_id,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


def _loop(actor: Actor, task: Task) -> dict[str, Any]:
    loop = selectors.task_loop(actor, task)
    names = ActorNames(actor, [s.actor_id for s in loop.steps])
    return {
        "bucket": task.state.bucket or None,
        "bucket_label": task.state.get_bucket_display() if task.state.bucket else None,
        "notice_until": task.notice_until,
        "closeout_round": task.closeout_round,
        "rebounds": task.rebounds,
        "missed_in_a_row": task.state.missed_reports,
        "steps": [step(s, names) for s in loop.steps],
        "objections": [objection(o, sees_objector=loop.sees_objectors) for o in loop.objections],
        "lookbacks": [lookback(c) for c in loop.lookbacks],
        "escalations": [escalation(e) for e in loop.escalations],
        "missed_reports": [missed_report(m) for m in loop.missed],
    }


def task_detail(actor: Actor, task_id: int) -> dict[str, Any]:
    """Everything about one task the caller may see (NotFound otherwise)."""
    task = selectors.task_detail(actor, task_id)
    rules = transition_rules()
    return {
        **task_row(task),
        "problem_text": task.problem.text,
        "plan_title": task.plan.title,
        "inspection_name": task.inspection.name if task.inspection else None,
        "target": task.target,
        "measures": list(task.measures or []),
        "acceptance_criteria": task.acceptance_criteria,
        "start_date": task.start_date,
        "closed_on": task.closed_on,
        "last_reported_at": task.last_reported_at,
        "persons": [
            {
                "id": p.pk,
                "role": p.role,
                "text": p.text,
                "unit": p.unit_id,
                "post": p.post,
                "name": p.name,
            }
            for p in task.persons.all()
        ],
        "milestones": [
            {
                "id": m.pk,
                "seq": m.seq,
                "title": m.title,
                "due_date": m.due_date,
                "expected_progress": m.expected_progress,
                "reached_on": m.reached_on,
            }
            for m in task.milestones.all()
        ],
        "reports": [report(r) for r in task.reports.all()],
        "source_excerpt": task.source_excerpt,
        "transitions": [
            {
                "name": name,
                "label": str(rules[name].label),
                "needs_reason": rules[name].needs_reason,
            }
            for name in access.available_transitions(actor, task)
        ],
        "history": history(actor, task_id),
        **_loop(actor, task),
    }
