"""The audit trail (操作留痕): an append-only record of every change.

Rows are written by the services in the same transaction as the change they record.
Append-only, without exception (see `appendonly`): never updated or deleted — the model
and its query set refuse it, the admin and API offer no way to do it, and database
triggers reject UPDATE and DELETE from anywhere. References to the changed object and
to the actor are plain ids, not foreign keys, so that history outlives what it describes
and no deletion elsewhere ever needs to touch a row here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models.appendonly import (
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
)

__all__ = ["AppendOnlyError", "AppendOnlyQuerySet", "AuditEvent"]


class AuditEvent(AppendOnlyModel):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor as shown"), max_length=150)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("object type"), max_length=40)
    target_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    task = models.ForeignKey(
        "ledger.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="history",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["task", "at"], name="audit_task_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
