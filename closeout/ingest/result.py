"""The parse result (解析结果): frozen dataclasses and their JSON form.

``to_json`` produces exactly the contract of ``closeout parse FILE --json``; every span
indexes the decoded original text (``ParseResult.text``), never the analysis form.

Each task's ``"spans"`` says where every field with a value was read (``closeout.ingest
.spans``): ``{"text": [[s, e]], "problem": […], "target": […], "measures": […],
"lead_units": […], "coop_units": […], "persons": […], "supervising_units": […],
"coop_supervising_units": […], "supervising_leaders": […], "deadline": […],
"completion": […], "progress_text": […], "verifying_units": […]}``, each a list of
``[start, end]`` pairs in the order read, with ``"implementing_units"`` (a bracket's
…负责落实, also among the lead units' spans) and ``"standing_units"`` (the standing
clauses that gave a unit, also among the lead or supervising units' spans). A field
without a value has no key. An Excel ledger's text shows each row as a line of its
cells, so a row's fields have their cells' spans in that line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from closeout.ingest.deadlines import Deadline
from closeout.ingest.indicators import Indicator
from closeout.ingest.source import ReadContext
from closeout.ingest.units import Party


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What the caller knows that the document may not say.

    ``year`` is the year the plan is for: it dates a bare "年底前" (without it, the one year
    the plan's title names does; the document's own date never does, since a plan signed
    in one year may run for several);
    ``max_tasks`` bounds the output on adversarial input; ``reading`` holds the reader's
    limits (its own ``name`` is replaced by this one's).
    """

    name: str = "<bytes>"
    format: str | None = None
    year: int | None = None
    max_tasks: int = 20000
    reading: ReadContext = field(default_factory=ReadContext)


@dataclass(frozen=True, slots=True)
class Document:
    title: str | None
    issuer: str | None
    date: date | None
    span: tuple[int, int]
    layout: str


@dataclass(frozen=True, slots=True)
class Problem:
    number: str | None
    title: str
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Progress:
    """What an Excel ledger's row (台账) says of its task so far, as written: the progress
    text (进展情况), a percentage, the completion words (完成情况) and the close-out
    (销号情况); ``sheet`` and ``row`` (1-based, as Excel shows it) say where."""

    sheet: str
    row: int
    text: str | None = None
    percent: int | None = None
    completion: str | None = None
    closeout: str | None = None


@dataclass(frozen=True, slots=True)
class Task:
    seq: int
    document: int
    problem: Problem
    text: str
    target: str | None
    measures: tuple[str, ...]
    lead_units: tuple[Party, ...]
    coop_units: tuple[Party, ...]
    persons: tuple[Party, ...]
    supervising_units: tuple[Party, ...]
    coop_supervising_units: tuple[Party, ...]
    supervising_leaders: tuple[Party, ...]
    deadline: Deadline
    span: tuple[int, int]
    layout: str
    duplicate_of: int | None = None
    flags: tuple[str, ...] = ()
    progress: Progress | None = None  # a ledger row's progress columns (ledgerbook)
    # What a document's table or close-out notice reports of the task, as written:
    # 完成情况 (completion), 整改进展 (progress_text), 验收销号单位 (verifying_units).
    completion: str | None = None
    progress_text: str | None = None
    verifying_units: tuple[Party, ...] = ()
    # Where each field with a value was read: spans of the original text (see above).
    spans: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParseResult:
    name: str
    format: str
    encoding: str | None
    text: str
    documents: tuple[Document, ...]
    tasks: tuple[Task, ...]
    indicators: tuple[Indicator, ...]
    warnings: tuple[str, ...] = field(default=())


def _names(parties: tuple[Party, ...]) -> list[str]:
    return [p.name for p in parties]


def _collectives(task: Task) -> list[str]:
    groups = (task.lead_units, task.coop_units, task.persons, task.supervising_units)
    return [p.name for group in groups for p in group if p.collective]


def task_json(task: Task) -> dict[str, object]:
    return {
        "seq": task.seq,
        "document": task.document,
        "problem": {
            "number": task.problem.number,
            "title": task.problem.title,
            "path": list(task.problem.path),
        },
        "text": task.text,
        "target": task.target,
        "measures": list(task.measures),
        "lead_units": _names(task.lead_units),
        "coop_units": _names(task.coop_units),
        "persons": _names(task.persons),
        "supervising_units": _names(task.supervising_units),
        "coop_supervising_units": _names(task.coop_supervising_units),
        "supervising_leaders": _names(task.supervising_leaders),
        "deadline": task.deadline.as_json(),
        "span": list(task.span),
        "duplicate_of": task.duplicate_of,
        "flags": list(task.flags),
        # Beyond the contract: what the importer needs to resolve and explain.
        "collectives": _collectives(task),
        "layout": task.layout,
        "deadline_detail": _deadline_detail(task.deadline),
        "progress": _progress(task.progress),
        "completion": task.completion,
        "progress_text": task.progress_text,
        "verifying_units": _names(task.verifying_units),
        "spans": {name: [list(span) for span in spans] for name, spans in task.spans.items()},
    }


def _progress(progress: Progress | None) -> dict[str, object] | None:
    if progress is None:
        return None
    return {
        "sheet": progress.sheet,
        "row": progress.row,
        "text": progress.text,
        "percent": progress.percent,
        "completion": progress.completion,
        "closeout": progress.closeout,
    }


def _deadline_detail(deadline: Deadline) -> dict[str, object]:
    """Where the deadline was read ("field", or "text": the task's own sentences, at
    ``spans`` of the original text) and its stages (分阶段) when it states several."""
    return {
        "source": deadline.source,
        "spans": [list(span) for span in deadline.spans],
        "milestones": [m.as_json() for m in deadline.milestones],
        "note": deadline.note,
    }


def to_json(result: ParseResult) -> dict[str, object]:
    return {
        "documents": [
            {
                "title": d.title,
                "issuer": d.issuer,
                "date": d.date.isoformat() if d.date else None,
                "span": list(d.span),
                "layout": d.layout,
            }
            for d in result.documents
        ],
        "tasks": [task_json(t) for t in result.tasks],
        "indicators": [i.as_json() for i in result.indicators],
        "warnings": list(result.warnings),
        "source": {"name": result.name, "format": result.format, "encoding": result.encoding},
    }
