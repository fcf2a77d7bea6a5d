"""Text limits: one Limit per text a person writes, each refusing a text over it with
the field and the limit named, counted in characters after trimming."""

from __future__ import annotations

import pytest

from closeout.ledger.errors import InvalidInput
from closeout.ledger.rules import limits
from closeout.ledger.rules.limits import ALL, Limit

# The limits the module's docstring promises.
PROMISED = {
    "REPORT_TEXT": 5000, "FALL_REASON": 2000, "STEP_NOTE": 2000, "ASSESSMENT": 2000,
    "INSPECTORS": 300, "FILING_NUMBER": 100, "OBJECTION_TEXT": 5000, "OBJECTOR_NAME": 100,
    "OBJECTOR_CONTACT": 100, "ANSWER": 5000, "SPAM_REASON": 2000, "LOOKBACK_FINDINGS": 5000,
    "MEASURE_REASON": 5000, "MEASURE_CAUSE": 100, "RESPONSE": 5000, "LIFT_REASON": 2000,
    "TASK_TEXT": 10000, "TASK_TARGET": 5000, "DEADLINE_RAW": 120,
}  # fmt: skip


def test_every_limit_is_listed_and_is_what_the_docstring_says():
    named = {name: v for name, v in vars(limits).items() if isinstance(v, Limit)}
    assert set(named.values()) == set(ALL)
    assert {name: limit.chars for name, limit in named.items()} == PROMISED


@pytest.mark.parametrize("limit", ALL, ids=lambda limit: f"{limit.field}-{limit.chars}")
def test_a_text_up_to_the_limit_is_taken_and_one_more_character_refused(limit: Limit):
    assert limit.check("整" * limit.chars) == "整" * limit.chars
    # Blanks around the text do not count.
    assert limit.check("  " + "a" * limit.chars + "\n") == "a" * limit.chars
    with pytest.raises(InvalidInput) as error:
        limit.check("整" * (limit.chars + 1))
    assert error.value.field == limit.field
    assert str(limit.chars) in error.value.message
    assert str(limit.chars + 1) in error.value.message
    assert str(limit.label) in error.value.message


def test_an_empty_text_is_a_matter_for_the_caller():
    assert limits.REPORT_TEXT.check("   ") == ""
