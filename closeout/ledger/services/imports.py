"""Plan import (方案导入): a parsed plan becomes a draft ledger the office reviews, corrects
and confirms (确认入账).

`plan_import` is one transaction: the plan, its problems, its draft tasks with their
units and persons, the unit names still awaiting a decision (`UnitProposal`) and the
audit events either all exist or none does. The original file is kept under
DATA_DIR/plans/<sha256> and its decoded text as `Plan.source_text`, so every task's span
shows the sentence it came from.

A plan to import comes from outside (an upload, a file handed to `closeout import`), so
it is parsed in a child process capped in memory and wall time (`ingest.parse_isolated`),
within the reader's limits on unpacked size and pages (settings.PLAN_*); a file over a
limit, or damaged, is refused with a message that names it and the limit, before
anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ingest import (
    IngestError,
    Isolation,
    ParseContext,
    ParseResult,
    ReadContext,
    parse_isolated,
    source,
    to_json,
)
from closeout.ingest.convert import NO_CONVERTER
from closeout.ingest.read import SCANNED
from closeout.ledger import access, clock, resolve
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    PersonRole,
    Plan,
    PlanStatus,
    Task,
    TaskUnit,
    Unit,
    UnitProposal,
)
from closeout.ledger.rules.carried import Carried
from closeout.ledger.rules.plandiff import PlanDiff, diff_tasks
from closeout.ledger.rules.stages import staged_milestones
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors.review import confirm_gaps, name_groups
from closeout.ledger.services import plans as plan_services
from closeout.ledger.services import tasksbulk, taskstate, transitions
from closeout.ledger.services.audit import audit
from closeout.ledger.services.firstreports import FirstReport, first_of, first_reports_create
from closeout.ledger.services.review import UNRESOLVED_FLAG, lock_draft_plan
from closeout.ledger.services.tasks import PersonRef, UnitRef
from closeout.ledger.services.tasksbulk import ProblemSpec, TaskSpec

PLANS_DIR = "plans"
UNIT_FIELDS = (
    ("lead_units", AssignmentRole.LEAD),
    ("coop_units", AssignmentRole.COOP),
    ("supervising_units", AssignmentRole.SUPERVISING),
    ("coop_supervising_units", AssignmentRole.COOP_SUPERVISING),
)
PERSON_FIELDS = (
    ("persons", PersonRole.RESPONSIBLE),
    ("supervising_leaders", PersonRole.SUPERVISING_LEADER),
)


@dataclass
class ImportOutcome:
    """What an import did, for the command's summary and the review page."""

    plan: Plan
    created: bool  # False: the same bytes were imported before; nothing was written
    tasks: int = 0
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (seq, seq it repeats)
    flagged: list[tuple[int, list[str]]] = field(default_factory=list)  # (seq, flags)
    unresolved: list[str] = field(default_factory=list)  # names awaiting the office
    resolved: int = 0  # unit names matched to the registry
    reports: int = 0  # first reports carried over from a ledger's progress columns
    warnings: list[str] = field(default_factory=list)
    previous: Plan | None = None
    diff: PlanDiff | None = None


def stored_path(content_hash: str) -> Path:
    return Path(settings.DATA_DIR) / PLANS_DIR / content_hash


def read_limits() -> ReadContext:
    """The plan reader's limits as configured (also `closeout parse`'s, in its process)."""
    return ReadContext(
        max_unpacked_bytes=settings.PLAN_MAX_UNPACKED_BYTES, max_pdf_pages=settings.PLAN_MAX_PAGES
    )


def parse_upload(data: bytes, name: str, *, year: int | None = None) -> ParseResult:
    """Parse an uploaded plan in a child process within the configured limits; unreadable
    input becomes one clear `InvalidInput`."""
    context = ParseContext(name=name, year=year, reading=read_limits())
    isolation = Isolation(
        memory_bytes=settings.PLAN_PARSE_MEMORY_BYTES, seconds=settings.PLAN_PARSE_SECONDS
    )
    try:
        return parse_isolated(data, context, isolation)
    except IngestError as exc:
        raise InvalidInput(read_failure(exc, name), field="file") from exc


