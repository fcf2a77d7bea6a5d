"""The Django admin, the rectification office's (整改办) back room.

Rules the admin keeps:
- Who may enter and what they may do come from `closeout.ledger.access` only: the site
  lets in `can_use_admin` actors, every ModelAdmin's permissions ask `can_edit`, and the
  task list goes through `visible_tasks`. Django's per-model permissions are not used.
- Nothing here writes ledger rows itself: saves go through `services.task_update`,
  `task_create`, `unit_save`, `audited_save` and `audited_set_m2m`, deletes through
  `audited_delete`, life-cycle changes through `task_transition`, so each one leaves an
  audit event (操作留痕). Audit events, progress reports and evidence are read-only.
- It must stay fast on a million tasks: no full COUNT(*) per page (`CappedPaginator`,
  `show_full_result_count = False`, no facets), related rows joined rather than fetched
  per row, big text columns of joined rows deferred, filters that never scan the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from closeout.ledger import access, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.models import (
    ApiToken,
    AuditEvent,
    CalendarDay,
    CloseoutStep,
    Digest,
    Escalation,
    EscalationRule,
    Evidence,
    Inspection,
    LookbackCheck,
    LoopSettings,
    Milestone,
    MissedReport,
    Objection,
    Plan,
    Problem,
    Profile,
    ProgressReport,
    SweepRun,
    Task,
    TaskPerson,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitGroup,
)
from closeout.ledger.rules.workflow import transition_rules

# A changelist counts at most this many rows; past it the page says "1000+" and stops
# at page 20. Counting (or OFFSET-ing through) a million rows costs more than the page
# itself; filters narrow a list, the dashboards give the totals.
COUNT_CAP = 1_000
# A life-cycle action runs one transaction per task; a larger selection is refused
# rather than left to time out half-way.
MAX_ACTION_TASKS = 500


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(request.user)


def _office_only(request: HttpRequest) -> bool:
    """The admin site's door: the role decides, not Django's is_staff flag."""
    return bool(request.user.is_active) and access.can_use_admin(_actor(request))


admin.site.has_permission = _office_only  # type: ignore[method-assign]


# ---------------------------------------------------------------------------- paging


class AtLeast(int):
    """A count known only to be at least this large; it prints as "1000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"

    def __html__(self) -> str:
        return str(self)


