"""A ledger workbook (台账) sent back by a unit or an office: preview, then apply.

Offices and units exchange the ledger as an Excel file; what comes back carries this
week's progress. Only three things are taken from it: the progress text (整改进展: a new
progress report when it differs from the task's latest), the percentage (进度(%)) and the
completion words (完成情况, `closeout.documents.completion`: a done word for an
unfinished task means 100%). Every other column the export writes (a target, a deadline,
the units) is compared with what the export writes for the task now, exactly, and a cell
that differs is reported as not imported, never silently dropped; a close-out (已销号) or
a cancellation is never taken from a workbook. So a workbook exported and sent back
unedited changes nothing, refuses nothing and notes nothing.

1. Read the workbook into plain rows (`closeout.documents.ledgerread`).
2. Match each row to a task: by 任务编号 (the task id), or without it by the task's text
   or its 整改措施 as exported, among the tasks the actor can see, a unique match only.
3. Compare each row with the ledger (`selectors.exports.exported_rows`); a difference
   becomes one report (text and percent); what cannot be taken is refused, naming the
   sheet, row and column. A task is on several rows when the workbook has a sheet per
   lead unit: a row that changes nothing says nothing, and rows that change the task
   must change it alike, or each is refused naming the others.
4. The preview's digest covers the file and the change list; applying re-reads the file,
   recomputes the changes and refuses when the digest differs (the ledger changed in
   between), then writes every report at once (`reportsbulk.reports_create_many`, the
   rules and events of `report_create`) and one "ledger.import" event, all or nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from closeout.documents import ledgerread
from closeout.documents.columns import BY_KEY
from closeout.documents.completion import Completion, completion_of, words_of
from closeout.documents.ledgerrows import measures_text
from closeout.documents.ledgerxlsx import LedgerRow
from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import Conflict, DomainError, InvalidInput, NotPermitted
from closeout.ledger.models import Plan, ProgressReport, Role, Task
from closeout.ledger.rules import cycles, limits
from closeout.ledger.rules import progress as progress_rule
from closeout.ledger.rules.workflow import REPORTING_STATES, Status
from closeout.ledger.selectors import exports
from closeout.ledger.services.audit import audit
from closeout.ledger.services.ledgercells import (
    cell_text,
    normalise_text,
    parse_percent,
    place_of,
    plain_text,
)
from closeout.ledger.services.reportsbulk import ItemRefused, ReportItem, reports_create_many

# A column the customary table lacks: why the percentage falls (下降原因).
REASON_WORDS = ("进度下降原因", "下降原因", "进度调整原因", "调整原因", "原因说明")
EXTRA_COLUMNS = {"reason": REASON_WORDS}
REASON_HEADER = REASON_WORDS[1]

# The columns the export writes that a workbook does not change (only the office does, on
# the task's page): a cell that differs from what the export wrote is noted, not imported.
IMPORTED = ("seq", "task_id", "progress_text", "percent", "completion")
NOT_IMPORTED = tuple(key for key in BY_KEY if key not in IMPORTED)


@dataclass(frozen=True)
class Change:
    where: str  # "台账 row 7, column H (进度(%))"
    task_id: int
    task: str  # the task's text, shortened
    field: str  # progress_text, percent, completion
    old: str
    new: str


@dataclass(frozen=True)
class Note:
    where: str
    message: str


@dataclass(frozen=True)
class ImportPreview:
    name: str
    sha256: str  # of the file
    digest: str  # of the file and of the change list (what apply must find again)
    rows: int
    unchanged: int
    changes: tuple[Change, ...]
    refusals: tuple[Note, ...]
    not_imported: tuple[Note, ...]
    ignored: tuple[Note, ...]
    items: tuple[ReportItem, ...] = field(repr=False)
    item_where: tuple[str, ...] = field(repr=False)

    @property
    def reports(self) -> int:
        """How many progress reports applying writes (one per changed row)."""
        return len(self.items)


@dataclass(frozen=True)
class ImportResult:
    name: str
    sha256: str
    reports: int
    changes: int
    refusals: int


def ledger_import_preview(*, actor: Actor, data: bytes, name: str) -> ImportPreview:
    """What importing this workbook would change, and what it refuses (see the module)."""
    _check_actor(actor)
    try:
        book = ledgerread.read_ledger(data, extra_columns=EXTRA_COLUMNS)
    except ledgerread.ReadError as exc:
        raise InvalidInput(
            _("%(name)s cannot be read: %(reason)s") % {"name": name, "reason": exc},
            field="file",
        ) from exc
    return _Preview(actor, book, name, data).run()


def ledger_import_apply(*, actor: Actor, data: bytes, name: str, digest: str) -> ImportResult:
    """Write the preview's changes, all or none, if the file and the ledger still give the
    preview with `digest`; one "ledger.import" event besides each report's own."""
    with transaction.atomic():
        preview = ledger_import_preview(actor=actor, data=data, name=name)
        if preview.digest != digest:
            raise Conflict(
                _("the ledger or the file changed since the preview: preview the file again")
            )
        if not preview.items:
            raise InvalidInput(_("the workbook changes nothing in the ledger"), field="file")
        try:
            reports_create_many(actor=actor, items=preview.items)
        except ItemRefused as exc:
            raise type(exc.error)(
                f"{preview.item_where[exc.index]}: {exc.error.message}", field=exc.error.field
            ) from exc
        user = None
        if actor.user_id is not None:
            user = get_user_model().objects.filter(pk=actor.user_id).first()
        target = user if user is not None else ProgressReport.objects.latest("pk")
        audit(
            actor,
            "ledger.import",
            target,
            after={
                "file": name,
                "sha256": preview.sha256,
                "reports": preview.reports,
                "changes": len(preview.changes),
                "refusals": len(preview.refusals),
                "tasks": [item.task_id for item in preview.items][:1000],
            },
            note=name,
        )
    return ImportResult(
        name=name,
        sha256=preview.sha256,
        reports=preview.reports,
        changes=len(preview.changes),
        refusals=len(preview.refusals),
    )


