"""The server-rendered pages. Each view parses its input with a form, calls one selector
or service, and renders; permissions come from `closeout.ledger.access` only.

Domain errors map the same way everywhere: NotFound → 404 (we never say whether a task
the person may not see exists), NotPermitted → 403 with the message on the form, any
other error → the form again, the message next to the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from closeout import uploads
from closeout.ledger import access, selectors, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, NotFound, NotPermitted, RateLimited
from closeout.ledger.models import Task
from closeout.ledger.rules.workflow import REPORTING_STATES, transition_rules
from closeout.ledger.selectors import ledger
from closeout.ledger.selectors import public as public_reads
from closeout.ledger.selectors.people import ActorNames
from closeout.ledger.services import notifications
from closeout.web import display, ledgertable, navigation
from closeout.web.forms import (
    AnswerForm,
    EscalationForm,
    LiftForm,
    LookbackForm,
    ObjectionForm,
    ReportForm,
    ResponseForm,
    SpamForm,
    TaskFilterForm,
    add_domain_error,
    transition_form,
)
from closeout.web.ledgertable import Column

PAGE_SIZE = 50
# The ledger table's columns (keys: selectors.ledger.COLUMNS), in the picker's order.
LIST_COLUMNS = [
    Column("seq", _("No."), "seq"),
    Column("problem", _("Problem")),
    Column("task", _("Task")),
    Column("plan", _("Plan")),
    Column("units", _("Lead units")),
    Column("deadline", _("Deadline"), "due_date"),
    Column("status", _("Status")),
    Column("bucket", _("Schedule status")),
    Column("progress", _("Progress"), "progress"),
    Column("missed", _("Missed reports")),
    Column("updated", _("Updated"), "updated"),
]

T = TypeVar("T")
F = TypeVar("F", bound=forms.Form)


def _or_404(read: Callable[..., T], *args: Any) -> T:
    try:
        return read(*args)
    except NotFound:
        raise Http404 from None


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in people go to the first screen of their role (closeout.web.navigation);
    anyone else sees the landing page, which leads to the public portal."""
    if request.user.is_authenticated:
        return redirect(navigation.first_screen(Actor.of(request.user)))
    return render(request, "web/home.html")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # After a failed login the page is still the login page (it takes a GET).
        return {**super().get_context_data(**kwargs), "page_url": self.request.get_full_path()}


def admin_login(request: HttpRequest) -> HttpResponse:
    """Where the admin sends whoever it does not let in. One login for everybody: the
    admin's own form would also demand Django's staff flag, while who may use the admin
    is decided by `access.can_use_admin` (superusers). Someone already signed in was
    turned away: they get a 403 that says so and where the office's settings are, where
    sending them to the login page would send them straight back to the admin, and
    round again."""
    if request.user.is_authenticated:
        raise PermissionDenied(
            _(
                "The administration is for the system's superusers only. The office's "
                "settings are at %(url)s."
            )
            % {"url": reverse("web:office_home")}
        )
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("web:login") + (f"?{query}" if query else ""))


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
    keys = form.columns()
    return render(
        request,
        "web/task_list.html",
        {
            "form": form,
            "page": page,
            "rows": ledgertable.ledger_rows(page.rows),
            "headers": ledgertable.headers(LIST_COLUMNS, keys, filters.sort),
            "column_choices": ledgertable.column_choices(LIST_COLUMNS, keys),
            "saved_views": ledger.saved_views(actor),
            "view_query": request.GET.urlencode(),
        },
    )


@dataclass
class _Forms:
    """The forms a task page offers; a form that failed replaces the fresh one under its
    key, so that its errors show where it was filled in. A failed form that has no place
    on the page any more (the task moved on, someone answered first) has its errors shown
    above the page."""

    failed: dict[str, forms.Form] = field(default_factory=dict)
    placed: set[str] = field(default_factory=set)

    def get(self, key: str, make: Callable[[], F]) -> F:
        self.placed.add(key)
        form = self.failed.get(key)
        return form if form is not None else make()  # type: ignore[return-value]

    def prefixed(self, cls: type[F], prefix: str) -> F:
        """A form keyed by its prefix (which keeps its fields' ids unique on the page)."""
        return self.get(prefix, partial(cls, prefix=prefix))

    def leftover_errors(self) -> list[str]:
        return [
            str(message)
            for key, form in self.failed.items()
            if key not in self.placed
            for messages_ in form.errors.values()
            for message in messages_
        ]


