"""Escalation (督办): the office's rules and the measures issued under them.

The ladder itself and its cause keys are in `closeout.ledger.rules.escalation` (pure rules);
these tables store the rules the office configured and every measure issued. A measure
is unique per (task, level, cause), so the same measure is never issued twice for the
same cause; when the cause is gone the sweep lifts it (`lifted_on`). The unit's response
and the lifting are written once and never changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models.indexes import where_set
from closeout.ledger.rules.escalation import Level, Trigger


class EscalationRule(models.Model):
    """When `trigger` reaches `threshold`, issue `level` (see the pure module)."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    response_days = models.PositiveSmallIntegerField(_("working days to respond"), default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["trigger", "threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "trigger", "threshold"], name="escalationrule_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.threshold} → {self.get_level_display()}"

    def clean(self) -> None:
        """The pure rule's checks: manual levels are not rules, thresholds make sense."""
        from django.core.exceptions import ValidationError

        from closeout.ledger.rules.escalation import Rule

        try:
            Rule(Level(self.level), Trigger(self.trigger), self.threshold)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class Escalation(models.Model):
    """One escalation measure (督办措施) on a task: level, reason, issuing body, dates,
    and the responsible unit's response."""

    # Lookups by task and by unit use the indexes below that start with them: the sweep
    # writes measures in sets, and every index costs each of those rows an entry.
    task = models.ForeignKey(
        "ledger.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="escalations",
        db_index=False,
    )
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("unit addressed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
        db_index=False,
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    rank = models.PositiveSmallIntegerField(_("rank"))
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    cause = models.CharField(_("cause"), max_length=120)
    size = models.IntegerField(_("size when issued"), default=0)  # days / reports / rebounds
    reason = models.TextField(_("reason"), blank=True)  # written by hand for manual measures
    manual = models.BooleanField(_("issued by hand"), default=False)
    issued_by = models.CharField(_("issuing body"), max_length=200)
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    issued_on = models.DateField(_("issued on"))
    response_due = models.DateField(_("response due"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lift_reason = models.TextField(_("why lifted"), blank=True)
    # Not indexed: nothing looks measures up by sweep, and sweep runs are kept.
    sweep = models.ForeignKey(
        "ledger.SweepRun",
        verbose_name=_("issued by sweep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("escalation measure")
        verbose_name_plural = _("escalation measures")
        ordering = ["-issued_on", "-rank", "id"]
        constraints = [
            # Also the index of "the measures of this task (for this cause)".
            models.UniqueConstraint(
                fields=["task", "cause", "level"], name="escalation_once_per_cause"
            ),
        ]
        indexes = [
            models.Index(fields=["lifted_on", "trigger"], name="escalation_active"),
            models.Index(fields=["unit", "issued_on"], name="escalation_unit"),
            where_set("issuer", "escalation_issuer"),
            where_set("responded_by", "escalation_responded_by"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.task_id} ({self.cause})"
