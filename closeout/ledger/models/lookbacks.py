"""Look-back checks (回头看): re-checks of a closed task some months after its closing.

The sweep schedules them (by default 3 and 12 months after each closing, see
`LoopSettings.lookback_months`); a supervising unit or the office records the outcome.
A rebound (反弹) reopens the task and counts against the lead unit recorded here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models.indexes import where_set


class LookbackState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    STABLE = "stable", _("Stable")  # 未反弹
    REBOUND = "rebound", _("Rebound")  # 反弹
    VOID = "void", _("No longer needed")  # the task was reopened before this check


class LookbackCheck(models.Model):
    # The unique constraint's index (task, closed_on, months) serves lookups by task.
    task = models.ForeignKey(
        "ledger.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="lookbacks",
        db_index=False,
    )
    closed_on = models.DateField(_("closing checked"))
    months = models.PositiveSmallIntegerField(_("months after closing"))
    due_on = models.DateField(_("due on"), db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=LookbackState.choices, default=LookbackState.SCHEDULED
    )
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lookbacks",
    )
    scheduled_on = models.DateField(_("scheduled on"))
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    findings = models.TextField(_("findings"), blank=True)
    notified_on = models.DateField(_("reminder sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("look-back check")
        verbose_name_plural = _("look-back checks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "closed_on", "months"], name="lookback_unique_per_closing"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"], name="lookback_state_due"),
            where_set("checked_by", "lookback_checked_by"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} +{self.months}m ({self.due_on})"
