"""A ledger's progress carried over (台账进展转入): what an office's own Excel ledger says of
a task when the ledger is imported as a draft plan becomes the task's first progress
report. Pure; `closeout.ledger.services.firstreports` applies it, and this is the one
place these rules live.

- The report's text is the progress text (进展情况) as written, then the completion
  words (完成情况) and the close-out (销号情况) when the ledger gives them, each after its
  header: nothing the ledger says of the task's state is dropped.
- Its percentage is the 进度(%) cell; without one, 100 when the completion words say the
  work is done (已完成, 已销号, 已完成，长期坚持: `documents.completion`), else none (a
  text-only report). A 进度 below 100 beside done words is kept and flagged.
- A close-out (已销号, or anything in a 销号情况 cell) or a cancellation (已撤销) is never
  taken from a ledger (as with a workbook sent back): the task comes in as a draft like
  any other, flagged, so the office closes it out through its steps or cancels it.
- Completion words the vocabulary does not know are kept in the text and flagged.
- The report belongs to no reporting period: it says where the work stood before the
  ledger came into the system, not what a unit reported for a period, so once confirmed
  the task owes its reports from its first period on like any other.

A document's own words of a task (a close-out notice's 完成情况 and 整改进展, or a table's
columns of those names) make its first report the same way (`reported_report`): the
same text, 100% when the completion is a done word. A notice's completion is mostly a
narrative ("已完成全部截污管网建设,直排口全部封堵…"): it is kept as written, states no
figure, and is no column misread, so it is not flagged; nor is a notice a close-out,
which the office records through its steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from closeout.documents.completion import Completion, completion_of

DONE = frozenset({Completion.DONE, Completion.CLOSED, Completion.SUSTAINED})
COMPLETION_LABEL = "完成情况"
CLOSEOUT_LABEL = "销号情况"


@dataclass(frozen=True)
class Carried:
    """The first report a ledger row gives its task, and the flags it puts on the task."""

    text: str
    percent: int | None
    flags: tuple[str, ...] = ()


def carried_report(
    *,
    text: str | None,
    percent: int | None,
    completion: str | None,
    closeout: str | None,
) -> Carried | None:
    """The report a row's progress columns make (None when they say nothing)."""
    words = (completion or "").strip()
    closed = (closeout or "").strip()
    parts = _parts(text, words, closed)
    if not parts and percent is None:
        return None
    flags: list[str] = []
    state = completion_of(words) if words else None
    if words and state is None:
        flags.append(f"completion_unread: {words!r} is not a completion we know")
    if state is Completion.CLOSED or closed:
        said = closed or words
        flags.append(
            f"ledger_closed: the ledger says {said!r}; close the task out through its steps"
        )
    if state is Completion.CANCELLED:
        flags.append(f"ledger_cancelled: the ledger says {words!r}; cancel the task")
    if percent is None and state in DONE:
        percent = 100
    elif percent is not None and percent < 100 and state in DONE:
        flags.append(f"ledger_conflict: 进度 {percent}% beside {words!r}")
    if not parts:
        parts.append(f"{percent}%")  # a percentage alone: the report says it in words too
    return Carried(text="\n".join(parts), percent=percent, flags=tuple(flags))


def reported_report(*, text: str | None, completion: str | None) -> Carried | None:
    """The report a document's own words make of its task: its progress (整改进展) and
    completion (完成情况) as written (None when it gives neither)."""
    words = (completion or "").strip()
    parts = _parts(text, words, "")
    if not parts:
        return None
    percent = 100 if completion_of(words) in DONE else None
    return Carried(text="\n".join(parts), percent=percent)


def _parts(text: str | None, words: str, closed: str) -> list[str]:
    """A report's lines: the progress text, then the completion and the close-out, each
    after its header."""
    parts = [p for p in ((text or "").strip(),) if p]
    if words:
        parts.append(f"{COMPLETION_LABEL}：{words}")
    if closed:
        parts.append(f"{CLOSEOUT_LABEL}：{closed}")
    return parts
