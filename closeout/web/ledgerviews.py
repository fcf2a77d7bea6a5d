"""Pages of the ledger table beyond its rows: progress rolled up to problems and plans
(按问题、按方案), and each user's saved views (常用筛选). Each parses its input with a form
and calls one selector or service; the rows' filter is the task list's (TaskFilterForm).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, NotFound
from closeout.ledger.selectors import ledger
from closeout.ledger.services import savedviews
from closeout.web.forms import TaskFilterForm, add_domain_error
from closeout.web.ledgerforms import SaveViewForm

PAGE_SIZE = 50


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@require_GET
@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    """The ledger rolled up: each plan's and each problem's tasks by schedule status, and
    which problems are done, over the same filter as the task list."""
    actor = Actor.of(request.user)
    form = TaskFilterForm(request.GET or None, actor=actor)
    if form.is_bound:
        form.is_valid()  # invalid fields are reported and left out of the filter
    filters = form.to_filter()
    number = _page_number(request.GET.get("page"))
    try:
        plans = ledger.plan_rollups(actor, filters)
        page = ledger.problem_rollups(actor, filters, page=number, size=PAGE_SIZE)
        if not page.rows and number > page.num_pages:  # past the end: show the last page
            page = ledger.problem_rollups(actor, filters, page=page.num_pages, size=PAGE_SIZE)
    except DomainError as error:
        add_domain_error(form, error)
        plans, page = [], ledger.ProblemPage([], 0, 1, PAGE_SIZE)
    return render(
        request,
        "web/ledger/problems.html",
        {
            "form": form,
            "plans": plans,
            "page": page,
            "view_query": request.GET.urlencode(),
            "timelines": access.can_see_board(actor),
        },
    )


def _list_page(
    request: HttpRequest, actor: Actor, form: SaveViewForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/ledger/saved_views.html",
        {"save_form": form, "saved_views": ledger.saved_views(actor)},
        status=status,
    )


@require_GET
@login_required
def savedview_list(request: HttpRequest) -> HttpResponse:
    """The user's saved views of the ledger."""
    return _list_page(request, Actor.of(request.user), SaveViewForm())


@require_POST
@login_required
def savedview_create(request: HttpRequest) -> HttpResponse:
    """Save the ledger page's filter and columns under a name, then open it."""
    actor = Actor.of(request.user)
    form = SaveViewForm(request.POST)
    if form.is_valid():
        try:
            view = savedviews.savedview_create(
                actor=actor,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                columns=form.cleaned_data["columns"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
            return redirect("web:savedview_open", view.pk)
    return _list_page(request, actor, form, status=400)


@require_GET
@login_required
def savedview_open(request: HttpRequest, view_id: int) -> HttpResponse:
    """Open one of one's own saved views: the ledger with its filter and columns."""
    try:
        view = ledger.saved_view(Actor.of(request.user), view_id)
    except NotFound:
        raise Http404 from None
    query = "&".join(q for q in (view.query, urlencode([("col", c) for c in view.columns])) if q)
    return redirect(reverse("web:task_list") + (f"?{query}" if query else ""))


@require_POST
@login_required
def savedview_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    """Delete one of one's own saved views (anyone else's is a 404)."""
    try:
        savedviews.savedview_delete(actor=Actor.of(request.user), view_id=view_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Saved view deleted."))
    return redirect("web:savedview_list")
