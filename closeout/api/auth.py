"""How the API knows who is calling: a bearer token or the browser session.

Both set `request.user`, so `Actor.of(request.user)` — and with it every rule in
`closeout.ledger.access` — works the same whatever the way in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from closeout.ledger import services
from closeout.ledger.access import Actor


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key issued by POST /api/tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = services.token_authenticate(token.strip())
        if user is None:
            # A bad or revoked token is an explicit claim that failed: answer 401 rather
            # than quietly falling back to whatever session cookie came along.
            raise AuthenticationError(message=str(_("Invalid or revoked API token.")))
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session login, with CSRF enforced on unsafe methods.

    Unlike ninja's own SessionAuth, the CSRF check runs only once a session user is
    known, so an anonymous POST gets 401 (not a CSRF 403) and a request carrying a
    token never needs a CSRF token: a bearer key is not an ambient credential.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(403, str(_("CSRF check failed: send the X-CSRFToken header.")))
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        return request.user if request.user.is_authenticated else None


token_auth = TokenAuth()
session_auth = SessionAuth()
# Token first: a request that names a token is judged by it alone.
API_AUTH = [token_auth, session_auth]


def actor(request: HttpRequest) -> Actor:
    """The ledger actor behind an authenticated API request."""
    return Actor.of(request.user)
