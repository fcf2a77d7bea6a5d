"""Writes to the ledger (services). Every change goes through one of these functions,
which check permission through `closeout.ledger.access`, change the rows and append the
audit event in the same database transaction. API, pages, admin and commands all call
these; none of them writes to the ledger tables directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import Conflict, InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import (
    ApiToken,
    AssignmentRole,
    AuditEvent,
    Evidence,
    Inspection,
    Milestone,
    PersonRole,
    Plan,
    Problem,
    Profile,
    ProgressReport,
    Role,
    Task,
    TaskPerson,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitGroup,
)
from closeout.ledger.workflow import REPORTING_STATES, Status, transition_rules

# ---------------------------------------------------------------------------- audit


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


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
    return AuditEvent.objects.create(
        at=clock.now(),
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        target_type=target._meta.model_name or "",
        target_id=target.pk,
        task_id=task.pk if task is not None else None,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        note=note,
    )


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


# ---------------------------------------------------------------------------- units


def _unit_path(unit: Unit) -> tuple[str, int]:
    if unit.parent_id is None:
        return f"/{unit.pk}/", 0
    parent = Unit.objects.only("path", "depth").get(pk=unit.parent_id)
    return f"{parent.path}{unit.pk}/", parent.depth + 1


def unit_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    level: str,
    parent: Unit | None = None,
    full_name: str = "",
    aliases: Sequence[str] = (),
    former_names: Sequence[str] = (),
    code: str = "",
) -> Unit:
    """Add a unit to the registry, below `parent`, with its other names."""
    if not name.strip():
        raise InvalidInput(_("a unit needs a name"), field="name")
    with transaction.atomic():
        unit = Unit.objects.create(
            name=name.strip(),
            full_name=full_name,
            kind=kind,
            level=level,
            parent=parent,
            code=code,
            path="",
        )
        unit.path, unit.depth = _unit_path(unit)
        unit.save(update_fields=["path", "depth"])
        for alias in aliases:
            UnitAlias.objects.create(unit=unit, name=alias)
        for alias in former_names:
            UnitAlias.objects.create(unit=unit, name=alias, former=True)
        audit(
            actor,
            "unit.create",
            unit,
            after={
                "name": unit.name,
                "parent": parent.pk if parent else None,
                "aliases": list(aliases),
                "former_names": list(former_names),
            },
        )
    return unit


def unit_save(*, actor: Actor, unit: Unit) -> Unit:
    """Save a unit edited elsewhere (the admin), keeping the tree paths right.

    Moving a unit rewrites the path and depth of every unit below it in one statement.
    """
    with transaction.atomic():
        if unit.pk is None:
            unit.path = ""
            audited_save(actor, unit)
            unit.path, unit.depth = _unit_path(unit)
            unit.save(update_fields=["path", "depth"])
            return unit
        old = Unit.objects.only("path", "depth").get(pk=unit.pk)
        if unit.parent_id is not None and str(unit.pk) in Unit.objects.get(
            pk=unit.parent_id
        ).path.strip("/").split("/"):
            raise InvalidInput(_("a unit cannot be placed below itself"), field="parent")
        unit.path, unit.depth = _unit_path(unit)
        audited_save(actor, unit)
        if unit.path != old.path:
            Unit.objects.filter(path__startswith=old.path).exclude(pk=unit.pk).update(
                path=Concat(Value(unit.path), Substr("path", len(old.path) + 1)),
                depth=F("depth") + (unit.depth - old.depth),
            )
    return unit


# ---------------------------------------------------------------------------- users


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    display_name: str = "",
) -> Any:
    """Create a login with its role and unit. Office users may also use the admin."""
    if role == Role.PUBLIC:
        raise InvalidInput(_("the public role is for anonymous visitors"), field="role")
    if role in (Role.UNIT, Role.SUPERVISOR) and unit is None:
        raise InvalidInput(_("unit users and supervisors must belong to a unit"), field="unit")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, is_staff=(role == Role.OFFICE)
        )
        profile = Profile.objects.create(user=user, role=role, unit=unit, display_name=display_name)
        audit(
            actor,
            "user.create",
            profile,
            after={"username": username, "role": role, "unit": unit.pk if unit else None},
        )
    return user


def token_create(*, actor: Actor, user: Any, name: str) -> tuple[ApiToken, str]:
    """Issue an API token. The key is returned once; only its hash is kept."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:8], key_hash=token_hash(key)
        )
        audit(actor, "token.create", token, after={"user": user.pk, "name": name})
    return token, key


