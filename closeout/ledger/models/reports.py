"""Progress reports (进展报送), evidence files (佐证材料) and missed reports (漏报).

Progress reports and evidence files are append-only (see `appendonly`): what a unit
reported, and the files it backed that with, are written once and never changed or
deleted, and a task that has any cannot be deleted. The only change the database makes
is clearing a link to a deleted user or milestone. Missed-report records are not
append-only: a late report fills them in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models.appendonly import AppendOnlyModel
from closeout.ledger.models.indexes import where_set


class ReportSource(models.TextChoices):
    """How a report came in: filed by a unit (or the office for it) in the report form or
    the API, in a ledger workbook sent back, or as a task's first report when a plan was
    imported: from an office's Excel ledger (台账进展转入) or from a document's own words
    (a close-out notice's 完成情况)."""

    UNIT = "unit", _("unit report")  # 单位报送
    WORKBOOK = "workbook", _("ledger workbook sent back")  # 台账回传
    LEDGER_IMPORT = "ledger_import", _("ledger import")  # 台账导入
    DOCUMENT_IMPORT = "document_import", _("document import")  # 文件导入


class ProgressReport(AppendOnlyModel):
    """What a responsible unit reported for one reporting period, or an imported plan's
    record of where a task stood (`source`). Append-only; the reporter and the milestone
    are cleared if that user or milestone is deleted."""

    task = models.ForeignKey(
        "ledger.Task", verbose_name=_("task"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("reporting unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    milestone = models.ForeignKey(
        "ledger.Milestone",
        verbose_name=_("milestone reached"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    late = models.BooleanField(_("late"), default=False)
    # Why the percentage is lower than the task's progress before this report (a
    # rebound, a measure undone, a figure corrected): required when it falls.
    reason = models.TextField(_("reason the progress fell"), blank=True)
    source = models.CharField(
        _("report source"),
        max_length=20,
        choices=ReportSource.choices,
        default=ReportSource.UNIT,
    )

    append_only_clearable = ("reporter", "milestone")

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["task", "-submitted_at"], name="report_task_time"),
            models.Index(fields=["task", "period_start"], name="report_task_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__isnull=True) | models.Q(percent__lte=100),
                name="report_percent_le_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} @ {self.submitted_at:%Y-%m-%d}"


class Evidence(AppendOnlyModel):
    """A file that backs a report or a close-out request. The bytes live outside the
    database, under the data folder, named by their SHA-256; the type is sniffed.
    Append-only; the uploader is cleared if that user is deleted."""

    task = models.ForeignKey(
        "ledger.Task", verbose_name=_("task"), on_delete=models.PROTECT, related_name="evidence"
    )
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    step = models.ForeignKey(
        "ledger.CloseoutStep",
        verbose_name=_("close-out step"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    original_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(_("stored as"), max_length=255, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    append_only_clearable = ("uploaded_by",)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class MissedReport(models.Model):
    """A reporting period that ended (grace included) without a progress report (漏报),
    recorded by the sweep. A report filed for the period later fills it (`report`,
    `filled_at`): the record stays, and the report is marked late (迟报). Not
    append-only, for that reason; nothing else changes a record or deletes one."""

    # The unique constraint's index (task, period_start) serves lookups by task.
    task = models.ForeignKey(
        "ledger.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="missed_reports_log",
        db_index=False,
    )
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("unit that owed it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_by = models.DateField(_("due by"))
    recorded_on = models.DateField(_("recorded on"))
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("late report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    filled_at = models.DateTimeField(_("reported late at"), null=True, blank=True)

    class Meta:
        verbose_name = _("missed report")
        verbose_name_plural = _("missed reports")
        ordering = ["task", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "period_start"], name="missedreport_once_per_period"
            ),
        ]
        indexes = [
            models.Index(fields=["recorded_on", "unit"], name="missedreport_recorded"),
            where_set("report", "missedreport_report"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.period_start}..{self.period_end}"
