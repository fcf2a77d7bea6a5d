"""The dates a person enters (填报日期): which ones the ledger takes.

The trial found dates a year or a century off (0202-06-30 for 2020-06-30, a report
"for" 1990, a check dated before the task began) taken without a word. Every date a
person types — a report's period, a close-out step's on-site check, a look-back check,
a task's start and due dates on the plan review page, a measure's response deadline —
goes through `check_date`, which refuses, in this order:

    floor        before 2000-01-01. The central environmental inspections (中央生态环境
                 保护督察) began with the Hebei pilot at the turn of 2016 and the
                 provincial ones after, so no rectification step of this ledger can
                 fall before 2015; the floor is set lower, at 2000, so that a plan may
                 still quote an older deadline (a programme's "2008年底前") while a
                 mistyped year (0202, 1920, 200) is refused.
    horizon      more than 20 years after today: longer than any plan runs, even an
                 ongoing task (长期坚持) is reviewed within that; a typo (2202, 20250)
                 otherwise.
    future       after today, for a fact that has already happened (`happened`): the
                 day a report's period is chosen by, an on-site check, a look-back
                 check, the day a milestone was reached. Today itself is allowed.
    before       before another date it cannot precede (`not_before`): the task's
                 start date for its reports' periods, checks and due date; the day a
                 measure was issued for its response deadline. That date itself is
                 allowed (a task may be due the day it starts).

Pure functions: the caller passes today and the bound; `check_date` raises the
InvalidInput naming the field, `refusal` gives the reason's code for the tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext

from closeout.ledger.errors import InvalidInput

FLOOR = dt.date(2000, 1, 1)
HORIZON_YEARS = 20

FLOOR_CODE, HORIZON_CODE, FUTURE_CODE, BEFORE_CODE = "floor", "horizon", "future", "before"


def horizon(today: dt.date) -> dt.date:
    """The last day a date may be: `HORIZON_YEARS` after today (28 February for a
    29 February that the later year does not have)."""
    year = today.year + HORIZON_YEARS
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def refusal(
    value: dt.date,
    *,
    today: dt.date,
    happened: bool = False,
    not_before: dt.date | None = None,
) -> str | None:
    """Why the date is refused (one of the codes above), or None when it is taken."""
    if value < FLOOR:
        return FLOOR_CODE
    if value > horizon(today):
        return HORIZON_CODE
    if happened and value > today:
        return FUTURE_CODE
    if not_before is not None and value < not_before:
        return BEFORE_CODE
    return None


def check_date(
    value: dt.date,
    *,
    field: str,
    label: Any,
    today: dt.date,
    happened: bool = False,
    not_before: dt.date | None = None,
    not_before_label: Any = None,
) -> dt.date:
    """The date, or InvalidInput naming `field` and saying why (`label` names the date
    to people: "the date of the on-site check"; `not_before_label` the bound: "the
    task's start date")."""
    code = refusal(value, today=today, happened=happened, not_before=not_before)
    if code is None:
        return value
    values = {"field": label, "date": value.isoformat()}
    if code == FLOOR_CODE:
        message = gettext("%(field)s: %(date)s is before %(floor)s; check the year") % {
            **values,
            "floor": FLOOR.isoformat(),
        }
    elif code == HORIZON_CODE:
        message = gettext(
            "%(field)s: %(date)s is more than %(years)s years from today; check the year"
        ) % {**values, "years": HORIZON_YEARS}
    elif code == FUTURE_CODE:
        message = gettext(
            "%(field)s: %(date)s is in the future; it must be today (%(today)s) or earlier"
        ) % {**values, "today": today.isoformat()}
    else:
        assert not_before is not None
        message = gettext("%(field)s: %(date)s is before %(bound)s (%(bound_date)s)") % {
            **values,
            "bound": not_before_label,
            "bound_date": not_before.isoformat(),
        }
    raise InvalidInput(message, field=field)