def token_revoke(*, actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's own API tokens. Revoking twice is harmless."""
    if actor.user_id is None:
        raise NotFound(_("token %(token)s does not exist") % {"token": token_id})
    with transaction.atomic():
        token = ApiToken.objects.filter(pk=token_id, user_id=actor.user_id).first()
        if token is None:
            raise NotFound(_("token %(token)s does not exist") % {"token": token_id})
        # Conditional update: only the call that actually flips the flag is audited.
        if ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True) == 1:
            audit(actor, "token.revoke", token, before={"revoked": False}, after={"revoked": True})


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_authenticate(key: str) -> Any | None:
    """The user a bearer token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# ---------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class UnitRef:
    """A unit's part in a task, as given to `task_create`."""

    unit: Unit
    role: str = AssignmentRole.LEAD
    via_group_id: int | None = None


@dataclass(frozen=True)
class PersonRef:
    text: str
    role: str = PersonRole.RESPONSIBLE
    unit: Unit | None = None
    post: str = ""


TASK_EDITABLE_FIELDS = (
    "text",
    "target",
    "measures",
    "category",
    "deadline_raw",
    "due_date",
    "immediate",
    "ongoing",
    "start_date",
    "acceptance_criteria",
)


def task_create(
    *,
    actor: Actor,
    problem: Problem,
    seq: int,
    text: str,
    units: Sequence[UnitRef] = (),
    persons: Sequence[PersonRef] = (),
    milestones: Sequence[tuple[str, dt.date, int]] = (),
    **fields: Any,
) -> Task:
    """Add a task to a problem, with its units, persons and milestones (as a draft)."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office creates tasks"))
    unknown = (
        set(fields) - set(TASK_EDITABLE_FIELDS) - {"span_start", "span_end", "flags", "status"}
    )
    if unknown:
        raise InvalidInput(
            _("unknown task fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if not text.strip():
        raise InvalidInput(_("a task needs a text"), field="text")
    with transaction.atomic():
        task = Task(
            plan_id=problem.plan_id,
            problem=problem,
            inspection_id=problem.inspection_id,
            seq=seq,
            text=text,
            **fields,
        )
        task.save()
        TaskUnit.objects.bulk_create(
            [
                TaskUnit(task=task, unit=u.unit, role=u.role, via_group_id=u.via_group_id)
                for u in units
            ],
            ignore_conflicts=True,
        )
        TaskPerson.objects.bulk_create(
            [
                TaskPerson(task=task, role=p.role, text=p.text, unit=p.unit, post=p.post)
                for p in persons
            ]
        )
        Milestone.objects.bulk_create(
            [
                Milestone(task=task, seq=i, title=title, due_date=due, expected_progress=pct)
                for i, (title, due, pct) in enumerate(milestones, start=1)
            ]
        )
        audit(
            actor,
            "task.create",
            task,
            task=task,
            after={
                **snapshot(task, ("seq", "status", *TASK_EDITABLE_FIELDS)),
                "units": [[u.unit.pk, u.role] for u in units],
                "persons": [p.text for p in persons],
            },
        )
    return task


def _locked_task(task_id: int) -> Task:
    # On PostgreSQL the row lock makes concurrent writers queue; on SQLite the IMMEDIATE
    # transaction already serialises writers.
    try:
        return Task.objects.select_for_update().get(pk=task_id)
    except Task.DoesNotExist:
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id}) from None


def task_update(*, actor: Actor, task_id: int, changes: dict[str, Any]) -> Task:
    """Change a task's fields (the office's edit). Records before and after."""
    bad = set(changes) - set(TASK_EDITABLE_FIELDS)
    if bad:
        raise InvalidInput(
            _("these fields cannot be edited: %(names)s") % {"names": ", ".join(sorted(bad))},
            field=sorted(bad)[0],
        )
    with transaction.atomic():
        task = _locked_task(task_id)
        if not access.can_view(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not access.can_edit(actor, task):
            raise NotPermitted(_("only the rectification office edits tasks"))
        if "measures" in changes and not (
            isinstance(changes["measures"], list)
            and all(isinstance(m, str) for m in changes["measures"])
        ):
            raise InvalidInput(_("measures must be a list of texts"), field="measures")
        before = snapshot(task, changes)
        for name, value in changes.items():
            setattr(task, name, value)
        try:
            task.full_clean(exclude=["plan", "problem", "inspection", "status"])
        except Exception as exc:  # django ValidationError → one clear domain error
            from django.core.exceptions import ValidationError

            if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
                name, messages = next(iter(exc.message_dict.items()))
                raise InvalidInput(
                    _("%(name)s: %(messages)s") % {"name": name, "messages": " ".join(messages)},
                    field=name,
                ) from None
            raise
        task.save(update_fields=[*changes, "updated_at"])
        after = snapshot(task, changes)
        changed = [k for k in changes if before[k] != after[k]]
        if changed:
            audit(
                actor,
                "task.update",
                task,
                task=task,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return task


def task_transition(*, actor: Actor, task_id: int, name: str, note: str = "") -> Task:
    """Take a life-cycle transition (see `closeout.ledger.workflow`).

    1. lock the task row and check the actor may see it;
    2. check the role, scope and separation of duties (`access.may_take`);
    3. check the state table allows it from the current state;
    4. change the state; the save is conditional on the old state, so a concurrent
       transition that got there first makes this one fail with `Conflict`;
    5. append the audit event, all in one transaction.
    """
    rule = transition_rules().get(name)
    if rule is None:
        raise InvalidInput(_("unknown transition %(name)s") % {"name": name}, field="transition")
    if rule.needs_reason and not note.strip():
        raise InvalidInput(_("%(step)s: a reason is required") % {"step": rule.label}, field="note")
    with transaction.atomic():
        task = _locked_task(task_id)
        if not access.can_view(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not access.may_take(actor, task, name):
            raise NotPermitted(
                _("%(actor)s may not take '%(step)s' on task %(task)s")
                % {"actor": actor.label, "step": rule.label, "task": task_id}
            )
        method = getattr(task, name)
        if not can_proceed(method):
            raise InvalidTransition(
                _("'%(step)s' is not possible while the task is '%(status)s'")
                % {"step": rule.label, "status": Status(task.status).label}
            )
        old = task.status
        method()
        if task.status in (Status.CLOSED, Status.SUSTAINED):
            task.closed_on = clock.today()
        elif old in (Status.CLOSED, Status.SUSTAINED):
            task.closed_on = None
        try:
            task.save(update_fields=["status", "closed_on", "updated_at"])
        except ConcurrentTransition:
            raise Conflict(
                _("task %(task)s was changed by someone else; reload it") % {"task": task_id}
            ) from None
        audit(
            actor,
            f"task.{name}",
            task,
            task=task,
            before={"status": old},
            after={"status": task.status},
            note=note,
        )
    return task


# ---------------------------------------------------------------------------- reports


ACCEPTED_EVIDENCE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/heic",
    "application/pdf",
    "video/mp4",
    "video/quicktime",
    "audio/mpeg",
    "application/zip",  # .docx/.xlsx/.pptx are zip containers
    "application/msword",
    "application/vnd.ms-excel",
    "application/x-ole-storage",
}
OFFICE_EXTENSIONS = {"docx", "xlsx", "pptx", "doc", "xls", "ppt", "ofd", "wps"}


@dataclass(frozen=True)
class Upload:
    """An uploaded file handed to a service: its name as given and its bytes."""

    name: str
    content: bytes


def sniff_content_type(upload: Upload) -> str:
    """Decide a file's type from its bytes; refuse what we do not keep.

    The browser's claim is never trusted. Office documents are zip or OLE containers,
    so for those the extension picks the precise type once the container is confirmed.
    """
    kind = filetype.guess(upload.content[:8192])
    ext = Path(upload.name).suffix.lower().lstrip(".")
    if kind is None:
        if ext in {"txt", "csv"} and _is_text(upload.content):
            return "text/plain"
        raise InvalidInput(
            _("%(file)s: unrecognised file type") % {"file": upload.name}, field="files"
        )
    mime = kind.mime
    if mime == "application/zip" and ext in OFFICE_EXTENSIONS:
        return {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        }.get(ext, mime)
    if mime.startswith("application/vnd.openxmlformats"):
        return mime
    if mime not in ACCEPTED_EVIDENCE_TYPES:
        raise InvalidInput(
            _("%(file)s: files of type %(type)s are not accepted")
            % {"file": upload.name, "type": mime},
            field="files",
        )
    return mime


def _is_text(content: bytes) -> bool:
    try:
        content[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in content[:65536]


def evidence_store(
    *, actor: Actor, task: Task, upload: Upload, report: ProgressReport | None = None
) -> Evidence:
    """Keep an evidence file under the data folder, named by its SHA-256."""
    if len(upload.content) == 0:
        raise InvalidInput(_("%(file)s: the file is empty") % {"file": upload.name}, field="files")
    if len(upload.content) > settings.EVIDENCE_MAX_BYTES:
        limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(
            _("%(file)s: larger than the %(limit)s MB limit")
            % {"file": upload.name, "limit": limit},
            field="files",
        )
    content_type = sniff_content_type(upload)
    digest = hashlib.sha256(upload.content).hexdigest()
    relative = Path("evidence") / digest[:2] / digest
    path = Path(settings.DATA_DIR) / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(upload.content)
        tmp.replace(path)
    evidence = Evidence.objects.create(
        task=task,
        report=report,
        original_name=Path(upload.name).name[:255] or digest,
        stored_path=str(relative),
        size=len(upload.content),
        content_type=content_type,
        sha256=digest,
        uploaded_by_id=actor.user_id,
    )
    audit(
        actor,
        "evidence.add",
        evidence,
        task=task,
        after={"name": evidence.original_name, "sha256": digest, "size": evidence.size},
    )
    return evidence


def report_create(
    *,
    actor: Actor,
    task_id: int,
    text: str,
    percent: int | None = None,
    milestone_id: int | None = None,
    files: Sequence[Upload] = (),
) -> ProgressReport:
    """A responsible unit reports progress (进展报送), with evidence files."""
    if not text.strip():
        raise InvalidInput(_("the report needs a text"), field="text")
    if percent is not None and not 0 <= percent <= 100:
        raise InvalidInput(_("progress must be between 0 and 100"), field="percent")
    with transaction.atomic():
        task = _locked_task(task_id)
        if not access.can_view(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not access.can_report(actor, task):
            raise NotPermitted(
                _("%(actor)s does not report on task %(task)s")
                % {"actor": actor.label, "task": task_id}
            )
        if task.status not in REPORTING_STATES:
            raise InvalidTransition(
                _("no progress reports while the task is '%(status)s'")
                % {"status": Status(task.status).label}
            )
        milestone = None
        if milestone_id is not None:
            milestone = Milestone.objects.filter(pk=milestone_id, task=task).first()
            if milestone is None:
                raise InvalidInput(
                    _("milestone %(milestone)s is not one of this task's")
                    % {"milestone": milestone_id},
                    field="milestone",
                )
        now = clock.now()
        unit_id = actor.unit_id
        if unit_id is None:
            lead = task.assignments.filter(role=AssignmentRole.LEAD).first()
            unit_id = lead.unit_id if lead else None
        report = ProgressReport.objects.create(
            task=task,
            unit_id=unit_id,
            reporter_id=actor.user_id,
            submitted_at=now,
            text=text.strip(),
            percent=percent,
            milestone=milestone,
        )
        before = {"progress": task.progress}
        if milestone is not None:
            if milestone.reached_on is None:
                milestone.reached_on = clock.today()
                milestone.save(update_fields=["reached_on"])
            percent = max(percent or 0, milestone.expected_progress)
        if percent is not None:
            task.progress = percent
        task.last_reported_at = now
        task.save(update_fields=["progress", "last_reported_at", "updated_at"])
        for upload in files:
            evidence_store(actor=actor, task=task, upload=upload, report=report)
        audit(
            actor,
            "report.create",
            report,
            task=task,
            before=before,
            after={
                "progress": task.progress,
                "text": report.text,
                "milestone": milestone.pk if milestone else None,
            },
        )
    return report


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


def unit_group_create(
    *,
    actor: Actor,
    name: str,
    members: Sequence[Unit] = (),
    owner: Unit | None = None,
    aliases: Sequence[str] = (),
) -> UnitGroup:
    """Register a collective reference ("各县区党委、政府") with its member units."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office defines unit groups"))
    if not name.strip():
        raise InvalidInput(_("a unit group needs a name"), field="name")
    with transaction.atomic():
        group = UnitGroup.objects.create(name=name.strip(), owner=owner, aliases=list(aliases))
        group.members.set(members)
        audit(
            actor,
            "unitgroup.create",
            group,
            after={
                "name": group.name,
                "owner": owner.pk if owner else None,
                "members": [u.pk for u in members],
                "aliases": list(aliases),
            },
        )
    return group


__all__ = [
    "PersonRef",
    "UnitRef",
    "Upload",
    "audit",
    "audited_delete",
    "audited_save",
    "audited_set_m2m",
    "evidence_store",
    "inspection_create",
    "plan_add_inspection",
    "plan_create",
    "problem_create",
    "report_create",
    "task_create",
    "task_transition",
    "task_update",
    "token_authenticate",
    "token_create",
    "token_revoke",
    "unit_create",
    "unit_group_create",
    "unit_save",
    "user_create",
]
