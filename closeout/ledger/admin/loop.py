"""The closed loop: the office's settings, the working-day calendar and escalation
rules it edits, and the read-only records the sweep and the close-out steps write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from closeout.ledger.admin.base import LedgerAdmin, ReadOnlyAdmin
from closeout.ledger.models import (
    CalendarDay,
    CloseoutStep,
    Digest,
    Escalation,
    EscalationRule,
    LookbackCheck,
    LoopSettings,
    MissedReport,
    Objection,
    SweepRun,
)
from closeout.ledger.rules import labels

# ---------------------------------------------------------------------------- the closed loop


@admin.register(LoopSettings)
class LoopSettingsAdmin(LedgerAdmin):
    """The office's closed-loop settings: one row, edited, never added twice or deleted."""

    list_display = (
        "__str__", "notice_working_days", "lookback_in_words", "report_grace_days", "issuing_body",
        "digest_cycle",
    )  # fmt: skip

    @admin.display(description=_("look-back checks (months after closing)"))
    def lookback_in_words(self, obj: LoopSettings) -> str:
        return labels.months_label(obj.lookback_months or [])

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_add_permission(request) and not LoopSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        LoopSettings.current()  # the row exists with its defaults before anyone edits it
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(LedgerAdmin):
    """Holidays and make-up working days of years the holiday package does not know yet."""

    list_display = ("date", "working", "note")
    list_filter = ("working",)
    date_hierarchy = "date"


@admin.register(EscalationRule)
class EscalationRuleAdmin(LedgerAdmin):
    """The escalation ladder (督办规则) the sweep applies; manual levels are not rules."""

    list_display = ("__str__", "trigger", "threshold", "level", "response_days", "active")
    list_filter = ("trigger", "level", "active")
    ordering = ("trigger", "threshold")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = (
        "task", "level", "cause_in_words", "unit", "issued_on", "response_due", "responded_at",
        "lifted_on",
    )  # fmt: skip
    list_filter = ("level", "trigger", "manual")
    list_select_related = ("task", "unit")
    ordering = ("-id",)

    @admin.display(description=_("Cause"), ordering="cause")
    def cause_in_words(self, obj: Escalation) -> str:
        return labels.cause_label(obj.cause)


@admin.register(CloseoutStep)
class CloseoutStepAdmin(ReadOnlyAdmin):
    list_display = ("task", "round", "kind", "at", "actor_label", "unit")
    list_filter = ("kind",)
    list_select_related = ("task", "unit")
    ordering = ("-id",)


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("task", "round", "lodged_at", "name", "answered_at")
    list_select_related = ("task",)
    ordering = ("-id",)


@admin.register(LookbackCheck)
class LookbackCheckAdmin(ReadOnlyAdmin):
    list_display = ("task", "closed_on", "months", "due_on", "state", "unit", "checked_on")
    list_filter = ("state", "months")
    list_select_related = ("task", "unit")
    ordering = ("due_on", "id")


@admin.register(MissedReport)
class MissedReportAdmin(ReadOnlyAdmin):
    list_display = ("task", "unit", "period_start", "period_end", "due_by", "filled_at")
    list_select_related = ("task", "unit")
    ordering = ("-id",)


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "started_at", "finished_at")
    ordering = ("-id",)


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ("recipient_key", "unit", "period_start", "sent_at", "items")
    ordering = ("-id",)
