"""Every error the API returns has one shape: {"detail": message, "field": name|null}.

Domain errors (closeout.ledger.errors) are mapped here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from closeout import uploads
from closeout.ledger.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    RateLimited,
    TooLarge,
)

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    NotPermitted: 403,
    InvalidInput: 400,
    TooLarge: 413,
    InvalidTransition: 409,
    Conflict: 409,
    RateLimited: 429,
}


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]  # type: ignore[index]
    return 400


# The names our handlers give their schema-typed arguments; a caller knows the fields
# inside them, not these wrappers.
_WRAPPERS = {"payload", "filters"}


def _field_of(error: dict[str, Any]) -> str | None:
    # ninja prefixes the location with its source ("query", "body", "form", "file").
    loc = [str(part) for part in error.get("loc", ())][1:]
    names = [part for part in loc if not part.isdigit() and part not in _WRAPPERS]
    return ".".join(names) or None


def install(api: NinjaAPI) -> None:
    """Register the mappings on the API object."""

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(
            request, {"detail": exc.message, "field": exc.field}, status=status_of(exc)
        )

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        refused = uploads.refusal(request)
        if refused is not None:  # a field missing because the upload was stopped before it
            return domain_error(request, refused)
        first = exc.errors[0] if exc.errors else {}
        field = _field_of(first)
        message = str(first.get("msg", _("Invalid input.")))
        detail = f"{field}: {message}" if field else message
        return api.create_response(
            request, {"detail": detail, "field": field, "errors": exc.errors}, status=422
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if isinstance(exc, AuthenticationError) and message == "Unauthorized":
            # ninja's default text; say what to do instead.
            message = _("Authentication required: sign in, or send 'Authorization: Bearer <key>'.")
        return api.create_response(
            request, {"detail": message, "field": None}, status=exc.status_code
        )

    def unreadable(request: HttpRequest, exc: UnreadablePostError) -> HttpResponse:
        # The connection broke while the body was read (the client went away).
        return domain_error(request, uploads.broken(request))

    # ninja's annotation of handlers is looser than what it calls them with.
    api.add_exception_handler(DomainError, domain_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, http_error)  # type: ignore[arg-type]
    api.add_exception_handler(UnreadablePostError, unreadable)  # type: ignore[arg-type]
