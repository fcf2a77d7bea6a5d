"""Inspections (督察) and the rectification plans (整改方案) that answer them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    CENTRAL = "central", _("Central inspection")  # 中央生态环境保护督察
    PROVINCIAL = "provincial", _("Provincial inspection")  # 省级督察
    LOOK_BACK = "look_back", _("Look-back inspection")  # 督察"回头看"
    SPECIAL = "special", _("Special inspection")  # 专项督察


class Inspection(models.Model):
    """An inspection round (督察) whose written feedback (反馈意见) the plans answer."""

    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    round = models.PositiveSmallIntegerField(_("round"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    team = models.CharField(_("inspection team"), max_length=200, blank=True)
    region = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("inspected region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    entered_on = models.DateField(_("stationed from"), null=True, blank=True)  # 进驻
    left_on = models.DateField(_("stationed until"), null=True, blank=True)
    feedback_on = models.DateField(_("feedback date"), null=True, blank=True)  # 反馈
    feedback_text = models.TextField(_("feedback text"), blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-feedback_on", "name"]

    def __str__(self) -> str:
        return self.name


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # imported, awaiting the office's review
    CONFIRMED = "confirmed", _("Confirmed")
    SUPERSEDED = "superseded", _("Superseded")  # a later version replaced it


class ReportCycle(models.TextChoices):
    """How often responsible units report progress (调度周期)."""

    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    CUSTOM = "custom", _("Every N days")


class Plan(models.Model):
    """A rectification plan (整改方案), kept with its source document verbatim.

    `source_text` is the decoded original text; tasks point into it with character
    spans, so whoever reads a task can always see the sentence it came from.
    `content_hash` is the SHA-256 of the original file's bytes: importing the same file
    twice finds the existing plan instead of creating another.
    """

    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    inspections = models.ManyToManyField(
        Inspection, verbose_name=_("inspections answered"), related_name="plans", blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
    )
    source_name = models.CharField(_("source file name"), max_length=255, blank=True)
    source_file = models.CharField(_("stored source file"), max_length=255, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    published = models.BooleanField(_("published to the public portal"), default=False)
    report_cycle = models.CharField(
        _("reporting cycle"), max_length=8, choices=ReportCycle.choices, default=ReportCycle.WEEKLY
    )
    report_cycle_days = models.PositiveSmallIntegerField(
        _("cycle length in days (custom cycle)"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issued_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=~models.Q(content_hash=""),
                name="plan_unique_content_hash",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def source_excerpt(self, start: int | None, end: int | None) -> str:
        """The verbatim source text between two character offsets ("" when unknown)."""
        if start is None or end is None:
            return ""
        return self.source_text[start:end]
