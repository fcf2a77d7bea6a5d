"""The office overview page (总览): what `selectors.overview` reads, rendered; for the
office and leaders only (`access.can_see_overview`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.selectors.overview import overview as read_overview


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    actor = Actor.of(request.user)
    if not access.can_see_overview(actor):
        raise PermissionDenied(_("The overview is for the rectification office and leaders."))
    return render(request, "web/overview.html", {"o": read_overview(actor)})
