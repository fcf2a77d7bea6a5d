"""The office's review page of a draft plan, at scale (方案审核): a page of tasks at a
time (with the "needs attention" filter), the units and persons of each task, the
unresolved names decided once for all their occurrences, the default supervising unit,
and the unit search the pickers use. Views parse input with a form and call one
selector or service; `access.can_edit` (the office) decides who may use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from closeout.ledger import access, selectors, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, InvalidInput, NotFound
from closeout.ledger.models import AssignmentRole, PersonRole
from closeout.web.display import task_source
from closeout.web.forms import add_domain_error
from closeout.web.reviewforms import (
    DROP,
    UNITS_DATALIST,
    AssignForm,
    DefaultSupervisorForm,
    NameDecisionForm,
    PersonForm,
    ReviewQuery,
    TaskFieldsForm,
    UnitQuery,
)

Bound = dict[tuple[str, Any], Any]


def office(request: HttpRequest) -> Actor:
    actor = Actor.of(request.user)
    if not access.can_edit(actor):
        raise PermissionDenied
    return actor


def _query(request: HttpRequest) -> tuple[int, bool]:
    """The page and filter the office is on: from the query string, or from the hidden
    fields a form posts so that it comes back to the same place."""
    source = request.POST if request.method == "POST" else request.GET
    query = ReviewQuery(source)
    if not query.is_valid():
        return 1, False
    return query.cleaned_data["page"] or 1, bool(query.cleaned_data["attention"])


def review_url(
    plan_id: int, page: int = 1, attention: bool = False, task_id: int | None = None
) -> str:
    params = {
        k: v for k, v in (("attention", "1" if attention else ""), ("page", page)) if v and v != 1
    }
    url = reverse("web:plan_review", args=[plan_id])
    if params:
        url += "?" + urlencode(params)
    return url + (f"#task-{task_id}" if task_id else "")


def back(request: HttpRequest, plan_id: int, task_id: int | None = None) -> HttpResponse:
    page, attention = _query(request)
    return redirect(review_url(plan_id, page, attention, task_id))


def _rows(view: selectors.ReviewPage, bound: Bound) -> list[dict[str, Any]]:
    rows = []
    for task in view.rows:
        assign = bound.get(("assign", task.pk))
        fields = bound.get(("fields", task.pk)) or TaskFieldsForm(
            initial={
                "text": task.text,
                "target": task.target,
                "deadline_raw": task.deadline_raw,
                "start_date": task.start_date,
                "due_date": task.due_date,
            },
            prefix=f"t{task.pk}",
        )
        rows.append(
            {
                "task": task,
                "form": fields,
                "assign": assign,
                "assign_value": assign.data.get(f"a{task.pk}-unit", "") if assign else "",
                # The part a new unit most likely has: what the task still lacks.
                "default_role": AssignmentRole.SUPERVISING
                if getattr(task, "no_supervisor", False) and not getattr(task, "no_lead", False)
                else AssignmentRole.LEAD,
                "person": bound.get(("person", task.pk)),
                # Where each field was read: marked in the source, or quoted from elsewhere.
                "source": task_source(
                    getattr(task, "source_line", None) or "",
                    task.span_start or 0,
                    task.span_end or 0,
                    getattr(task, "field_spans", {}),
                    getattr(task, "source_snippets", None),
                ),
            }
        )
    return rows


def render_review(
    request: HttpRequest, actor: Actor, plan_id: int, bound: Bound | None = None
) -> HttpResponse:
    """The review page; `bound` holds a posted form that failed, shown where it was."""
    bound = bound or {}
    page, attention = _query(request)
    try:
        view = selectors.review_page(actor, plan_id, page=page, only_attention=attention)
    except NotFound:
        raise Http404 from None
    except InvalidInput:
        if page == 1:
            raise
        return redirect(review_url(plan_id, 1, attention))
    names = [{"group": g, "form": bound.get(("name", g.text))} for g in view.names]
    context = {
        "review": view,
        "plan": view.plan,
        "rows": _rows(view, bound),
        "names": names,
        "default_form": bound.get(("default", None))
        or DefaultSupervisorForm(actor=actor, prefix="default"),
        "datalist": UNITS_DATALIST,
        "unit_roles": AssignmentRole.choices,
        "person_roles": PersonRole.choices,
        "drop": DROP,
        "page": page,
        "attention": attention,
        "all_url": review_url(plan_id),
        "attention_url": review_url(plan_id, attention=True),
        "previous_url": review_url(plan_id, page - 1, attention) if view.has_previous else "",
        "next_url": review_url(plan_id, page + 1, attention) if view.has_next else "",
        # The page to come back to (language switch) after a form posted elsewhere.
        "page_url": review_url(plan_id, page, attention),
    }
    status = 400 if bound else 200
    return render(request, "web/plan_review.html", context, status=status)


@login_required
def plan_review(request: HttpRequest, plan_id: int) -> HttpResponse:
    return render_review(request, office(request), plan_id)


@login_required
@require_GET
def unit_search(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Units by name for the pickers: JSON for review.js (format=json), or a page of
    results that works without JavaScript."""
    actor = office(request)
    query = UnitQuery(request.GET)
    as_json = request.GET.get("format") == "json"
    q, found, status = "", [], 200
    try:
        if not query.is_valid():
            raise InvalidInput(" ".join(str(e) for errs in query.errors.values() for e in errs))
        q = query.cleaned_data["q"]
        found = selectors.unit_suggestions(actor, q)
    except InvalidInput as exc:
        if as_json:
            return JsonResponse({"error": exc.message, "units": []}, status=400)
        messages.error(request, exc.message)
        status = 400
    if as_json:
        return JsonResponse({"units": found})
    context = {
        "plan_id": plan_id,
        "q": q,
        "units": found,
        "back_url": review_url(plan_id),
        "page_url": reverse("web:plan_review_units", args=[plan_id]),
    }
    return render(request, "web/plan_review_units.html", context, status=status)