def _loop_context(
    actor: Actor, task: Task, page_forms: _Forms, loop: selectors.TaskLoop, names: ActorNames
) -> dict[str, Any]:
    """The closed loop on a task's page: close-out steps, notice, objections, look-backs,
    escalation measures and missed reports, each with the forms the actor may use."""
    unsettled = {o.pk for o in loop.objections if o.answered_at is None and o.spam_at is None}
    objections = [
        (
            o,
            page_forms.prefixed(AnswerForm, f"answer-{o.pk}")
            if loop.may_answer and o.pk in unsettled
            else None,
            page_forms.prefixed(SpamForm, f"spam-{o.pk}")
            if loop.may_mark_spam and o.pk in unsettled
            else None,
        )
        for o in loop.objections
    ]
    lookbacks = [
        (
            c,
            page_forms.prefixed(LookbackForm, f"lookback-{c.pk}")
            if c.pk in loop.recordable
            else None,
        )
        for c in loop.lookbacks
    ]
    # One action per measure and role (access.measure_action): the unit responds, the
    # office lifts; the row carries that one form.
    actions = loop.measure_actions
    measures = [
        display.MeasureRow(
            e,
            selectors.escalation_reason(e),
            selectors.lift_reason(e),
            page_forms.prefixed(ResponseForm, f"respond-{e.pk}")
            if actions.get(e.pk) == access.RESPOND
            else None,
            page_forms.prefixed(LiftForm, f"lift-{e.pk}")
            if actions.get(e.pk) == access.LIFT
            else None,
        )
        for e in loop.escalations
    ]
    return {
        "loop": loop,
        "rounds": display.step_rounds(loop.steps, names),
        "objections": objections,
        "objection_form": page_forms.prefixed(ObjectionForm, "objection")
        if loop.may_lodge
        else None,
        "lookbacks": lookbacks,
        "measures": measures,
        "escalation_form": page_forms.prefixed(EscalationForm, "escalate")
        if loop.may_escalate
        else None,
    }


