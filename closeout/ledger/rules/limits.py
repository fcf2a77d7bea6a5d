"""Text limits (字数上限) of everything a person writes into the ledger, in one place.

The services refuse a text over its limit (`Limit.check`: InvalidInput naming the field
and the limit); the pages' forms take `max_length` from the same `Limit` (the browser
then stops typing at it: `maxlength`), and the API's schemas `max_length` (OpenAPI
`maxLength`): page, API and service agree, and a test holds every form field to its
limit. Lengths are counted in characters (a Chinese character is one), after the
surrounding blanks are trimmed.

The limits are generous for what each text is for and small enough that a page of them
stays readable and nobody pastes a book into a field:

    report text             5000   a week's progress, told in full (进展情况)
    reasons                 2000   why progress fell, why a measure lifts, why spam
    step notes              2000   a close-out step's opinion, the on-site findings
    self-assessment         2000   per acceptance criterion (验收标准)
    inspectors               300   the names of those who checked on site
    filing number            100   备案 document number
    objection               5000   the public's objection (异议); name, contact 100
    answers                 5000   the answer to an objection
    look-back findings      5000   回头看
    measure reason          5000   a measure issued by hand; its cause key 100
    measure response        5000   the unit's answer to a measure (整改说明)
    task text              10000   the plan's words for a task; target 5000;
                                   deadline as written 120 (the column's size)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from closeout.ledger.errors import InvalidInput


@dataclass(frozen=True)
class Limit:
    """At most `chars` characters in the field `field` (named `label` to people)."""

    field: str
    chars: int
    label: Any  # a lazy translation

    def check(self, value: str) -> str:
        """The value trimmed, or InvalidInput naming the field and the limit."""
        value = value.strip()
        if len(value) > self.chars:
            raise InvalidInput(
                gettext(
                    "%(field)s is longer than %(limit)s characters (%(length)s given): shorten it"
                )
                % {"field": self.label, "limit": self.chars, "length": len(value)},
                field=self.field,
            )
        return value


REPORT_TEXT = Limit("text", 5000, _("the report"))
FALL_REASON = Limit("reason", 2000, _("the reason the progress fell"))
STEP_NOTE = Limit("note", 2000, _("the note"))
ASSESSMENT = Limit("assessment", 2000, _("each self-assessment"))
INSPECTORS = Limit("inspectors", 300, _("inspectors"))
FILING_NUMBER = Limit("number", 100, _("filing number"))
OBJECTION_TEXT = Limit("text", 5000, _("the objection"))
OBJECTOR_NAME = Limit("name", 100, _("the name"))
OBJECTOR_CONTACT = Limit("contact", 100, _("the contact"))
ANSWER = Limit("answer", 5000, _("the answer"))
SPAM_REASON = Limit("reason", 2000, _("the reason"))
LOOKBACK_FINDINGS = Limit("findings", 5000, _("the findings"))
MEASURE_REASON = Limit("reason", 5000, _("the reason"))
MEASURE_CAUSE = Limit("cause", 100, _("the cause key"))
RESPONSE = Limit("response", 5000, _("the response"))
LIFT_REASON = Limit("reason", 2000, _("the reason"))
TASK_TEXT = Limit("text", 10000, _("the task"))
TASK_TARGET = Limit("target", 5000, _("the rectification target"))
DEADLINE_RAW = Limit("deadline_raw", 120, _("the deadline as written"))

ALL: tuple[Limit, ...] = (
    REPORT_TEXT, FALL_REASON, STEP_NOTE, ASSESSMENT, INSPECTORS, FILING_NUMBER,
    OBJECTION_TEXT, OBJECTOR_NAME, OBJECTOR_CONTACT, ANSWER, SPAM_REASON,
    LOOKBACK_FINDINGS, MEASURE_REASON, MEASURE_CAUSE, RESPONSE, LIFT_REASON, TASK_TEXT,
    TASK_TARGET, DEADLINE_RAW,
)  # fmt: skip
