"""The one clock every rule reads, so tests and simulations can move time."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen_at(moment: dt.datetime | dt.date) -> Iterator[None]:
    """Run a block as if it were `moment` (a date means 09:00 local time that day)."""
    global _frozen
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        moment = timezone.make_aware(dt.datetime.combine(moment, dt.time(9, 0)))
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
