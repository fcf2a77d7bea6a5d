"""The office's unit registry pages (单位名录): search and page through the units, add a
unit under a parent, rename one (the old name kept as a former name), add and remove
other names."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.selectors import office as selectors
from closeout.ledger.services import units as services
from closeout.web.office import office_page, page_number, render_form, submit
from closeout.web.officeforms import AliasForm, UnitCreateForm, UnitRenameForm, UnitSearchForm


@office_page
def units(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = UnitSearchForm(request.GET or None, actor=actor)
    q = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    try:
        page = selectors.units_page(actor, q=q, page=page_number(request))
    except DomainError as error:
        form.domain_error(error)
        page = selectors.units_page(actor, page=1)
    context = {"form": form, "page": page, "page_url": request.get_full_path()}
    return render_form(request, "web/office/units.html", context, form)


@office_page
def unit_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    initial = {"parent": request.GET.get("parent", "")}
    form = UnitCreateForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST":
        created: list[int] = []

        def call() -> None:
            created.append(services.unit_add(actor=actor, **form.service_kwargs()).pk)

        done = submit(request, form, call, done=_("Unit added."), to="web:office_units")
        if done:
            return redirect("web:office_unit", created[0])
    context = {"form": form, "page_url": request.path}
    return render_form(request, "web/office/unit_add.html", context, form)


def _unit_page(
    request: HttpRequest,
    actor: Actor,
    unit_id: int,
    *,
    rename: UnitRenameForm | None = None,
    alias: AliasForm | None = None,
) -> HttpResponse:
    detail = selectors.unit_detail(actor, unit_id, page=page_number(request))
    unit = detail.unit
    rename = rename or UnitRenameForm(
        actor=actor, prefix="rename", initial={"name": unit.name, "full_name": unit.full_name}
    )
    alias = alias or AliasForm(actor=actor, prefix="alias")
    context = {"detail": detail, "unit": unit, "rename": rename, "alias": alias,
               "page_url": request.path}  # fmt: skip
    return render_form(request, "web/office/unit.html", context, rename, alias)


@office_page
def unit(request: HttpRequest, actor: Actor, unit_id: int) -> HttpResponse:
    return _unit_page(request, actor, unit_id)


@require_POST
@office_page
def unit_rename(request: HttpRequest, actor: Actor, unit_id: int) -> HttpResponse:
    selectors.unit_detail(actor, unit_id)
    form = UnitRenameForm(request.POST, actor=actor, prefix="rename")
    done = submit(
        request,
        form,
        lambda: services.unit_rename(actor=actor, unit_id=unit_id, **form.service_kwargs()),
        done=_("Unit renamed."),
        to="web:office_unit",
        args=(unit_id,),
    )
    return done or _unit_page(request, actor, unit_id, rename=form)


@require_POST
@office_page
def alias_add(request: HttpRequest, actor: Actor, unit_id: int) -> HttpResponse:
    selectors.unit_detail(actor, unit_id)
    form = AliasForm(request.POST, actor=actor, prefix="alias")
    done = submit(
        request,
        form,
        lambda: services.unit_alias_add(actor=actor, unit_id=unit_id, **form.service_kwargs()),
        done=_("Name added."),
        to="web:office_unit",
        args=(unit_id,),
    )
    return done or _unit_page(request, actor, unit_id, alias=form)


@require_POST
@office_page
def alias_remove(request: HttpRequest, actor: Actor, unit_id: int, alias_id: int) -> HttpResponse:
    services.unit_alias_remove(actor=actor, unit_id=unit_id, alias_id=alias_id)
    messages.success(request, _("Name removed."))
    return redirect("web:office_unit", unit_id)