def _fail(
    request: HttpRequest, actor: Actor, plan_id: int, key: tuple[str, Any], form: Any
) -> HttpResponse:
    return render_review(request, actor, plan_id, {key: form})


@login_required
@require_POST
def unit_add(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    actor = office(request)
    form = AssignForm(request.POST, actor=actor, prefix=f"a{task_id}")
    if form.is_valid():
        try:
            services.task_unit_add(
                actor,
                task_id=task_id,
                unit_id=form.cleaned_data["unit"].pk,
                role=form.cleaned_data["role"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Unit assigned."))
            return back(request, plan_id, task_id)
    return _fail(request, actor, plan_id, ("assign", task_id), form)


def _inline(
    request: HttpRequest,
    plan_id: int,
    call: Callable[[], Any],
    done: str,
    form: forms.Form | None = None,
) -> HttpResponse:
    """An inline change or removal on a task row: the form's errors or the service's
    refusal as messages above the page, back to the row's page either way; the task of
    what `call` returns (a changed record) is scrolled to."""
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back(request, plan_id)
    try:
        changed = call()
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return back(request, plan_id)
    messages.success(request, done)
    return back(request, plan_id, getattr(changed, "task_id", None))


@login_required
@require_POST
def unit_change(request: HttpRequest, plan_id: int, assignment_id: int) -> HttpResponse:
    actor = office(request)
    form = AssignForm(request.POST, actor=actor, prefix=f"ae{assignment_id}")
    return _inline(
        request,
        plan_id,
        lambda: services.task_unit_change(
            actor,
            assignment_id=assignment_id,
            unit_id=form.cleaned_data["unit"].pk,
            role=form.cleaned_data["role"],
        ),
        _("Unit changed."),
        form,
    )


@login_required
@require_POST
def unit_remove(request: HttpRequest, plan_id: int, assignment_id: int) -> HttpResponse:
    actor = office(request)
    return _inline(
        request,
        plan_id,
        lambda: services.task_unit_remove(actor, assignment_id=assignment_id),
        _("Unit removed."),
    )


def _person_values(form: PersonForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "text": data["text"],
        "unit_id": data["unit"].pk if data["unit"] is not None else None,
        "post": data["post"],
        "role": data["role"],
    }


@login_required
@require_POST
def person_add(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    actor = office(request)
    form = PersonForm(request.POST, actor=actor, prefix=f"p{task_id}")
    if form.is_valid():
        try:
            services.task_person_add(actor, task_id=task_id, **_person_values(form))
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Responsible person added."))
            return back(request, plan_id, task_id)
    return _fail(request, actor, plan_id, ("person", task_id), form)


@login_required
@require_POST
def person_change(request: HttpRequest, plan_id: int, person_id: int) -> HttpResponse:
    actor = office(request)
    form = PersonForm(request.POST, actor=actor, prefix=f"pe{person_id}")
    return _inline(
        request,
        plan_id,
        lambda: services.task_person_change(actor, person_id=person_id, **_person_values(form)),
        _("Responsible person changed."),
        form,
    )


@login_required
@require_POST
def person_remove(request: HttpRequest, plan_id: int, person_id: int) -> HttpResponse:
    actor = office(request)
    return _inline(
        request,
        plan_id,
        lambda: services.task_person_remove(actor, person_id=person_id),
        _("Responsible person removed."),
    )


@login_required
@require_POST
def name_decide(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One decision for every undecided occurrence of a name in the plan."""
    actor = office(request)
    form = NameDecisionForm(request.POST, actor=actor)
    if form.is_valid():
        data = form.cleaned_data
        try:
            out = services.proposal_name_decide(
                actor,
                plan_id=plan_id,
                text=data["text"],
                unit_id=data["unit_id"],
                alias=data["alias"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if out.unit is None:
                done = _("%(name)s dropped in %(n)s places.")
            else:
                done = _("%(name)s is now %(unit)s in %(n)s places.")
            messages.success(
                request,
                done
                % {"name": out.text, "n": out.occurrences, "unit": getattr(out.unit, "name", "")},
            )
            if out.alias_added:
                messages.info(request, _("The next import will know this name."))
            return back(request, plan_id)
    return _fail(request, actor, plan_id, ("name", request.POST.get("text", "")), form)


@login_required
@require_POST
def default_supervisor(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Give every task without a supervising unit the one picked (e.g. 整改办)."""
    actor = office(request)
    form = DefaultSupervisorForm(request.POST, actor=actor, prefix="default")
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            out = services.plan_supervisor_default(actor, plan_id=plan_id, unit_id=unit.pk)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(unit)s now supervises %(n)s tasks.")
                % {"unit": unit.name, "n": len(out.assigned)},
            )
            if out.skipped:
                messages.warning(
                    request,
                    _(
                        "%(unit)s is responsible for tasks %(list)s and cannot supervise "
                        "them: give them another supervising unit."
                    )
                    % {"unit": unit.name, "list": ", ".join(str(s) for s in out.skipped[:30])},
                )
            return back(request, plan_id)
    return _fail(request, actor, plan_id, ("default", None), form)