def can_import(actor: Actor) -> bool:
    """Who may send a ledger workbook back: whoever reports progress (`access.can_report`:
    the office and the responsible units)."""
    return actor.role in (Role.OFFICE, Role.UNIT)


def _check_actor(actor: Actor) -> None:
    if not can_import(actor):
        raise NotPermitted(
            _("%(actor)s does not report progress, so cannot import a ledger workbook")
            % {"actor": actor.label}
        )


@dataclass
class _Facts:
    pk: int
    text: str
    measures: Any
    status: str
    progress: int
    plan_id: int
    last_report_period: Any
    latest: str


@dataclass
class _Outcome:
    """What one row says of its task: its changes and report, or its refusals."""

    row: ledgerread.Row
    changes: list[Change] = field(default_factory=list)
    refusals: list[tuple[ledgerread.Row, str | None, str]] = field(default_factory=list)
    item: tuple[str, int | None, str] | None = None  # the report: text, percent, reason
    percent_key: str = "percent"  # the cell the percent came from (进度(%) or 完成情况)


class _Preview:
    """One preview's working state: the rows, the tasks they name, what they change."""

    def __init__(self, actor: Actor, book: ledgerread.Workbook, name: str, data: bytes) -> None:
        self.actor = actor
        self.book = book
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.order = {sheet.name: i for i, sheet in enumerate(book.sheets)}
        self.changes: list[Change] = []
        self.refusals: list[tuple[tuple[int, int], Note]] = []
        self.not_imported: list[tuple[tuple[int, int], Note]] = []
        self.items: list[ReportItem] = []
        self.item_where: list[str] = []
        self.unchanged = 0
        self.earlier: set[tuple[int, str]] = set()

    def where(self, row: ledgerread.Row, key: str | None = None) -> str:
        place = place_of(row, key)
        if key is None or key not in row.cells:
            return place
        header = REASON_HEADER if key == "reason" else BY_KEY[key].header
        return f"{place} ({header})"

    def _at(self, row: ledgerread.Row) -> tuple[int, int]:
        return (self.order.get(row.sheet, len(self.order)), row.row)

    def refuse(self, row: ledgerread.Row, key: str | None, message: str) -> None:
        self.refusals.append((self._at(row), Note(self.where(row, key), message)))

    def note(self, row: ledgerread.Row, key: str, message: str) -> None:
        self.not_imported.append((self._at(row), Note(self.where(row, key), message)))

    def run(self) -> ImportPreview:
        rows = self.book.rows
        matched = self._match(rows)
        ids = {task_id for _row, task_id in matched}
        facts = self._facts(ids)
        written = exports.exported_rows(ids)
        periods = self._periods({f.plan_id for f in facts.values()})
        by_task: dict[int, list[ledgerread.Row]] = {}
        for row, task_id in matched:
            by_task.setdefault(task_id, []).append(row)
        self.earlier = self._earlier_texts(by_task, facts)
        for task_id, task_rows in by_task.items():
            task, exported = facts.get(task_id), written.get(task_id)
            if task is None or exported is None:  # deleted since it was matched
                for row in task_rows:
                    self.refuse(row, "task_id",
                                _("task %(task)s does not exist") % {"task": task_id})  # fmt: skip
                continue
            outcomes = [self._assess(row, task, exported, periods) for row in task_rows]
            self._settle(task, outcomes)
        ignored = tuple(
            Note(_("%(sheet)s column %(column)s (%(header)s)")
                 % {"sheet": i.sheet, "column": i.column, "header": i.header},
                 _("not a ledger column: ignored") if i.why == "unknown"
                 else _("the same column again: ignored"))
            for i in self.book.ignored
        )  # fmt: skip
        listing = [(c.task_id, c.field, c.old, c.new) for c in self.changes]
        items = [(i.task_id, i.text, i.percent, i.reason) for i in self.items]
        payload = json.dumps([self.sha256, listing, items], ensure_ascii=False)
        return ImportPreview(
            name=self.name,
            sha256=self.sha256,
            digest=hashlib.sha256(payload.encode()).hexdigest(),
            rows=len(rows),
            unchanged=self.unchanged,
            changes=tuple(self.changes),
            refusals=tuple(note for _at, note in sorted(self.refusals, key=lambda n: n[0])),
            not_imported=tuple(note for _at, note in sorted(self.not_imported, key=lambda n: n[0])),
            ignored=ignored,
            items=tuple(self.items),
            item_where=tuple(self.item_where),
        )

    def _match(self, rows: Iterable[ledgerread.Row]) -> list[tuple[ledgerread.Row, int]]:
        """(row, task id) for every row that names a task the actor may report on."""
        wanted: list[tuple[ledgerread.Row, int]] = []
        by_text: list[ledgerread.Row] = []
        for row in rows:
            raw = row.value("task_id")
            if raw is None:
                if row.value("measures") is None:
                    self.refuse(row, None, _("the row names no task: fill 任务编号 or 整改措施"))
                else:
                    by_text.append(row)
                continue
            text = plain_text(raw)
            if not text.isdigit():
                self.refuse(row, "task_id",
                            _("'%(value)s' is not a task number") % {"value": text})  # fmt: skip
                continue
            wanted.append((row, int(text)))
        visible: set[int] = set()
        ids = sorted({task_id for _row, task_id in wanted})
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            visible.update(
                access.visible_tasks(self.actor, Task.objects.filter(pk__in=chunk)).values_list(
                    "pk", flat=True
                )
            )
        matched = []
        for row, task_id in wanted:
            if task_id in visible:
                matched.append((row, task_id))
            else:
                self.refuse(row, "task_id",
                            _("task %(task)s is not one of the tasks you report on")
                            % {"task": task_id})  # fmt: skip
        if by_text:
            # A task is known by its text and by its 整改措施 as the export writes them.
            index: dict[str, set[int]] = {}
            tasks = access.visible_tasks(self.actor).values_list("pk", "text", "measures")
            for pk, text, measures in tasks.iterator(chunk_size=2000):
                for words in {normalise_text(text), normalise_text(measures_text(measures, text))}:
                    index.setdefault(words, set()).add(pk)
            for row in by_text:
                found = sorted(index.get(normalise_text(row.value("measures")), ()))
                if len(found) == 1:
                    matched.append((row, found[0]))
                elif not found:
                    self.refuse(row, "measures",
                                _("no task you report on has this text; add the 任务编号 column "
                                  "of an exported ledger"))  # fmt: skip
                else:
                    self.refuse(row, "measures",
                                _("%(count)s tasks have this text; add the 任务编号 column "
                                  "of an exported ledger") % {"count": len(found)})  # fmt: skip
        matched.sort(key=lambda pair: self._at(pair[0]))
        return matched

    def _earlier_texts(
        self, by_task: dict[int, list[ledgerread.Row]], facts: dict[int, _Facts]
    ) -> set[tuple[int, str]]:
        """(task, text) of the rows whose progress text is not the task's latest report
        but one of its earlier ones: rows of a workbook made before the task was
        reported on again, which must not bring the older text back."""
        wanted: dict[int, set[str]] = {}
        for task_id, task_rows in by_task.items():
            task = facts.get(task_id)
            for row in task_rows:
                text = cell_text(row.value("progress_text"))
                if task is not None and text and text != cell_text(task.latest):
                    wanted.setdefault(task_id, set()).add(text)
        found: set[tuple[int, str]] = set()
        ids = sorted(wanted)
        for start in range(0, len(ids), 500):
            block = ids[start : start + 500]
            texts = set().union(*(wanted[i] for i in block))
            for task_id, text in ProgressReport.objects.filter(
                task_id__in=block, text__in=texts
            ).values_list("task_id", "text"):
                if cell_text(text) in wanted[task_id]:
                    found.add((task_id, cell_text(text)))
        return found

    def _facts(self, ids: set[int]) -> dict[int, _Facts]:
        latest = ProgressReport.objects.filter(task=OuterRef("pk")).order_by(
            "-submitted_at", "-pk"
        )
        out: dict[int, _Facts] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            rows = (
                Task.objects.filter(pk__in=ordered[start : start + 500])
                .annotate(latest=Subquery(latest.values("text")[:1]))
                .values_list("pk", "text", "measures", "status", "progress", "plan_id",
                             "last_report_period", "latest")
            )  # fmt: skip
            for values in rows:
                facts = _Facts(*values)
                facts.latest = facts.latest or ""
                out[facts.pk] = facts
        return out

    def _periods(self, plan_ids: set[int]) -> dict[int, cycles.Period]:
        today = clock.today()
        return {
            plan.pk: cycles.period_of(
                today,
                cycles.Cycle.of_settings(plan.report_cycle, plan.report_cycle_days, plan.issued_on),
            )
            for plan in Plan.objects.filter(pk__in=plan_ids).only(
                "report_cycle", "report_cycle_days", "issued_on"
            )
        }

    def _settle(self, task: _Facts, outcomes: list[_Outcome]) -> None:
        """The rows of one task (a task is on every sheet of its lead units): its refusals,
        or its one report. A row that changes nothing says nothing; rows that change
        something must change it alike, or each is refused naming the others."""
        for outcome in outcomes:
            for row, key, message in outcome.refusals:
                self.refuse(row, key, message)
        if any(outcome.refusals for outcome in outcomes):
            return
        edits = [outcome for outcome in outcomes if outcome.item is not None]
        self.unchanged += len(outcomes) - len(edits)
        if not edits:
            return
        first = edits[0]
        assert first.item is not None
        if any(edit.item != first.item for edit in edits):
            for edit in edits:
                others = [o for o in edits if o is not edit and o.item != edit.item]
                key = _differing(edit, others[0])
                places = "; ".join(self.where(o.row, key) for o in others)
                self.refuse(edit.row, key,
                            _("task %(task)s is also at %(others)s, which says otherwise: make "
                              "the rows agree") % {"task": task.pk, "others": places})  # fmt: skip
            return
        also = [place_of(edit.row) for edit in edits[1:]]
        for change in first.changes:
            where = (
                _("%(where)s (also %(others)s)")
                % {"where": change.where, "others": ", ".join(also)}
                if also
                else change.where
            )
            self.changes.append(Change(where, change.task_id, change.task, change.field,
                                       change.old, change.new))  # fmt: skip
        self.items.append(ReportItem(task.pk, *first.item))
        self.item_where.append(place_of(first.row))

    def _assess(
        self,
        row: ledgerread.Row,
        task: _Facts,
        exported: LedgerRow,
        periods: dict[int, cycles.Period],
    ) -> _Outcome:
        """What one matched row changes (compared with what the export writes for the
        task now), or why it is refused; the cells a workbook does not change are noted."""
        out = _Outcome(row)
        label = task.text[:60]

        def refuse(key: str | None, message: str) -> _Outcome:
            out.refusals.append((row, key, message))
            return out

        # 1. The progress text: a new report when it is not the latest report's text.
        text = task.latest
        new_text = cell_text(row.value("progress_text"))
        if (task.pk, new_text) in self.earlier:
            # The workbook was made before the latest report: its row is not news.
            self.note(row, "progress_text", _(
                "not imported: this is the text of an earlier report of the task, which has "
                "been reported on since this workbook was made; export the ledger again, or "
                "write what is new"))  # fmt: skip
            return out
        if new_text and new_text != cell_text(task.latest):
            try:
                text = limits.REPORT_TEXT.check(new_text)
            except DomainError as exc:
                refuse("progress_text", exc.message)
            else:
                out.changes.append(Change(self.where(row, "progress_text"), task.pk, label,
                                          "progress_text", task.latest, text))  # fmt: skip
        # 2. The percentage, then the completion words, which may imply 100%.
        percent: int | None = None
        raw = row.value("percent")
        if raw is not None:
            try:
                percent = parse_percent(raw)
            except DomainError as exc:
                refuse("percent", exc.message)
        # A percent cell left as exported states nothing against the completion words.
        stated = self._completion(row, task, None if percent == task.progress else percent, out)
        percent = task.progress if stated is None and percent == task.progress else stated
        if percent is not None and percent != task.progress:
            if not any(c.field == "completion" for c in out.changes):
                out.changes.append(Change(self.where(row, "percent"), task.pk, label, "percent",
                                          f"{task.progress}%", f"{percent}%"))  # fmt: skip
        elif percent == task.progress:
            percent = None  # the same figure: no change to report
        # 3. The cells a workbook does not change: noted when they differ from the export.
        for key in NOT_IMPORTED:
            if key == "measures" and "task_id" not in row.cells:
                continue  # the row was matched by it
            given = row.value(key)
            if given is not None and cell_text(given) != cell_text(getattr(exported, key)):
                self.note(row, key, _("not imported: only progress, percent and completion are "
                                      "taken from a workbook"))  # fmt: skip
        if out.refusals or not out.changes:
            return out
        # 4. What `report_create` would refuse.
        at = out.percent_key if out.percent_key in row.cells else "completion"
        if task.status not in REPORTING_STATES:
            return refuse(None, _("no progress reports while the task is '%(status)s'")
                          % {"status": Status(task.status).label})  # fmt: skip
        if not text.strip():
            return refuse(at, _("a progress report needs a text: fill 整改进展"))
        try:
            reason = limits.FALL_REASON.check(plain_text(row.value("reason")))
        except DomainError as exc:
            return refuse("reason", exc.message)
        owed = periods[task.plan_id]
        current = progress_rule.is_current(owed.start, task.last_report_period)
        if not reason and progress_rule.falls(task.progress, percent, current_period=current):
            return refuse(at, _("progress falls from %(before)s%% to %(after)s%%: a workbook row "
                                "cannot lower it without a %(column)s column saying why")
                          % {"before": task.progress, "after": percent,
                             "column": REASON_HEADER})  # fmt: skip
        out.item = (text, percent, reason)
        return out

    def _completion(
        self, row: ledgerread.Row, task: _Facts, percent: int | None, out: _Outcome
    ) -> int | None:
        """The completion cell (完成情况) against what the ledger writes for the task now:
        the same state says nothing; a done word for an unfinished task means 100%; a
        close-out or a cancellation is never taken from a workbook; an open word for a
        finished task is noted, not imported. Returns the percent the row stands for."""
        if "completion" not in row.cells:
            return percent
        said = completion_of(row.value("completion"))
        now = exports.completion_state(task.status)

        def refuse(message: str) -> None:
            out.refusals.append((row, "completion", message))

        if said is None:
            refuse(_("'%(value)s' is not a completion word we know: write 已完成 or 未完成")
                   % {"value": plain_text(row.value("completion"))})  # fmt: skip
        elif said == now:
            pass
        elif said == Completion.CLOSED:
            refuse(_("a workbook cannot close out a task (已销号): close-out goes through the "
                     "review loop; request it on the task's page"))  # fmt: skip
        elif said == Completion.CANCELLED:
            refuse(_("a workbook cannot cancel a task (已撤销): the office cancels it on the "
                     "task's page"))  # fmt: skip
        elif said == Completion.OPEN:
            self.note(row, "completion",
                      _("not imported: the ledger says %(words)s, and a workbook does not take a "
                        "task back") % {"words": words_of(now)})  # fmt: skip
        elif percent is not None and percent != 100:  # done (已完成), or done and sustained
            refuse(_("says done but the percentage says %(percent)s%%") % {"percent": percent})
        elif percent is None and task.progress != 100:
            out.percent_key = "completion"
            out.changes.append(Change(self.where(row, "completion"), task.pk, task.text[:60],
                                      "completion", f"{task.progress}%", "100%"))  # fmt: skip
            return 100
        return percent


def _differing(one: _Outcome, other: _Outcome) -> str | None:
    """The cell where two rows of one task first say different things."""
    assert one.item is not None and other.item is not None
    if one.item[0] != other.item[0]:
        return "progress_text"
    if one.item[1] != other.item[1]:
        return one.percent_key if one.percent_key in one.row.cells else "completion"
    return "reason"
