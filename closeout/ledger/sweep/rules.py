"""The sweep's rules, one named object each (`SweepRule`): the rule in one sentence,
what it reads and writes, how it runs, its statements as compiled (for `closeout sweep
--explain`), and the pure function it must agree with where one exists (its twin).

`RULES` is the order the sweep applies them in, computed from what each rule reads and
writes (`ordered`): a rule runs after every rule that writes something it reads. Names
are "table" for a table's rows (a rule that inserts or deletes) and "table.column" for
one column, by model name (`task.status`, `taskstate.bucket`); rules that touch
unrelated things keep the order they are declared in below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from closeout.ledger.rules import cycles, escalation, schedule
from closeout.ledger.sweep import (
    buckets,
    escalations,
    lookbacks,
    notifications,
    reports,
    snapshots,
)
from closeout.ledger.sweep import explain as ex
from closeout.ledger.sweep.base import Context
from closeout.ledger.sweep.explain import Compiled


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class SweepRule:
    """One rule of the sweep. `apply` runs it in a sweep's context and returns the
    figures it adds to the run's result (`SweepResult` attribute names → rows);
    `statements` gives what it runs, compiled for this database, without running it;
    `twin` is the pure rule it agrees with (a test holds each twin to its rule on
    random ledgers)."""

    name: str
    sentence: str
    reads: frozenset[str]
    writes: frozenset[str]
    apply: Callable[[Context], dict[str, int]] = field(repr=False)
    statements: Callable[[], list[Compiled]] = field(repr=False)
    twin: Callable[..., Any] | None = field(default=None, repr=False)

    def after(self, other: SweepRule) -> bool:
        """Whether this rule reads something `other` writes (so runs after it)."""
        return other is not self and any(_overlap(w, r) for w in other.writes for r in self.reads)


def _overlap(a: str, b: str) -> bool:
    """A table's rows overlap each of its columns; columns overlap themselves."""
    table_a, _, column_a = a.partition(".")
    table_b, _, column_b = b.partition(".")
    return table_a == table_b and (not column_a or not column_b or column_a == column_b)


class RuleCycle(ValueError):
    """Rules that read what each other write: no order satisfies them."""


def ordered(rules: Iterable[SweepRule]) -> tuple[SweepRule, ...]:
    """The rules in an order where each comes after every rule it reads from, otherwise
    in the order given; RuleCycle names the rules that depend on each other."""
    pending = list(rules)
    names = [r.name for r in pending]
    if len(set(names)) != len(names):
        raise ValueError(f"two sweep rules have the same name: {sorted(names)}")
    out: list[SweepRule] = []
    while pending:
        ready = next(
            (r for r in pending if not any(r.after(o) for o in pending if o is not r)), None
        )
        if ready is None:
            raise RuleCycle(
                "these sweep rules read what each other write: "
                + ", ".join(
                    f"{r.name} (after {', '.join(o.name for o in pending if r.after(o))})"
                    for r in pending
                )
            )
        out.append(ready)
        pending.remove(ready)
    return tuple(out)


