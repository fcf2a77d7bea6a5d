"""Close-out (销号) steps: every life-cycle transition declared once, as one `Step`.

A step says what data it takes (`schema`, a pydantic model: a number is not a date, a
list is not a text, an unknown field is refused, each error names its field), what it
requires before the state changes (`check`, which returns what the step records), what
it changes on the task and which `CloseoutStep` row it appends (`apply`, `kind`), and
whom it tells (`notify`). `task_transition` calls `check` before it changes the state
and `record` after, in the same transaction:

    confirm           the clock starts: the start date is set if the plan gave none
    cancel            撤销: a reason (the state table asks for it); no step row
    request_closeout  a self-assessment against every acceptance criterion (验收标准,
                      by default 生态修复、污染消除、群众满意) and evidence files; opens a round
    withdraw_request  the unit takes its request back
    pass_review       初审: the public notice (公示) starts today and runs the configured
                      number of working days (holidays and make-up days respected)
    end_notice        only after the notice's last day, every objection answered or
                      marked as spam
    verify            核查: the date of the on-site check, who checked, the findings (note)
    file              备案: optionally the filing document number
    send_back         退回: a reason; the task returns to 整改中, the round ends
    reopen            反弹: a reason; counts a rebound against the task

Who may take each step, including the separation of duties (no unit approves its own
close-out, nobody approves the close-out they requested), is `closeout.ledger.access`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, PlainValidator, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, InvalidTransition
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
from closeout.ledger.rules import calendar, limits
from closeout.ledger.rules.dates import check_date
from closeout.ledger.services.notifications import RESPONSIBLE, SUPERVISING, notify_task
from closeout.ledger.services.reports import evidence_check, evidence_store

_CRITERIA_SPLIT = re.compile(r"[、，,；;。\n]+")


def acceptance_criteria(task: Task) -> list[str]:
    """The task's acceptance criteria as a list (the default standard when empty)."""
    text = task.acceptance_criteria.strip() or DEFAULT_ACCEPTANCE_CRITERIA
    return [c.strip() for c in _CRITERIA_SPLIT.split(text) if c.strip()]


# --- the data of each step, as schemas ------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> dt.date:
    """A date as the API writes it (YYYY-MM-DD) or as a form has parsed it; a number, a
    list or a date with a time is not one."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError("not_a_date", "not a date (YYYY-MM-DD)")


IsoDate = Annotated[dt.date, PlainValidator(_iso_date)]


def _text(limit: int, *, required: bool = False) -> StringConstraints:
    """A text (a string, nothing else), trimmed, at most `limit` characters."""
    return StringConstraints(
        strict=True, strip_whitespace=True, max_length=limit, min_length=int(required)
    )


AssessmentText = Annotated[str, _text(limits.ASSESSMENT.chars)]
Inspectors = Annotated[str, _text(limits.INSPECTORS.chars, required=True)]
FilingNumber = Annotated[str, _text(limits.FILING_NUMBER.chars)]


class StepData(BaseModel):
    """What a step takes in `data`. Unknown fields are refused, not ignored: a misspelt
    field would otherwise be lost without a word."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoData(StepData):
    """The step records nothing beyond its note."""


class RequestData(StepData):
    """申请销号: a text for every acceptance criterion of the task."""

    assessment: dict[str, AssessmentText]


class VerifyData(StepData):
    """核查: when the on-site check was made and who made it (the findings are the note)."""

    checked_on: IsoDate
    inspectors: Inspectors


class FileData(StepData):
    """备案: optionally the number of the filing document."""

    number: FilingNumber = ""


# How the step fields are named in messages (the key stays in the error's `field`).
FIELD_LABELS = {
    "assessment": gettext_lazy("self-assessment"),
    "checked_on": gettext_lazy("date of the on-site check"),
    "inspectors": gettext_lazy("inspectors"),
    "number": gettext_lazy("filing number"),
}


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:
        text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _invalid(error: ValidationError) -> InvalidInput:
    """The first schema error as an InvalidInput naming the field, in the reader's
    language (pydantic's own messages are English)."""
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"]]
    if not loc:
        return InvalidInput(_("the step's data must be an object of fields"), field="data")
    field = loc[0]
    where = str(FIELD_LABELS.get(field, field))
    if len(loc) > 1:
        where = f"{where} ({'.'.join(loc[1:])})"
    kind, ctx = first["type"], first.get("ctx") or {}
    if kind == "missing" or kind == "string_too_short":
        message = _("%(field)s is required") % {"field": where}
    elif kind == "extra_forbidden":
        message = _("%(field)s: this step records no such field") % {"field": where}
    elif kind == "string_type":
        message = _("%(field)s must be a text, not %(value)s") % {
            "field": where,
            "value": _shown(first.get("input")),
        }
    elif kind == "string_too_long":
        message = _("%(field)s is longer than %(limit)s characters") % {
            "field": where,
            "limit": ctx.get("max_length"),
        }
    elif kind == "not_a_date":
        message = _("%(field)s: %(value)s is not a date (YYYY-MM-DD)") % {
            "field": where,
            "value": _shown(first.get("input")),
        }
    elif kind == "dict_type":
        message = _("%(field)s must be an object of names and texts, not %(value)s") % {
            "field": where,
            "value": _shown(first.get("input")),
        }
    else:
        message = _("%(field)s is not valid: %(value)s") % {
            "field": where,
            "value": _shown(first.get("input")),
        }
    return InvalidInput(message, field=field)


