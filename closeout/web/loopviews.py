"""The pages' objection views (异议): lodging one on a task's public page, and the office
marking one as spam. Like every view they parse a form and call one service; who may do
what is `closeout.ledger.access`, the rate limits are the service's."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from closeout.ledger import selectors, services
from closeout.ledger.access import Actor
from closeout.web import public
from closeout.web.forms import ObjectionForm, SpamForm
from closeout.web.views import _or_404, _submit


@require_POST
def objection_lodge(request: HttpRequest, task_id: int) -> HttpResponse:
    """Lodge an objection during a public notice; signing in is not needed. Counted per
    task and per address (the one the login throttle sees)."""
    actor = Actor.of(request.user)
    form = ObjectionForm(request.POST, prefix="objection")
    # Sent from the public portal's task page, or by anyone not signed in (who never
    # sees the internal task page): back to the public page, or that page with the errors.
    portal = request.POST.get("portal") == "1" or not request.user.is_authenticated
    return _submit(
        request,
        actor,
        task_id,
        key="objection",
        form=form,
        call=lambda: services.objection_lodge(
            actor=actor,
            task_id=task_id,
            address=get_client_ip_address(request),
            **form.cleaned_data,
        ),
        done=_("Your objection has been lodged; it will be answered before the notice ends."),
        anchor="objections",
        success_url=public.public_task_url(task_id, "objections") if portal else None,
        failed_page=(
            (
                lambda failed, status: public.task_response(
                    request, task_id, objection_form=failed, status=status
                )
            )
            if portal
            else None
        ),
    )


@require_POST
@login_required
def objection_spam(request: HttpRequest, task_id: int, objection_id: int) -> HttpResponse:
    """The office marks an objection as spam, with a reason."""
    actor = Actor.of(request.user)
    _or_404(selectors.objection_detail, actor, task_id, objection_id)
    form = SpamForm(request.POST, prefix=f"spam-{objection_id}")
    return _submit(
        request,
        actor,
        task_id,
        key=f"spam-{objection_id}",
        form=form,
        call=lambda: services.objection_mark_spam(
            actor=actor, objection_id=objection_id, reason=form.cleaned_data["reason"]
        ),
        done=_("The objection is marked as spam."),
        anchor="objections",
    )
