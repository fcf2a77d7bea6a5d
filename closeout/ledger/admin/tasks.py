"""Tasks (with their units, persons, milestones, history and the life-cycle actions),
problems, plans and inspections, and the read-only progress reports and evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from closeout.ledger import access, services
from closeout.ledger.admin.base import (
    LedgerAdmin,
    LedgerInline,
    ReadOnlyAdmin,
    ReadOnlyInline,
    TitleOnlyFilter,
    request_actor,
    transition_labels,
)
from closeout.ledger.errors import DomainError
from closeout.ledger.models import (
    AuditEvent,
    Evidence,
    Inspection,
    Milestone,
    Plan,
    Problem,
    ProgressReport,
    Task,
    TaskPerson,
    TaskUnit,
)

# ---------------------------------------------------------------------------- tasks


# A life-cycle action runs one transaction per task; a larger selection is refused
# rather than left to time out half-way.
MAX_ACTION_TASKS = 500
STEPS_WITH_INPUT = frozenset({"request_closeout", "verify"})


def _transition_action(name: str, label: Any) -> Callable[..., None]:
    def action(modeladmin: TaskAdmin, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        modeladmin.take_transition(request, queryset, name)

    action.__name__ = f"transition_{name}"
    return admin.action(description=label, permissions=["transition"])(action)


class TransitionActionForm(helpers.ActionForm):
    note = forms.CharField(
        label=_("Reason (required to cancel, send back or reopen)"),
        required=False,
        max_length=1000,
    )


class TaskUnitInline(LedgerInline):
    model = TaskUnit
    fields = ("unit", "role", "via_group")
    autocomplete_fields = ("unit", "via_group")


class TaskPersonInline(LedgerInline):
    model = TaskPerson
    fields = ("role", "text", "unit", "post", "name")
    autocomplete_fields = ("unit",)


class MilestoneInline(LedgerInline):
    model = Milestone
    fields = ("seq", "title", "due_date", "expected_progress", "reached_on")


class HistoryInline(ReadOnlyInline):
    """The task's audit events (操作记录), read-only, newest first."""

    model = AuditEvent
    fk_name = "task"
    fields = ("at", "actor_label", "action", "before", "after", "note")
    readonly_fields = fields
    verbose_name_plural = _("History")


TASK_PROGRESS_FIELDS = ("progress", "last_reported_at", "closed_on", "flags")
TASK_SOURCE_FIELDS = ("span_start", "span_end", "created_at", "updated_at")
TASK_ALWAYS_READONLY = ("status", *TASK_PROGRESS_FIELDS, *TASK_SOURCE_FIELDS)
BY_PLAN = (("plan", TitleOnlyFilter), ("inspection", TitleOnlyFilter))


class TaskChangeList(ChangeList):
    """Breaks ties by id in the direction of the main sort key, so that "due date, id"
    walks one index (Django's default tie-break, "-pk", sorts against it). The default
    order stays the plan's own (plan, sequence number), which its unique index serves."""

    def _get_deterministic_ordering(self, ordering: list[Any]) -> list[Any]:
        result = list(super()._get_deterministic_ordering(ordering))  # type: ignore[misc]
        first = result[0] if result else None
        if result[-1:] == ["-pk"] and isinstance(first, str) and not first.startswith("-"):
            result[-1] = "pk"
        return result


