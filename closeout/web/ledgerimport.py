"""The ledger workbook import pages (台账导入): upload a workbook sent back, see what it
would change and what it refuses, apply the changes.

Between the preview and the apply the file is kept under the data folder, named by its
SHA-256 (`ledgerimport/<sha256>.xlsx`): the apply form names it by that hash only (64 hex
digits, checked), so no path a person sends is ever opened, and the service re-reads and
re-checks the file against the preview's digest. Who may use the pages is the service's
rule (`ledgerimport.can_import`: the office and the responsible units).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closeout import uploads
from closeout.documents.ledgerread import Limits
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError
from closeout.ledger.services import ledgerimport
from closeout.web.forms import add_domain_error
from closeout.web.ledgerimportforms import LedgerApplyForm, LedgerUploadForm

MAX_BYTES = Limits().max_bytes


def _actor(request: HttpRequest) -> Actor:
    actor = Actor.of(request.user)
    if not ledgerimport.can_import(actor):
        raise PermissionDenied(_("only the office and responsible units import a ledger"))
    return actor


def _store() -> Path:
    return Path(settings.DATA_DIR) / "ledgerimport"


def keep(data: bytes) -> str:
    """Keep the file under its SHA-256 (written to a part file, then renamed)."""
    sha256 = hashlib.sha256(data).hexdigest()
    store = _store()
    store.mkdir(parents=True, exist_ok=True)
    path = store / f"{sha256}.xlsx"
    if not path.exists():
        with tempfile.NamedTemporaryFile(dir=store, prefix=".part-", delete=False) as part:
            part.write(data)
        os.replace(part.name, path)
    return sha256


def kept(sha256: str) -> bytes | None:
    """The kept file of that hash (the form has checked it is 64 hex digits)."""
    path = _store() / f"{sha256}.xlsx"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def forget(sha256: str) -> None:
    (_store() / f"{sha256}.xlsx").unlink(missing_ok=True)


@login_required
def ledger_import(request: HttpRequest) -> HttpResponse:
    """The upload form; a file sent is previewed at once."""
    actor = _actor(request)
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        refused = uploads.refusal(request)
        if refused is not None:
            form.add_error("file", refused.message)
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_BYTES:
                form.add_error(
                    "file",
                    _("the file is larger than %(mb)s MB") % {"mb": MAX_BYTES // (1024 * 1024)},
                )
            else:
                data = upload.read()
                name = Path(upload.name or "ledger.xlsx").name[:255]
                try:
                    preview = ledgerimport.ledger_import_preview(actor=actor, data=data, name=name)
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    sha256 = keep(data)
                    apply = LedgerApplyForm(
                        initial={"sha256": sha256, "digest": preview.digest, "name": name}
                    )
                    return render(
                        request,
                        "web/ledgerimport/preview.html",
                        {"preview": preview, "apply": apply},
                    )
    return render(request, "web/ledgerimport/upload.html", {"form": form})


@login_required
@require_POST
def ledger_import_apply(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = LedgerApplyForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("The import form is incomplete: upload the workbook again.")
    else:
        sha256 = form.cleaned_data["sha256"]
        data = kept(sha256)
        if data is None:
            error = _("The uploaded workbook is no longer kept: upload it again.")
        else:
            try:
                result = ledgerimport.ledger_import_apply(
                    actor=actor,
                    data=data,
                    name=form.cleaned_data["name"],
                    digest=form.cleaned_data["digest"],
                )
            except DomainError as exc:
                error = exc.message
            else:
                forget(sha256)
                return render(request, "web/ledgerimport/result.html", {"result": result})
    return render(
        request,
        "web/ledgerimport/upload.html",
        {"form": LedgerUploadForm(), "error": error},
        status=400,
    )
