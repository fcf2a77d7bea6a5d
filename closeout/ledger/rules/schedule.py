"""Schedule status (序时进度) of one task as of a date: the rule behind the buckets that
the weekly circular (调度通报) and the public progress report count.

Every confirmed task lands in exactly one bucket:

    done         已完成            the task is closed out (已销号)
    sustained    已完成、长期坚持   an ongoing task filed as completed and kept up
    on_schedule  达到序时进度       progress has kept up with what the date requires
    behind       滞后              progress is below what the date requires
    overdue      逾期              still open after its due date

`schedule_status` decides, in this order (the first rule that applies wins):

1. closed → done; sustained → sustained. The state decides, whatever the dates say.
2. Open and past the due date (the due date itself is still on time) → overdue. A task
   awaiting close-out (申请销号 … 已核查) is still open: the deadline in a plan is the
   deadline for closing out, and the bucket must not hide a close-out that stalls
   after the deadline. A task without a due date is never overdue, whatever its flags:
   an immediate task (立行立改) is to be done at once but the plan names no day to be
   late against, and an ongoing one (长期坚持) never ends. Reading the start date as an
   immediate task's deadline (as the trial did) put every 立行立改 task in 逾期 the day
   after its start and escalated it for lateness; the office follows such tasks by their
   reports (rule 3) and by hand, not by a date the plan never set.
3. Expected progress:
   - with milestones (倒排进度), the highest `expected_progress` among milestones due
     on or before the date (0 before the first one). Milestones are steps, not a ramp:
     the plan promises "60% by June", not "30% by mid-March".
   - without milestones, the share of time elapsed from start to due date, rounded
     down to a whole percent (in the unit's favour), 0 before the start.
   - with neither milestones nor a due date (or no start date to measure time from)
     there is no expectation: such a task — typically immediate (立行立改) or ongoing
     (长期坚持) — is on schedule while it reports on time and behind when it does not.
4. The progress that counts is the larger of the reported percentage and the
   milestones already reached by that date (a milestone reached counts even when the
   percentage was not updated). Counted progress ≥ expected → on_schedule, else behind.

Draft and cancelled tasks are not confirmed and are in no bucket: asking for their
status is a programming error (ValueError), so that a count can never include them.

Pure functions over a frozen input, no database; the sweep translates the same rule
to SQL and the tests hold the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Bucket(TextChoices):
    DONE = "done", _("Done")  # 已完成
    SUSTAINED = "sustained", _("Completed, sustained")  # 已完成、长期坚持
    ON_SCHEDULE = "on_schedule", _("On schedule")  # 达到序时进度
    BEHIND = "behind", _("Behind schedule")  # 滞后 / 未达到序时进度
    OVERDUE = "overdue", _("Overdue")  # 逾期


# The task states counted in the buckets, by their values in
# closeout.ledger.rules.workflow.Status (a test keeps the two in step; this module stays free
# of models so that anything can import it).
CLOSED, SUSTAINED = "closed", "sustained"
OPEN_STATES = frozenset({"in_progress", "requested", "notice", "verification", "verified"})
COUNTED_STATES = OPEN_STATES | {CLOSED, SUSTAINED}


@dataclass(frozen=True)
class MilestoneFacts:
    """One milestone (节点): expected progress by a date, and when it was reached."""

    due_date: dt.date
    expected_progress: int
    reached_on: dt.date | None = None


@dataclass(frozen=True)
class ScheduleFacts:
    """What the schedule rule needs to know about one task.

    `reporting` is False when the task's unit has missed its latest report (see
    closeout.ledger.rules.cycles); it only matters for tasks without any expectation.
    `immediate` and `ongoing` are the plan's words for the deadline; they do not move
    the bucket (only the dates and milestones do) and are kept so that the facts say
    what the plan said.
    """

    status: str
    start: dt.date | None
    due: dt.date | None
    immediate: bool = False
    ongoing: bool = False
    progress: int = 0
    milestones: tuple[MilestoneFacts, ...] = field(default=())
    reporting: bool = True


@dataclass(frozen=True)
class ScheduleStatus:
    """The bucket, the progress the date requires (None when nothing is required) and
    the effective due date (None when the task has none)."""

    bucket: Bucket
    expected: int | None
    due: dt.date | None

    def days_overdue(self, as_of: dt.date) -> int:
        """Whole days past the due date (0 when not overdue)."""
        if self.due is None or as_of <= self.due:
            return 0
        return (as_of - self.due).days

    def days_left(self, as_of: dt.date) -> int | None:
        """Days until the due date (0 on the day, negative after; None without one)."""
        return None if self.due is None else (self.due - as_of).days


def effective_due(facts: ScheduleFacts) -> dt.date | None:
    """The date the task can be late against: its due date, and none without one (an
    immediate (立行立改) or ongoing (长期坚持) task without a due date is never overdue)."""
    return facts.due


def expected_progress(facts: ScheduleFacts, as_of: dt.date) -> int | None:
    """The progress (0–100) the date requires, or None when nothing can be required."""
    if facts.milestones:
        due = [m.expected_progress for m in facts.milestones if m.due_date <= as_of]
        return min(100, max(due, default=0))
    due_on = effective_due(facts)
    if due_on is None or facts.start is None:
        return None
    if as_of < facts.start:
        return 0
    total = (due_on - facts.start).days
    if total <= 0:
        # Due on (or, for bad data, before) the start date: everything is due at once.
        return 100
    elapsed = min((as_of - facts.start).days, total)
    return 100 * elapsed // total


def counted_progress(facts: ScheduleFacts, as_of: dt.date) -> int:
    """The reported percentage, raised to the milestones reached by `as_of`."""
    reached = [
        m.expected_progress
        for m in facts.milestones
        if m.reached_on is not None and m.reached_on <= as_of
    ]
    return min(100, max([facts.progress, *reached]))


def schedule_status(facts: ScheduleFacts, as_of: dt.date) -> ScheduleStatus:
    """The bucket of one confirmed task as of a date (rules in the module docstring)."""
    if facts.status not in COUNTED_STATES:
        raise ValueError(f"a task in state {facts.status!r} is in no schedule bucket")
    due_on = effective_due(facts)
    if facts.status == CLOSED:
        return ScheduleStatus(Bucket.DONE, None, due_on)
    if facts.status == SUSTAINED:
        return ScheduleStatus(Bucket.SUSTAINED, None, due_on)
    expected = expected_progress(facts, as_of)
    if due_on is not None and as_of > due_on:
        return ScheduleStatus(Bucket.OVERDUE, expected, due_on)
    if expected is None:
        bucket = Bucket.ON_SCHEDULE if facts.reporting else Bucket.BEHIND
        return ScheduleStatus(bucket, None, due_on)
    if counted_progress(facts, as_of) >= expected:
        return ScheduleStatus(Bucket.ON_SCHEDULE, expected, due_on)
    return ScheduleStatus(Bucket.BEHIND, expected, due_on)


def bucket_counts(statuses: list[ScheduleStatus]) -> dict[str, int]:
    """Counts per bucket, every bucket present (0 when empty): the shape of the
    sweep's `buckets` and of the circular's totals."""
    counts = dict.fromkeys(Bucket.values, 0)
    for status in statuses:
        counts[status.bucket] += 1
    return counts
