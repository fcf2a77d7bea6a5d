"""A task without a due date (立行立改 immediate, 长期坚持 ongoing, both, or no deadline the
reader could parse) is never overdue and never escalated for lateness: the schedule rule
and the escalation ladder together, at many dates, with the default ladder and a keen
one. It may still be escalated for missed reports and rebounds."""

from __future__ import annotations

import datetime as dt

import pytest

from closeout.ledger.rules.escalation import (
    DEFAULT_RULES,
    Cause,
    Level,
    Measure,
    Rule,
    TaskFacts,
    Trigger,
    evaluate,
    lifted,
    to_issue,
)
from closeout.ledger.rules.schedule import (
    OPEN_STATES,
    Bucket,
    MilestoneFacts,
    ScheduleFacts,
    schedule_status,
)

D = dt.date
START = D(2021, 3, 1)
MISSED_SINCE = D(2021, 5, 3)
KINDS = {
    "immediate": {"immediate": True},
    "ongoing": {"ongoing": True},
    "both": {"immediate": True, "ongoing": True},
    "neither": {},
}
# From before the start to decades after it: the day after the start (where the trial
# made every immediate task overdue), a week on, month and year ends, far futures.
DAYS = [
    START - dt.timedelta(days=30), START, START + dt.timedelta(days=1),
    START + dt.timedelta(days=7), D(2021, 3, 31), D(2021, 12, 31), D(2022, 1, 1),
    D(2023, 6, 30), D(2025, 1, 1), D(2030, 12, 31), D(2045, 1, 1),
]  # fmt: skip
# A keen office: warnings 365 days ahead, a circular from the first day late.
KEEN = (
    Rule(Level.WARNING, Trigger.DUE_SOON, 365),
    Rule(Level.CIRCULAR, Trigger.OVERDUE, 0),
    Rule(Level.SUPERVISION, Trigger.OVERDUE, 1),
)
LATENESS = {Trigger.OVERDUE, Trigger.DUE_SOON}


def _facts(kind: str, **overrides: object) -> ScheduleFacts:
    values: dict[str, object] = {"status": "in_progress", "start": START, "due": None}
    values.update(KINDS[kind])
    values.update(overrides)
    return ScheduleFacts(**values)  # type: ignore[arg-type]


def _task_facts(facts: ScheduleFacts, day: dt.date, missed: int, rebounds: int) -> TaskFacts:
    status = schedule_status(facts, day)
    return TaskFacts(
        bucket=status.bucket,
        due=status.due,
        missed_reports=missed,
        missed_since=MISSED_SINCE if missed else None,
        rebounds=rebounds,
    )


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("state", sorted(OPEN_STATES))
@pytest.mark.parametrize("start", [START, None], ids=["start", "no-start"])
@pytest.mark.parametrize(
    "milestones",
    [(), (MilestoneFacts(D(2021, 6, 30), 50), MilestoneFacts(D(2021, 12, 31), 100))],
    ids=["plain", "milestones"],
)
@pytest.mark.parametrize("rules", [DEFAULT_RULES, KEEN], ids=["default", "keen"])
def test_no_lateness_cause_ever(kind, state, start, milestones, rules):
    for progress in (0, 40, 100):
        for missed, rebounds in ((0, 0), (3, 0), (0, 2)):
            task = _facts(
                kind, status=state, start=start, progress=progress,
                milestones=milestones, reporting=missed == 0,
            )  # fmt: skip
            issued: list[Measure] = []
            for day in DAYS:
                facts = _task_facts(task, day, missed, rebounds)
                assert facts.bucket != Bucket.OVERDUE and facts.due is None, (kind, day)
                measures = evaluate(facts, rules, day)
                assert not {m.cause.trigger for m in measures} & LATENESS, (kind, day, measures)
                issued += to_issue(facts, rules, day, issued)
            triggers = {m.cause.trigger for m in issued}
            assert not triggers & LATENESS
            # Other causes still reach these tasks (the default ladder has them).
            if rules is DEFAULT_RULES and missed:
                assert Trigger.MISSED_REPORTS in triggers
            if rules is DEFAULT_RULES and rebounds:
                assert Trigger.REBOUND in triggers


@pytest.mark.parametrize(
    ("task", "day", "bucket"),
    [
        # Behind by its milestones, yet never "due soon": there is no due date to count to.
        (_facts("immediate", milestones=(MilestoneFacts(START, 100),)), START, Bucket.BEHIND),
        (_facts("ongoing", reporting=False), D(2040, 1, 1), Bucket.BEHIND),
        (_facts("neither", start=None, reporting=False), START, Bucket.BEHIND),
    ],
)
def test_behind_without_a_due_date_gets_no_warning(task, day, bucket):
    facts = _task_facts(task, day, 0, 0)
    assert facts.bucket == bucket
    assert evaluate(facts, KEEN, day) == set()


def test_a_lateness_measure_of_the_old_rule_lifts():
    """A measure issued while an immediate task counted as due on its start date (the
    cause key `overdue:<start>`) no longer has its cause, and lifts; a manual one stays."""
    old = {
        Measure(Level.CIRCULAR, Cause(Trigger.OVERDUE, START.isoformat())),
        Measure(Level.WARNING, Cause(Trigger.DUE_SOON, START.isoformat())),
    }
    manual = Measure(Level.REGION_HOLD, Cause(Trigger.MANUAL, "No. 3"))
    for kind in KINDS:
        facts = _task_facts(_facts(kind), D(2021, 9, 1), 0, 0)
        assert lifted(old | {manual}, facts) == old