def read_failure(exc: IngestError, name: str) -> str:
    """Why a plan file cannot be read, in the user's language: the limit it reached, that
    it is damaged, or the reader's own reason."""
    code, limit = getattr(exc, "code", None), getattr(exc, "limit", None) or 0
    values = {"name": name, "limit": f"{limit:g}", "mb": f"{limit / 2**20:g}"}
    messages = {
        source.TOO_LARGE: _("%(name)s cannot be read: it is larger than %(mb)s MB"),
        source.UNPACKED: _(
            "%(name)s cannot be read: it expands to more than %(mb)s MB when unpacked"
        ),
        source.RATIO: _("%(name)s cannot be read: a part of it expands more than %(limit)s-fold"),
        source.PAGES: _("%(name)s cannot be read: it has more than %(limit)s pages"),
        source.SECONDS: _("%(name)s cannot be read: reading it took longer than %(limit)s s"),
        source.MEMORY: _(
            "%(name)s cannot be read: reading it needed more than %(mb)s MB of memory"
        ),
        source.DAMAGED: _(
            "%(name)s cannot be read: the file is damaged or incomplete; save or export it "
            "again and upload the new copy"
        ),
        NO_CONVERTER: _(
            "%(name)s is an old binary Word, WPS or Excel file, which is read through "
            "LibreOffice, and LibreOffice is not installed here: save it as .docx (or "
            ".xlsx) and upload that, or ask the administrator to install LibreOffice"
        ),
        SCANNED: _(
            "%(name)s is a scan: its pages are images without a text layer, so there is no "
            "text to read; upload the Word original, or run it through OCR first"
        ),
    }
    if code in messages:
        return messages[code] % values
    reason = getattr(exc, "reason", str(exc))
    return _("%(name)s cannot be read: %(reason)s") % {"name": name, "reason": reason}


