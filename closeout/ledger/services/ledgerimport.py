"""A ledger workbook (台账) sent back by a unit or an office: preview, then apply.

Offices and units exchange the ledger as an Excel file; what comes back carries this
week's progress. Only three things are taken from it: the progress text (整改进展: a new
progress report when it differs from the task's latest), the percentage (进度(%)) and the
completion words (完成情况: 已完成 means 100%). Everything else a person may have typed
over (a target, a deadline) is reported as not imported, never silently dropped; a
close-out (已销号) is never taken from a workbook: it goes through the review loop.

1. Read the workbook into plain rows (`closeout.documents.ledgerread`).
2. Match each row to a task: by 任务编号 (the task id), or without it by the task's text
   (整改措施) among the tasks the actor can see, a unique match only.
3. Compare the row with the ledger; a difference becomes one report (text and percent);
   what cannot be taken is refused, naming the sheet, row and column.
4. The preview's digest covers the file and the change list; applying re-reads the file,
   recomputes the changes and refuses when the digest differs (the ledger changed in
   between), then writes every report at once (`reportsbulk.reports_create_many`, the
   rules and events of `report_create`) and one "ledger.import" event, all or nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from closeout.documents import ledgerread
from closeout.documents.columns import BY_KEY
from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import Conflict, DomainError, InvalidInput, NotPermitted
from closeout.ledger.models import Plan, ProgressReport, Role, Task
from closeout.ledger.rules import cycles, limits
from closeout.ledger.rules import progress as progress_rule
from closeout.ledger.rules.workflow import DONE_STATES, REPORTING_STATES, Status
from closeout.ledger.services.audit import audit
from closeout.ledger.services.reportsbulk import ItemRefused, ReportItem, reports_create_many

# A column the customary table lacks: why the percentage falls (下降原因).
REASON_WORDS = ("进度下降原因", "下降原因", "进度调整原因", "调整原因", "原因说明")
EXTRA_COLUMNS = {"reason": REASON_WORDS}
REASON_HEADER = REASON_WORDS[1]

DONE_WORDS = frozenset({"已完成", "完成", "已整改", "完成整改", "已完成整改", "整改完成",
                        "已完成长期坚持", "基本完成"})  # fmt: skip
OPEN_WORDS = frozenset({"未完成", "推进中", "正在推进", "序时推进", "滞后", "整改中", "进行中",
                        "尚未启动", "未启动", "达到序时进度", "未达到序时进度", "超过序时进度",
                        "持续推进", "长期坚持"})  # fmt: skip
CLOSED_WORDS = frozenset({"已销号", "销号", "完成交账销号", "已完成销号"})
# Columns that describe the task: a workbook may not change them (only the office, on
# the task's page); a difference is reported, not imported.
DESCRIPTIVE = ("target", "measures", "deadline")


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
        raise InvalidInput(f"{name}: {exc}", field="file") from exc
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


_SPACE = re.compile(r"[\s\u3000]+")
_PUNCT = re.compile(r"[，,。.;；:：、!！?？\"'“”‘’()（）\[\]【】《》<>\-—_·]+")


def normalise_text(value: object) -> str:
    """A text as compared: NFKC, no blanks or punctuation (a workbook re-wraps lines and
    swaps full-width commas)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _PUNCT.sub("", _SPACE.sub("", text))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def parse_percent(value: object) -> int:
    """A percentage cell (60, 60.0, "60", "60%", "６０％") as a whole number 0-100, or
    InvalidInput saying what is wrong with it."""
    if isinstance(value, bool):
        raise InvalidInput(_("not a percentage"), field="percent")
    if isinstance(value, str):
        raw = unicodedata.normalize("NFKC", value).strip().rstrip("%").strip()
        try:
            number = float(raw)
        except ValueError:
            raise InvalidInput(
                _("'%(value)s' is not a percentage: write a whole number from 0 to 100")
                % {"value": value},
                field="percent",
            ) from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise InvalidInput(
            _("'%(value)s' is not a percentage: write a whole number from 0 to 100")
            % {"value": value},
            field="percent",
        )
    if not number.is_integer():
        raise InvalidInput(
            _("%(value)s is not a whole number: write a whole number from 0 to 100")
            % {"value": _text(value)},
            field="percent",
        )
    if not 0 <= number <= 100:
        raise InvalidInput(
            _("progress must be between 0 and 100 (%(value)s given)") % {"value": int(number)},
            field="percent",
        )
    return int(number)


