"""Close-out (销号) steps and the objections lodged during a public notice (公示).

Every step a close-out passes — request (申请), preliminary review (初审), public
notice (公示), verification (核查), filing (备案), sending back (退回), withdrawal,
reopening after a rebound (反弹) — is one `CloseoutStep` row, written by the service
that takes the transition, in the same transaction. Steps are append-only (see
`appendonly`): a later decision is a new row, never an edit, so the whole history of
every attempt stays readable; the model, its query set and database triggers refuse
any change or deletion, and a task with steps cannot be deleted. The only change the
database makes is clearing `actor` when that user is deleted (`actor_label` keeps the
name). `round` numbers the attempts: the first request of a task opens round 1, a
request after a send-back opens round 2. Objections are not append-only: the answer is
written into the objection's row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models.appendonly import AppendOnlyModel


class StepKind(models.TextChoices):
    REQUEST = "request", _("Close-out requested")  # 申请销号
    WITHDRAW = "withdraw", _("Request withdrawn")
    REVIEW = "review", _("Preliminary review passed")  # 初审通过, notice begins
    NOTICE_END = "notice_end", _("Public notice ended")  # 公示期满
    VERIFY = "verify", _("Verified on site")  # 核查
    FILE = "file", _("Filed and closed out")  # 备案销号
    SEND_BACK = "send_back", _("Sent back")  # 退回
    REOPEN = "reopen", _("Reopened after rebound")  # 回头看发现反弹


class CloseoutStep(AppendOnlyModel):
    """One step of a task's close-out, with who took it, their opinion and its data.

    `data` holds what the step records beyond the opinion: the self-assessment against
    each acceptance criterion (request), the notice window (review), the on-site
    check (verify), the filing number (file), the state sent back from (send_back).
    """

    task = models.ForeignKey(
        "ledger.Task",
        verbose_name=_("task"),
        on_delete=models.PROTECT,
        related_name="closeout_steps",
    )
    round = models.PositiveSmallIntegerField(_("round"))
    kind = models.CharField(_("step"), max_length=12, choices=StepKind.choices)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("taken by (as shown)"), max_length=150)
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("acting unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinion = models.TextField(_("opinion"), blank=True)
    data = models.JSONField(_("step data"), default=dict, blank=True)

    append_only_clearable = ("actor",)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("close-out step")
        verbose_name_plural = _("close-out steps")
        ordering = ["task", "at", "id"]
        indexes = [models.Index(fields=["task", "round", "id"], name="closeoutstep_task")]

    def __str__(self) -> str:
        return f"{self.task_id} #{self.round} {self.get_kind_display()}"


class ObjectionQuerySet(models.QuerySet["Objection"]):
    def unsettled(self) -> ObjectionQuerySet:
        """Objections that still hold a notice open: neither answered nor marked as spam."""
        return self.filter(answered_at__isnull=True, spam_at__isnull=True)


class Objection(models.Model):
    """An objection (异议) lodged during a public notice. It must be answered, or marked
    as spam by the office (with a reason), before the notice may end; the answer or the
    mark, once given, is not changed, and a spam objection stays on record."""

    task = models.ForeignKey(
        "ledger.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="objections"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    lodged_at = models.DateTimeField(_("lodged at"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    text = models.TextField(_("objection"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    spam_at = models.DateTimeField(_("marked as spam at"), null=True, blank=True)
    spam_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked as spam by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    spam_reason = models.TextField(_("why spam"), blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["task", "lodged_at", "id"]
        indexes = [models.Index(fields=["task", "answered_at"], name="objection_task")]

    def __str__(self) -> str:
        return self.text[:40]