class CappedPaginator(Paginator):
    """Counts with `SELECT COUNT(*) FROM (… LIMIT cap + 1)`, so the cost is bounded by
    the cap, not by the table. Pages stop at the cap; filters narrow further."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        # Ordering and selected columns do not change a count; dropping them lets the
        # database count from an index.
        n = self.object_list.order_by().values("pk")[: self.cap + 1].count()
        return AtLeast(self.cap) if n > self.cap else n


# ---------------------------------------------------------------------------- permissions


class OfficeOnly:
    """Model permissions asked of `access`: the office views everything and edits what
    `can_edit` allows (everything but the append-only records)."""

    def _may_edit(self, request: HttpRequest) -> bool:
        actor = _actor(request)
        return access.can_use_admin(actor) and access.can_edit(actor)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_use_admin(_actor(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return access.can_use_admin(_actor(request))

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_edit(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_edit(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_edit(request)


class ReadOnly(OfficeOnly):
    """Records that are written only by services (audit events, reports, evidence)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class LedgerAdmin(OfficeOnly, admin.ModelAdmin):
    """Base for every ledger ModelAdmin: access-checked, audited, cheap to list."""

    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def action_checkbox(self, obj: Model) -> SafeString:
        # Django's markup, written directly: rendering a widget template per row took a
        # third of a list page's time.
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.audited_save(_actor(request), obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.audited_delete(_actor(request), obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # One audited delete per row instead of one unaudited DELETE for all.
        actor = _actor(request)
        for obj in queryset:
            services.audited_delete(actor, obj)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[Any], change: bool
    ) -> None:
        actor = _actor(request)
        for field in form.instance._meta.many_to_many:
            if field.name in form.cleaned_data and (not change or field.name in form.changed_data):
                services.audited_set_m2m(
                    actor, form.instance, field.name, form.cleaned_data[field.name]
                )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        actor = _actor(request)
        task = form.instance if isinstance(form.instance, Task) else None
        # commit=False hands back the new and changed rows and the deleted ones without
        # writing anything, so that each write can go through its audited service.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.audited_delete(actor, obj, task=task)
        for obj in instances:
            services.audited_save(actor, obj, task=task)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # A service refusing a save (a unit placed below itself, …) rolls back the whole
        # form's transaction; tell the office why instead of failing with a 500.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class LedgerInline(OfficeOnly, admin.TabularInline):
    extra = 0


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False


class ReadOnlyAdmin(ReadOnly, LedgerAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return [f.name for f in self.model._meta.fields]


class TitleOnlyFilter(admin.RelatedFieldListFilter):
    """A related-object filter that loads only id and name of the related rows: the
    default loads whole rows, and a plan row carries its entire source document."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        model = field.related_model
        label = {Plan: "title", Inspection: "name"}.get(model, "pk")
        rows = model._default_manager.only("pk", label).order_by(label, "pk")
        return [(row.pk, str(row)) for row in rows]


# ---------------------------------------------------------------------------- tasks


STEPS_WITH_INPUT = frozenset({"request_closeout", "verify"})


def _transition_labels() -> dict[str, Any]:
    """Transition names with their lazy labels (actions follow the request's language)."""
    return {rule.name: rule.label for rule in transition_rules().values()}


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
        for name, label in _transition_labels().items()
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
        return access.visible_tasks(_actor(request), qs)

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
        return access.can_use_admin(_actor(request))

    def save_model(self, request: HttpRequest, obj: Task, form: ModelForm, change: bool) -> None:
        actor = _actor(request)
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
        actor = _actor(request)
        label = _transition_labels()[name]
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
            obj.created_by_id = _actor(request).user_id
        super().save_model(request, obj, form, change)


@admin.register(Inspection)
class InspectionAdmin(LedgerAdmin):
    list_display = ("name", "kind", "round", "region", "feedback_on")
    list_filter = ("kind",)
    search_fields = ("name", "team")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)


# ---------------------------------------------------------------------------- units


class UnitAliasInline(LedgerInline):
    model = UnitAlias
    fields = ("name", "former", "valid_until")


@admin.register(Unit)
class UnitAdmin(LedgerAdmin):
    list_display = ("name", "parent", "kind", "level", "code", "active")
    list_filter = ("kind", "level", "active")
    search_fields = ("name", "full_name", "aliases__name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")
    inlines = (UnitAliasInline,)

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        # unit_save keeps the tree paths of the unit and everything below it.
        services.unit_save(actor=_actor(request), unit=obj)


@admin.register(UnitGroup)
class UnitGroupAdmin(LedgerAdmin):
    list_display = ("name", "owner")
    search_fields = ("name",)
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    filter_horizontal = ("members",)


# ---------------------------------------------------------------------------- accounts


@admin.register(Profile)
class ProfileAdmin(LedgerAdmin):
    list_display = ("user", "display_name", "role", "unit")
    list_filter = ("role",)
    search_fields = ("user__username", "display_name")
    list_select_related = ("user", "unit")
    raw_id_fields = ("user",)
    autocomplete_fields = ("unit",)


@admin.register(ApiToken)
class ApiTokenAdmin(LedgerAdmin):
    """Tokens are issued through the API or the CLI (the key is shown once there); here
    the office can rename or revoke one."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix", "key_hash", "created_at", "last_used_at", "revoked")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# ---------------------------------------------------------------------------- records


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("task", "unit", "submitted_at", "percent", "late")
    list_filter = ("late",)
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


# ---------------------------------------------------------------------------- the closed loop


@admin.register(LoopSettings)
class LoopSettingsAdmin(LedgerAdmin):
    """The office's closed-loop settings: one row, edited, never added twice or deleted."""

    list_display = (
        "__str__", "notice_working_days", "lookback_months", "report_grace_days", "issuing_body",
        "digest_cycle",
    )  # fmt: skip

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
        "task", "level", "cause", "unit", "issued_on", "response_due", "responded_at", "lifted_on",
    )  # fmt: skip
    list_filter = ("level", "trigger", "manual")
    list_select_related = ("task", "unit")
    ordering = ("-id",)


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


class ActionFilter(admin.SimpleListFilter):
    """Audit events by action. The choices are fixed (a kind of change, or a life-cycle
    step) because listing the distinct actions would scan the whole audit table."""

    title = AuditEvent._meta.get_field("action").verbose_name
    parameter_name = "action"
    VERBS = {"create": _("Created"), "update": _("Changed"), "delete": _("Deleted")}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [*self.VERBS.items(), *_transition_labels().items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in self.VERBS:
            return queryset.filter(action__endswith=f".{value}")
        if value in _transition_labels():
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
