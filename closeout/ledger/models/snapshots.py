"""Frozen counts of each reporting period (调度快照).

The weekly dispatch (调度) and its circular compare this period with the last: "12 tasks
overdue, 3 more than last week". Those figures must not move when today's data changes,
so the sweep writes, for the period (of the office's digest cycle) that its day falls in,
one `Snapshot` with its `SnapshotRow`s: the confirmed tasks counted by plan, schedule
bucket and one dimension (category, lead unit, or the month the task is due). A later
sweep in the same period rewrites that period's rows (the period is still running); once
the next period has begun, nothing writes the old one again: a sweep writes only the
period that contains its day, and only while no later period has a snapshot and no
later day of its own period was swept (so a backfill "as of" a past day changes no
frozen figure). See `closeout.ledger.sweep.snapshots`.

`closeout gen` writes the weeks before its date, derived from the generated tasks'
dates (`closeout.ledger.synth.history`).

The pages that show totals, trends and rankings (the office overview, the leader board)
read these rows, a few thousand per period, instead of counting a million tasks per
request.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from closeout.ledger.rules.schedule import Bucket


class Snapshot(models.Model):
    """The counts of one reporting period, as of the last sweep made in it."""

    period_start = models.DateField(_("period start"), unique=True)
    period_end = models.DateField(_("period end"))
    as_of = models.DateField(_("as of"))
    taken_at = models.DateTimeField(_("taken at"))
    tasks = models.PositiveIntegerField(_("tasks counted"), default=0)

    class Meta:
        verbose_name = _("period snapshot")
        verbose_name_plural = _("period snapshots")
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return f"{self.period_start} – {self.period_end} (as of {self.as_of})"


class SnapshotKind(models.TextChoices):
    CATEGORY = "category", _("Category")  # key: the category's value
    UNIT = "unit", _("Lead unit")  # unit: the lead responsible unit (牵头单位)
    DUE = "due", _("Due month")  # key: "YYYY-MM" of the due date, "" for none


class SnapshotRow(models.Model):
    """Confirmed tasks of one plan in one bucket, for one value of one dimension, with
    how many of them miss reports, have rebounded, have a measure standing or are under
    public notice. The category and the due-month dimension each add up to the plan's
    total; in the lead-unit dimension a task with two lead units counts for each."""

    snapshot = models.ForeignKey(
        Snapshot, verbose_name=_("snapshot"), on_delete=models.CASCADE, related_name="rows"
    )
    plan = models.ForeignKey(
        "ledger.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("dimension"), max_length=8, choices=SnapshotKind.choices)
    key = models.CharField(_("value"), max_length=16, blank=True)
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    bucket = models.CharField(_("schedule status"), max_length=12, choices=Bucket.choices)
    tasks = models.PositiveIntegerField(_("tasks"), default=0)
    missed = models.PositiveIntegerField(_("missing reports"), default=0)
    rebounds = models.PositiveIntegerField(_("rebounded"), default=0)
    escalated = models.PositiveIntegerField(_("with a measure standing"), default=0)
    notice = models.PositiveIntegerField(_("under public notice"), default=0)

    class Meta:
        verbose_name = _("snapshot row")
        verbose_name_plural = _("snapshot rows")
        indexes = [
            models.Index(fields=["snapshot", "kind", "plan"], name="snaprow_kind_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.kind}:{self.unit_id or self.key} {self.bucket}"
