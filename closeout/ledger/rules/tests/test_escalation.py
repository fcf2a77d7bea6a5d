"""The escalation ladder (督办): which measures the rules call for, that none repeats for the
same cause, and when a measure lifts."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ledger.rules.escalation import (
    DEFAULT_RULES,
    MANUAL_LEVELS,
    Cause,
    Level,
    Measure,
    Rule,
    TaskFacts,
    Trigger,
    describe,
    evaluate,
    lifted,
    manual_measure,
    to_issue,
)
from closeout.ledger.rules.schedule import Bucket

D = dt.date
DUE = D(2025, 6, 30)
MISSED_SINCE = D(2025, 5, 5)


def at(days_from_due: int) -> dt.date:
    return DUE + dt.timedelta(days=days_from_due)


def m(level: Level, trigger: Trigger, key: object) -> Measure:
    return Measure(level, Cause(trigger, str(key)))


@pytest.mark.parametrize(
    ("task", "as_of", "measures"),
    [
        (TaskFacts(Bucket.BEHIND, DUE), at(-8), set()),
        (TaskFacts(Bucket.BEHIND, DUE), at(-7), {m(Level.WARNING, Trigger.DUE_SOON, DUE)}),
        (TaskFacts(Bucket.BEHIND, DUE), at(0), {m(Level.WARNING, Trigger.DUE_SOON, DUE)}),
        (TaskFacts(Bucket.ON_SCHEDULE, DUE), at(-3), set()),
        (TaskFacts(Bucket.BEHIND, None), at(-3), set()),  # no due date, no countdown
        (TaskFacts(Bucket.ON_SCHEDULE, DUE, 1, MISSED_SINCE), at(-30), set()),
        (
            TaskFacts(Bucket.ON_SCHEDULE, DUE, 2, MISSED_SINCE),
            at(-30),
            {m(Level.REMINDER, Trigger.MISSED_REPORTS, MISSED_SINCE)},
        ),
        (
            TaskFacts(Bucket.ON_SCHEDULE, None, 5, MISSED_SINCE),
            at(-30),
            {m(Level.REMINDER, Trigger.MISSED_REPORTS, MISSED_SINCE)},
        ),
        (TaskFacts(Bucket.OVERDUE, DUE), at(1), {m(Level.CIRCULAR, Trigger.OVERDUE, DUE)}),
        (TaskFacts(Bucket.OVERDUE, DUE), at(29), {m(Level.CIRCULAR, Trigger.OVERDUE, DUE)}),
        # One cause, several rules met: only the strongest level.
        (TaskFacts(Bucket.OVERDUE, DUE), at(30), {m(Level.SUPERVISION, Trigger.OVERDUE, DUE)}),
        (TaskFacts(Bucket.OVERDUE, DUE), at(60), {m(Level.LISTED, Trigger.OVERDUE, DUE)}),
        (TaskFacts(Bucket.OVERDUE, DUE), at(90), {m(Level.SUMMONS, Trigger.OVERDUE, DUE)}),
        (TaskFacts(Bucket.OVERDUE, DUE), at(400), {m(Level.SUMMONS, Trigger.OVERDUE, DUE)}),
        (TaskFacts(Bucket.BEHIND, DUE, rebounds=1), at(-30), set()),
        (
            TaskFacts(Bucket.BEHIND, DUE, rebounds=2),
            at(-30),
            {m(Level.SUMMONS, Trigger.REBOUND, 2)},
        ),
        (TaskFacts(Bucket.DONE, DUE, rebounds=2), at(-30), set()),
        (TaskFacts(Bucket.SUSTAINED, None, rebounds=3), at(100), set()),
        # Independent causes each get their measure.
        (
            TaskFacts(Bucket.OVERDUE, DUE, 2, MISSED_SINCE, rebounds=2),
            at(45),
            {
                m(Level.SUPERVISION, Trigger.OVERDUE, DUE),
                m(Level.REMINDER, Trigger.MISSED_REPORTS, MISSED_SINCE),
                m(Level.SUMMONS, Trigger.REBOUND, 2),
            },
        ),
    ],
)
def test_default_rules_call_for_the_measures_of_the_issue(
    task: TaskFacts, as_of: dt.date, measures: set[Measure]
):
    assert evaluate(task, DEFAULT_RULES, as_of) == measures


def test_an_office_can_configure_its_own_ladder():
    rules = [Rule(Level.WARNING, Trigger.DUE_SOON, 14), Rule(Level.SUPERVISION, Trigger.OVERDUE, 0)]
    assert evaluate(TaskFacts(Bucket.BEHIND, DUE), rules, at(-14)) == {
        m(Level.WARNING, Trigger.DUE_SOON, DUE)
    }
    assert evaluate(TaskFacts(Bucket.OVERDUE, DUE), rules, at(1)) == {
        m(Level.SUPERVISION, Trigger.OVERDUE, DUE)
    }
    assert evaluate(TaskFacts(Bucket.OVERDUE, DUE, 9, MISSED_SINCE), rules, at(1)) == {
        m(Level.SUPERVISION, Trigger.OVERDUE, DUE)
    }


def test_the_ladder_climbs_one_step_at_a_time_and_never_repeats_a_measure():
    issued: list[tuple[dt.date, Measure]] = []
    for offset in range(-20, 120):
        day = at(offset)
        facts = TaskFacts(Bucket.BEHIND if offset <= 0 else Bucket.OVERDUE, DUE)
        for _ in range(2):  # a second sweep the same day issues nothing
            new = to_issue(facts, DEFAULT_RULES, day, [m for _, m in issued])
            issued += [(day, measure) for measure in sorted(new)]
    assert [(day, measure.level) for day, measure in issued] == [
        (at(-7), Level.WARNING),
        (at(1), Level.CIRCULAR),
        (at(30), Level.SUPERVISION),
        (at(60), Level.LISTED),
        (at(90), Level.SUMMONS),
    ]


def test_a_new_cause_may_bring_the_same_level_back():
    extended = D(2025, 9, 30)
    first = to_issue(TaskFacts(Bucket.OVERDUE, DUE), DEFAULT_RULES, at(5), [])
    after_extension = to_issue(
        TaskFacts(Bucket.OVERDUE, extended), DEFAULT_RULES, D(2025, 10, 2), first
    )
    assert after_extension == {m(Level.CIRCULAR, Trigger.OVERDUE, extended)}


def test_no_weaker_measure_is_issued_after_a_stronger_one_for_the_same_cause():
    # A summons stands (or stood: lifted ones count too) for the overdue cause; the
    # office then lowers its ladder to a circular only: nothing more for that cause.
    summons = m(Level.SUMMONS, Trigger.OVERDUE, DUE)
    lowered = [Rule(Level.CIRCULAR, Trigger.OVERDUE, 0)]
    facts = TaskFacts(Bucket.OVERDUE, DUE)
    assert to_issue(facts, lowered, at(100), [summons]) == set()
    # A stronger step still comes, and a new cause starts from nothing.
    listed = m(Level.LISTED, Trigger.OVERDUE, DUE)
    assert to_issue(facts, DEFAULT_RULES, at(95), [listed]) == {summons}
    extended = D(2025, 9, 30)
    assert to_issue(TaskFacts(Bucket.OVERDUE, extended), lowered, D(2025, 10, 2), [summons]) == {
        m(Level.CIRCULAR, Trigger.OVERDUE, extended)
    }


@pytest.mark.parametrize(
    ("measure", "now", "is_lifted"),
    [
        # The warning lifts when the task catches up, when the due date moves, or when
        # the task turns overdue (the circular's cause takes over) ...
        (m(Level.WARNING, Trigger.DUE_SOON, DUE), TaskFacts(Bucket.BEHIND, DUE), False),
        (m(Level.WARNING, Trigger.DUE_SOON, DUE), TaskFacts(Bucket.ON_SCHEDULE, DUE), True),
        (
            m(Level.WARNING, Trigger.DUE_SOON, DUE),
            TaskFacts(Bucket.BEHIND, D(2025, 9, 30)),
            True,
        ),
        (m(Level.WARNING, Trigger.DUE_SOON, DUE), TaskFacts(Bucket.OVERDUE, DUE), True),
        # ... an overdue measure stays while overdue, however long, and lifts on closing.
        (m(Level.CIRCULAR, Trigger.OVERDUE, DUE), TaskFacts(Bucket.OVERDUE, DUE), False),
        (m(Level.CIRCULAR, Trigger.OVERDUE, DUE), TaskFacts(Bucket.DONE, DUE), True),
        (m(Level.CIRCULAR, Trigger.OVERDUE, DUE), TaskFacts(Bucket.SUSTAINED, DUE), True),
        (
            m(Level.CIRCULAR, Trigger.OVERDUE, DUE),
            TaskFacts(Bucket.ON_SCHEDULE, D(2025, 12, 31)),
            True,
        ),
        (
            m(Level.REMINDER, Trigger.MISSED_REPORTS, MISSED_SINCE),
            TaskFacts(Bucket.BEHIND, DUE, 4, MISSED_SINCE),
            False,
        ),
        (
            m(Level.REMINDER, Trigger.MISSED_REPORTS, MISSED_SINCE),
            TaskFacts(Bucket.BEHIND, DUE, 0, None),
            True,
        ),
        (
            m(Level.SUMMONS, Trigger.REBOUND, 2),
            TaskFacts(Bucket.BEHIND, DUE, rebounds=2),
            False,
        ),
        (m(Level.SUMMONS, Trigger.REBOUND, 2), TaskFacts(Bucket.DONE, DUE, rebounds=2), True),
        (manual_measure(Level.REGION_HOLD, "济环督〔2025〕3号"), TaskFacts(Bucket.DONE), False),
        (manual_measure(Level.SUPERVISION, "leader-note-12"), TaskFacts(Bucket.DONE), False),
    ],
)
def test_a_measure_lifts_when_its_cause_is_gone(measure: Measure, now: TaskFacts, is_lifted: bool):
    assert lifted([measure], now) == ({measure} if is_lifted else set())


def test_region_hold_and_accountability_are_never_issued_by_rules():
    assert {Level.REGION_HOLD, Level.ACCOUNTABILITY} == MANUAL_LEVELS
    for level in MANUAL_LEVELS:
        with pytest.raises(ValueError):
            Rule(level, Trigger.OVERDUE, 0)
    with pytest.raises(ValueError):
        Rule(Level.CIRCULAR, Trigger.MANUAL, 0)
    with pytest.raises(ValueError):
        manual_measure(Level.ACCOUNTABILITY, "  ")


@pytest.mark.parametrize(
    "data",
    [
        {"level": "warning", "trigger": "due_soon", "threshold": -1},
        {"level": "reminder", "trigger": "missed_reports", "threshold": 0},
        {"level": "shout", "trigger": "overdue", "threshold": 3},
        {"level": "circular", "trigger": "late", "threshold": 3},
    ],
)
def test_a_misconfigured_rule_is_refused(data: dict[str, object]):
    with pytest.raises(ValueError):
        Rule.from_json(data)


def test_rules_round_trip_through_json():
    assert [Rule.from_json(rule.to_json()) for rule in DEFAULT_RULES] == list(DEFAULT_RULES)


def test_the_default_rules_are_the_issues_ladder():
    assert {(r.level, r.trigger, r.threshold) for r in DEFAULT_RULES} == {
        (Level.WARNING, Trigger.DUE_SOON, 7),
        (Level.REMINDER, Trigger.MISSED_REPORTS, 2),
        (Level.CIRCULAR, Trigger.OVERDUE, 0),
        (Level.SUPERVISION, Trigger.OVERDUE, 30),
        (Level.LISTED, Trigger.OVERDUE, 60),
        (Level.SUMMONS, Trigger.OVERDUE, 90),
        (Level.SUMMONS, Trigger.REBOUND, 2),
    }


def test_cause_keys_round_trip_and_reject_garbage():
    cause = Cause(Trigger.MANUAL, "济环督〔2025〕3号:补充")
    assert Cause.parse(str(cause)) == cause
    for garbage in ("overdue", "nonsense:2025-01-01", ""):
        with pytest.raises(ValueError):
            Cause.parse(garbage)


@pytest.mark.parametrize(
    ("measure", "facts", "as_of", "words"),
    [
        (
            m(Level.CIRCULAR, Trigger.OVERDUE, DUE),
            TaskFacts(Bucket.OVERDUE, DUE),
            at(35),
            ["35", "2025-06-30"],
        ),
        (m(Level.WARNING, Trigger.DUE_SOON, DUE), TaskFacts(Bucket.BEHIND, DUE), at(-5), ["5"]),
        (
            m(Level.REMINDER, Trigger.MISSED_REPORTS, MISSED_SINCE),
            TaskFacts(Bucket.BEHIND, DUE, 3, MISSED_SINCE),
            at(-20),
            ["3", "2025-05-05"],
        ),
        (m(Level.SUMMONS, Trigger.REBOUND, 2), TaskFacts(Bucket.BEHIND, rebounds=2), DUE, ["2"]),
        (manual_measure(Level.ACCOUNTABILITY, "No. 7"), TaskFacts(Bucket.BEHIND), DUE, ["No. 7"]),
    ],
)
def test_the_reason_on_a_measure_names_its_numbers(
    measure: Measure, facts: TaskFacts, as_of: dt.date, words: list[str]
):
    reason = describe(measure, facts, as_of)
    assert all(word in reason for word in words), reason


# --- properties -------------------------------------------------------------------------

_dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31))
_facts = st.builds(
    TaskFacts,
    bucket=st.sampled_from(list(Bucket)),
    due=st.none() | _dates,
    missed_reports=st.integers(0, 6),
    missed_since=st.none() | _dates,
    rebounds=st.integers(0, 4),
)


@given(facts=_facts, as_of=_dates)
def test_rules_call_only_for_measures_whose_cause_holds_and_one_level_per_cause(
    facts: TaskFacts, as_of: dt.date
):
    measures = evaluate(facts, DEFAULT_RULES, as_of)
    assert lifted(measures, facts) == set()
    causes = [measure.cause for measure in measures]
    assert len(causes) == len(set(causes))
    assert not any(measure.level in MANUAL_LEVELS for measure in measures)


@given(facts=_facts, as_of=_dates)
def test_nothing_issued_is_issued_again(facts: TaskFacts, as_of: dt.date):
    issued = to_issue(facts, DEFAULT_RULES, as_of, [])
    assert to_issue(facts, DEFAULT_RULES, as_of, issued) == set()
