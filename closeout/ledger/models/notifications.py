"""Notifications: an in-app inbox per user (站内消息) and the e-mail digest (摘要邮件)
that gathers a unit's notifications into one mail per cycle.

A notification stores its kind and figures, not a sentence: the inbox and the digest
render it in the reader's language (`closeout.ledger.notify.render`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ESCALATION = "escalation", _("Escalation measure issued")
    MISSED_REPORTS = "missed_reports", _("Progress reports missing")
    CLOSEOUT_REQUESTED = "closeout_requested", _("Close-out requested")
    SENT_BACK = "sent_back", _("Close-out sent back")
    NOTICE_STARTED = "notice_started", _("Public notice started")
    OBJECTION = "objection", _("Objection lodged")
    VERIFICATION_DUE = "verification_due", _("Verification due")
    FILING_DUE = "filing_due", _("Filing due")
    CLOSED = "closed", _("Task closed out")
    LOOKBACK_DUE = "lookback_due", _("Look-back check due")
    REOPENED = "reopened", _("Task reopened after rebound")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    task = models.ForeignKey(
        "ledger.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    escalation = models.ForeignKey(
        "ledger.Escalation",
        verbose_name=_("escalation measure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    count = models.PositiveIntegerField(_("count"), default=0)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digest = models.ForeignKey(
        "ledger.Digest",
        verbose_name=_("mailed in digest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(fields=["digest", "user"], name="notification_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class Digest(models.Model):
    """One e-mail sent for one cycle: to a responsible unit's users ("unit:<id>"), to a
    supervising unit's supervisors ("supervisor:<id>"), or to one user of the office, a
    leader or a login without a unit ("user:<id>"). `recipient_key` is unique with the
    period, so no one gets two digests in one cycle."""

    recipient_key = models.CharField(_("recipient"), max_length=40)
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    sent_at = models.DateTimeField(_("sent at"))
    addresses = models.JSONField(_("sent to"), default=list)
    subject = models.CharField(_("subject"), max_length=200)
    items = models.PositiveIntegerField(_("notifications"))

    class Meta:
        verbose_name = _("e-mail digest")
        verbose_name_plural = _("e-mail digests")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_key", "period_start"], name="digest_once_per_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_key} {self.period_start}"
