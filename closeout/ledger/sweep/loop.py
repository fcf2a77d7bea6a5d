"""The sweep's run: one transaction, the rules of `closeout.ledger.sweep.rules.RULES`
applied in their order, the figures and the run's record."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.db import connection, transaction
from django.db.models import Count, Max

from closeout.ledger import clock
from closeout.ledger.models import (
    Escalation,
    LookbackCheck,
    LoopSettings,
    MissedReport,
    SweepRun,
    Task,
    load_entered_days,
)
from closeout.ledger.rules.schedule import COUNTED_STATES, Bucket
from closeout.ledger.sweep.base import Context, SweepResult
from closeout.ledger.sweep.rules import RULES, SweepRule
from closeout.ledger.sweep.sql import staging

# From this many tasks on, the sweep stages the rows of each write (see `run`).
STAGE_FROM = 50_000

# An advisory lock key, so that two sweeps on PostgreSQL queue instead of interleaving.
_LOCK_KEY = 0x5C0DE_5EE9

# The tables rules insert into: a row above the id a table had when the run began was
# written by this run (`Context.before`).
INSERTED = (MissedReport, LookbackCheck, Escalation)


def run(as_of: dt.date | None = None) -> SweepResult:
    """Apply every closed-loop rule as of `as_of` (today by default); see the package."""
    day = as_of or clock.today()
    with clock.frozen_at(day) if as_of is not None else nullcontext(), transaction.atomic():
        ctx = begin(day)
        with rules_staged():
            for rule in RULES:
                apply(rule, ctx)
        finish(ctx)
    return ctx.result


def begin(day: dt.date) -> Context:
    """Lock, read the settings and record the run's start; inside the run's transaction,
    with the clock at `day`."""
    _lock()
    settings = LoopSettings.current()
    load_entered_days()
    previous = (
        SweepRun.objects.filter(as_of__lte=day, finished_at__isnull=False)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    # Missing reports are recorded for the periods that came due since the previous
    # sweep, but never further back than the configured days (a ledger swept for the
    # first time, or after a long pause, is not flooded with old periods).
    earliest = day - dt.timedelta(settings.backfill_days)
    before = {
        str(model._meta.model_name): model.objects.aggregate(m=Max("id"))["m"] or 0
        for model in INSERTED
    }
    return Context(
        day=day,
        settings=settings,
        run=SweepRun.objects.create(as_of=day, started_at=clock.now()),
        window_start=earliest if previous is None else max(previous, earliest),
        before=before,
        result=SweepResult(as_of=day),
    )


@contextmanager
def rules_staged() -> Iterator[None]:
    """On a large ledger (PostgreSQL), rows are staged before each write, so that the
    selects run in parallel (`closeout.ledger.sweep.sql.staging`)."""
    with staging(connection.vendor == "postgresql" and Task.objects.count() >= STAGE_FROM):
        yield


def apply(rule: SweepRule, ctx: Context) -> dict[str, int]:
    """Apply one rule; its figures are added to the run's result (and returned)."""
    began = time.perf_counter()
    figures = rule.apply(ctx)
    ctx.result.seconds[rule.name] = round(time.perf_counter() - began, 3)
    for name, value in figures.items():
        setattr(ctx.result, name, getattr(ctx.result, name) + value)
    return figures


def finish(ctx: Context) -> None:
    """The totals, and the run's record closed with its figures."""
    result = ctx.result
    began = time.perf_counter()
    result.buckets, result.tasks = totals()
    result.seconds["totals"] = round(time.perf_counter() - began, 3)
    result.changed = sum(getattr(result, name) for name in SweepResult.CHANGES)
    ctx.run.finished_at = clock.now()
    ctx.run.figures = result.details()
    ctx.run.save(update_fields=["finished_at", "figures"])


def totals() -> tuple[dict[str, int], int]:
    """Confirmed tasks per stored bucket, and their number."""
    counts = dict.fromkeys(Bucket.values, 0)
    rows = (
        Task.objects.filter(status__in=COUNTED_STATES)
        .order_by()
        .values("state__bucket")
        .annotate(n=Count("id"))
    )
    for row in rows:
        bucket = row["state__bucket"]
        counts[bucket] = counts.get(bucket, 0) + row["n"]
    return counts, sum(counts.values())


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            # The sweep's statements look costly to the planner, which would then spend
            # longer compiling them (JIT) than running them on a city's ledger.
            cursor.execute("SET LOCAL jit = off")
