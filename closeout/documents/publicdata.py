"""What the two public documents are made of: the public progress report (整改进展情况
公示) of one plan and the close-out notice (销号公示) of one task, as plain frozen records.

`closeout.ledger.selectors.publicdocs` fills them with the portal's public fields and
nothing else (what is public is decided once, in `closeout.ledger.selectors.public`);
`closeout.documents.publicdocs` turns them into .docx, and the portal's pages show them.
Keys (`bucket`, `status`, `part`) are the ledger's values; the `label` fields carry the
words in the reader's language for the pages, while the documents write their own
Chinese words (`BUCKET_WORDS`, …), since an official document is Chinese whatever the
reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# The schedule buckets (序时进度) in the order of the circulars, with the words the
# portal's Chinese catalog gives them.
BUCKET_WORDS: dict[str, str] = {
    "done": "已完成",
    "sustained": "已完成、长期坚持",
    "on_schedule": "达到序时进度",
    "behind": "滞后",
    "overdue": "逾期",
}
STATUS_WORDS: dict[str, str] = {
    "in_progress": "整改中",
    "requested": "已申请销号",
    "notice": "销号公示中",
    "verification": "待核查",
    "verified": "已核查待备案",
    "closed": "已销号",
    "sustained": "已完成、长期坚持",
}
PART_WORDS: dict[str, str] = {
    "lead": "牵头责任单位",
    "coop": "配合单位",
    "supervising": "督导单位",
    "coop_supervising": "配合督导单位",
}


def cn_date(day: dt.date | None) -> str:
    """A date as official documents write it: 2026年12月4日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


@dataclass(frozen=True)
class BucketCount:
    """How many tasks are in one schedule bucket (序时进度)."""

    bucket: str
    count: int
    label: Any = ""

    @property
    def words(self) -> str:
        return BUCKET_WORDS.get(self.bucket, self.bucket)


@dataclass(frozen=True)
class ReportTask:
    """One task of the progress report, with its public fields."""

    id: int
    seq: int
    text: str
    target: str
    lead_units: tuple[str, ...]
    coop_units: tuple[str, ...]
    deadline: str  # as the plan wrote it (整改时限)
    due_date: dt.date | None
    bucket: str
    progress: int
    status: str
    closed_on: dt.date | None = None
    notice_until: dt.date | None = None
    bucket_label: Any = ""
    status_label: Any = ""

    @property
    def units_text(self) -> str:
        """责任单位 as the table writes it: the leads, then 配合 and the cooperating units."""
        text = "、".join(self.lead_units)
        if self.coop_units:
            text += ("；" if text else "") + "配合：" + "、".join(self.coop_units)
        return text

    @property
    def deadline_text(self) -> str:
        return self.deadline or cn_date(self.due_date)

    @property
    def progress_text(self) -> str:
        """进展情况 in words, from the public fields only: the state, the day it closed or
        the notice runs until, and the progress reported (the report texts themselves are
        not public)."""
        if self.status == "closed":
            if self.closed_on:
                return f"已完成整改，{cn_date(self.closed_on)}销号"
            return "已完成整改并销号"
        if self.status == "sustained":
            return "已完成整改，长期坚持"
        state = STATUS_WORDS.get(self.status, "整改中")
        if self.status == "notice" and self.notice_until:
            state += f"（公示至{cn_date(self.notice_until)}）"
        return f"{state}，完成{self.progress}%"

    @property
    def bucket_words(self) -> str:
        return BUCKET_WORDS.get(self.bucket, "")


@dataclass(frozen=True)
class ReportProblem:
    """One problem (反馈问题) of the report with its public tasks, in the plan's order."""

    id: int
    seq: int
    number: str
    title: str
    tasks: tuple[ReportTask, ...]
    totals: tuple[BucketCount, ...]

    @property
    def heading(self) -> str:
        return f"{self.number or self.seq}. {self.title}"


@dataclass(frozen=True)
class ProgressReportData:
    """The public progress report (整改进展情况公示) of one published plan as of a day."""

    plan_id: int
    title: str  # the plan's title
    issuer: str  # the plan's issuing body
    issued_on: dt.date | None
    office: str  # who publishes the report (the office's issuing body)
    as_of: dt.date
    problems: tuple[ReportProblem, ...]
    totals: tuple[BucketCount, ...]

    @property
    def total(self) -> int:
        return sum(b.count for b in self.totals)

    @property
    def done(self) -> int:
        return sum(b.count for b in self.totals if b.bucket in ("done", "sustained"))

    @property
    def document_title(self) -> str:
        return f"关于{_subject(self.title)}整改进展情况的公示"


def _subject(title: str) -> str:
    """What the report is about, from the plan's title: 《…》 and the words 整改方案
    dropped, so that 关于《济南市贯彻落实中央环境保护督察反馈意见整改方案》 reads
    关于济南市贯彻落实中央环境保护督察反馈意见整改进展情况的公示."""
    subject = title.strip().strip("《》")
    # 整改落实方案, 整改工作方案, 整改实施方案, 实施方案 …: the words before 方案 that only
    # say "the rectification" go too, as the title adds 整改 again.
    tails = ("方案", "实施", "工作", "落实", "整改")
    while any(subject.endswith(t) and len(subject) > len(t) for t in tails):
        tail = next(t for t in tails if subject.endswith(t))
        subject = subject[: -len(tail)]
    return subject


@dataclass(frozen=True)
class UnitPart:
    """The units taking one part in a task (names only, as the plan named them)."""

    part: str
    names: tuple[str, ...]
    label: Any = ""

    @property
    def words(self) -> str:
        return PART_WORDS.get(self.part, self.part)


@dataclass(frozen=True)
class NoticeData:
    """The close-out notice (销号公示) of one task under public notice."""

    task_id: int
    seq: int
    text: str
    target: str
    measures: tuple[str, ...]  # 整改措施 as the plan set them
    plan_title: str
    plan_issuer: str
    problem_number: str
    problem_title: str
    units: tuple[UnitPart, ...]
    deadline: str
    due_date: dt.date | None
    progress: int
    requested_on: dt.date | None  # the day the close-out of this round was requested
    reviewed_on: dt.date | None  # the day it passed preliminary review (初审)
    notice_from: dt.date
    notice_until: dt.date
    office: str  # who publishes the notice and takes objections
    objection_url: str  # the task's page on the portal, at its objection form
    office_contact: str = ""
    status_label: Any = ""

    @property
    def lead_units(self) -> tuple[str, ...]:
        return next((u.names for u in self.units if u.part == "lead"), ())

    @property
    def period_text(self) -> str:
        return f"公示期为{cn_date(self.notice_from)}至{cn_date(self.notice_until)}"

    @property
    def deadline_text(self) -> str:
        return self.deadline or cn_date(self.due_date)

    @property
    def problem_heading(self) -> str:
        if self.problem_number:
            return f"{self.problem_number}. {self.problem_title}"
        return self.problem_title
