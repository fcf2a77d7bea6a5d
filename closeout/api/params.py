"""What every API input is held to before a handler sees it (参数校验).

Two places, so that no route has to remember them:

- `ApiParser`, the API's parser, reads every JSON body, query string and form. Text
  must be storable: no lone surrogate (JSON allows "\\ud800", no database stores it) and
  no NUL character (PostgreSQL's text refuses it). Numbers in a JSON body must fit in
  64 bits (no NaN or Infinity either). A body over DATA_UPLOAD_MAX_MEMORY_SIZE is
  refused (413) unread. Each refusal is an `InvalidInput` naming the field, in the
  API's error shape.
- The integer types below, which the request schemas use for every id, count and page:
  a value outside what the database can compare is a 422 that names the parameter,
  not an overflow deep in a query.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field
from ninja.parser import Parser

from closeout.ledger.errors import InvalidInput, TooLarge

INT_MAX = 2**63 - 1  # a signed 64-bit integer: the widest column either database has
# A page number whose offset still fits (at the largest page size, 1000).
PAGE_MAX = INT_MAX // 1000

Id = Annotated[int, Field(ge=1, le=INT_MAX)]
Int = Annotated[int, Field(ge=-INT_MAX, le=INT_MAX)]
Page = Annotated[int, Field(ge=1, le=PAGE_MAX, description="1-based page number.")]


def _bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return False


def check(value: Any, field: str | None = None) -> None:
    """Refuse text that cannot be stored and numbers beyond 64 bits, anywhere in a
    decoded JSON value or form; `field` is where `value` was found (dotted path)."""
    if isinstance(value, str):
        if _bad_text(value):
            raise InvalidInput(
                _("%(field)s: a character that cannot be stored (NUL or a lone surrogate)")
                % {"field": field or _("body")},
                field=field,
            )
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -INT_MAX <= value <= INT_MAX:
            raise InvalidInput(
                _("%(field)s: the number is too large") % {"field": field or _("body")},
                field=field,
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(
                _("%(field)s: the number is too large") % {"field": field or _("body")},
                field=field,
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            check(key, field)
            check(item, f"{field}.{key}" if field else str(key))
    elif isinstance(value, list):
        for item in value:
            check(item, field)


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


class ApiParser(Parser):
    """ninja's parser, with the checks above. ninja reports a failed body as "cannot
    parse" (400); `closeout.api.errors` answers with the reason kept here instead."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body, parse_constant=_no_constants)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(
                _("The body is not valid JSON: %(error)s") % {"error": exc}
            ) from None
        check(data)
        return data  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            check(key)
            for value in values:
                if isinstance(value, str):
                    check(value, key)
        return super().parse_querydict(data, list_fields, request)  # type: ignore[no-any-return]


def too_big(exc: RequestDataTooBig | None = None) -> TooLarge:
    """The refusal of a body (JSON, or a form's fields) over DATA_UPLOAD_MAX_MEMORY_SIZE;
    Django raises RequestDataTooBig before reading it."""
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return TooLarge(_("The request is larger than the %(limit)s limit") % {"limit": limit})
