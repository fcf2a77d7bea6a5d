"""The records the public portal (信息公开) is shown: frozen, with the public fields of a
plan, problem, task, close-out step, look-back check and objection and nothing else (see
`closeout.ledger.selectors.public`, which decides what is public and fills them). No
database access here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors.paging import Paged

DONE_BUCKETS = (Bucket.DONE, Bucket.SUSTAINED)
T = TypeVar("T")


@dataclass(frozen=True)
class Buckets:
    """Task counts by schedule bucket, every bucket present."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Bucket.values, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return sum(self.counts[b] for b in DONE_BUCKETS)

    @property
    def done_percent(self) -> int:
        """The share of tasks done (rounded down: never more than is done)."""
        return 100 * self.done // self.total if self.total else 0

    @property
    def rows(self) -> list[tuple[str, Any, int]]:
        """(bucket, label, count) in the order of the circulars."""
        return [(b.value, b.label, self.counts[b.value]) for b in Bucket]


def problem_done(buckets: Buckets) -> bool:
    """A problem is done (整改完成) when every one of its tasks is done or completed and
    sustained (已完成、长期坚持); a problem with no task counted is not."""
    return buckets.total > 0 and buckets.done == buckets.total


def buckets_of(rows: Iterable[tuple[str, int]]) -> Buckets:
    counts = dict.fromkeys(Bucket.values, 0)
    for bucket, n in rows:
        if bucket in counts:  # a task the sweep has not bucketed yet counts nowhere
            counts[bucket] += n
    return Buckets(counts)


@dataclass(frozen=True)
class PublicPlan:
    id: int
    title: str
    issuer: str
    issued_on: dt.date | None
    problems: int
    buckets: Buckets


@dataclass(frozen=True)
class PublicProblem:
    id: int
    plan_id: int
    seq: int
    number: str
    title: str
    text: str
    category: Any
    buckets: Buckets
    progress: int  # the mean progress of its tasks (%)

    @property
    def done(self) -> bool:
        return problem_done(self.buckets)


@dataclass(frozen=True)
class UnitName:
    """A unit as the portal names it: the unit, or the collective the plan named
    ("领导小组各成员单位") with how many units it stands for."""

    name: str
    count: int = 1


@dataclass(frozen=True)
class PublicTaskRow:
    id: int
    plan_id: int
    plan_title: str
    problem_title: str
    seq: int
    text: str
    deadline_raw: str
    due_date: dt.date | None
    progress: int
    status: str
    status_label: Any
    bucket: str
    bucket_label: Any
    notice_until: dt.date | None
    closed_on: dt.date | None
    leads: list[UnitName]


@dataclass(frozen=True)
class PublicStep:
    """One step of a close-out as the public sees it: what, in which round, which day."""

    round: int
    kind: str
    label: Any
    on: dt.date


@dataclass(frozen=True)
class PublicLookback:
    months: int
    closed_on: dt.date
    checked_on: dt.date | None
    state: str
    label: Any


@dataclass(frozen=True)
class PublicObjection:
    """An objection that is not spam, with its answer; never who lodged it. The empty
    name and contact keep the shared objection template from ever printing them."""

    pk: int
    round: int
    lodged_at: dt.datetime
    text: str
    answer: str
    answered_at: dt.datetime | None
    spam_at: None = None
    name: str = ""
    contact: str = ""


@dataclass(frozen=True)
class PublicTask:
    row: PublicTaskRow
    problem_id: int
    problem_seq: int
    problem_number: str
    target: str
    measures: list[str]
    category: Any
    immediate: bool
    ongoing: bool
    units: list[tuple[Any, list[UnitName]]]  # (part, names), in the order of UNIT_PARTS
    steps: list[PublicStep]
    notice_from: dt.date | None
    lookbacks: list[PublicLookback]

    @property
    def pk(self) -> int:
        return self.row.id

    @property
    def under_notice(self) -> bool:
        return self.row.status == Status.NOTICE


@dataclass(frozen=True)
class Page(Paged, Generic[T]):
    rows: list[T]
    count: int
    number: int
    size: int

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@dataclass(frozen=True)
class LookbackRow:
    task: PublicTaskRow
    lookback: PublicLookback
