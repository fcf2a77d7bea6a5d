"""Plans (整改方案), their problems and the inspections they answer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound, NotPermitted
from closeout.ledger.models import (
    Inspection,
    Plan,
    PlanStatus,
    Problem,
)
from closeout.ledger.services.audit import audit, snapshot


def plan_create(*, actor: Actor, title: str, **fields: Any) -> Plan:
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office adds plans"))
    with transaction.atomic():
        plan = Plan.objects.create(title=title, created_by_id=actor.user_id, **fields)
        audit(actor, "plan.create", plan, after={"title": title, "content_hash": plan.content_hash})
    return plan


def problem_create(*, actor: Actor, plan: Plan, seq: int, title: str, **fields: Any) -> Problem:
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office adds problems"))
    with transaction.atomic():
        problem = Problem.objects.create(plan=plan, seq=seq, title=title, **fields)
        audit(actor, "problem.create", problem, after={"plan": plan.pk, "seq": seq, "title": title})
    return problem


def inspection_create(*, actor: Actor, name: str, kind: str, **fields: Any) -> Inspection:
    """Record an inspection round (督察) whose feedback (反馈意见) plans answer."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office records inspections"))
    if not name.strip():
        raise InvalidInput(_("an inspection needs a name"), field="name")
    with transaction.atomic():
        inspection = Inspection.objects.create(name=name.strip(), kind=kind, **fields)
        audit(
            actor,
            "inspection.create",
            inspection,
            after=snapshot(inspection, ("name", "kind", "round", "feedback_on")),
        )
    return inspection


def plan_add_inspection(*, actor: Actor, plan: Plan, inspection: Inspection) -> None:
    """Record that a plan answers an inspection (a plan may answer several)."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office links plans to inspections"))
    with transaction.atomic():
        plan.inspections.add(inspection)
        audit(actor, "plan.add_inspection", plan, after={"inspection": inspection.pk})


def plan_publish(actor: Actor, plan_id: int, *, published: bool) -> Plan:
    """Publish a confirmed plan on the public portal (信息公开), or take it off: its
    problems, tasks, progress buckets, public notices and closings become public (what
    the public may see of them is closeout.ledger.selectors.public's rule). Audited."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office publishes plans"))
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
        if published and plan.status != PlanStatus.CONFIRMED:
            raise InvalidInput(
                _("Only a confirmed plan is published; review and confirm it first."),
                field="published",
            )
        if plan.published != published:
            before = plan.published
            plan.published = published
            plan.save(update_fields=["published"])
            audit(
                actor,
                "plan.publish" if published else "plan.unpublish",
                plan,
                before={"published": before},
                after={"published": published},
            )
    return plan
