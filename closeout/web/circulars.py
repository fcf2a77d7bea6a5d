"""The circular (调度通报) of a period as a Word (or PDF) download, for the office and the
leaders, and the office's own template (upload, removal). The figures, the number, the
charts and the document come from `services.circulars`.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from closeout.documents import pdf
from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, NotFound, NotPermitted
from closeout.ledger.selectors.circular import circular_periods
from closeout.ledger.services import circulars as service
from closeout.web.forms import add_domain_error

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class CircularForm(forms.Form):
    """Which circular: the period (a day in it, or "latest"), the plan, the format."""

    period = forms.CharField(required=False)
    plan = forms.IntegerField(required=False, min_value=1)
    format = forms.ChoiceField(choices=[("docx", "docx"), ("pdf", "pdf")], required=False)

    def clean_period(self) -> dt.date | None:
        value = (self.cleaned_data.get("period") or "latest").strip()
        if value == "latest":
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(
                _("period: %(value)s is not a date (YYYY-MM-DD) nor 'latest'") % {"value": value}
            ) from None


class TemplateForm(forms.Form):
    template = forms.FileField(label=gettext_lazy("Circular template (.docx)"))


def _actor(request: HttpRequest) -> Actor:
    actor = Actor.of(request.user)
    if not (access.can_see_overview(actor) or access.can_see_board(actor)):
        raise PermissionDenied(_("Circulars are for the rectification office and the leaders."))
    return actor


def _attachment(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    ascii_name = "circular" + name[name.index("-"):] if "-" in name else "circular"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _page(
    request: HttpRequest, actor: Actor, form: TemplateForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/circulars/page.html",
        {
            "periods": circular_periods(actor),
            "template_info": service.office_template_info(),
            "may_keep_template": access.can_manage_settings(actor),
            "form": form,
            "pdf": pdf.available(),
            "plan": request.GET.get("plan", ""),
        },
        status=status,
    )


@require_GET
@login_required
def circular_page(request: HttpRequest) -> HttpResponse:
    """The periods a circular can be written for, and the office's template."""
    return _page(request, _actor(request), TemplateForm())


@require_GET
@login_required
def circular_download(request: HttpRequest) -> HttpResponse:
    """The circular as .docx (or PDF, when LibreOffice is installed)."""
    actor = _actor(request)
    form = CircularForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(str(e) for e in form.errors.values()))
    want_pdf = form.cleaned_data.get("format") == "pdf"
    if want_pdf and not pdf.available():
        raise Http404(pdf.INSTALL_HINT)
    try:
        made = service.circular_document(
            actor,
            period_end=form.cleaned_data["period"],
            plan_id=form.cleaned_data.get("plan"),
        )
    except NotPermitted as e:
        raise PermissionDenied(e.message) from None
    except NotFound as e:
        raise Http404(e.message) from None
    except DomainError as e:  # the office's template does not render
        messages.error(request, e.message)
        return redirect("web:circulars")
    if want_pdf:
        try:
            data = pdf.to_pdf(made.data, ".docx")
        except (pdf.PdfUnavailable, pdf.PdfFailed) as e:
            messages.error(request, str(e))
            return redirect("web:circulars")
        return _attachment(data, made.name.removesuffix(".docx") + ".pdf", "application/pdf")
    return _attachment(made.data, made.name, DOCX)


@require_POST
@login_required
def circular_template_upload(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = TemplateForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["template"]
        try:
            info = service.circular_template_save(
                actor, name=upload.name, data=upload.read()
            )
        except NotPermitted as e:
            raise PermissionDenied(e.message) from None
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(
                request, _("The circular template %(name)s is kept.") % {"name": info.name}
            )
            return redirect("web:circulars")
    return _page(request, actor, form, status=400)


@require_POST
@login_required
def circular_template_remove(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        service.circular_template_remove(actor)
    except NotPermitted as e:
        raise PermissionDenied(e.message) from None
    except NotFound as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Circulars use the built-in layout again."))
    return redirect("web:circulars")
