"""The public portal (信息公开): published plans, their problems and progress by schedule
bucket, tasks under public notice with the objection form, closed and looked-back
items. Open to anyone, signed in or not, and the same page for everyone: what it shows
is `closeout.ledger.selectors.public`, and nothing on it depends on who asks, so that a
shared cache may keep it. The exceptions are the objection form (its CSRF token) and the
confirmation after lodging one: those pages are marked private.

Odd query strings never fail a page: a page number that is not one shows the first
page, one past the end the last; an unknown bucket or category, or a search too long,
is said on the filter form and the list shown without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from closeout.ledger.errors import DomainError, NotFound
from closeout.ledger.models import Category
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.selectors import public as portal
from closeout.web.forms import ObjectionForm, add_domain_error

# How long a shared cache may keep a page that has no form on it.
CACHE_SECONDS = 60
# Ids past a signed 64-bit integer are in no table (and no database takes them).
MAX_ID = 2**63 - 1


def _page_number(raw: str | None) -> int:
    """A page number from the query string: 1 when it is none, at most MAX_PAGE (the
    selector then moves it to the last page there is)."""
    if raw is None or not raw.isdigit() or not raw.isascii():
        return 1
    return min(int(raw[:12]) if len(raw) <= 12 else portal.MAX_PAGE, portal.MAX_PAGE)


def _read(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return read(*args, **kwargs)
    except NotFound:
        raise Http404 from None


def _checked_id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise Http404
    return value


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    shared: bool = True,
) -> HttpResponse:
    """Render a portal page. The messages shown on it (the confirmation after lodging an
    objection) are read here, so that a page carrying one is private; so is a page with
    a form. Every page varies on the cookie: it holds the language chosen."""
    notices = list(messages.get_messages(request))
    response = render(
        request,
        f"web/public/{template}",
        {**context, "notices": notices, "page_url": request.get_full_path()},
        status=status,
    )
    if shared and not notices and status == 200:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    return response


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    """The published plans with their problem counts and their tasks by bucket."""
    page = portal.public_plan_page(page=_page_number(request.GET.get("page")))
    return _render(request, "index.html", {"page": page, "totals": portal.public_totals()})


class ProblemFilterForm(forms.Form):
    """A plan's problems narrowed by schedule bucket, category and words."""

    bucket = forms.ChoiceField(
        label=_("Schedule status"),
        required=False,
        choices=[("", _("All")), *list(Bucket.choices)],
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *list(Category.choices)]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def to_filter(self) -> portal.ProblemFilter:
        """The valid fields only: an invalid one is reported on the form and left out."""
        data = getattr(self, "cleaned_data", {})
        return portal.ProblemFilter(
            bucket=data.get("bucket", ""), category=data.get("category", ""), q=data.get("q", "")
        )


@require_GET
def public_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A published plan: its problems with their progress, filtered and paginated."""
    plan = _read(portal.public_plan, _checked_id(plan_id))
    form = ProblemFilterForm(request.GET)
    form.is_valid()
    number = _page_number(request.GET.get("page"))
    try:
        page = portal.public_problem_page(plan.id, form.to_filter(), page=number)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        add_domain_error(form, error)
        page = portal.Page([], 0, 1, 20)
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "plan.html",
        {"plan": plan, "form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def public_problem(request: HttpRequest, problem_id: int) -> HttpResponse:
    """A problem of a published plan with its tasks."""
    problem = _read(portal.public_problem, _checked_id(problem_id))
    page = portal.public_problem_tasks(problem.id, page=_page_number(request.GET.get("page")))
    plan = _read(portal.public_plan, problem.plan_id)
    return _render(request, "problem.html", {"problem": problem, "plan": plan, "page": page})


@require_GET
def public_notice(request: HttpRequest) -> HttpResponse:
    """Tasks under public notice (公示中), where objections may be lodged."""
    page = portal.public_notice_page(page=_page_number(request.GET.get("page")))
    return _render(request, "notice.html", {"page": page})


@require_GET
def public_closed(request: HttpRequest) -> HttpResponse:
    """Tasks closed out (已销号) and those completed and sustained."""
    page = portal.public_closed_page(page=_page_number(request.GET.get("page")))
    return _render(request, "closed.html", {"page": page})


@require_GET
def public_lookbacks(request: HttpRequest) -> HttpResponse:
    """Look-back checks made (回头看) and what they found."""
    page = portal.public_lookback_page(page=_page_number(request.GET.get("page")))
    return _render(request, "lookbacks.html", {"page": page})


def public_task_url(task_id: int, anchor: str = "") -> str:
    return reverse("web:public_task", args=[task_id]) + (f"#{anchor}" if anchor else "")


def task_response(
    request: HttpRequest,
    task_id: int,
    *,
    objection_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """A public task's page; with `objection_form`, the form as it was sent, its errors
    beside its fields (the objection view answers with it when it refuses one)."""
    task = _read(portal.public_task, _checked_id(task_id))
    may_lodge = portal.public_may_lodge(task)
    form = None
    if may_lodge:
        form = objection_form if objection_form is not None else ObjectionForm(prefix="objection")
    context = {
        "task": task,
        "row": task.row,
        # The shared objection list and form: the public sees no objector (loop.sees_objectors).
        "objections": [(o, None, None) for o in portal.public_objections(task.pk)],
        "objection_form": form,
        "objection_portal": True,
        "loop": {"sees_objectors": False},
        "page_errors": (
            [str(e) for errors in objection_form.errors.values() for e in errors]
            if objection_form is not None and form is None
            else []
        ),
    }
    return _render(request, "task.html", context, status=status, shared=form is None)


@require_GET
def public_task(request: HttpRequest, task_id: int) -> HttpResponse:
    """A public task: what it is, who does it (units), how far it is and its close-out."""
    return task_response(request, task_id)


@require_GET
def public_language(request: HttpRequest, code: str) -> HttpResponse:
    """The portal's language links: a visitor picks Chinese or English with a plain link
    (the portal's pages carry no form token, so Django's POST-only language switch does
    not fit them); the choice is a cookie, as with that switch, and the visitor goes back
    to the page the link was on."""
    languages = dict(settings.LANGUAGES)
    if code not in languages:
        raise Http404
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not back.startswith("/"):
        back = reverse("web:public_index")
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response
