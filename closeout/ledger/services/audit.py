"""The audit trail's writer (操作留痕) and the audited save/delete helpers every other
service and the admin use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AuditEvent,
    Task,
)

_PLAIN = {str, int, float, bool}  # JSON as they are


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):  # bool and enums too
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [v if v is None or type(v) in _PLAIN else _jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: v if v is None or type(v) in _PLAIN else _jsonable(v) for k, v in value.items()}
    return value


def audit_event(
    actor: Actor,
    action: str,
    target: models.Model,
    *,
    task_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """One audit event, not yet saved: `audit` saves it at once, `reportsbulk` saves many
    in one insert."""
    return AuditEvent(
        **audit_values(actor, action, target, task_id=task_id, before=before, after=after,
                       note=note)
    )  # fmt: skip


def audit_values(
    actor: Actor,
    action: str,
    target: models.Model,
    *,
    task_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> dict[str, Any]:
    """One audit event's fields by attribute name: what `audit_event` makes an event of,
    and what the bulk writers (tasksbulk, firstreports) insert as rows
    (`bulkinsert.insert`) without an instance per event."""
    return {
        "at": clock.now(),
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "action": action,
        "target_type": target._meta.model_name or "",
        "target_id": target.pk,
        "task_id": task_id,
        "before": _jsonable(before) if before is not None else None,
        "after": _jsonable(after) if after is not None else None,
        "note": note,
    }


def audit(
    actor: Actor,
    action: str,
    target: models.Model,
    *,
    task: Task | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction that makes the change."""
    event = audit_event(
        actor, action, target, task_id=task.pk if task is not None else None,
        before=before, after=after, note=note,
    )  # fmt: skip
    event.save(force_insert=True)
    return event


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of some concrete fields, by attribute name, JSON-ready."""
    out = {}
    for name in fields:
        f = instance._meta.get_field(name)
        out[name] = _jsonable(getattr(instance, getattr(f, "attname", name)))
    return out


def audited_save(
    actor: Actor, instance: models.Model, *, action: str | None = None, task: Task | None = None
) -> models.Model:
    """Save a model instance and record what changed (used by the admin for plain records).

    The before-image is read from the database, so whatever changed the instance in
    memory, the event tells the truth.
    """
    concrete = [f.name for f in instance._meta.concrete_fields if f.name != "id"]
    with transaction.atomic():
        creating = instance.pk is None or instance._state.adding
        before = None
        if not creating:
            old = type(instance)._default_manager.get(pk=instance.pk)
            before = snapshot(old, concrete)
        instance.save()
        after = snapshot(instance, concrete)
        if before is not None:
            changed = [k for k in concrete if before.get(k) != after.get(k)]
            before = {k: before[k] for k in changed}
            after = {k: after[k] for k in changed}
        name = instance._meta.model_name
        audit(
            actor,
            action or f"{name}.{'create' if creating else 'update'}",
            instance,
            task=task,
            before=before,
            after=after,
        )
    return instance


def audited_delete(actor: Actor, instance: models.Model, *, task: Task | None = None) -> None:
    """Delete a record and keep its last values in the audit trail (`task` links the event
    to a task's history, e.g. for a removed responsible unit)."""
    concrete = [f.name for f in instance._meta.concrete_fields if f.name != "id"]
    with transaction.atomic():
        before = snapshot(instance, concrete)
        audit(actor, f"{instance._meta.model_name}.delete", instance, task=task, before=before)
        instance.delete()


def audited_set_m2m(
    actor: Actor, instance: models.Model, field: str, values: Iterable[models.Model]
) -> None:
    """Replace a many-to-many field's members (e.g. a unit group's members) and record the
    ids before and after. Nothing is written when the set does not change."""
    with transaction.atomic():
        manager = getattr(instance, field)
        before = sorted(manager.values_list("pk", flat=True))
        values = list(values)
        after = sorted(v.pk for v in values)
        if before == after:
            return
        manager.set(values)
        audit(
            actor,
            f"{instance._meta.model_name}.update",
            instance,
            before={field: before},
            after={field: after},
        )
