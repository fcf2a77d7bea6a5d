"""Template filters of closeout's pages (presentation only)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from closeout.ledger.access import Actor
from closeout.ledger.rules import labels
from closeout.ledger.services import notifications

register = template.Library()

# The parser's review flags ("code: detail") in the reader's language. The detail is kept
# where it says something the code does not (the text of an unparsed deadline, a name).
FLAG_LABELS = {
    "missing_lead_units": _("No responsible unit given"),
    "missing_deadline": _("No deadline given"),
    "deadline_unparsed": _("Deadline not understood"),
    "deadline_note": _("Deadline note"),
    "measures_label_missing": _("Measures follow without a 整改措施 label"),
    "unit_unresolved": _("Unit name not matched"),
    "placeholder": _("A placeholder names no one (redacted or ×××)"),
    "number_missing": _("Unnumbered text before the first numbered measure"),
    "no_measures": _("The problem states no measures"),
    "problem_heading_missing": _("The block has no problem heading"),
    "duplicate": _("Repeats another task of the plan"),
    "deadline_from_text": _("Deadline read from the task's own sentence"),
    "standing_units": _("Unit added by a standing clause of the plan"),
    "implementing_units": _("Units that carry it out"),
    "completion_unread": _("Completion column not understood"),
    "percent_unread": _("Progress (%) column not understood"),
    "ledger_closed": _("The ledger says closed: close the task out through its steps"),
    "ledger_cancelled": _("The ledger says cancelled: cancel the task"),
    "ledger_conflict": _("Progress and completion columns disagree"),
}
KEEP_DETAIL = {
    "deadline_unparsed", "deadline_note", "unit_unresolved", "deadline_from_text",
    "standing_units", "implementing_units", "completion_unread", "percent_unread",
    "ledger_conflict",
}  # fmt: skip

# The parser's notes on a deadline (the detail of deadline_unparsed and deadline_note) in
# the reader's language; a note not listed here is shown as the parser wrote it.
NOTE_LABELS = {
    "several dates (staged): milestones in order; the latest is the deadline": _(
        "several dates (staged): milestones in order; the latest is the deadline"
    ),
    "a season or event, not a date: the reviewer sets the day": _(
        "a season or event, not a date: the reviewer sets the day"
    ),
    "no year: the phrase states none and the plan's year is unknown": _(
        "no year: the phrase states none and the plan's year is unknown"
    ),
    "relative deadline (within a period); needs a start date": _(
        "relative deadline (within a period); needs a start date"
    ),
    "date left as a placeholder (××)": _("date left as a placeholder (××)"),
    "no date or flag recognised": _("no date or flag recognised"),
    "no deadline given": _("no deadline given"),
    "impossible date": _("impossible date"),
}
_NOTED = {"deadline_unparsed", "deadline_note"}


@register.filter
def flag_label(flag: str) -> str:
    code, _sep, detail = flag.partition(":")
    code = code.strip()
    key = "placeholder" if code.startswith("placeholder_") else code
    label = FLAG_LABELS.get(key)
    if label is None:
        return flag
    detail = detail.strip()
    if key in _NOTED:
        for note, words in NOTE_LABELS.items():
            detail = detail.replace(note, str(words))
    return f"{label}: {detail}" if key in KEEP_DETAIL and detail else str(label)


@register.simple_tag
def unread_count(user: Any) -> int:
    """The signed-in user's unread notifications, for the header's inbox link."""
    return notifications.unread_count(Actor.of(user))


# Codes in words (closeout.ledger.rules.labels), for the values a page shows.


@register.filter
def cause_label(code: str) -> str:
    """A measure's cause key: overdue:2020-12-31 → 逾期（期限 2020年12月31日）."""
    return labels.cause_label(code)


@register.filter
def value_label(value: Any) -> str:
    """A stored value: yes/no, a list written out, a timestamp in local time."""
    return labels.value_label(value)


@register.filter
def action_label(action: str) -> str:
    """An audit event's action: taskunit.create → 指定责任单位."""
    return labels.action_label(action)


@register.filter
def lookback_label(months: Any) -> str:
    """Look-back months: [3, 12] → 销号后 3 个月、12 个月."""
    return labels.lookback_label(months or [])


@register.filter
def months_label(months: Any) -> str:
    """Months: [3, 12] → 3 个月、12 个月."""
    return labels.months_label(months or [])
