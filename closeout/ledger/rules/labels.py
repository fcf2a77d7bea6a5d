"""Codes in words: what the ledger stores as codes, in the reader's language.

The ledger keeps keys that stay stable across languages and releases: a measure's
cause (`overdue:2020-12-31`), the label of an actor who is no person (`sweep`,
`closeout import`), an audit event's action (`taskunit.create`), the look-back months
(`[3, 12]`), yes/no and empty values. A reader never sees them as stored: every page,
the API and the admin turn them into words with the functions here.

    overdue:2020-12-31        逾期（期限 2020年12月31日）
    missed_reports:2019-07-15 自 2019年7月15日 起未按期报送进展
    sweep                     系统（定时核查）
    taskunit.create           指定责任单位
    [3, 12]                   3 个月、12 个月

Pure functions, no database. The language is the active one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import TextChoices
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from closeout.ledger.rules.escalation import Trigger
from closeout.ledger.rules.workflow import transition_rules

EMPTY = "—"

# --------------------------------------------------------------------------- values


def long_date(value: dt.date | str) -> str:
    """A date as people write it: 2020年12月31日 (Dec. 31, 2020 in English). A text that is
    no ISO date is returned as it is."""
    day = _as_date(value)
    if day is None:
        return str(value)
    return formats.date_format(day, "DATE_FORMAT")


def _as_date(value: dt.date | str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def list_separator() -> str:
    """Between the items of a list written out: "、" in Chinese, ", " in English."""
    return pgettext("list separator", ", ")


def value_label(value: Any) -> str:
    """A stored value as a reader sees it: nothing as a dash, yes/no in words, a list
    as its items written out, a timestamp (2019-06-10T09:00:00+08:00) as local
    "2019-06-10 09:00"; a date stays 2019-06-10, as every table of the pages writes it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    if isinstance(value, list | tuple | set | frozenset):
        return list_separator().join(value_label(v) for v in value)
    if isinstance(value, Mapping):
        return list_separator().join(f"{k}: {value_label(v)}" for k, v in value.items())
    if isinstance(value, dt.datetime):
        return _timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        try:
            return _timestamp(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return str(value)


def _timestamp(value: dt.datetime) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def choice_label(choices: type[TextChoices], value: Any) -> str:
    """The label of a stored choice (a status, a notification's kind); a value that is
    none of the choices any more is named as unknown rather than shown as its code."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(_("Unknown (%(code)s)") % {"code": value}) if value else EMPTY


# --------------------------------------------------------------------------- months


def months_label(months: Iterable[int]) -> str:
    """Look-back months, [3, 12] → "3 个月、12 个月" ("3 months, 12 months")."""
    parts = [
        ngettext("%(count)s month", "%(count)s months", m) % {"count": m}
        for m in sorted(set(months))
    ]
    return list_separator().join(parts) if parts else EMPTY


def lookback_label(months: Iterable[int]) -> str:
    """When the look-back checks come, [3, 12] → "销号后 3 个月、12 个月"."""
    listed = sorted(set(months))
    if not listed:
        return str(_("No look-back checks"))
    return str(_("%(months)s after closing") % {"months": months_label(listed)})


# --------------------------------------------------------------------------- causes


def cause_label(code: str) -> str:
    """A measure's cause key in words (see rules.escalation for the keys):

    overdue:<due>           逾期（期限 2020年12月31日）
    due_soon:<due>          滞后，临近期限 2020年12月31日
    missed_reports:<since>  自 2019年7月15日 起未按期报送进展
    rebound:<n>             整改后反弹 2 次
    manual:<key>            人工下达：<key>

    A key no rule wrote (the office's own words) is shown as written."""
    trigger, sep, key = (code or "").partition(":")
    if not sep or trigger not in Trigger.values:
        return code or EMPTY
    if trigger == Trigger.OVERDUE:
        return str(_("Overdue (due %(date)s)") % {"date": long_date(key)})
    if trigger == Trigger.DUE_SOON:
        return str(_("Behind schedule, due %(date)s") % {"date": long_date(key)})
    if trigger == Trigger.MISSED_REPORTS:
        return str(_("Progress reports missed since %(date)s") % {"date": long_date(key)})
    if trigger == Trigger.REBOUND:
        try:
            count = int(key)
        except ValueError:
            return str(Trigger.REBOUND.label)
        return ngettext(
            "Problem came back after close-out (once)",
            "Problem came back after close-out (%(count)s times)",
            count,
        ) % {"count": count}
    key = key.strip()
    if not key:
        return str(Trigger.MANUAL.label)
    return str(_("Issued by hand: %(key)s") % {"key": key})


# --------------------------------------------------------------------------- actors

# The labels the sweep and the commands act under (access.Actor.system, the commands'
# own actors); they are no login, and read as the system with what it was doing.
SYSTEM_ACTORS: dict[str, Any] = {
    "sweep": _("System (scheduled check)"),
    "system": _("System"),
    "closeout import": _("System (plan import)"),
    "closeout demo": _("System (demo data)"),
    "bench": _("System (benchmark)"),
    "gen": _("System (generated data)"),
    "adduser": _("System (command line)"),
    "token": _("System (command line)"),
    "closeout export xlsx": _("System (command line)"),
    "closeout export letter": _("System (command line)"),
    "closeout report": _("System (command line)"),
    "closeout benchxlsx": _("System (benchmark)"),
    "closeout benchimport": _("System (benchmark)"),
}


def is_system_actor(stored: str) -> bool:
    """Whether a stored actor label is one of the sweep's or the commands' (a test holds
    every `Actor.system(...)` of the code to this table)."""
    return stored in SYSTEM_ACTORS


def system_actor_label(stored: str) -> str:
    """The sweep or a command, named in words; any other label of no person is the
    system."""
    return str(SYSTEM_ACTORS.get(stored, _("System")))


# --------------------------------------------------------------------------- audit events

ACTIONS: dict[str, Any] = {
    "task.create": _("Task created"),
    "task.update": _("Task edited"),
    "report.create": _("Progress reported"),
    "evidence.add": _("Evidence file added"),
    "objection.lodge": _("Objection lodged"),
    "objection.answer": _("Objection answered"),
    "objection.spam": _("Objection marked as spam"),
    "lookback.record": _("Look-back check recorded"),
    "escalation.issue": _("Escalation measure issued"),
    "escalation.respond": _("Response to a measure"),
    "escalation.lift": _("Escalation measure lifted"),
    "taskunit.create": _("Responsible unit assigned"),
    "taskunit.update": _("Responsible unit's part changed"),
    "taskunit.delete": _("Responsible unit removed"),
    "taskperson.create": _("Responsible person named"),
    "taskperson.update": _("Responsible person changed"),
    "taskperson.delete": _("Responsible person removed"),
    "milestone.create": _("Milestone added"),
    "milestone.update": _("Milestone changed"),
    "milestone.delete": _("Milestone removed"),
    "unitproposal.decide": _("Unit name decided"),
    "plan.create": _("Plan created"),
    "plan.import": _("Plan imported"),
    "plan.update": _("Plan edited"),
    "plan.confirm": _("Plan confirmed"),
    "plan.supersede": _("Plan superseded"),
    "plan.publish": _("Plan published on the public portal"),
    "plan.unpublish": _("Plan taken off the public portal"),
    "plan.add_inspection": _("Inspection round added to the plan"),
    "plan.default_supervisor": _("Default supervising unit set"),
    "plan.decide_name": _("Unit name decided for the plan"),
    "problem.create": _("Problem created"),
    "inspection.create": _("Inspection round created"),
    "indicator.create": _("Indicator added"),
    "indicator.reading": _("Indicator reading recorded"),
    "unit.create": _("Unit created"),
    "unit.rename": _("Unit renamed"),
    "unitgroup.create": _("Unit group created"),
    "unitalias.create": _("Other name of a unit added"),
    "user.create": _("User created"),
    "user.update": _("User changed"),
    "user.activate": _("User activated"),
    "user.deactivate": _("User deactivated"),
    "user.set_password": _("Password set"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "escalationrule.create": _("Escalation rule added"),
    "escalationrule.update": _("Escalation rule changed"),
    "escalationrule.activate": _("Escalation rule switched on"),
    "escalationrule.deactivate": _("Escalation rule switched off"),
    "loopsettings.update": _("Loop settings changed"),
    "calendarday.create": _("Working-day calendar entry added"),
    "calendarday.delete": _("Working-day calendar entry removed"),
    "savedview.create": _("Saved view added"),
    "savedview.delete": _("Saved view removed"),
    "ledger.import": _("Ledger workbook imported"),
    "circular.template_save": _("Circular template kept"),
    "circular.template_remove": _("Circular template removed"),
}

_VERBS: dict[str, Any] = {
    "create": _("%(what)s added"),
    "update": _("%(what)s changed"),
    "delete": _("%(what)s removed"),
}


def action_label(action: str, *, what: str | None = None) -> str:
    """An audit event's action in words: the table above, a life-cycle step
    (`task.confirm`) by its rule's label, a record the admin saved (`<model>.create`)
    as "<what> added" when the caller names the record (`what`, the model's name).
    Anything else is "Record changed": never the code."""
    label = ACTIONS.get(action)
    if label is not None:
        return str(label)
    target, _sep, verb = action.partition(".")
    if target == "task":
        rule = transition_rules().get(verb)
        if rule is not None:
            return str(rule.label)
    if what and verb in _VERBS:
        return str(_VERBS[verb] % {"what": what})
    return str(_("Record changed"))
