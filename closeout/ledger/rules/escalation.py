"""The escalation ladder (督办): measures of rising pressure on a task that falls behind,
as rules the rectification office configures.

Levels, weakest first:

    warning      预警       reminder   提醒函     circular  通报
    supervision  督办       listed     挂牌督办   summons   约谈
    region_hold  区域限批   accountability  移交问责   (manual only)

A rule says "when <trigger> reaches <threshold>, issue <level>". The defaults are those
of the issue: due in ≤ 7 days and behind → warning; 2 missed reports in a row →
reminder; overdue → circular; overdue 30 days → supervision; 60 days → listed
supervision; 90 days or a second rebound → summons.

Every measure answers one *cause*, and the cause has a key that stays the same for as
long as the cause lasts and changes when a new one arises:

    due_soon:<due date>        behind while the due date approaches
    missed_reports:<first missed period start>
    overdue:<due date>         a new due date (an approved extension) is a new cause
    rebound:<number of rebounds>

So "never repeats for the same cause" is "(task, level, cause key) is unique"; a measure
is lifted when its cause no longer holds (the report came in, the task was closed, the
due date moved), and an escalation can come back only for a new cause. Manual measures
(区域限批, 移交问责) have cause keys the office writes and are lifted only by a person.

When one cause meets several rules at once (a sweep that first sees a task 65 days
overdue), `evaluate` gives only the strongest level for that cause: the weaker steps
of the ladder are not sent after the fact; and `to_issue` issues a level only when it
is stronger than every measure ever issued for that cause, so never twice for a cause
and never a weaker after a stronger.

Pure functions, no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from closeout.ledger.rules.schedule import Bucket


class Level(TextChoices):
    WARNING = "warning", _("Warning")  # 预警
    REMINDER = "reminder", _("Reminder letter")  # 提醒函
    CIRCULAR = "circular", _("Circular")  # 通报
    SUPERVISION = "supervision", _("Supervision")  # 督办
    LISTED = "listed", _("Listed supervision")  # 挂牌督办
    SUMMONS = "summons", _("Summons")  # 约谈
    REGION_HOLD = "region_hold", _("Regional approval hold")  # 区域限批
    ACCOUNTABILITY = "accountability", _("Referral for accountability")  # 移交问责


# Weakest first: the declaration order above.
RANK = {level: rank for rank, level in enumerate(Level)}
MANUAL_LEVELS = frozenset({Level.REGION_HOLD, Level.ACCOUNTABILITY})


class Trigger(TextChoices):
    DUE_SOON = "due_soon", _("Behind schedule, due within N days")
    MISSED_REPORTS = "missed_reports", _("N reports missed in a row")
    OVERDUE = "overdue", _("Overdue by N days")
    REBOUND = "rebound", _("Rebounded N times")
    MANUAL = "manual", _("Issued by hand")


@dataclass(frozen=True)
class Rule:
    """When `trigger` reaches `threshold`, issue `level`. For overdue, a threshold of 0
    means "from the first day past the due date"."""

    level: Level
    trigger: Trigger
    threshold: int

    def __post_init__(self) -> None:
        problem = rule_problem(self.level, self.trigger, self.threshold)
        if problem is not None:
            raise ValueError(problem[1])

    def to_json(self) -> dict[str, Any]:
        return {"level": str(self.level), "trigger": str(self.trigger), "threshold": self.threshold}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rule:
        """A rule as the office stores it; ValueError names what is wrong."""
        return cls(Level(data["level"]), Trigger(data["trigger"]), int(data["threshold"]))


def rule_problem(level: str, trigger: str, threshold: int) -> tuple[str, str] | None:
    """What is wrong with a rule, as (field, message in the reader's language), or None:
    manual levels and the manual trigger are not rules, thresholds are not negative, and
    a count of missed reports or rebounds starts at 1. Rule() and every form ask this."""
    if level in MANUAL_LEVELS:
        return "level", str(
            _("%(level)s is issued by hand, not by a rule") % {"level": Level(level).label}
        )
    if trigger == Trigger.MANUAL:
        return "trigger", str(_("measures issued by hand are not a rule's trigger"))
    if threshold < 0:
        return "threshold", str(_("a rule's threshold cannot be negative"))
    if trigger in (Trigger.MISSED_REPORTS, Trigger.REBOUND) and threshold < 1:
        return "threshold", str(
            _("a rule on “%(trigger)s” needs a threshold of at least 1")
            % {"trigger": Trigger(trigger).label}
        )
    return None


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(Level.WARNING, Trigger.DUE_SOON, 7),
    Rule(Level.REMINDER, Trigger.MISSED_REPORTS, 2),
    Rule(Level.CIRCULAR, Trigger.OVERDUE, 0),
    Rule(Level.SUPERVISION, Trigger.OVERDUE, 30),
    Rule(Level.LISTED, Trigger.OVERDUE, 60),
    Rule(Level.SUMMONS, Trigger.OVERDUE, 90),
    Rule(Level.SUMMONS, Trigger.REBOUND, 2),
)


@dataclass(frozen=True, order=True)
class Cause:
    """Why a measure was issued; `str(cause)` is the key stored with the measure."""

    trigger: str
    key: str

    def __str__(self) -> str:
        return f"{self.trigger}:{self.key}"

    @classmethod
    def parse(cls, text: str) -> Cause:
        trigger, sep, key = text.partition(":")
        if not sep or trigger not in Trigger.values:
            raise ValueError(f"not a cause key: {text!r}")
        return cls(trigger, key)


@dataclass(frozen=True, order=True)
class Measure:
    """One escalation measure (督办措施) as the rules see it: a level for a cause."""

    level: Level
    cause: Cause


@dataclass(frozen=True)
class TaskFacts:
    """What the rules need to know about one task as of a date.

    `bucket` and `due` come from closeout.ledger.rules.schedule (`due` is the effective due
    date); `missed_reports`/`missed_since` from closeout.ledger.rules.cycles.missed_run;
    `rebounds` counts the look-backs that found the problem back (反弹).
    """

    bucket: Bucket
    due: dt.date | None = None
    missed_reports: int = 0
    missed_since: dt.date | None = None
    rebounds: int = 0


_DONE = frozenset({Bucket.DONE, Bucket.SUSTAINED})


def _current_cause(trigger: str, facts: TaskFacts) -> Cause | None:
    """The cause of this kind that the task has now, whatever its size, or None."""
    if trigger == Trigger.DUE_SOON:
        if facts.bucket == Bucket.BEHIND and facts.due is not None:
            return Cause(trigger, facts.due.isoformat())
    elif trigger == Trigger.MISSED_REPORTS:
        if facts.missed_reports > 0 and facts.missed_since is not None:
            return Cause(trigger, facts.missed_since.isoformat())
    elif trigger == Trigger.OVERDUE:
        if facts.bucket == Bucket.OVERDUE and facts.due is not None:
            return Cause(trigger, facts.due.isoformat())
    elif trigger == Trigger.REBOUND and facts.rebounds > 0 and facts.bucket not in _DONE:
        # Once the task is closed again the rebound has been dealt with.
        return Cause(trigger, str(facts.rebounds))
    return None


def _size(rule: Rule, facts: TaskFacts, as_of: dt.date) -> bool:
    """Whether the cause is big enough for the rule."""
    if rule.trigger == Trigger.DUE_SOON:
        assert facts.due is not None
        return 0 <= (facts.due - as_of).days <= rule.threshold
    if rule.trigger == Trigger.MISSED_REPORTS:
        return facts.missed_reports >= rule.threshold
    if rule.trigger == Trigger.OVERDUE:
        assert facts.due is not None
        return (as_of - facts.due).days >= max(rule.threshold, 1)
    return facts.rebounds >= rule.threshold


def evaluate(facts: TaskFacts, rules: Iterable[Rule], as_of: dt.date) -> set[Measure]:
    """The measures the rules call for as of `as_of`: per cause, the strongest level
    among the rules it meets."""
    strongest: dict[Cause, Level] = {}
    for rule in rules:
        cause = _current_cause(rule.trigger, facts)
        if cause is None or not _size(rule, facts, as_of):
            continue
        if cause not in strongest or RANK[rule.level] > RANK[strongest[cause]]:
            strongest[cause] = rule.level
    return {Measure(level, cause) for cause, level in strongest.items()}


def to_issue(
    facts: TaskFacts, rules: Iterable[Rule], as_of: dt.date, issued: Iterable[Measure]
) -> set[Measure]:
    """What to issue now: per cause, the strongest level the rules call for
    (`evaluate`), only when it is stronger than every measure ever issued for that cause
    (`issued`, lifted ones included). So no level is issued twice for the same cause,
    and no weaker measure after a stronger one: a cause that shrinks, or an office that
    lowers its ladder, does not bring the weaker steps back."""
    strongest: dict[Cause, int] = {}
    for measure in issued:
        rank = RANK[measure.level]
        strongest[measure.cause] = max(rank, strongest.get(measure.cause, rank))
    return {m for m in evaluate(facts, rules, as_of) if RANK[m.level] > strongest.get(m.cause, -1)}


def cause_holds(cause: Cause, facts: TaskFacts) -> bool:
    """Whether the cause of a measure still exists (manual causes always do)."""
    if cause.trigger == Trigger.MANUAL:
        return True
    return _current_cause(cause.trigger, facts) == cause


def lifted(active: Iterable[Measure], facts: TaskFacts) -> set[Measure]:
    """The active measures to lift because their cause is gone (manual ones excepted).

    A cause that merely grows is still there: the circular stays when the task reaches
    30 days overdue and supervision is added. A warning lifts when the task turns
    overdue, because "overdue" is a new cause with its own measures.
    """
    return {m for m in active if m.level not in MANUAL_LEVELS and not cause_holds(m.cause, facts)}


def manual_measure(level: Level, reason_key: str) -> Measure:
    """A measure the office issues by hand (区域限批, 移交问责, or any level out of
    turn); `reason_key` names the cause (a document number, say) so it is not issued
    twice."""
    if not reason_key.strip():
        raise ValueError("a manual measure needs a cause key")
    return Measure(level, Cause(Trigger.MANUAL, reason_key))


def describe(measure: Measure, facts: TaskFacts, as_of: dt.date) -> str:
    """The reason written on the measure, in the reader's language."""
    trigger, key = measure.cause.trigger, measure.cause.key
    if trigger == Trigger.DUE_SOON:
        days = (dt.date.fromisoformat(key) - as_of).days
        return str(_("behind schedule with %(days)s days left before the due date %(due)s")) % {
            "days": days,
            "due": key,
        }
    if trigger == Trigger.MISSED_REPORTS:
        return str(_("%(count)s progress reports missed in a row since %(since)s")) % {
            "count": facts.missed_reports,
            "since": key,
        }
    if trigger == Trigger.OVERDUE:
        days = (as_of - dt.date.fromisoformat(key)).days
        return str(_("overdue by %(days)s days (due %(due)s)")) % {"days": days, "due": key}
    if trigger == Trigger.REBOUND:
        return str(_("the problem came back after close-out (%(count)s times)")) % {"count": key}
    return str(_("issued by the rectification office: %(reason)s")) % {"reason": key}