def step_data(name: str, data: Any) -> StepData:
    """`data` validated against the schema of step `name` (InvalidInput naming the field
    otherwise); no data at all is an empty object."""
    schema = step_of(name).schema
    try:
        return schema.model_validate({} if data is None else data)
    except ValidationError as error:
        raise _invalid(error) from None


# --- what each step requires and does -------------------------------------------------


@dataclass(frozen=True)
class StepInput:
    """What a step's check sees: who, on which task (locked, before the state changes),
    the note and the validated data."""

    actor: Actor
    task: Task
    note: str
    data: Any  # the step's schema
    files: Sequence[Any]
    today: dt.date


def _records_nothing(s: StepInput) -> dict[str, Any]:
    return {}


def _changes_nothing(task: Task, prepared: dict[str, Any]) -> list[str]:
    return []


def _tells_nobody(task: Task, actor: Actor, note: str) -> None:
    return None


def _tell(
    kind: str, *, roles: tuple[str, ...] = (), office: bool = False, with_note: bool = False
) -> Callable[[Task, Actor, str], None]:
    """Notify the task's units taking `roles` (and the office), never the one who acted."""

    def notify(task: Task, actor: Actor, note: str) -> None:
        notify_task(
            task,
            kind,
            roles=roles,
            office=office,
            note=note[:200] if with_note else "",
            exclude_user=actor.user_id,
        )

    return notify


def _request(s: StepInput) -> dict[str, Any]:
    criteria = acceptance_criteria(s.task)
    given = s.data.assessment
    unknown = set(given) - set(criteria)
    if unknown:
        raise InvalidInput(
            _("not an acceptance criterion of this task: %(names)s")
            % {"names": "、".join(sorted(unknown))},
            field="assessment",
        )
    missing = [c for c in criteria if not given.get(c)]
    if missing:
        raise InvalidInput(
            _("the self-assessment says nothing about: %(names)s") % {"names": "、".join(missing)},
            field="assessment",
        )
    if not s.files and not s.task.evidence.exists():
        raise InvalidInput(_("a close-out request needs at least one evidence file"), field="files")
    return {"assessment": {c: given[c] for c in criteria}}


def _review(s: StepInput) -> dict[str, Any]:
    days = LoopSettings.current().notice_working_days
    load_entered_days()
    until = calendar.notice_ends_on(s.today, days)  # CalendarNotCovered is an InvalidInput
    return {"notice_from": s.today, "notice_until": until, "working_days": days}


def _end_notice(s: StepInput) -> dict[str, Any]:
    task = s.task
    if task.notice_until is not None and s.today <= task.notice_until:
        raise InvalidTransition(
            _("the public notice runs until %(until)s; it cannot end before")
            % {"until": task.notice_until}
        )
    waiting = Objection.objects.unsettled().filter(task_id=task.pk).count()
    if waiting:
        raise InvalidTransition(
            _("%(count)s objections lodged during the notice are not answered yet")
            % {"count": waiting}
        )
    lodged = Objection.objects.filter(task_id=task.pk, round=task.closeout_round).count()
    return {"objections": lodged}


def _verify(s: StepInput) -> dict[str, Any]:
    check_date(
        s.data.checked_on,
        field="checked_on",
        label=_("the date of the on-site check"),
        today=s.today,
        happened=True,
        not_before=s.task.start_date,
        not_before_label=_("the task's start date"),
    )
    if not s.note.strip():
        raise InvalidInput(_("the findings of the on-site check are required"), field="note")
    return {"checked_on": s.data.checked_on, "inspectors": s.data.inspectors}


def _start_clock(task: Task, prepared: dict[str, Any]) -> list[str]:
    if task.start_date is not None:
        return []
    task.start_date = clock.today()
    return ["start_date"]


def _open_round(task: Task, prepared: dict[str, Any]) -> list[str]:
    task.closeout_round += 1
    return ["closeout_round"]


