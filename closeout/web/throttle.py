"""Failed logins are throttled (django-axes), per account and address and per address.

Every password anybody can try goes through the login page (the admin's login sends
there, and the API has no password login: its tokens are minted from a signed-in
session), so axes' authentication backend, first in AUTHENTICATION_BACKENDS, guards all
of them. It refuses any login, even with the right password, once

- one account has failed `AXES_FAILURE_LIMIT` times (5) from one address, or
- one address has failed `CLOSEOUT_LOGIN_ADDRESS_LIMIT` times (50) over all accounts,

within the cool-off (`AXES_COOLOFF_TIME`, 30 minutes from the last failure; a failure
while locked starts it again). Axes compares a single count with a single limit, so the
handler below scales each count to the pair limit. Locking a whole account whatever the
address is left out on purpose: anybody could then lock any user out.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

PAIR = ("username", "ip_address")
LOCKOUT_STATUS = 429


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind `CLOSEOUT_PROXY_COUNT` trusted
    proxies the entry that many places from the right of `CLOSEOUT_PROXY_HEADER`
    (X-Forwarded-For), the one the outermost trusted proxy saw. Entries to its left are
    whatever the client sent and are never trusted; a header that is too short or not an
    address means the request did not come through the proxies, so REMOTE_ADDR stands."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.CLOSEOUT_PROXY_COUNT
    if count <= 0:
        return remote
    header = "HTTP_" + settings.CLOSEOUT_PROXY_HEADER.upper().replace("-", "_")
    entries = [e.strip() for e in request.META.get(header, "").split(",") if e.strip()]
    if len(entries) < count:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote


class LoginAttempts(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter."""

    def _limit(self, parameter: Any, pair_limit: int) -> int:
        if parameter == "ip_address":
            return int(settings.CLOSEOUT_LOGIN_ADDRESS_LIMIT)
        return pair_limit

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failures within the cool-off, for the parameter closest to its limit,
        scaled to the pair limit (axes locks when this reaches it): 20 of 50 failures
        from an address count as 2 of 5."""
        pair_limit = get_failure_limit(request, credentials)
        worst = 0
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, count * pair_limit // max(1, self._limit(parameter, pair_limit)))
        return worst

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A successful login clears that account's failures from that address only:
        clearing the address's as well would let anyone with one valid login reset the
        address limit while guessing the passwords of others."""
        count, _deleted = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return count


def locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login page again, with why and for how long, instead of axes' bare text."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    form = AuthenticationForm(request)
    form.initial["username"] = get_client_username(request, credentials) or ""
    message = _(
        "Too many failed logins: signing in from here is paused for %(minutes)d minutes "
        "after the last attempt. Try again later, or ask the administrator to lift the lock."
    ) % {"minutes": minutes}
    return render(
        request,
        "web/login.html",
        {
            "form": form,
            "locked_out": message,
            "next": request.POST.get("next", ""),
            "page_url": reverse("web:login"),
        },
        status=LOCKOUT_STATUS,
    )