def _store(data: bytes, content_hash: str) -> bool:
    """Write the original file once (content-addressed); True when this call created it."""
    path = stored_path(content_hash)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def _due(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _previous_parse(plan: Plan) -> list[dict[str, Any]]:
    """The tasks of an earlier version as parsed from its stored original."""
    path = stored_path(plan.content_hash) if plan.content_hash else None
    if path is not None and path.exists():
        data = path.read_bytes()
    else:
        data = plan.source_text.encode("utf-8")
    try:
        parsed = to_json(parse_upload(data, plan.source_name or "plan.txt"))
    except InvalidInput:
        return []
    tasks = cast(list[dict[str, Any]], parsed["tasks"])
    return [t for t in tasks if t["duplicate_of"] is None]


def _existing_outcome(plan: Plan) -> ImportOutcome:
    undecided = UnitProposal.objects.filter(task__plan=plan, decided=False)
    return ImportOutcome(
        plan=plan,
        created=False,
        tasks=plan.tasks.count(),
        unresolved=sorted(set(undecided.values_list("text", flat=True))),
        previous=plan.previous,
    )


class _Resolver:
    """Unit and person names resolved once per import: a plan, and a ledger above all,
    names the same units on many tasks."""

    def __init__(self, index: resolve.UnitIndex) -> None:
        self.index = index
        self.units: dict[str, resolve.Resolution] = {}
        self.persons: dict[str, tuple[int | None, str]] = {}
        self.keys: dict[int, Unit] = {}  # id-only instances: the writers need the keys alone

    def key(self, unit_id: int) -> Unit:
        if unit_id not in self.keys:
            self.keys[unit_id] = Unit(pk=unit_id)
        return self.keys[unit_id]

    def unit(self, text: str) -> resolve.Resolution:
        if text not in self.units:
            self.units[text] = resolve.resolve(self.index, text)
        return self.units[text]

    def person(self, text: str) -> tuple[int | None, str]:
        if text not in self.persons:
            self.persons[text] = resolve.resolve_person(self.index, text)
        return self.persons[text]


def _unit_refs(
    resolver: _Resolver, task: dict[str, Any], outcome: ImportOutcome
) -> tuple[list[UnitRef], list[tuple[str, resolve.Resolution]], list[str]]:
    refs: dict[tuple[int, str], UnitRef] = {}
    pending: list[tuple[str, resolve.Resolution]] = []
    flags: list[str] = []
    for key_name, role in UNIT_FIELDS:
        for text in task[key_name]:
            found = resolver.unit(text)
            if not found.resolved:
                pending.append((role, found))
                flags.append(f"{UNRESOLVED_FLAG}{text}")
                continue
            outcome.resolved += 1
            for uid in found.unit_ids:
                if (uid, role) not in refs:
                    refs[(uid, role)] = UnitRef(resolver.key(uid), role, found.group_id)
    return list(refs.values()), pending, flags


def _person_refs(resolver: _Resolver, task: dict[str, Any]) -> list[PersonRef]:
    refs = []
    for key_name, role in PERSON_FIELDS:
        for text in task[key_name]:
            unit_id, post = resolver.person(text)
            refs.append(
                PersonRef(text[:200], role, resolver.key(unit_id) if unit_id else None, post[:60])
            )
    return refs


def plan_import(
    actor: Actor,
    *,
    data: bytes,
    name: str,
    region: Unit | None = None,
    year: int | None = None,
) -> ImportOutcome:
    """Import a plan file as a draft plan (待确认). The same bytes again: the existing plan,
    nothing written. A file titled like an existing plan: its next version, with the diff."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office imports plans"))
    content_hash = hashlib.sha256(data).hexdigest()
    existing = Plan.objects.filter(content_hash=content_hash).first()
    if existing is not None:
        return _existing_outcome(existing)
    result = parse_upload(data, name, year=year)
    parsed = to_json(result)
    tasks = cast(list[dict[str, Any]], parsed["tasks"])
    kept = [t for t in tasks if t["duplicate_of"] is None]
    if not kept:
        raise InvalidInput(
            _("no rectification tasks were found in %(name)s") % {"name": name}, field="file"
        )
    first = result.documents[0] if result.documents else None
    title = ((first.title if first else None) or Path(name).stem or name)[:300]
    issuer = ((first.issuer if first else None) or "")[:200]
    previous = Plan.objects.filter(title=title).order_by("-version", "-id").first()
    if region is None:
        region = resolve.region_for(title, first.issuer if first else None)
    index = resolve.load_index(region)
    outcome = ImportOutcome(plan=Plan(), created=True, warnings=list(result.warnings))
    outcome.previous = previous
    if previous is not None:
        outcome.diff = diff_tasks(_previous_parse(previous), kept)
    created_file = False
    try:
        with transaction.atomic():
            created_file = _store(data, content_hash)
            plan = plan_services.plan_create(
                actor=actor,
                title=title,
                issuer=issuer,
                issued_on=first.date if first else None,
                status=PlanStatus.DRAFT,
                version=previous.version + 1 if previous else 1,
                previous=previous,
                source_name=Path(name).name[:255],
                source_file=f"{PLANS_DIR}/{content_hash}",
                source_text=result.text,
                content_hash=content_hash,
            )
            outcome.plan = plan
            _create_tasks(actor, plan, tasks, index, outcome)
            audit(
                actor,
                "plan.import",
                plan,
                after={
                    "source_name": plan.source_name,
                    "version": plan.version,
                    "previous": previous.pk if previous else None,
                    "tasks": outcome.tasks,
                    "duplicates": len(outcome.duplicates),
                    "unresolved": len(outcome.unresolved),
                    "reports": outcome.reports,
                    "diff": outcome.diff.as_json() if outcome.diff else None,
                },
            )
    except BaseException:
        if created_file:
            stored_path(content_hash).unlink(missing_ok=True)
        raise
    return outcome


def _create_tasks(
    actor: Actor,
    plan: Plan,
    tasks: list[dict[str, Any]],
    index: resolve.UnitIndex,
    outcome: ImportOutcome,
) -> None:
    """The plan's problems, draft tasks with the milestones of their staged deadlines
    (`rules.stages`), unit proposals and first reports, in sets (`tasksbulk`,
    `firstreports`)."""
    resolver = _Resolver(index)
    problems: dict[tuple[Any, ...], tuple[ProblemSpec, list[int]]] = {}
    specs: list[tuple[tuple[Any, ...], int, str, list[UnitRef], list[PersonRef], dict[str, Any]]]
    specs = []
    pendings: list[list[tuple[str, resolve.Resolution]]] = []
    stages: list[list[tuple[str, dt.date, int]]] = []  # each task's milestones (分阶段)
    carrieds: list[tuple[Carried, str | None, int | None, str] | None] = []
    for task in tasks:
        if task["duplicate_of"] is not None:
            outcome.duplicates.append((task["seq"], task["duplicate_of"]))
            continue
        p = task["problem"]
        pkey = (task["document"], p["number"], p["title"], tuple(p["path"]))
        if pkey not in problems:
            spec = ProblemSpec(
                seq=len(problems) + 1,
                title=(p["title"] or task["text"][:60])[:500],
                fields={"number": (p["number"] or "")[:40], "outline_path": list(p["path"]),
                        "span_start": task["span"][0]},
            )  # fmt: skip
            problems[pkey] = (spec, [])
        problems[pkey][1].append(task["span"][1])
        units, pending, unit_flags = _unit_refs(resolver, task, outcome)
        carried = first_of(task)  # an Excel ledger's progress columns, a notice's words
        flags = [*task["flags"], *unit_flags, *(carried[0].flags if carried else ())]
        seq = len(specs) + 1
        deadline = task["deadline"]
        fields = {
            "target": task["target"] or "",
            "measures": list(task["measures"]),
            "deadline_raw": (deadline["raw"] or "")[:120],
            "due_date": _due(deadline["due"]),
            "immediate": deadline["immediate"],
            "ongoing": deadline["ongoing"],
            "flags": flags,
            "span_start": task["span"][0],
            "span_end": task["span"][1],
            "source_spans": task.get("spans") or {},
        }
        specs.append((pkey, seq, task["text"], units, _person_refs(resolver, task), fields))
        stages.append(staged_milestones(task["deadline_detail"]["milestones"]))
        pendings.append(pending)
        carrieds.append(carried)
        if flags:
            outcome.flagged.append((seq, flags))
    made = tasksbulk.problems_create_many(
        actor=actor,
        plan=plan,
        specs=[
            dataclasses.replace(spec, fields={**spec.fields, "span_end": max(ends)})
            for spec, ends in problems.values()
        ],
    )
    by_key = dict(zip(problems, made, strict=True))
    created = tasksbulk.tasks_create_many(
        actor=actor,
        specs=[
            TaskSpec(by_key[pkey], seq, text, units, persons, fields, milestones)
            for (pkey, seq, text, units, persons, fields), milestones in zip(
                specs, stages, strict=True
            )
        ],
    )
    outcome.tasks = len(created)
    proposals: list[UnitProposal] = []
    unresolved: set[str] = set()
    firsts: list[FirstReport] = []
    for made_task, pending, first in zip(created, pendings, carrieds, strict=True):
        for role, found in pending:
            unresolved.add(found.text)
            proposals.append(
                UnitProposal(
                    task=made_task,
                    role=role,
                    text=found.text[:200],
                    reason=found.reason or "unknown",
                    candidates=[c.as_json() for c in found.candidates],
                )
            )
        if first is not None:
            firsts.append(FirstReport(made_task, *first))
    UnitProposal.objects.bulk_create(proposals, batch_size=500)
    outcome.unresolved = sorted(unresolved)
    reports = first_reports_create(actor=actor, plan=plan, name=plan.source_name, reports=firsts)
    outcome.reports = len(reports)


def plan_confirm(actor: Actor, plan_id: int) -> Plan:
    """Confirm an imported plan: every draft task is confirmed (确认入账) and the plan with
    it, in one transaction. Refused while any unit name still awaits a decision, and while
    any task has no lead responsible unit or no supervising unit (督导单位): the refusal
    names the first tasks and what each lacks, and how many there are."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office confirms plans"))
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
        if plan.status != PlanStatus.DRAFT:
            raise InvalidTransition(
                _("plan %(plan)s is not a draft; only drafts are confirmed") % {"plan": plan_id}
            )
        names = name_groups(plan.pk)
        if names:
            listed = "; ".join(
                _("%(name)s (%(n)s×)") % {"name": g.text, "n": g.count} for g in names[:20]
            )
            more = len(names) - 20
            raise InvalidInput(
                _(
                    "%(count)s unit names (%(occurrences)s occurrences) still await a "
                    "decision: %(list)s%(more)s"
                )
                % {
                    "count": len(names),
                    "occurrences": sum(g.count for g in names),
                    "list": listed,
                    "more": _(" and %(n)s more") % {"n": more} if more > 0 else "",
                },
                field="proposals",
            )
        drafts = Task.objects.filter(plan=plan, status=Status.DRAFT).order_by("seq")
        # A confirmed task without a lead unit would be nobody's (no unit sees it or
        # reports), and one without a supervising unit nobody's to review and verify.
        _refuse_gaps(plan.pk)
        for task_id in drafts.values_list("pk", flat=True):
            transitions.task_transition(actor=actor, task_id=task_id, name="confirm")
        plan.status = PlanStatus.CONFIRMED
        plan.save(update_fields=["status"])
        audit(
            actor, "plan.confirm", plan, before={"status": "draft"}, after={"status": plan.status}
        )
        previous = plan.previous
        if previous is not None and previous.status != PlanStatus.SUPERSEDED:
            old = previous.status
            previous.status = PlanStatus.SUPERSEDED
            previous.save(update_fields=["status"])
            audit(
                actor,
                "plan.supersede",
                previous,
                before={"status": old},
                after={"status": previous.status, "by": plan.pk},
            )
    return plan


