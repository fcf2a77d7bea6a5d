"""Every error the API returns has one shape: {"detail": message, "field": name|null}.

Domain errors (closeout.ledger.errors) are mapped here and nowhere else; so are the
answers that ninja and Django would give in their own words: a route that does not
exist (404) and a method a route does not answer (405) — see `ShapedApi`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from closeout import uploads
from closeout.api import params
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


def _refusal(status: int, detail: str, **headers: str) -> HttpResponse:
    response = JsonResponse({"detail": detail, "field": None}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def no_route(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return _refusal(404, _("There is no API route %(path)s.") % {"path": request.path})


def _shaped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view, with ninja's plain-text 405 given the error shape."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            return _refusal(
                405,
                _("%(method)s is not allowed on %(path)s; it answers %(allowed)s.")
                % {"method": request.method, "path": request.path, "allowed": allowed},
                Allow=allowed,
            )
        return response

    return wrapper


class ShapedApi(NinjaAPI):
    """ninja's API whose every answer, routes missing or methods refused included, has
    the error shape. The last route catches every path no other route matched."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls: list[URLResolver | URLPattern] = []
        for url in super()._get_urls():
            if isinstance(url, URLPattern):
                url = URLPattern(url.pattern, _shaped(url.callback), url.default_args, url.name)
            urls.append(url)
        urls.append(re_path(r"", csrf_exempt(no_route)))
        return urls


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
        if isinstance(exc.__cause__, DomainError):
            # ninja wraps whatever the parser raised in "cannot parse request body";
            # the parser's own error (closeout.api.params) says what is wrong, and where.
            return domain_error(request, exc.__cause__)
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

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return domain_error(request, params.too_big(exc))

    # ninja's annotation of handlers is looser than what it calls them with.
    api.add_exception_handler(DomainError, domain_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, http_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, too_big)  # type: ignore[arg-type]
    api.add_exception_handler(UnreadablePostError, unreadable)  # type: ignore[arg-type]
