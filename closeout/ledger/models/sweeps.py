"""The closed loop's settings (闭环参数) and the log of sweeps (定时核查).

`LoopSettings` is one row the office edits: public-notice length, look-back offsets,
the grace for progress reports, the issuing body written on escalation measures, the
prefixes (发文代字) of letter and circular numbers and the digest cycle. `SweepRun`
logs every run of `closeout sweep` with its figures.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from closeout.ledger.models.plans import ReportCycle


def default_lookback_months() -> list[int]:
    return [3, 12]


class LoopSettings(models.Model):
    notice_working_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"), default=5
    )
    lookback_months = models.JSONField(
        _("look-back checks (months after closing)"), default=default_lookback_months
    )
    report_grace_days = models.PositiveSmallIntegerField(
        _("days of grace for progress reports"), default=1
    )
    issuing_body = models.CharField(
        _("issuing body of escalation measures"), max_length=200, default="整改办"
    )
    # 发文代字: the prefix of the document numbers, 督办〔2026〕3号 and 整改通报〔2026〕3号.
    letter_prefix = models.CharField(
        _("prefix of escalation letter numbers"), max_length=40, default="督办"
    )
    circular_prefix = models.CharField(
        _("prefix of circular numbers"), max_length=40, default="整改通报"
    )
    digest_cycle = models.CharField(
        _("e-mail digest cycle"),
        max_length=8,
        choices=ReportCycle.choices,
        default=ReportCycle.WEEKLY,
    )
    digest_cycle_days = models.PositiveSmallIntegerField(
        _("digest cycle length in days (custom cycle)"), null=True, blank=True
    )
    backfill_days = models.PositiveSmallIntegerField(
        _("days a sweep looks back at most for missing reports"), default=14
    )

    class Meta:
        verbose_name = _("closed-loop settings")
        verbose_name_plural = _("closed-loop settings")

    def __str__(self) -> str:
        return str(_("closed-loop settings"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> LoopSettings:
        """The one row (created with the defaults the first time it is asked for)."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        months = self.lookback_months
        if not isinstance(months, list) or not all(
            isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 120 for m in months
        ):
            raise ValidationError(
                {"lookback_months": _("a list of whole months between 1 and 120, e.g. [3, 12]")}
            )
        if self.notice_working_days < 1:
            raise ValidationError(
                {"notice_working_days": _("a public notice runs for at least one working day")}
            )
        if self.digest_cycle == ReportCycle.CUSTOM and not self.digest_cycle_days:
            raise ValidationError({"digest_cycle_days": _("a custom cycle needs a length in days")})


class SweepRun(models.Model):
    """One run of the sweep. Not append-only: the row is written when the run starts and
    completed (`finished_at`, `figures`) when it ends, in the same transaction."""

    as_of = models.DateField(_("as of"), db_index=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.started_at:%Y-%m-%d %H:%M})"


class CalendarDay(models.Model):
    """A day of the holiday arrangement the office entered (节假日安排): a public holiday
    (`working` off) or a make-up working day on a weekend (调休上班, `working` on).

    The `chinesecalendar` package carries the State Council's arrangement of each year it
    knows; for a year it does not know yet, the office enters that year's holidays and
    make-up days here (every one of them: entering any day of a year makes the year
    count as known), and they also correct the package where it is wrong.
    """

    date = models.DateField(_("date"), unique=True)
    working = models.BooleanField(_("working day"), default=False)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday arrangement day")
        verbose_name_plural = _("holiday arrangement days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"


def load_entered_days() -> None:
    """Install the days the office entered (`CalendarDay`) into the working-day rules
    (`closeout.ledger.rules.calendar`) before counting working days."""
    from closeout.ledger.rules import calendar

    calendar.use_entered_days(dict(CalendarDay.objects.values_list("date", "working")))
