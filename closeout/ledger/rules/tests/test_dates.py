"""The dates a person enters: the floor, the horizon, facts that cannot be in the
future, and the date they cannot precede — table by table, with the message naming
the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from closeout.ledger.errors import InvalidInput
from closeout.ledger.rules.dates import (
    BEFORE_CODE,
    FLOOR,
    FLOOR_CODE,
    FUTURE_CODE,
    HORIZON_CODE,
    check_date,
    horizon,
    refusal,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the catalog makes them Chinese by default)."""
    with translation.override("en"):
        yield


D = dt.date
TODAY = D(2025, 6, 16)
START = D(2024, 3, 1)


@pytest.mark.parametrize(
    ("value", "happened", "not_before", "code"),
    [
        # The floor: the ledger's years begin in 2000; mistyped years are refused.
        (D(1999, 12, 31), False, None, FLOOR_CODE),
        (D(202, 6, 30), False, None, FLOOR_CODE),  # 0202-06-30 for 2020-06-30
        (D(1, 1, 1), True, None, FLOOR_CODE),
        (FLOOR, False, None, None),
        (D(2008, 5, 31), False, None, None),  # an older programme's deadline
        # The horizon: twenty years on is the last day taken.
        (D(2045, 6, 16), False, None, None),
        (D(2045, 6, 17), False, None, HORIZON_CODE),
        (D(2202, 6, 30), False, None, HORIZON_CODE),
        (D(9999, 12, 31), False, None, HORIZON_CODE),
        # What has happened cannot be in the future; today is allowed.
        (TODAY, True, None, None),
        (TODAY + dt.timedelta(days=1), True, None, FUTURE_CODE),
        (TODAY + dt.timedelta(days=1), False, None, None),  # a planned date may be
        (D(2030, 1, 1), True, START, FUTURE_CODE),  # the first reason found is given
        # Not before the date it cannot precede (the task's start); that day is allowed.
        (START, True, START, None),
        (START - dt.timedelta(days=1), True, START, BEFORE_CODE),
        (D(2001, 1, 1), False, START, BEFORE_CODE),
        (D(1990, 1, 1), False, START, FLOOR_CODE),  # the floor first
        (D(2026, 1, 1), False, START, None),
    ],
)
def test_refusal(value, happened, not_before, code):
    assert refusal(value, today=TODAY, happened=happened, not_before=not_before) == code


@pytest.mark.parametrize(
    ("today", "last"),
    [
        (D(2025, 6, 16), D(2045, 6, 16)),
        (D(2024, 2, 29), D(2044, 2, 29)),  # 2044 is a leap year too
        (D(2028, 2, 29), D(2048, 2, 29)),
        (D(2036, 2, 29), D(2056, 2, 29)),
        (D(2020, 2, 29), D(2040, 2, 29)),
        (D(2032, 2, 29), D(2052, 2, 29)),
    ],
)
def test_the_horizon_is_twenty_years_from_today(today, last):
    assert horizon(today) == last


def test_the_horizon_of_a_29th_february_without_one_twenty_years_on():
    # 2096 + 20 = 2116 is a leap year, 2084 + 20 = 2104 too; 2080 + 20 = 2100 is not.
    assert horizon(D(2080, 2, 29)) == D(2100, 2, 28)


@pytest.mark.parametrize(
    ("value", "kwargs", "words"),
    [
        (D(1999, 1, 1), {}, ["the reporting period", "1999-01-01", "2000-01-01", "year"]),
        (D(2046, 1, 1), {}, ["the reporting period", "2046-01-01", "20"]),
        (D(2025, 6, 17), {"happened": True}, ["2025-06-17", "future", "2025-06-16"]),
        (
            D(2024, 1, 1),
            {"not_before": START, "not_before_label": "the task's start date"},
            ["2024-01-01", "before the task's start date", "2024-03-01"],
        ),
    ],
)
def test_check_date_names_the_field_and_says_why(value, kwargs, words):
    with pytest.raises(InvalidInput) as error:
        check_date(value, field="period", label="the reporting period", today=TODAY, **kwargs)
    assert error.value.field == "period"
    assert all(word in error.value.message for word in words), error.value.message


def test_a_date_taken_is_returned():
    assert check_date(START, field="x", label="x", today=TODAY, happened=True) == START
