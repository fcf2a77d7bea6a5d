"""Rate limits (限流) on what anyone may write without an account: objections.

An objection can be lodged by any visitor, and every one must be answered (or marked as
spam) before a public notice may end; a hundred in a few seconds once stalled a close-out.
So lodging is counted, before the service touches the database, per task and per address:
by default at most 20 objections to one task and 5 from one address every 10 minutes
(`CLOSEOUT_OBJECTION_LIMITS` in the settings, for tests and deployments that need other
numbers). Past a limit the attempt is refused with `RateLimited` (HTTP 429) until the
window is over.

The counts live in Django's cache (the `default` cache, see the settings and the README):
`closeout serve` is one process with many threads, which share its in-memory cache, so the
limits hold for the whole server; several server processes would each count on their own.
Windows are fixed (the clock's time divided by the window's length), read from the
ledger's clock so that tests can move it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from closeout.ledger import clock
from closeout.ledger.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    count: int  # attempts allowed …
    seconds: int  # … per window of this length


DEFAULT_OBJECTION_LIMITS = {"task": Limit(20, 600), "address": Limit(5, 600)}


def _limits() -> dict[str, Limit]:
    configured = getattr(settings, "CLOSEOUT_OBJECTION_LIMITS", None) or {}
    return {**DEFAULT_OBJECTION_LIMITS, **configured}


def _counted(key: str, limit: Limit) -> bool:
    """Count one attempt under `key` in the current window; False once over the limit."""
    window = int(clock.now().timestamp()) // limit.seconds
    name = f"closeout:limit:{key}:{window}"
    # add() starts the window's count; incr() is atomic in the cache backends Django ships
    # with in memory (and in memcached and Redis).
    cache.add(name, 0, timeout=limit.seconds)
    try:
        attempts = cache.incr(name)
    except ValueError:  # the key expired between the two calls
        cache.set(name, 1, timeout=limit.seconds)
        attempts = 1
    return attempts <= limit.count


def objection_attempt(task_id: int, address: str | None) -> None:
    """Count an attempt to object to a task from an address (None: not known, e.g. a
    command); refuse it past either limit. The address is counted first, so that one
    address over its limit does not use up the task's."""
    limits = _limits()
    if address:
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        if not _counted(f"objection:address:{digest}", limits["address"]):
            raise RateLimited(
                _(
                    "Too many objections from your address: at most %(count)s every "
                    "%(minutes)s minutes. Please try again later."
                )
                % _numbers(limits["address"])
            )
    if not _counted(f"objection:task:{task_id}", limits["task"]):
        raise RateLimited(
            _(
                "This task has received too many objections in a short time: at most "
                "%(count)s every %(minutes)s minutes. Please try again later."
            )
            % _numbers(limits["task"])
        )


def _numbers(limit: Limit) -> dict[str, int]:
    return {"count": limit.count, "minutes": max(1, limit.seconds // 60)}
