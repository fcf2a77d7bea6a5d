"""The portal's two documents (信息公开): a published plan's progress report (整改进展情况
公示) and the close-out notice (销号公示) of a task under public notice, each as a page and
as a Word file (and PDF when LibreOffice is installed).

Like the rest of the portal, open to anyone and the same for everyone, so a shared
cache may keep them: what they show is `closeout.ledger.selectors.publicdocs`, which reads
the portal's public fields only. A plan that is not published, or a task that is not
under notice, is a 404. The document is deterministic (the same record gives the same
bytes), so its PDF is converted once and kept in the cache under the document's hash:
visitors cannot make the server run LibreOffice for every request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from closeout.documents import pdf, publicdocs
from closeout.ledger.selectors import publicdocs as selectors
from closeout.web.public import CACHE_SECONDS, _checked_id, _read, _render

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = {"docx": DOCX, "pdf": "application/pdf"}
# How long a converted PDF is kept: its key is the document's hash, so it never goes stale.
PDF_CACHE_SECONDS = 24 * 3600


def _pdf_of(docx: bytes) -> bytes:
    key = "publicdocs-pdf:" + hashlib.sha256(docx).hexdigest()
    found = cache.get(key)
    if found is None:
        try:
            found = pdf.to_pdf(docx, ".docx")
        except pdf.PdfUnavailable:
            raise Http404 from None
        cache.set(key, found, PDF_CACHE_SECONDS)
    return found


def _download(docx: bytes, name: str, fmt: str) -> HttpResponse:
    """The document as an attachment, .docx or .pdf (404 for PDF without LibreOffice)."""
    if fmt not in TYPES:
        raise Http404
    data = docx if fmt == "docx" else _pdf_of(docx)
    response = HttpResponse(data, content_type=TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return _render(request, template, {**context, "pdf_available": pdf.available()})


@require_GET
def public_progress(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A published plan's progress report: per problem its tasks by schedule bucket."""
    report = _read(selectors.progress_report, _checked_id(plan_id))
    return _page(request, "progress.html", {"report": report})


@require_GET
def public_progress_file(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    """The progress report as a Word file or PDF."""
    report = _read(selectors.progress_report, _checked_id(plan_id))
    return _download(publicdocs.progress_report_docx(report), f"整改进展情况公示-{plan_id}", fmt)


def _notice(request: HttpRequest, task_id: int) -> Any:
    read: Callable[..., Any] = selectors.closeout_notice
    return _read(read, _checked_id(task_id), base_url=request.build_absolute_uri("/"))


@require_GET
def public_closeout_notice(request: HttpRequest, task_id: int) -> HttpResponse:
    """The close-out notice of a task under public notice, and where to object."""
    notice = _notice(request, task_id)
    return _page(
        request,
        "closeout_notice.html",
        {"notice": notice, "title": publicdocs.notice_title(notice)},
    )


@require_GET
def public_closeout_notice_file(request: HttpRequest, task_id: int, fmt: str) -> HttpResponse:
    """The close-out notice as a Word file or PDF."""
    notice = _notice(request, task_id)
    return _download(publicdocs.closeout_notice_docx(notice), f"销号公示-{task_id}", fmt)