def _detail_page(
    request: HttpRequest,
    actor: Actor,
    task_id: int,
    *,
    failed: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    task = _or_404(selectors.task_detail, actor, task_id)
    page_forms = _Forms(failed or {})
    rules = transition_rules()
    # Steps that move the task forward first; those that need a reason (send back,
    # cancel, reopen) after them.
    available = sorted(
        access.available_transitions(actor, task), key=lambda name: rules[name].needs_reason
    )
    transitions = [
        page_forms.get(f"step-{name}", partial(transition_form, rules[name], task))
        for name in available
    ]
    may_report = access.can_report(actor, task)
    report_form = page_forms.get("report", lambda: ReportForm(task=task)) if may_report else None
    reports = list(selectors.task_reports(actor, task.pk))
    history = list(selectors.task_history(actor, task.pk))
    loop = selectors.task_loop(actor, task)
    # Who acted, named as this reader may see them: logins, or units for the public.
    names = ActorNames(
        actor,
        [e.actor_id for e in history]
        + [s.actor_id for s in loop.steps]
        + [r.reporter_id for r in reports],
    )
    context = {
        "task": task,
        # The page to come back to (language switch) after a form posted elsewhere.
        "page_url": _task_url(task.pk),
        "unit_groups": display.units_by_part(task.assignments.all()),
        "person_groups": display.persons_by_part(task.persons.all()),
        "reports": display.report_rows(reports, names),
        "loose_evidence": [
            e for e in task.evidence.all() if e.report_id is None and e.step_id is None
        ],
        "history": display.history_rows(history, names),
        "report_form": report_form,
        # The service refuses reports outside these states; say so instead of a form.
        "reporting_open": task.status in REPORTING_STATES,
        "transitions": [(form, display.transition_label(form.rule)) for form in transitions],
        **_loop_context(actor, task, page_forms, loop, names),
    }
    context["page_errors"] = page_forms.leftover_errors()
    return render(request, "web/task_detail.html", context, status=status)


def _error_status(error: DomainError) -> int:
    if isinstance(error, RateLimited):
        return 429
    return 403 if isinstance(error, NotPermitted) else 400


def _task_url(task_id: int, anchor: str = "") -> str:
    return reverse("web:task_detail", args=[task_id]) + (f"#{anchor}" if anchor else "")


def _submit(
    request: HttpRequest,
    actor: Actor,
    task_id: int,
    *,
    key: str,
    form: forms.Form,
    call: Callable[[], object],
    done: Any,
    anchor: str = "",
    success_url: str | None = None,
    failed_page: Callable[[forms.Form, int], HttpResponse] | None = None,
) -> HttpResponse:
    """Run one service with a valid form: on success back to the task (Post/Redirect/Get)
    with a message; on a domain error the page again, the error next to its field. An
    upload stopped while it arrived (too many files, too large) is such an error too.
    A form sent from another page of the task (the public portal's) names where to go
    back to (`success_url`) and the page that shows it again (`failed_page`)."""
    status = 400
    refused = uploads.refusal(request)
    if refused is not None:
        add_domain_error(form, refused)
    elif form.is_valid():
        try:
            call()
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            add_domain_error(form, error)
            status = _error_status(error)
        else:
            # Tagged with the form, so that a page's script knows which form succeeded.
            messages.success(request, done, extra_tags=f"done-{key}")
            return redirect(success_url or _task_url(task_id, anchor))
    if failed_page is not None:
        return failed_page(form, status)
    return _detail_page(request, actor, task_id, failed={key: form}, status=status)


@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    """A task's page, for the people who work on it. A visitor who is not signed in is
    sent to the task's public page (信息公开: units, progress, close-out dates, the
    objection form during a notice; no staff, no internal history) when the task is
    public, and to the login page otherwise, so that a link shared inside an office still
    works and nothing tells whether the task exists."""
    if not request.user.is_authenticated:
        if public_reads.is_public_task(task_id):
            return redirect("web:public_task", task_id=task_id)
        return redirect_to_login(request.get_full_path())
    return _detail_page(request, Actor.of(request.user), task_id)


@require_POST
@login_required
def task_report(request: HttpRequest, task_id: int) -> HttpResponse:
    """Submit a progress report (进展报送) with its evidence files."""
    actor = Actor.of(request.user)
    task: Task = _or_404(selectors.task_detail, actor, task_id)
    form = ReportForm(request.POST, request.FILES, task=task)
    return _submit(
        request,
        actor,
        task.pk,
        key="report",
        form=form,
        call=lambda: services.report_create(actor=actor, task_id=task.pk, **form.service_kwargs()),
        done=_("Progress report saved."),
        anchor="reports",
    )


@require_POST
@login_required
def task_transition(request: HttpRequest, task_id: int, name: str) -> HttpResponse:
    """Take one step of the life cycle (confirm, request close-out, send back …) with
    what the step records (self-assessment and evidence, on-site check, filing number)."""
    actor = Actor.of(request.user)
    rule = transition_rules().get(name)
    if rule is None:
        raise Http404
    task: Task = _or_404(selectors.task_detail, actor, task_id)
    form = transition_form(rule, task, request.POST, request.FILES)
    return _submit(
        request,
        actor,
        task.pk,
        key=f"step-{name}",
        form=form,
        call=lambda: services.task_transition(
            actor=actor, task_id=task.pk, name=name, **form.service_kwargs()
        ),
        done=_("%(step)s: done.") % {"step": display.transition_label(rule)},
    )


@require_POST
@login_required
def objection_answer(request: HttpRequest, task_id: int, objection_id: int) -> HttpResponse:
    actor = Actor.of(request.user)
    _or_404(selectors.objection_detail, actor, task_id, objection_id)
    form = AnswerForm(request.POST, prefix=f"answer-{objection_id}")
    return _submit(
        request,
        actor,
        task_id,
        key=f"answer-{objection_id}",
        form=form,
        call=lambda: services.objection_answer(
            actor=actor, objection_id=objection_id, answer=form.cleaned_data["answer"]
        ),
        done=_("Answer saved."),
        anchor="objections",
    )


@require_POST
@login_required
def lookback_record(request: HttpRequest, task_id: int, check_id: int) -> HttpResponse:
    actor = Actor.of(request.user)
    _or_404(selectors.lookback_detail, actor, task_id, check_id)
    form = LookbackForm(request.POST, prefix=f"lookback-{check_id}")
    return _submit(
        request,
        actor,
        task_id,
        key=f"lookback-{check_id}",
        form=form,
        call=lambda: services.lookback_record(
            actor=actor, check_id=check_id, **form.service_kwargs()
        ),
        done=_("Look-back check recorded."),
        anchor="lookbacks",
    )


@require_POST
@login_required
def escalation_issue(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = Actor.of(request.user)
    form = EscalationForm(request.POST, prefix="escalate")
    return _submit(
        request,
        actor,
        task_id,
        key="escalate",
        form=form,
        call=lambda: services.escalation_issue(
            actor=actor, task_id=task_id, **form.service_kwargs()
        ),
        done=_("Escalation measure issued."),
        anchor="escalations",
    )


@require_POST
@login_required
def escalation_respond(request: HttpRequest, task_id: int, escalation_id: int) -> HttpResponse:
    actor = Actor.of(request.user)
    _or_404(selectors.escalation_detail, actor, task_id, escalation_id)
    form = ResponseForm(request.POST, prefix=f"respond-{escalation_id}")
    return _submit(
        request,
        actor,
        task_id,
        key=f"respond-{escalation_id}",
        form=form,
        call=lambda: services.escalation_respond(
            actor=actor, escalation_id=escalation_id, response=form.cleaned_data["response"]
        ),
        done=_("Response saved."),
        anchor="escalations",
    )


@require_POST
@login_required
def escalation_lift(request: HttpRequest, task_id: int, escalation_id: int) -> HttpResponse:
    actor = Actor.of(request.user)
    _or_404(selectors.escalation_detail, actor, task_id, escalation_id)
    form = LiftForm(request.POST, prefix=f"lift-{escalation_id}")
    return _submit(
        request,
        actor,
        task_id,
        key=f"lift-{escalation_id}",
        form=form,
        call=lambda: services.escalation_lift(
            actor=actor, escalation_id=escalation_id, reason=form.cleaned_data["reason"]
        ),
        done=_("Escalation measure lifted."),
        anchor="escalations",
    )


# --------------------------------------------------------------------------- the inbox


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications (站内消息), newest first, unread ones marked."""
    actor = Actor.of(request.user)
    unread_only = request.GET.get("unread") == "1"
    paginator = Paginator(selectors.inbox(actor, unread_only=unread_only), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "web/inbox.html",
        {
            "page": page,
            "rows": [(n, notifications.render(n)) for n in page.object_list],
            "unread_only": unread_only,
            "unread": notifications.unread_count(actor),
        },
    )


@require_POST
@login_required
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (`id`), or all of them (no `id`)."""
    actor = Actor.of(request.user)
    raw = request.POST.get("id")
    if raw is not None and not raw.isdigit():
        raise Http404
    try:
        services.notifications_mark_read(actor, None if raw is None else [int(raw)])
    except NotFound:
        raise Http404 from None
    return redirect(reverse("web:inbox") + ("?unread=1" if request.POST.get("unread") else ""))


@require_GET
@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """Stream an evidence file to someone who may see its task; anyone else gets a 404.
    Always an attachment, except an image of a type browsers show (`display.shows_inline`,
    by the type sniffed at upload) asked for with `?inline=1`, for the pages' thumbnails;
    never sniffed by the browser as anything else (nosniff), and under the site's CSP."""
    evidence = _or_404(selectors.evidence_detail, Actor.of(request.user), evidence_id)
    root = Path(settings.DATA_DIR).resolve()
    path = (root / evidence.stored_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404
    inline = request.GET.get("inline") == "1" and display.shows_inline(evidence.content_type)
    response = FileResponse(
        path.open("rb"),
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=evidence.content_type if inline else _download_type(evidence.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _download_type(content_type: str) -> str:
    """What an attachment is sent as: its sniffed type, or plain bytes when unknown."""
    return content_type or "application/octet-stream"
