"""What every ledger ModelAdmin shares: the door (the role, not the staff flag), the
permissions asked of `access`, audited saves and deletes, and the capped paginator that
keeps list pages cheap on a million tasks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from closeout.ledger import access, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.models import Inspection, Plan, Task
from closeout.ledger.rules.workflow import transition_rules

# A changelist counts at most this many rows; past it the page says "1000+" and stops
# at page 20. Counting (or OFFSET-ing through) a million rows costs more than the page
# itself; filters narrow a list, the dashboards give the totals.
COUNT_CAP = 1_000


def request_actor(request: HttpRequest) -> Actor:
    """The ledger actor behind an admin request."""
    return Actor.of(request.user)


def _office_only(request: HttpRequest) -> bool:
    """The admin site's door: the role decides, not Django's is_staff flag."""
    return bool(request.user.is_active) and access.can_use_admin(request_actor(request))


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
        actor = request_actor(request)
        return access.can_use_admin(actor) and access.can_edit(actor)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_use_admin(request_actor(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return access.can_use_admin(request_actor(request))

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
        services.audited_save(request_actor(request), obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.audited_delete(request_actor(request), obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # One audited delete per row instead of one unaudited DELETE for all.
        actor = request_actor(request)
        for obj in queryset:
            services.audited_delete(actor, obj)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[Any], change: bool
    ) -> None:
        actor = request_actor(request)
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
        actor = request_actor(request)
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


def transition_labels() -> dict[str, Any]:
    """Transition names with their lazy labels (actions follow the request's language)."""
    return {rule.name: rule.label for rule in transition_rules().values()}
