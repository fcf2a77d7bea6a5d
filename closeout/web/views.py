"""The server-rendered pages. Each view parses its input with a form, calls one selector
or service, and renders; permissions come from `closeout.ledger.access` only.

Domain errors map the same way everywhere: NotFound → 404 (we never say whether a task
the person may not see exists), NotPermitted → 403 with the message on the form, any
other error → the form again, the message next to the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from closeout.ledger import access, selectors, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, NotFound, NotPermitted
from closeout.ledger.models import Task
from closeout.ledger.workflow import REPORTING_STATES, transition_rules
from closeout.web import display
from closeout.web.forms import ReportForm, TaskFilterForm, TransitionForm, add_domain_error

PAGE_SIZE = 50
LIST_COLUMNS = [
    (_("No."), "seq"),
    (_("Deadline"), "due_date"),
    (_("Progress"), "progress"),
    (_("Updated"), "updated"),
]

T = TypeVar("T")


def _or_404(read: Callable[..., T], *args: Any) -> T:
    try:
        return read(*args)
    except NotFound:
        raise Http404 from None


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in people go to their task list; anyone else sees the landing page."""
    if request.user.is_authenticated:
        return redirect("web:task_list")
    return render(request, "web/home.html")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule), so a link or an image can never log anyone out."""


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@require_GET
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    actor = Actor.of(request.user)
    form = TaskFilterForm(request.GET or None, actor=actor)
    if form.is_bound:
        form.is_valid()  # invalid fields are reported and left out of the filter
    filters = form.to_filter()
    number = _page_number(request.GET.get("page"))
    try:
        page = selectors.task_page(actor, filters, page=number, size=PAGE_SIZE)
        if not page.rows and number > page.num_pages:  # past the end: show the last page
            page = selectors.task_page(actor, filters, page=page.num_pages, size=PAGE_SIZE)
    except DomainError as error:
        add_domain_error(form, error)
        page = selectors.TaskPage([], 0, 1, PAGE_SIZE)
    return render(
        request,
        "web/task_list.html",
        {
            "form": form,
            "page": page,
            "rows": display.list_rows(page.rows),
            "columns": display.sort_columns(filters.sort, LIST_COLUMNS),
        },
    )


def _detail_page(
    request: HttpRequest,
    actor: Actor,
    task_id: int,
    *,
    report_form: ReportForm | None = None,
    failed: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    task = _or_404(selectors.task_detail, actor, task_id)
    rules = transition_rules()
    # Steps that move the task forward first; those that need a reason (send back,
    # cancel, reopen) after them.
    available = sorted(
        access.available_transitions(actor, task), key=lambda name: rules[name].needs_reason
    )
    transitions = [
        failed
        if failed is not None and failed.rule.name == name
        else TransitionForm(rule=rules[name])
        for name in available
    ]
    # A step that failed because the task moved on has no form left to show its error on.
    page_errors = []
    if failed is not None and failed.rule.name not in available:
        page_errors = [str(m) for messages_ in failed.errors.values() for m in messages_]
    may_report = access.can_report(actor, task)
    if may_report and report_form is None:
        report_form = ReportForm(task=task)
    return render(
        request,
        "web/task_detail.html",
        {
            "task": task,
            "unit_groups": display.units_by_part(task.assignments.all()),
            "person_groups": display.persons_by_part(task.persons.all()),
            "reports": selectors.task_reports(actor, task.pk),
            "loose_evidence": [e for e in task.evidence.all() if e.report_id is None],
            "history": display.history_rows(selectors.task_history(actor, task.pk)),
            "report_form": report_form if may_report else None,
            # The service refuses reports outside these states; say so instead of a form.
            "reporting_open": task.status in REPORTING_STATES,
            "transitions": [(form, display.transition_label(form.rule)) for form in transitions],
            "page_errors": page_errors,
        },
        status=status,
    )


def _error_status(error: DomainError) -> int:
    return 403 if isinstance(error, NotPermitted) else 400


def _task_url(task_id: int, anchor: str = "") -> str:
    return reverse("web:task_detail", args=[task_id]) + (f"#{anchor}" if anchor else "")


@require_GET
@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _detail_page(request, Actor.of(request.user), task_id)


@require_POST
@login_required
def task_report(request: HttpRequest, task_id: int) -> HttpResponse:
    """Submit a progress report (进展报送) with its evidence files."""
    actor = Actor.of(request.user)
    task: Task = _or_404(selectors.task_detail, actor, task_id)
    form = ReportForm(request.POST, request.FILES, task=task)
    status = 400
    if form.is_valid():
        try:
            services.report_create(actor=actor, task_id=task.pk, **form.service_kwargs())
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            add_domain_error(form, error)
            status = _error_status(error)
        else:
            messages.success(request, _("Progress report saved."))
            return redirect(_task_url(task.pk, "reports"))
    return _detail_page(request, actor, task.pk, report_form=form, status=status)


@require_POST
@login_required
def task_transition(request: HttpRequest, task_id: int, name: str) -> HttpResponse:
    """Take one step of the life cycle (confirm, request close-out, send back …)."""
    actor = Actor.of(request.user)
    rule = transition_rules().get(name)
    if rule is None:
        raise Http404
    form = TransitionForm(request.POST, rule=rule)
    status = 400
    if form.is_valid():
        try:
            services.task_transition(
                actor=actor, task_id=task_id, name=name, note=form.cleaned_data["note"]
            )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            add_domain_error(form, error)
            status = _error_status(error)
        else:
            messages.success(
                request, _("%(step)s: done.") % {"step": display.transition_label(rule)}
            )
            return redirect(_task_url(task_id))
    return _detail_page(request, actor, task_id, failed=form, status=status)


@require_GET
@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """Stream an evidence file to someone who may see its task; anyone else gets a 404."""
    evidence = _or_404(selectors.evidence_detail, Actor.of(request.user), evidence_id)
    root = Path(settings.DATA_DIR).resolve()
    path = (root / evidence.stored_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