def completion_of(value: object) -> str | None:
    """"done", "open" or "closed" for a completion cell's words; None when unknown."""
    word = normalise_text(value)
    if word in CLOSED_WORDS:
        return "closed"
    if word in DONE_WORDS:
        return "done"
    if word in OPEN_WORDS:
        return "open"
    return None


@dataclass
class _Facts:
    pk: int
    text: str
    target: str
    deadline_raw: str
    status: str
    progress: int
    plan_id: int
    last_report_period: Any
    latest: str


class _Preview:
    """One preview's working state: the rows, the tasks they name, what they change."""

    def __init__(self, actor: Actor, book: ledgerread.Workbook, name: str, data: bytes) -> None:
        self.actor = actor
        self.book = book
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.changes: list[Change] = []
        self.refusals: list[Note] = []
        self.not_imported: list[Note] = []
        self.items: list[ReportItem] = []
        self.item_where: list[str] = []
        self.unchanged = 0

    def where(self, row: ledgerread.Row, key: str | None = None) -> str:
        place = row.where(key)
        if key is None or key not in row.cells:
            return place
        header = REASON_HEADER if key == "reason" else BY_KEY[key].header
        return f"{place} ({header})"

    def refuse(self, row: ledgerread.Row, key: str | None, message: str) -> None:
        self.refusals.append(Note(self.where(row, key), message))

    def run(self) -> ImportPreview:
        rows = self.book.rows
        matched = self._match(rows)
        facts = self._facts({task_id for _row, task_id in matched})
        periods = self._periods({f.plan_id for f in facts.values()})
        seen: dict[int, str] = {}
        for row, task_id in matched:
            if task_id in seen:
                self.refuse(row, "task_id" if "task_id" in row.cells else "measures",
                            _("task %(task)s appears again (first at %(first)s)")
                            % {"task": task_id, "first": seen[task_id]})  # fmt: skip
                continue
            seen[task_id] = row.where()
            self._compare(row, facts[task_id], periods)
        ignored = tuple(
            Note(f"{i.sheet} column {i.column} ({i.header})",
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
            refusals=tuple(self.refusals),
            not_imported=tuple(self.not_imported),
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
            text = _text(raw)
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
            index: dict[str, list[int]] = {}
            tasks = access.visible_tasks(self.actor).values_list("pk", "text")
            for pk, text in tasks.iterator(chunk_size=2000):
                index.setdefault(normalise_text(text), []).append(pk)
            for row in by_text:
                found = index.get(normalise_text(row.value("measures")), [])
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
        matched.sort(key=lambda pair: (self._sheet_order(pair[0].sheet), pair[0].row))
        return matched

    def _sheet_order(self, sheet: str) -> int:
        names = [s.name for s in self.book.sheets]
        return names.index(sheet) if sheet in names else len(names)

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
                .values_list("pk", "text", "target", "deadline_raw", "status", "progress",
                             "plan_id", "last_report_period", "latest")
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

    def _compare(
        self, row: ledgerread.Row, task: _Facts, periods: dict[int, cycles.Period]
    ) -> None:
        """Turn one matched row into its changes and report, or its refusals."""
        label = task.text[:60]
        changes: list[Change] = []
        refused = len(self.refusals)
        # 1. The progress text.
        text = task.latest
        new_text = _text(row.value("progress_text"))
        if new_text and normalise_text(new_text) != normalise_text(task.latest):
            try:
                text = limits.REPORT_TEXT.check(new_text)
            except DomainError as exc:
                self.refuse(row, "progress_text", exc.message)
            else:
                changes.append(Change(self.where(row, "progress_text"), task.pk, label,
                                      "progress_text", task.latest, text))  # fmt: skip
        # 2. The percentage, then the completion words that may imply one.
        percent: int | None = None
        raw = row.value("percent")
        if raw is not None:
            try:
                percent = parse_percent(raw)
            except DomainError as exc:
                self.refuse(row, "percent", exc.message)
        completion = completion_of(row.value("completion")) if "completion" in row.cells else ""
        if completion is None:
            self.refuse(row, "completion",
                        _("'%(value)s' is not a completion word we know: write 已完成 or 未完成")
                        % {"value": _text(row.value("completion"))})  # fmt: skip
        elif completion == "closed" and task.status not in DONE_STATES:
            self.refuse(row, "completion",
                        _("a workbook cannot close out a task (已销号): close-out goes through "
                          "the review loop; request it on the task's page"))  # fmt: skip
        elif completion == "done":
            if percent is not None and percent != 100:
                self.refuse(row, "completion",
                            _("says done but the percentage says %(percent)s%%")
                            % {"percent": percent})  # fmt: skip
            elif percent is None and task.progress != 100:
                percent = 100
                changes.append(Change(self.where(row, "completion"), task.pk, label,
                                      "completion", f"{task.progress}%", "100%"))  # fmt: skip
        elif (
            completion == "open"
            and (percent if percent is not None else task.progress) == 100
            and task.status not in DONE_STATES
        ):
            self.refuse(row, "completion",
                        _("says not complete but the progress is already full: give the "
                          "percentage in the 进度 column"))  # fmt: skip
        if percent is not None and percent != task.progress:
            if not any(c.field == "completion" for c in changes):
                changes.append(Change(self.where(row, "percent"), task.pk, label, "percent",
                                      f"{task.progress}%", f"{percent}%"))  # fmt: skip
        elif percent == task.progress:
            percent = None  # the same figure: no change to report
        # 3. The columns a workbook does not change.
        for key in DESCRIPTIVE:
            if key == "measures" and "task_id" not in row.cells:
                continue  # the row was matched by it
            given = row.value(key)
            held = {"target": task.target, "measures": task.text, "deadline": task.deadline_raw}
            if given is not None and normalise_text(given) != normalise_text(held[key]):
                self.not_imported.append(Note(self.where(row, key),
                    _("not imported: only progress, percent and completion are taken from a "
                      "workbook")))  # fmt: skip
        if len(self.refusals) > refused:
            return
        if not changes:
            self.unchanged += 1
            return
        # 4. What `report_create` would refuse.
        if task.status not in REPORTING_STATES:
            self.refuse(row, None, _("no progress reports while the task is '%(status)s'")
                        % {"status": Status(task.status).label})  # fmt: skip
            return
        if not text.strip():
            self.refuse(row, "percent" if "percent" in row.cells else "completion",
                        _("a progress report needs a text: fill 整改进展"))  # fmt: skip
            return
        reason = _text(row.value("reason"))
        try:
            reason = limits.FALL_REASON.check(reason)
        except DomainError as exc:
            self.refuse(row, "reason", exc.message)
            return
        owed = periods[task.plan_id]
        current = progress_rule.is_current(owed.start, task.last_report_period)
        if not reason and progress_rule.falls(task.progress, percent, current_period=current):
            self.refuse(row, "percent" if "percent" in row.cells else "completion",
                        _("progress falls from %(before)s%% to %(after)s%%: a workbook row "
                          "cannot lower it without a %(column)s column saying why")
                        % {"before": task.progress, "after": percent,
                           "column": REASON_HEADER})  # fmt: skip
            return
        self.changes.extend(changes)
        self.items.append(ReportItem(task.pk, text, percent, reason))
        self.item_where.append(row.where())
