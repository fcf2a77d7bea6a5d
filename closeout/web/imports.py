"""The office's plan import pages: upload a plan, review the proposed ledger (pick units
for unresolved names, correct fields), confirm it. Views call services and selectors
only; `access.can_edit` decides who may use them (the office)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from closeout.ledger import selectors, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, NotFound
from closeout.web import review
from closeout.web.forms import add_domain_error
from closeout.web.reviewforms import TaskFieldsForm


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_(
            "Plan file (.txt, .docx, .doc, .wps, .pdf, .html) or Excel ledger (.xlsx, .xls, .et)"
        )
    )


_office = review.office


@login_required
def plan_upload(request: HttpRequest) -> HttpResponse:
    actor = _office(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.PLAN_MAX_UPLOAD_BYTES:
            form.add_error(
                "file",
                _("the file is larger than %(mb)s MB")
                % {"mb": settings.PLAN_MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        else:
            try:
                out = services.plan_import(actor, data=upload.read(), name=upload.name)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if not out.created:
                    messages.info(request, _("This file was imported before."))
                return redirect("web:plan_review", plan_id=out.plan.pk)
    return render(request, "web/plan_upload.html", {"form": form})


def _review(
    request: HttpRequest, actor: Actor, plan_id: int, errors: dict[int, Any] | None = None
) -> HttpResponse:
    bound = {("fields", task_id): form for task_id, form in (errors or {}).items()}
    return review.render_review(request, actor, plan_id, bound)


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """The office's plans: drafts awaiting review first, then the confirmed ones."""
    try:
        plans = list(selectors.plan_overview(_office(request)))
    except NotFound:
        raise Http404 from None
    return render(request, "web/plan_list.html", {"plans": plans})


plan_review = review.plan_review


@login_required
@require_POST
def plan_publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Publish a confirmed plan on the public portal (信息公开), or take it off."""
    actor = _office(request)
    published = request.POST.get("published") == "1"
    try:
        services.plan_publish(actor, plan_id, published=published)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The plan is on the public portal.")
            if published
            else _("The plan is no longer on the public portal."),
        )
    return redirect("web:plan_list")


@login_required
@require_POST
def task_fields(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    actor = _office(request)
    form = TaskFieldsForm(request.POST, prefix=f"t{task_id}")
    if form.is_valid():
        changes = {k: v if v is not None else None for k, v in form.cleaned_data.items()}
        try:
            services.task_update(actor=actor, task_id=task_id, changes=changes)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Task saved."))
            return review.back(request, plan_id, task_id)
    return _review(request, actor, plan_id, {task_id: form})


@login_required
@require_POST
def proposal_decide(request: HttpRequest, plan_id: int, proposal_id: int) -> HttpResponse:
    actor = _office(request)
    choice = request.POST.get("unit", "")
    unit_id = int(choice) if choice.isdigit() else None
    if choice not in ("drop",) and unit_id is None:
        messages.error(request, _("Pick a unit or drop the name."))
        return redirect("web:plan_review", plan_id=plan_id)
    try:
        proposal = services.proposal_decide(actor, proposal_id, unit_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return review.back(request, plan_id)
    return review.back(request, plan_id, proposal.task_id)


@login_required
@require_POST
def plan_confirm(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _office(request)
    try:
        services.plan_confirm(actor, plan_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:plan_review", plan_id=plan_id)
    messages.success(request, _("The plan is confirmed; its tasks are now in progress."))
    return redirect("web:task_list")
