"""Unit names from an imported plan that still need the office's decision (待确认单位)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models.tasks import AssignmentRole


class ProposalReason(models.TextChoices):
    UNKNOWN = "unknown", _("No unit of the registry has this name")
    FUZZY = "fuzzy", _("Only similar names were found")
    AMBIGUOUS = "ambiguous", _("Several units have this name")
    COLLECTIVE = "collective", _("Collective reference with no matching group")


class UnitProposal(models.Model):
    """A responsible or supervising unit named in an imported plan that the importer could
    not resolve with certainty. It is kept, with the registry's candidates, until the office
    picks a unit (which creates the task's assignment) or drops it: nothing a plan names is
    silently lost, and no similar-looking unit is ever assigned without a person's say."""

    task = models.ForeignKey(
        "ledger.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="unit_proposals",
    )
    role = models.CharField(_("part"), max_length=16, choices=AssignmentRole.choices)
    text = models.CharField(_("as written"), max_length=200)
    reason = models.CharField(_("reason"), max_length=12, choices=ProposalReason.choices)
    # [{"unit": id, "name": str, "score": float}, …], best first.
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("chosen unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided = models.BooleanField(_("decided"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("unit proposal")
        verbose_name_plural = _("unit proposals")
        ordering = ["task", "id"]
        indexes = [models.Index(fields=["task", "decided"], name="unitproposal_task_decided")]

    def __str__(self) -> str:
        return self.text
