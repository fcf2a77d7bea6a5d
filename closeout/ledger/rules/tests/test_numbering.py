"""Document numbers as written: 督办〔2026〕3号."""

from __future__ import annotations

import pytest

from closeout.ledger.rules.numbering import format_number


@pytest.mark.parametrize(
    ("prefix", "year", "number", "text"),
    [
        ("督办", 2026, 3, "督办〔2026〕3号"),
        ("整改通报", 2027, 1, "整改通报〔2027〕1号"),
        (" 济整改办函 ", 2026, 120, "济整改办函〔2026〕120号"),
    ],
)
def test_number_is_prefix_year_in_hexagonal_brackets_and_number(prefix, year, number, text):
    assert format_number(prefix, year, number) == text


@pytest.mark.parametrize(
    ("prefix", "year", "number", "message"),
    [("", 2026, 1, "prefix"), ("督办", 26, 1, "year"), ("督办", 2026, 0, "start at 1")],
)
def test_bad_parts_are_named(prefix, year, number, message):
    with pytest.raises(ValueError, match=message):
        format_number(prefix, year, number)
