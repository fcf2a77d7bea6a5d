"""The audit trail (操作留痕), read-only, filtered without scanning the table."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from closeout.ledger.admin.base import ReadOnlyAdmin, transition_labels
from closeout.ledger.models import AuditEvent


class ActionFilter(admin.SimpleListFilter):
    """Audit events by action. The choices are fixed (a kind of change, or a life-cycle
    step) because listing the distinct actions would scan the whole audit table."""

    title = AuditEvent._meta.get_field("action").verbose_name
    parameter_name = "action"
    VERBS = {"create": _("Created"), "update": _("Changed"), "delete": _("Deleted")}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [*self.VERBS.items(), *transition_labels().items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in self.VERBS:
            return queryset.filter(action__endswith=f".{value}")
        if value in transition_labels():
            return queryset.filter(action=f"task.{value}")
        return queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    """Audit events by the kind of object changed, named by the models' own names."""

    title = AuditEvent._meta.get_field("target_type").verbose_name
    parameter_name = "target_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        models = apps.get_app_config("ledger").get_models()
        return [
            (m._meta.model_name or "", m._meta.verbose_name) for m in models if m is not AuditEvent
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "target_type", "target_id", "task_link", "note")
    list_filter = (ActionFilter, ObjectTypeFilter)
    search_fields = ("actor_label", "action")
    date_hierarchy = "at"
    sortable_by = ("at",)

    @admin.display(description=AuditEvent._meta.get_field("task").verbose_name)
    def task_link(self, obj: AuditEvent) -> str:
        # A link built from the id alone: no join, and history outlives deleted tasks.
        if obj.task_id is None:
            return "-"
        url = reverse("admin:ledger_task_change", args=[obj.task_id])
        return format_html('<a href="{}">{}</a>', url, obj.task_id)
