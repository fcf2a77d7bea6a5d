"""Indicators a plan sets targets for (目标指标), e.g. "PM2.5 年均浓度 ≤ 45 微克/立方米 by
2020", and the values measured against them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorDirection(models.TextChoices):
    AT_MOST = "at_most", _("At most the target")  # lower is better (concentrations)
    AT_LEAST = "at_least", _("At least the target")  # higher is better (shares, rates)


class Indicator(models.Model):
    """A quantified target of a plan."""

    plan = models.ForeignKey(
        "ledger.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("indicator"), max_length=200)
    measure_unit = models.CharField(_("unit of measure"), max_length=40, blank=True)
    direction = models.CharField(
        _("target means"), max_length=8, choices=IndicatorDirection.choices
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    target_date = models.DateField(_("target date"))
    source_text = models.CharField(_("as written in the plan"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="indicator_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorReading(models.Model):
    """A value measured for an indicator on a date."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="readings"
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    note = models.CharField(_("source"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator reading")
        verbose_name_plural = _("indicator readings")
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="reading_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.date}: {self.value}"
