"""Progress reports (进展报送) and evidence files (佐证材料)."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype
from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    TooLarge,
)
from closeout.ledger.models import (
    AssignmentRole,
    CloseoutStep,
    Evidence,
    LoopSettings,
    Milestone,
    MissedReport,
    ProgressReport,
    ReportSource,
    Task,
)
from closeout.ledger.rules import cycles, limits
from closeout.ledger.rules import progress as progress_rule
from closeout.ledger.rules.dates import check_date
from closeout.ledger.rules.workflow import REPORTING_STATES, Status
from closeout.ledger.services.audit import audit
from closeout.ledger.services.taskstate import bucket_refresh, lock_task, streak_refresh

ACCEPTED_EVIDENCE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/heic",
    "application/pdf",
    "video/mp4",
    "video/quicktime",
    "audio/mpeg",
    "application/zip",  # .docx/.xlsx/.pptx are zip containers
    "application/msword",
    "application/vnd.ms-excel",
    "application/x-ole-storage",
}
OFFICE_EXTENSIONS = {"docx", "xlsx", "pptx", "doc", "xls", "ppt", "ofd", "wps"}


CHUNK_SIZE = 1024 * 1024  # what the store reads of an upload at a time
SNIFF_SIZE = 65536  # what the type check reads of a file's start


@dataclass(frozen=True)
class Upload:
    """An uploaded file handed to a service: its name as given and its bytes, either in
    memory or as an open binary file (an upload the server spooled to disk). A file is
    only ever read in chunks, from its start, so a large one never sits in memory."""

    name: str
    content: bytes | IO[bytes]

    @property
    def size(self) -> int:
        if isinstance(self.content, bytes):
            return len(self.content)
        return self.content.seek(0, os.SEEK_END)

    def head(self, size: int = SNIFF_SIZE) -> bytes:
        """The first `size` bytes, for sniffing the type."""
        if isinstance(self.content, bytes):
            return self.content[:size]
        self.content.seek(0)
        return self.content.read(size)

    def chunks(self) -> Iterator[bytes]:
        if isinstance(self.content, bytes):
            for start in range(0, len(self.content), CHUNK_SIZE):
                yield self.content[start : start + CHUNK_SIZE]
            return
        self.content.seek(0)
        while chunk := self.content.read(CHUNK_SIZE):
            yield chunk


def size_label(size: int) -> str:
    """A limit as people read it (25.0 MB), in the language of the request."""
    return str(filesizeformat(size))


def too_many_files() -> InvalidInput:
    limit = settings.EVIDENCE_MAX_FILES
    return InvalidInput(
        ngettext(
            "too many files: at most %(limit)s evidence file can be sent at a time",
            "too many files: at most %(limit)s evidence files can be sent at a time",
            limit,
        )
        % {"limit": limit},
        field="files",
    )


def too_large_together() -> TooLarge:
    return TooLarge(
        _("the files together are too large: at most %(limit)s can be sent at a time")
        % {"limit": size_label(settings.EVIDENCE_MAX_TOTAL_BYTES)},
        field="files",
    )


def too_large(name: str) -> TooLarge:
    return TooLarge(
        _("%(file)s: larger than the %(limit)s allowed for one file")
        % {"file": name, "limit": size_label(settings.EVIDENCE_MAX_BYTES)},
        field="files",
    )


def upload_interrupted() -> InvalidInput:
    return InvalidInput(
        _("the upload was interrupted before all the files arrived; send them again"),
        field="files",
    )


def evidence_check(files: Sequence[Upload]) -> None:
    """Refuse a set of evidence files that one report or close-out request may not carry
    (more files than allowed, one file too large or empty, too large together, a type we
    do not keep) before any of them is stored. Reads only the start of each file."""
    if len(files) > settings.EVIDENCE_MAX_FILES:
        raise too_many_files()
    for upload in files:
        _check_size(upload, upload.size)
    if sum(upload.size for upload in files) > settings.EVIDENCE_MAX_TOTAL_BYTES:
        raise too_large_together()
    for upload in files:
        sniff_content_type(upload)


def _check_size(upload: Upload, size: int) -> None:
    if size == 0:
        raise InvalidInput(_("%(file)s: the file is empty") % {"file": upload.name}, field="files")
    if size > settings.EVIDENCE_MAX_BYTES:
        raise too_large(upload.name)


def sniff_content_type(upload: Upload) -> str:
    """Decide a file's type from its bytes; refuse what we do not keep.

    The browser's claim is never trusted. Office documents are zip or OLE containers,
    so for those the extension picks the precise type once the container is confirmed.
    """
    head = upload.head()
    kind = filetype.guess(head[:8192])
    ext = Path(upload.name).suffix.lower().lstrip(".")
    if kind is None:
        if ext in {"txt", "csv"} and _is_text(head):
            return "text/plain"
        raise InvalidInput(
            _("%(file)s: unrecognised file type") % {"file": upload.name}, field="files"
        )
    mime = kind.mime
    if mime == "application/zip" and ext in OFFICE_EXTENSIONS:
        return {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        }.get(ext, mime)
    if mime.startswith("application/vnd.openxmlformats"):
        return mime
    if mime not in ACCEPTED_EVIDENCE_TYPES:
        raise InvalidInput(
            _("%(file)s: files of type %(type)s are not accepted")
            % {"file": upload.name, "type": mime},
            field="files",
        )
    return mime


def _is_text(head: bytes) -> bool:
    """UTF-8 without NUL bytes; the head may end inside a character."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def evidence_store(
    *,
    actor: Actor,
    task: Task,
    upload: Upload,
    report: ProgressReport | None = None,
    step: CloseoutStep | None = None,
) -> Evidence:
    """Keep an evidence file under the data folder, named by its SHA-256.

    The file is hashed while it is copied, a chunk at a time, into a part file beside
    the store, which is then renamed to its hash (or dropped when the store already
    holds those bytes): a reader never sees half a file, and a failure leaves none."""
    _check_size(upload, upload.size)
    content_type = sniff_content_type(upload)
    store = Path(settings.DATA_DIR) / "evidence"
    store.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=store, prefix=".part-", delete=False) as part:
        try:
            for chunk in upload.chunks():
                size += len(chunk)
                _check_size(upload, size)  # the file may have grown since it was checked
                digest.update(chunk)
                part.write(chunk)
        except BaseException:
            os.unlink(part.name)  # closed on the way out of the `with`
            raise
    sha256 = digest.hexdigest()
    relative = Path("evidence") / sha256[:2] / sha256
    path = Path(settings.DATA_DIR) / relative
    if path.exists():
        os.unlink(part.name)
    else:
        path.parent.mkdir(exist_ok=True)
        os.replace(part.name, path)
    evidence = Evidence.objects.create(
        task=task,
        report=report,
        step=step,
        original_name=Path(upload.name).name[:255] or sha256,
        stored_path=str(relative),
        size=size,
        content_type=content_type,
        sha256=sha256,
        uploaded_by_id=actor.user_id,
    )
    audit(
        actor,
        "evidence.add",
        evidence,
        task=task,
        after={"name": evidence.original_name, "sha256": sha256, "size": evidence.size},
    )
    return evidence