DECLARED: tuple[SweepRule, ...] = (
    SweepRule(
        "notices",
        "A public notice (公示) whose last day has passed with every objection answered (or "
        "marked as spam) ends: the system takes the end_notice transition, audited, for each "
        "such task.",
        reads=_names("task.status task.notice_until objection.answered_at objection.spam_at"),
        writes=_names(
            "task.status task.updated_at taskunit.task_status closeoutstep auditevent "
            "taskstate.bucket taskstate.missed_reports taskstate.missed_since notification"
        ),
        apply=buckets.notices,
        statements=ex.notices,
    ),
    SweepRule(
        "missed_reports",
        "A task that owes reports (in progress, under review request or sustained) gets "
        "one missing-report record (漏报) for each period of its plan's reporting cycle "
        "that began on or after its start and came due (grace included) since the "
        "previous sweep, at most backfill_days back, without a report for it.",
        reads=_names(
            "task.status task.start_date task.plan plan.report_cycle plan.report_cycle_days "
            "plan.issued_on progressreport.period_start missedreport.period_start "
            "taskunit.role sweeprun.as_of loopsettings.report_grace_days "
            "loopsettings.backfill_days"
        ),
        writes=_names("missedreport"),
        apply=reports.missed_reports,
        statements=ex.missed_reports,
        twin=cycles.missing_periods,
    ),
    SweepRule(
        "report_streaks",
        "A task's run of missed reports is the number of its unfilled missing-report "
        "records for periods after the latest period it reported for, and the first of "
        "those periods; a task that owes no reports has none.",
        reads=_names("missedreport task.status task.last_report_period taskstate.missed_reports"),
        writes=_names("taskstate.missed_reports taskstate.missed_since"),
        apply=reports.report_streaks,
        statements=ex.report_streaks,
        twin=cycles.missed_run,
    ),
    SweepRule(
        "buckets",
        "Every task's schedule bucket (序时进度) as of the day is stored: done, sustained, "
        "overdue, on schedule or behind by its milestones, its share of time elapsed or "
        "its reporting; none for drafts and cancelled tasks.",
        reads=_names(
            "task.status task.start_date task.due_date task.progress milestone "
            "taskstate.missed_reports"
        ),
        writes=_names("taskstate.bucket"),
        apply=buckets.buckets,
        statements=ex.buckets,
        twin=schedule.schedule_status,
    ),
    SweepRule(
        "lookbacks",
        "Every closing (closed or sustained) gets one look-back check (回头看) for each "
        "configured number of months after it, due that many months on (the day clamped "
        "to the month's end); one already due when scheduled is marked announced.",
        reads=_names(
            "task.status task.closed_on lookbackcheck.task lookbackcheck.closed_on "
            "lookbackcheck.months taskunit.role loopsettings.lookback_months"
        ),
        writes=_names("lookbackcheck"),
        apply=lookbacks.lookbacks,
        statements=ex.lookbacks,
    ),
    SweepRule(
        "lookbacks_due",
        "A look-back check that falls due is announced once to the users of the task's "
        "supervising units: one item per task when it falls due after it was scheduled, "
        "one counted item per user for the checks already due when scheduled.",
        reads=_names("lookbackcheck taskunit.role profile"),
        writes=_names("lookbackcheck.notified_on notification"),
        apply=lookbacks.lookbacks_due,
        statements=ex.lookbacks_due,
    ),
    SweepRule(
        "escalate",
        "Each cause a task has (due soon while behind, missed reports in a row, overdue, "
        "a rebound) gets the measure (督办) of the strongest active rule it meets, only "
        "when that level is stronger than every measure ever issued for the same cause, "
        "lifted ones included: never twice for a cause, never a weaker after a stronger.",
        reads=_names(
            "task.status task.due_date task.rebounds "
            "taskstate.bucket taskstate.missed_reports taskstate.missed_since "
            "escalationrule escalation.task escalation.cause escalation.rank taskunit.role "
            "loopsettings.issuing_body calendarday"
        ),
        writes=_names("escalation"),
        apply=escalations.escalate,
        statements=ex.escalate,
        twin=escalation.to_issue,
    ),
    SweepRule(
        "lift",
        "An automatic measure still standing whose cause the task no longer has (the "
        "report came in, the due date moved, the task was closed) is lifted.",
        reads=_names(
            "escalation.lifted_on escalation.manual escalation.trigger escalation.cause "
            "task.due_date task.rebounds taskstate.bucket "
            "taskstate.missed_reports taskstate.missed_since"
        ),
        writes=_names("escalation.lifted_on escalation.lift_reason"),
        apply=escalations.lift,
        statements=ex.lift,
        twin=escalation.lifted,
    ),
    SweepRule(
        "missed_report_notices",
        "Each user of a responsible unit that got missing-report records in this run gets "
        "one inbox item counting them.",
        reads=_names("missedreport profile"),
        writes=_names("notification"),
        apply=notifications.missed_report_notices,
        statements=ex.missed_report_notices,
    ),
    SweepRule(
        "escalation_notices",
        "Each measure issued in this run reaches the inbox of every user of the unit it addresses.",
        reads=_names("escalation profile"),
        writes=_names("notification"),
        apply=notifications.escalation_notices,
        statements=ex.escalation_notices,
    ),
    SweepRule(
        "snapshot",
        "The period of the office's digest cycle that contains the day gets its frozen "
        "counts (调度快照): the confirmed tasks by plan and stored bucket, per category, "
        "lead unit and due month, with those missing reports, rebounded, with a measure "
        "standing and under notice; rewritten while the period runs, never once a later "
        "period (or a later day of it) has been swept.",
        reads=_names(
            "task.status task.plan task.category task.due_date task.rebounds "
            "taskstate.bucket taskstate.missed_reports taskunit.role taskunit.unit "
            "escalation.lifted_on loopsettings.digest_cycle loopsettings.digest_cycle_days"
        ),
        writes=_names("snapshot snapshotrow"),
        apply=snapshots.snapshot,
        statements=ex.snapshot,
    ),
)

RULES: tuple[SweepRule, ...] = ordered(DECLARED)