def _open_notice(task: Task, prepared: dict[str, Any]) -> list[str]:
    task.notice_until = prepared["notice_until"]
    return ["notice_until"]


def _close_notice(task: Task, prepared: dict[str, Any]) -> list[str]:
    task.notice_until = None
    return ["notice_until"]


def _count_rebound(task: Task, prepared: dict[str, Any]) -> list[str]:
    task.rebounds += 1
    LookbackCheck.objects.filter(task_id=task.pk, state=LookbackState.SCHEDULED).update(
        state=LookbackState.VOID
    )
    return ["rebounds"]


@dataclass(frozen=True)
class Step:
    """One transition as a close-out step (see the module's docstring)."""

    name: str  # the transition, in closeout.ledger.rules.workflow.TRANSITIONS
    schema: type[StepData] = NoData
    kind: str | None = None  # the CloseoutStep it appends (StepKind); None: no row
    check: Callable[[StepInput], dict[str, Any]] = _records_nothing
    apply: Callable[[Task, dict[str, Any]], list[str]] = _changes_nothing
    notify: Callable[[Task, Actor, str], None] = _tells_nobody

    @property
    def takes_files(self) -> bool:
        """Evidence files are kept with the step's row, so only a step with one has any."""
        return self.kind is not None


K, N = StepKind, NotificationKind
STEPS: tuple[Step, ...] = (
    Step("confirm", apply=_start_clock),
    Step("cancel"),
    Step("request_closeout", RequestData, K.REQUEST, _request, _open_round,
         _tell(N.CLOSEOUT_REQUESTED, roles=SUPERVISING)),
    Step("withdraw_request", kind=K.WITHDRAW, apply=_close_notice),
    Step("pass_review", kind=K.REVIEW, check=_review, apply=_open_notice,
         notify=_tell(N.NOTICE_STARTED, roles=RESPONSIBLE, office=True)),
    Step("end_notice", kind=K.NOTICE_END, check=_end_notice,
         notify=_tell(N.VERIFICATION_DUE, roles=SUPERVISING)),
    Step("verify", VerifyData, K.VERIFY, _verify, notify=_tell(N.FILING_DUE, office=True)),
    Step("file", FileData, K.FILE, lambda s: {"number": s.data.number},
         notify=_tell(N.CLOSED, roles=RESPONSIBLE)),
    Step("send_back", kind=K.SEND_BACK, check=lambda s: {"from": s.task.status},
         apply=_close_notice, notify=_tell(N.SENT_BACK, roles=RESPONSIBLE, with_note=True)),
    Step("reopen", kind=K.REOPEN, check=lambda s: {"closed_on": s.task.closed_on},
         apply=_count_rebound,
         notify=_tell(N.REOPENED, roles=RESPONSIBLE, office=True, with_note=True)),
)  # fmt: skip
STEP_BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}
STEP_OF_TRANSITION: dict[str, str] = {s.name: s.kind for s in STEPS if s.kind is not None}


def step_of(name: str) -> Step:
    try:
        return STEP_BY_NAME[name]
    except KeyError:
        raise InvalidInput(
            _("unknown transition %(name)s") % {"name": name}, field="transition"
        ) from None


def check(
    actor: Actor,
    task: Task,
    name: str,
    note: str,
    data: Mapping[str, Any] | None,
    files: Sequence[Any],
) -> dict[str, Any]:
    """Refuse a step whose data or requirements are not met; return what `record` stores."""
    step = step_of(name)
    parsed = step_data(name, data)
    if files and not step.takes_files:
        raise InvalidInput(_("this step takes no files"), field="files")
    evidence_check(files)  # the limits per request and per file, before anything is kept
    note = limits.STEP_NOTE.check(note)
    return step.check(StepInput(actor, task, note, parsed, files, clock.today()))


def record(
    actor: Actor,
    task: Task,
    name: str,
    note: str,
    prepared: dict[str, Any],
    files: Sequence[Any],
) -> CloseoutStep | None:
    """Apply and append the step after the state changed (same transaction)."""
    step = step_of(name)
    fields = step.apply(task, prepared)
    if fields:
        task.save(update_fields=fields)
    if step.kind is None:
        return None
    row = CloseoutStep.objects.create(
        task=task,
        round=max(task.closeout_round, 1),
        kind=step.kind,
        at=clock.now(),
        actor_id=actor.user_id,
        actor_label=actor.label,
        unit_id=actor.unit_id,
        opinion=note.strip(),
        data={k: v.isoformat() if isinstance(v, dt.date) else v for k, v in prepared.items()},
    )
    for upload in files:
        evidence_store(actor=actor, task=task, upload=upload, step=row)
    step.notify(task, actor, note)
    return row
