"""The ledger workbook written by a child process while the parent reads the rows.

Reading a large ledger from the database and building and writing its rows are both
work for the interpreter, so in one process they take turns (on 100,000 tasks about
5.5 s each). `write_ledger_beside` hands the rows (or, with a vocabulary, the task
facts the rows are built from), in batches of plain tuples, to a process of its own
that runs `ledgerxlsx.write_ledger`, so the two go side by side on two cores. The
queue between them holds a few batches only, so memory stays bounded whichever side is
faster. `write_ledger_file` does that for a large ledger only.

The child is started with "spawn": it imports only this package and XlsxWriter, never
inherits the parent's database connections or threads, and writes to the path it is
given. Whatever goes wrong on either side stops both and leaves no file behind.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import queue
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from closeout.documents.ledgerrows import TaskFacts, Vocabulary, build_row
from closeout.documents.ledgerxlsx import LedgerRow, LedgerSummary, write_ledger

BATCH = 1000
# Below this many rows a child process costs more (its start-up) than it saves.
BESIDE_FROM = 5000
QUEUED_BATCHES = 8
_DONE = None
_JOIN_SECONDS = 600


class WriterFailed(RuntimeError):
    """The writing process failed (its error is the message)."""


def _received(inbox: Any, vocabulary: Vocabulary | None) -> Iterator[LedgerRow]:
    while True:
        batch = inbox.get()
        if batch is _DONE:
            return
        if vocabulary is None:
            yield from map(LedgerRow._make, batch)
        else:
            for values in batch:
                yield build_row(TaskFacts._make(values), vocabulary)


def _child(
    inbox: Any, outbox: Any, path: str, vocabulary: Vocabulary | None, options: dict[str, Any]
) -> None:
    """The writing process: rows (or task facts) from `inbox` to the workbook at `path`."""
    try:
        summary = write_ledger(_received(inbox, vocabulary), path, **options)
    except BaseException as error:  # reported to the parent, which raises it
        outbox.put(("error", f"{type(error).__name__}: {error}"))
        raise SystemExit(1) from None
    outbox.put(("done", dataclasses.astuple(summary)))


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(tuple(row))  # a plain tuple pickles without the class's name
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _put(inbox: Any, item: Any, child: Any, outbox: Any) -> None:
    """Queue a batch, waiting while the queue is full, unless the child has died."""
    while True:
        try:
            inbox.put(item, timeout=1)
            return
        except queue.Full:
            if not child.is_alive():
                _raise_from(outbox, child)


def _raise_from(outbox: Any, child: Any) -> None:
    try:
        kind, detail = outbox.get(timeout=1)
    except queue.Empty:
        raise WriterFailed(f"the workbook writer stopped (exit code {child.exitcode})") from None
    if kind == "error":
        raise WriterFailed(detail)
    raise WriterFailed("the workbook writer stopped early")


def _answer(outbox: Any, child: Any) -> tuple[str, Any]:
    """The writer's last word, waiting while it works; a writer that died without one
    (killed, out of memory) is reported as such rather than waited for."""
    waited = 0
    while waited < _JOIN_SECONDS:
        try:
            answer: tuple[str, Any] = outbox.get(timeout=1)
            return answer
        except queue.Empty:
            waited += 1
            if not child.is_alive():
                _raise_from(outbox, child)
    raise WriterFailed(f"the workbook writer took more than {_JOIN_SECONDS} s")


def write_ledger_beside(
    rows: Iterable[LedgerRow] | Iterable[TaskFacts],
    path: str | Path,
    *,
    vocabulary: Vocabulary | None = None,
    **options: Any,
) -> LedgerSummary:
    """`write_ledger(rows, path, **options)`, the writing done by a child process while
    this one produces `rows`. With a `vocabulary`, `rows` are TaskFacts, which the
    child builds into rows (`ledgerrows.build_row`), so that work is beside this
    process's too. Raises WriterFailed when the writer fails; an error raised by `rows`
    stops the writer and is raised as it is. Either way no file is left at `path`."""
    target = str(path)
    context = multiprocessing.get_context("spawn")
    inbox = context.Queue(maxsize=QUEUED_BATCHES)
    outbox = context.Queue()
    child = context.Process(
        target=_child, args=(inbox, outbox, target, vocabulary, options), daemon=True
    )
    child.start()
    try:
        for batch in _batches(rows):
            _put(inbox, batch, child, outbox)
        _put(inbox, _DONE, child, outbox)
        kind, detail = _answer(outbox, child)
        if kind == "error":
            raise WriterFailed(detail)
        child.join(timeout=30)
        tasks, problems, sheets = detail
        return LedgerSummary(tasks=tasks, problems=problems, sheets=tuple(sheets))
    except BaseException:
        # Batches still queued would never be read now: without this, the queue's feeder
        # thread would wait at interpreter exit for a reader that is gone.
        inbox.cancel_join_thread()
        if child.is_alive():
            child.kill()
        child.join(timeout=30)
        if os.path.exists(target):
            os.remove(target)
        raise
    finally:
        inbox.close()
        outbox.close()


def write_ledger_file(
    rows: Iterable[LedgerRow] | Iterable[TaskFacts],
    path: str | Path,
    *,
    beside_from: int = BESIDE_FROM,
    vocabulary: Vocabulary | None = None,
    **options: Any,
) -> LedgerSummary:
    """Write the workbook to `path`: in this process when the ledger has fewer than
    `beside_from` rows (the first ones are read to find out), else beside it
    (`write_ledger_beside`). With a `vocabulary`, `rows` are TaskFacts (see there). No
    file is left behind when either fails."""
    stream: Iterator[Any] = iter(rows)
    head = list(itertools.islice(stream, beside_from))
    if len(head) < beside_from:
        built = head if vocabulary is None else [build_row(f, vocabulary) for f in head]
        try:
            return write_ledger(built, str(path), **options)
        except BaseException:
            if os.path.exists(path):
                os.remove(path)
            raise
    return write_ledger_beside(
        itertools.chain(head, stream), path, vocabulary=vocabulary, **options
    )
