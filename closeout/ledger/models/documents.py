"""Document numbers (发文字号): one series per issuing body, year and kind of document,
and a row for every number issued.

A number is "督办〔2026〕3号": the prefix (发文代字, from `LoopSettings`), the year and
the number in the series. The series row holds the last number issued and is the lock
that orders concurrent callers (`closeout.ledger.services.numbering`). Numbers are
never reused: the series only counts up, (body, year, kind, number) is unique, and an
issued number keeps the key of what it was issued for ("escalation:123",
"circular:2026-11-30") as text, not as a foreign key, so it survives the deletion of
that measure or circular. Even a deleted row of `IssuedNumber` does not free its
number: the next one comes from the series' counter, not from the rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NumberKind(models.TextChoices):
    LETTER = "letter", _("Escalation letter")  # 督办函, 提醒函, 挂牌督办通知
    CIRCULAR = "circular", pgettext_lazy("document kind", "Circular")  # 调度通报


class NumberSeries(models.Model):
    """The numbers of one issuing body's documents of one kind in one year."""

    body = models.CharField(_("issuing body"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16, choices=NumberKind.choices)
    last = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("document number series")
        verbose_name_plural = _("document number series")
        ordering = ["body", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["body", "year", "kind"], name="numberseries_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.year} {self.kind} ({self.last})"


class IssuedNumber(models.Model):
    """One number issued, and what for."""

    series = models.ForeignKey(
        NumberSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        related_name="numbers",
        db_index=False,  # the unique constraint below starts with the series' fields
    )
    body = models.CharField(_("issuing body"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16, choices=NumberKind.choices)
    number = models.PositiveIntegerField(_("number"))
    prefix = models.CharField(_("prefix"), max_length=40)
    text = models.CharField(_("document number"), max_length=80)  # 督办〔2026〕3号
    key = models.CharField(_("issued for (key)"), max_length=120)  # escalation:123
    purpose = models.CharField(_("issued for"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("issued document number")
        verbose_name_plural = _("issued document numbers")
        ordering = ["body", "-year", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "kind", "number"], name="issuednumber_never_reused"
            ),
            models.UniqueConstraint(fields=["kind", "key"], name="issuednumber_once_per_key"),
        ]
        indexes = [models.Index(fields=["series", "number"], name="issuednumber_series")]

    def __str__(self) -> str:
        return self.text