def report_create(
    *,
    actor: Actor,
    task_id: int,
    text: str,
    percent: int | None = None,
    milestone_id: int | None = None,
    files: Sequence[Upload] = (),
    period: dt.date | None = None,
    reason: str = "",
) -> ProgressReport:
    """A responsible unit reports progress (进展报送), with evidence files.

    The report is for the reporting period (调度周期, the plan's cycle) that contains
    `period`, by default today's; `period` is a day that has passed, not before 2000
    (`rules.dates`). A report for an earlier period is allowed and marked late (迟报)
    when its period's due date has passed; a missing-report record of that period is
    kept and marked filled. The task's run of missed reports is recomputed.

    The task's progress follows the latest report, down as well as up
    (`rules.progress`): a report that lowers it (100% → 10%) needs a `reason`, kept on
    the report; a late report for an earlier period leaves the current progress alone.
    """
    if not text.strip():
        raise InvalidInput(_("the report needs a text"), field="text")
    text = limits.REPORT_TEXT.check(text)
    reason = limits.FALL_REASON.check(reason)
    if percent is not None and not 0 <= percent <= 100:
        raise InvalidInput(_("progress must be between 0 and 100"), field="percent")
    with transaction.atomic():
        task = lock_task(task_id)
        if not access.can_view(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not access.can_report(actor, task):
            raise NotPermitted(
                _("%(actor)s does not report on task %(task)s")
                % {"actor": actor.label, "task": task_id}
            )
        if task.status not in REPORTING_STATES:
            raise InvalidTransition(
                _("no progress reports while the task is '%(status)s'")
                % {"status": Status(task.status).label}
            )
        milestone = None
        if milestone_id is not None:
            milestone = Milestone.objects.filter(pk=milestone_id, task=task).first()
            if milestone is None:
                raise InvalidInput(
                    _("milestone %(milestone)s is not one of this task's")
                    % {"milestone": milestone_id},
                    field="milestone",
                )
        now = clock.now()
        today = clock.today()
        if period is not None:
            label = _("the reporting period")
            check_date(period, field="period", label=label, today=today, happened=True)
        cycle = _cycle_of(task)
        owed = cycles.period_of(period or today, cycle)
        check_owed_period(task, owed, today)
        current_period = progress_rule.is_current(owed.start, task.last_report_period)
        stated = progress_rule.reported_progress(
            percent, milestone.expected_progress if milestone is not None else None
        )
        if not reason and progress_rule.falls(task.progress, stated, current_period=current_period):
            raise InvalidInput(
                _("progress falls from %(before)s%% to %(after)s%%: say why")
                % {"before": task.progress, "after": stated},
                field="reason",
            )
        evidence_check(files)
        grace = LoopSettings.current().report_grace_days
        late = cycles.is_late(now, owed, grace)
        unit_id = actor.unit_id
        if unit_id is None:
            lead = task.assignments.filter(role=AssignmentRole.LEAD).first()
            unit_id = lead.unit_id if lead else None
        report = ProgressReport.objects.create(
            task=task,
            unit_id=unit_id,
            reporter_id=actor.user_id,
            submitted_at=now,
            text=text,
            percent=percent,
            reason=reason,
            milestone=milestone,
            period_start=owed.start,
            period_end=owed.end,
            late=late,
            source=ReportSource.UNIT,
        )
        MissedReport.objects.filter(
            task_id=task.pk, period_start=owed.start, report__isnull=True
        ).update(report=report, filled_at=now)
        before = {"progress": task.progress}
        if milestone is not None and milestone.reached_on is None:
            milestone.reached_on = today
            milestone.save(update_fields=["reached_on"])
        task.progress = progress_rule.new_progress(
            task.progress, stated, current_period=current_period
        )
        task.last_reported_at = now
        if task.last_report_period is None or owed.start > task.last_report_period:
            task.last_report_period = owed.start
        task.save(
            update_fields=["progress", "last_reported_at", "last_report_period", "updated_at"]
        )
        streak_refresh(task)
        bucket_refresh(task.pk)
        for upload in files:
            evidence_store(actor=actor, task=task, upload=upload, report=report)
        audit(
            actor,
            "report.create",
            report,
            task=task,
            before=before,
            after={
                "progress": task.progress,
                "text": report.text,
                "milestone": milestone.pk if milestone else None,
                "period": owed.start,
                "late": late,
                **({"reason": reason} if reason else {}),
            },
        )
    return report


def check_owed_period(task: Task, owed: cycles.Period, today: dt.date) -> None:
    """A report's period has begun and does not end before the task started."""
    if owed.start > today:
        raise InvalidInput(_("a report cannot be for a future period"), field="period")
    if task.start_date is not None and owed.end < task.start_date:
        raise InvalidInput(
            _("the task started on %(start)s, after that period") % {"start": task.start_date},
            field="period",
        )


def _cycle_of(task: Task) -> cycles.Cycle:
    plan = task.plan
    return cycles.Cycle.of_settings(plan.report_cycle, plan.report_cycle_days, plan.issued_on)