def _refuse_gaps(plan_id: int) -> None:
    gaps = confirm_gaps(plan_id)
    if not gaps.count:
        return
    lacks = []
    for gap in gaps.listed:
        if gap.no_lead and gap.no_supervisor:
            lacks.append(_("%(seq)s (no lead unit, no supervising unit)") % {"seq": gap.seq})
        elif gap.no_lead:
            lacks.append(_("%(seq)s (no lead unit)") % {"seq": gap.seq})
        else:
            lacks.append(_("%(seq)s (no supervising unit)") % {"seq": gap.seq})
    more = gaps.count - len(gaps.listed)
    raise InvalidInput(
        _(
            "%(count)s tasks lack a lead responsible unit or a supervising unit and cannot "
            "be confirmed yet (task numbers: %(list)s%(more)s)"
        )
        % {
            "count": gaps.count,
            "list": "; ".join(lacks),
            "more": _(" and %(n)s more") % {"n": more} if more > 0 else "",
        },
        field="units",
    )


def proposal_decide(actor: Actor, proposal_id: int, unit_id: int | None) -> UnitProposal:
    """The office's decision on one unit name: assign `unit_id` to the task in the proposed
    part, or (None) drop the name. Either way the decision is audited on the task."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office decides unit names"))
    with transaction.atomic():
        # The plan's row first, as every review change locks it: one order, no deadlock.
        plan_id = (
            UnitProposal.objects.filter(pk=proposal_id).values_list("task__plan_id", flat=True)
        ).first()
        if plan_id is not None:
            lock_draft_plan(plan_id)
        proposal = (
            UnitProposal.objects.select_for_update().select_related("task").filter(pk=proposal_id)
        ).first()
        if proposal is None:
            raise NotFound(_("unit proposal %(id)s does not exist") % {"id": proposal_id})
        if proposal.decided:
            raise InvalidInput(
                _("%(name)s was already decided") % {"name": proposal.text}, field="unit"
            )
        task = taskstate.lock_task(proposal.task_id)
        unit = None
        if unit_id is not None:
            unit = Unit.objects.filter(pk=unit_id, active=True).first()
            if unit is None:
                raise InvalidInput(_("no such unit"), field="unit")
            TaskUnit.objects.get_or_create(
                task=task, unit=unit, role=proposal.role, defaults={"task_status": task.status}
            )
        proposal.unit = unit
        proposal.decided = True
        proposal.decided_at = clock.now()
        proposal.decided_by_id = actor.user_id
        proposal.save(update_fields=["unit", "decided", "decided_at", "decided_by"])
        flag = f"{UNRESOLVED_FLAG}{proposal.text}"
        if flag in task.flags and not _still_open(task, proposal.text):
            task.flags = [f for f in task.flags if f != flag]
            task.save(update_fields=["flags", "updated_at"])
        audit(
            actor,
            "unitproposal.decide",
            proposal,
            task=task,
            before={"text": proposal.text, "role": proposal.role},
            after={"unit": unit.pk if unit else None, "dropped": unit is None},
        )
    return proposal


def _still_open(task: Task, text: str) -> bool:
    return UnitProposal.objects.filter(task=task, text=text, decided=False).exists()


def proposals_of(plan: Plan) -> Iterable[UnitProposal]:
    return UnitProposal.objects.filter(task__plan=plan).select_related("task", "unit")