@admin.register(Task)
class TaskAdmin(LedgerAdmin):
    list_display = (
        "seq",
        "short_text",
        "problem",
        "plan",
        "status",
        "deadline_raw",
        "due_date",
        "progress",
    )
    list_display_links = ("seq", "short_text")
    # Only columns with an index behind them sort; any other sort of a million rows
    # would be a full sort per page.
    sortable_by = ("due_date", "status")
    list_filter = ("status", "category", *BY_PLAN, "immediate", "ongoing", "due_date")
    # `contains` (LIKE) rather than `icontains` (UPPER … LIKE): Chinese has no case, and a
    # trigram index can serve LIKE, as the selectors' search does.
    search_fields = ("text__contains", "target__contains", "problem__title__contains")
    list_select_related = ("problem", "plan")
    autocomplete_fields = ("problem",)
    inlines = (TaskUnitInline, TaskPersonInline, MilestoneInline, HistoryInline)
    action_form = TransitionActionForm
    # Steps that need per-task input (a self-assessment and evidence, an on-site check)
    # are taken on the task's page, not in bulk.
    actions = [
        _transition_action(name, label)
        for name, label in transition_labels().items()
        if name not in STEPS_WITH_INPUT
    ]
    fieldsets = (
        (None, {"fields": ("problem", "plan", "inspection", "seq", "status")}),
        (_("Five clears"), {"fields": services.TASK_EDITABLE_FIELDS}),
        (_("Progress"), {"fields": TASK_PROGRESS_FIELDS}),
        (_("Source"), {"fields": TASK_SOURCE_FIELDS, "classes": ("collapse",)}),
    )

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TaskChangeList

    @admin.display(description=Task._meta.get_field("text").verbose_name)
    def short_text(self, obj: Task) -> str:
        return obj.text if len(obj.text) <= 60 else f"{obj.text[:60]}…"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        qs = super().get_queryset(request).select_related("problem", "plan")
        # The joined plan row would otherwise bring its whole source document per row.
        qs = qs.defer("plan__source_text", "problem__text", "problem__outline_path")
        return access.visible_tasks(request_actor(request), qs)

    def get_readonly_fields(self, request: HttpRequest, obj: Task | None = None) -> Any:
        if obj is None:  # plan and inspection follow from the problem
            return ("plan", "inspection", *TASK_ALWAYS_READONLY)
        return ("problem", "plan", "inspection", "seq", *TASK_ALWAYS_READONLY)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Tasks are cancelled, not deleted in bulk; one task can still be deleted from its
        # page (audited) when it was imported by mistake.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_transition_permission(self, request: HttpRequest) -> bool:
        # Whether each task may take the step is decided per task by the service.
        return access.can_use_admin(request_actor(request))

    def save_model(self, request: HttpRequest, obj: Task, form: ModelForm, change: bool) -> None:
        actor = request_actor(request)
        editable = services.TASK_EDITABLE_FIELDS
        if change:
            changes = {n: form.cleaned_data[n] for n in form.changed_data if n in editable}
            if changes:
                services.task_update(actor=actor, task_id=obj.pk, changes=changes)
            return
        fields = {n: form.cleaned_data[n] for n in editable if n in form.cleaned_data}
        fields.pop("text", None)
        created = services.task_create(
            actor=actor, problem=obj.problem, seq=obj.seq, text=obj.text, **fields
        )
        # The admin carries on with the form's instance (inlines, log entry, redirect):
        # make it the row the service created.
        for field in Task._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

    def take_transition(self, request: HttpRequest, queryset: QuerySet[Task], name: str) -> None:
        """Move each selected task through `services.task_transition`, one transaction
        each, and report how many moved and why the others did not."""
        note = request.POST.get("note", "").strip()
        ids = list(queryset.order_by().values_list("pk", flat=True)[: MAX_ACTION_TASKS + 1])
        if len(ids) > MAX_ACTION_TASKS:
            self.message_user(
                request,
                _("Select at most %(max)d tasks for one action.") % {"max": MAX_ACTION_TASKS},
                messages.ERROR,
            )
            return
        actor = request_actor(request)
        label = transition_labels()[name]
        moved, failures = 0, []
        for task_id in ids:
            try:
                services.task_transition(actor=actor, task_id=task_id, name=name, note=note)
                moved += 1
            except DomainError as exc:
                failures.append(f"#{task_id}: {exc.message}")
        if moved:
            done = ngettext(
                "%(action)s: %(count)d task done.", "%(action)s: %(count)d tasks done.", moved
            )
            self.message_user(request, done % {"action": label, "count": moved}, messages.SUCCESS)
        if failures:
            shown = "; ".join(failures[:10]) + ("; …" if len(failures) > 10 else "")
            failed = ngettext(
                "%(action)s: %(count)d task not done: %(reasons)s",
                "%(action)s: %(count)d tasks not done: %(reasons)s",
                len(failures),
            )
            values = {"action": label, "count": len(failures), "reasons": shown}
            self.message_user(request, failed % values, messages.ERROR)


@admin.register(Problem)
class ProblemAdmin(LedgerAdmin):
    list_display = ("seq", "number", "title", "plan", "inspection", "category", "source")
    list_display_links = ("seq", "title")
    list_filter = ("category", "source", *BY_PLAN)
    search_fields = ("title__contains", "number")
    list_select_related = ("plan", "inspection")
    autocomplete_fields = ("plan", "inspection", "regions")
    # Meta orders by plan, which would sort by the plan's own ordering through a join.
    ordering = ("plan_id", "seq")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Problem]:
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "inspection")
            .defer("plan__source_text", "inspection__feedback_text")
        )


@admin.register(Plan)
class PlanAdmin(LedgerAdmin):
    list_display = ("title", "issuer", "issued_on", "status", "version", "published")
    list_filter = ("status", "published", "report_cycle")
    search_fields = ("title", "issuer")
    filter_horizontal = ("inspections",)
    autocomplete_fields = ("previous",)
    readonly_fields = ("content_hash", "source_name", "source_file", "created_at", "created_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Plan]:
        # A page of plans must not carry fifty source documents.
        return super().get_queryset(request).defer("source_text")

    def save_model(self, request: HttpRequest, obj: Plan, form: ModelForm, change: bool) -> None:
        if not change:
            obj.created_by_id = request_actor(request).user_id
        super().save_model(request, obj, form, change)


@admin.register(Inspection)
class InspectionAdmin(LedgerAdmin):
    list_display = ("name", "kind", "round", "region", "feedback_on")
    list_filter = ("kind",)
    search_fields = ("name", "team")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)


# ---------------------------------------------------------------------------- records


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("task", "unit", "submitted_at", "percent", "late", "source")
    list_filter = ("late", "source")
    search_fields = ("text__contains",)
    list_select_related = ("task", "unit")
    # The primary key is indexed and follows submission order closely enough.
    ordering = ("-id",)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "task", "content_type", "size", "uploaded_at")
    list_filter = ("content_type",)
    search_fields = ("original_name", "sha256")
    list_select_related = ("task",)
    ordering = ("-id",)
