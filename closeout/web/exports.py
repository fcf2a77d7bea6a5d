"""The ledger as an Excel workbook (台账导出), downloaded from the ledger table with its
current filters: the form parses, one selector writes, the response streams the file.

The workbook is written to a temporary file (never held in memory) that the response
reads from and that disappears when it is closed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from closeout.documents.columns import OPTIONAL
from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.selectors.exports import ledger_filename, ledger_workbook
from closeout.web.forms import TaskFilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The export form's own fields, kept apart from the ledger table's filter fields.
EXPORT_FIELDS = ("xcol", "per_unit")


class ExportForm(forms.Form):
    """What the download adds to the ledger table's filters."""

    xcol = forms.MultipleChoiceField(
        label=_("Optional columns"),
        required=False,
        choices=[(c.key, c.header) for c in OPTIONAL],
        widget=forms.CheckboxSelectMultiple,
    )
    per_unit = forms.BooleanField(label=_("One sheet per lead unit"), required=False)


def filter_query(query: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The ledger table's filters of a query string (without its page and the export's
    own fields), as the hidden fields of the download form carry them."""
    return [
        (key, value)
        for key, values in query.items()
        if key not in ("page", *EXPORT_FIELDS)
        for value in values
    ]


def filter_querystring(query: dict[str, list[str]]) -> str:
    return urlencode(filter_query(query))


@require_GET
@login_required
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    """The workbook of the tasks the ledger table shows with the same query."""
    actor = Actor.of(request.user)
    form = TaskFilterForm(request.GET or None, actor=actor)
    if form.is_bound:
        form.is_valid()  # as on the table: invalid fields are left out of the filter
    options = ExportForm(request.GET)
    if not options.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in options.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    as_of = clock.today()
    # Written to a named temporary file (a large ledger is written by a second process,
    # which needs a path), opened, and unlinked at once: the open file is sent and closed
    # by the FileResponse, and nothing stays on disk.
    handle, name = tempfile.mkstemp(prefix="closeout-ledger-", suffix=".xlsx")
    os.close(handle)
    try:
        ledger_workbook(
            actor,
            form.to_filter(),
            target=Path(name),
            optional=options.cleaned_data["xcol"],
            per_unit=options.cleaned_data["per_unit"],
            as_of=as_of,
        )
        out = open(name, "rb")  # noqa: SIM115 (closed by the FileResponse)
    except DomainError as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    finally:
        if os.path.exists(name):
            os.remove(name)
    return FileResponse(
        out, as_attachment=True, filename=ledger_filename(as_of), content_type=XLSX
    )
