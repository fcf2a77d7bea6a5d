"""The office's settings (整改办的设置): the escalation rules (督办规则) the sweep applies,
the closed-loop settings (闭环参数) and the holiday arrangement (节假日安排).

Every change checks `access.can_manage_settings`, validates with the same rules the
models and the sweep use (`rules.escalation.rule_problem`, `LoopSettings.clean`), and
writes its audit event in the same transaction. Errors name the field they are about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound, NotPermitted
from closeout.ledger.models import CalendarDay, EscalationRule, LoopSettings
from closeout.ledger.models.plans import ReportCycle
from closeout.ledger.rules.escalation import Level, Trigger, rule_problem
from closeout.ledger.services.audit import audit, snapshot

RULE_FIELDS = ("level", "trigger", "threshold", "response_days", "active")
LOOP_FIELDS = (
    "notice_working_days",
    "lookback_months",
    "report_grace_days",
    "issuing_body",
    "letter_prefix",
    "circular_prefix",
    "digest_cycle",
    "digest_cycle_days",
    "backfill_days",
)
# Upper bounds that keep a setting meaningful (and inside a small integer column).
MAX_THRESHOLD = 3650
MAX_RESPONSE_DAYS = 250


def _require(actor: Actor) -> None:
    if not access.can_manage_settings(actor):
        raise NotPermitted(_("only the rectification office changes the settings"))


# ---------------------------------------------------------------------------- escalation rules


def _check_rule(level: str, trigger: str, threshold: int, response_days: int) -> None:
    if level not in Level.values:
        raise InvalidInput(_("choose a level of the ladder"), field="level")
    if trigger not in Trigger.values:
        raise InvalidInput(_("choose what triggers the measure"), field="trigger")
    problem = rule_problem(level, trigger, threshold)
    if problem is not None:
        raise InvalidInput(problem[1], field=problem[0])
    if threshold > MAX_THRESHOLD:
        raise InvalidInput(
            _("a threshold of at most %(max)s") % {"max": MAX_THRESHOLD}, field="threshold"
        )
    if not 1 <= response_days <= MAX_RESPONSE_DAYS:
        raise InvalidInput(
            _("between 1 and %(max)s working days to respond") % {"max": MAX_RESPONSE_DAYS},
            field="response_days",
        )


def _duplicate(rule_id: int | None, level: str, trigger: str, threshold: int) -> None:
    same = EscalationRule.objects.filter(level=level, trigger=trigger, threshold=threshold)
    if rule_id is not None:
        same = same.exclude(pk=rule_id)
    if same.exists():
        raise InvalidInput(
            _("there is already a rule with this level, trigger and threshold"),
            field="threshold",
        )


def _save_rule(rule: EscalationRule) -> None:
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:  # a concurrent twin slipped in between the check and the save
        raise InvalidInput(
            _("there is already a rule with this level, trigger and threshold"),
            field="threshold",
        ) from None


def escalation_rule_create(
    *,
    actor: Actor,
    level: str,
    trigger: str,
    threshold: int,
    response_days: int = 10,
) -> EscalationRule:
    """Add a rule of the ladder: when `trigger` reaches `threshold`, issue `level`."""
    _require(actor)
    _check_rule(level, trigger, threshold, response_days)
    with transaction.atomic():
        _duplicate(None, level, trigger, threshold)
        rule = EscalationRule(
            level=level, trigger=trigger, threshold=threshold, response_days=response_days
        )
        _save_rule(rule)
        audit(actor, "escalationrule.create", rule, after=snapshot(rule, RULE_FIELDS))
    return rule


def escalation_rule_update(
    *,
    actor: Actor,
    rule_id: int,
    level: str,
    trigger: str,
    threshold: int,
    response_days: int,
    active: bool = True,
) -> EscalationRule:
    """Change a rule; the event keeps what it was. Measures already issued stay."""
    _require(actor)
    _check_rule(level, trigger, threshold, response_days)
    with transaction.atomic():
        rule = EscalationRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("escalation rule %(id)s does not exist") % {"id": rule_id})
        _duplicate(rule.pk, level, trigger, threshold)
        before = snapshot(rule, RULE_FIELDS)
        rule.level, rule.trigger, rule.threshold = level, trigger, threshold
        rule.response_days, rule.active = response_days, active
        _save_rule(rule)
        after = snapshot(rule, RULE_FIELDS)
        changed = [k for k in RULE_FIELDS if before[k] != after[k]]
        if changed:
            audit(
                actor,
                "escalationrule.update",
                rule,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return rule


def escalation_rule_set_active(*, actor: Actor, rule_id: int, active: bool) -> EscalationRule:
    """Deactivate a rule (the sweep stops applying it; its measures stay on record) or
    bring it back. Rules are never deleted: measures point to what issued them."""
    _require(actor)
    with transaction.atomic():
        rule = EscalationRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("escalation rule %(id)s does not exist") % {"id": rule_id})
        if rule.active != active:
            EscalationRule.objects.filter(pk=rule.pk).update(active=active)
            rule.active = active
            audit(
                actor,
                "escalationrule.activate" if active else "escalationrule.deactivate",
                rule,
                before={"active": not active},
                after={"active": active},
            )
    return rule


# ---------------------------------------------------------------------------- loop settings


def loop_settings_update(*, actor: Actor, **values: Any) -> LoopSettings:
    """Change the closed-loop settings (one row). Only the given fields change; they are
    checked by `LoopSettings.clean`, and a custom digest cycle needs its length."""
    _require(actor)
    unknown = set(values) - set(LOOP_FIELDS)
    if unknown:
        raise InvalidInput(
            _("not a closed-loop setting: %(name)s") % {"name": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    if "digest_cycle" in values and values["digest_cycle"] not in ReportCycle.values:
        raise InvalidInput(_("choose a digest cycle"), field="digest_cycle")
    if values.get("digest_cycle") not in (None, ReportCycle.CUSTOM):
        values["digest_cycle_days"] = None
    if "issuing_body" in values and not str(values["issuing_body"]).strip():
        raise InvalidInput(_("name the body that issues measures"), field="issuing_body")
    for name in ("letter_prefix", "circular_prefix"):
        if name in values and not str(values[name]).strip():
            raise InvalidInput(_("a document number needs a prefix"), field=name)
    with transaction.atomic():
        LoopSettings.current()
        current = LoopSettings.objects.select_for_update().get(pk=1)
        before = snapshot(current, LOOP_FIELDS)
        for name, value in values.items():
            setattr(current, name, value)
        try:
            current.clean()
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise InvalidInput(" ".join(messages), field=field) from None
        current.save()
        after = snapshot(current, LOOP_FIELDS)
        changed = [k for k in LOOP_FIELDS if before[k] != after[k]]
        if changed:
            audit(
                actor,
                "loopsettings.update",
                current,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return current


# ---------------------------------------------------------------------------- holiday arrangement


def calendar_day_add(*, actor: Actor, date: dt.date, working: bool, note: str = "") -> CalendarDay:
    """Enter a day of the holiday arrangement: a public holiday, or a make-up working day
    (调休上班). Entering any day of a year makes the year count as known."""
    _require(actor)
    note = note.strip()
    if len(note) > 100:
        raise InvalidInput(_("a note of at most 100 characters"), field="note")
    with transaction.atomic():
        if CalendarDay.objects.filter(date=date).exists():
            raise InvalidInput(_("%(date)s is entered already") % {"date": date}, field="date")
        day = CalendarDay.objects.create(date=date, working=working, note=note)
        audit(actor, "calendarday.create", day, after=snapshot(day, ("date", "working", "note")))
    return day


def calendar_day_remove(*, actor: Actor, day_id: int) -> None:
    """Remove an entered day; the event keeps it."""
    _require(actor)
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(pk=day_id).first()
        if day is None:
            raise NotFound(_("day %(id)s is not entered") % {"id": day_id})
        audit(actor, "calendarday.delete", day, before=snapshot(day, ("date", "working", "note")))
        day.delete()


def parse_months(text: str) -> list[int]:
    """The look-back months as the office types them ("3, 12", "3，12" or "3 12"), in
    order and without repeats; InvalidInput names the field when a part is not a month."""
    parts = [p for p in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")]
    months: list[int] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 120:
            raise InvalidInput(
                _("“%(part)s” is not a number of months between 1 and 120") % {"part": part},
                field="lookback_months",
            )
        if int(part) not in months:
            months.append(int(part))
    return sorted(months)


def months_text(months: object) -> str:
    """The look-back months written back as the office types them: "3, 12"."""
    if not isinstance(months, list):
        return ""
    return ", ".join(str(m) for m in months)
