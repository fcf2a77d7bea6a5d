"""A task's row of the ledger workbook (台账), from the facts the database gives.

`build_row` turns one `TaskFacts` (the task's columns, its unit names by role, its
responsible persons) into the `LedgerRow` the workbook writes, with the ledger's words
for its codes (`Vocabulary`: status → 完成情况 and 任务状态, schedule bucket → 序时进度,
category → 类别). It is pure, so a large export builds its rows in the process that
writes the workbook (`ledgerprocess`), beside the one that reads the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from closeout.documents.ledgerxlsx import LedgerRow


@dataclass(frozen=True)
class Vocabulary:
    """The workbook's words for the ledger's codes."""

    completion: Mapping[str, str]  # task status -> 完成情况
    status: Mapping[str, str]  # task status -> 任务状态
    bucket: Mapping[str, str]  # schedule bucket -> 序时进度
    category: Mapping[str, str]  # category -> 类别
    open_words: str  # 完成情况 of a status the vocabulary does not know


class TaskFacts(NamedTuple):
    """What the database holds of one task, for its row: plain values that pickle fast
    (days as YYYY-MM-DD), unit names by part in assignment order."""

    task_id: int
    problem_id: int
    problem: str | None  # its title, else its text
    text: str
    target: str | None
    measures: Any  # a list of measures (or, from old data, one text)
    deadline_raw: str | None
    due_date: str | None
    status: str
    progress: int | None
    category: str | None
    closed_on: str | None
    last_reported: str | None
    plan_title: str | None
    inspection: str | None
    bucket: str | None
    latest_report: str | None
    lead: Sequence[str]
    coop: Sequence[str]
    supervising: Sequence[str]  # supervising and cooperating supervising units
    persons: Sequence[str]
    sheet: str


def measures_text(measures: Any, text: str = "") -> str:
    """整改措施: the ordered measures, numbered when there are several; the task's own
    text when it lists none."""
    if isinstance(measures, str):
        return measures.strip() or text.strip()
    items = [str(m).strip() for m in measures or () if str(m).strip()]
    if not items:
        return text.strip()
    if len(items) == 1:
        return items[0]
    return "\n".join(f"{i}. {m}" for i, m in enumerate(items, 1))


def build_row(facts: TaskFacts, vocabulary: Vocabulary) -> LedgerRow:
    """The task's row: 责任单位 is its lead then cooperating units (each once), 责任人
    its responsible persons, 整改时限 the deadline as written (else its date)."""
    lead, coop = facts.lead, facts.coop
    category = facts.category
    return LedgerRow(
        problem_key=facts.problem_id,
        problem=facts.problem or "",
        task_id=facts.task_id,
        target=facts.target or None,
        measures=measures_text(facts.measures, facts.text) or None,
        units="、".join(dict.fromkeys([*lead, *coop])) or None,
        persons="、".join(facts.persons) or None,
        deadline=facts.deadline_raw or facts.due_date,
        progress_text=facts.latest_report or None,
        completion=vocabulary.completion.get(facts.status, vocabulary.open_words),
        lead_units="、".join(lead) or None,
        coop_units="、".join(coop) or None,
        supervising_units="、".join(dict.fromkeys(facts.supervising)) or None,
        percent=facts.progress,
        bucket=vocabulary.bucket.get(facts.bucket or ""),
        status=vocabulary.status.get(facts.status),
        plan=facts.plan_title,
        inspection=facts.inspection,
        category=vocabulary.category.get(category or "", category or None),
        last_reported=facts.last_reported,
        closed_on=facts.closed_on,
        sheet=facts.sheet,
    )
