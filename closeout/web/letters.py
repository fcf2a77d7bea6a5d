"""A measure's letter (督办文书) from the task page: .docx, or PDF when LibreOffice is
installed. For whoever may see the measure (the office, leaders, the task's units and
supervisors; `closeout.ledger.services.letters`); anyone else gets a 404, a visitor who
is not signed in the login page. The first download gives the measure its number."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from closeout.documents import pdf
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.services.letters import escalation_letter_file


@require_GET
@login_required
def escalation_letter(
    request: HttpRequest, task_id: int, escalation_id: int, fmt: str = "docx"
) -> HttpResponse:
    try:
        letter = escalation_letter_file(
            actor=Actor.of(request.user),
            escalation_id=escalation_id,
            task_id=task_id,
            as_pdf=fmt == "pdf",
        )
    except (NotFound, pdf.PdfUnavailable):
        raise Http404 from None
    except InvalidInput as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(letter.data, content_type=letter.content_type)
    response["Content-Disposition"] = content_disposition_header(True, letter.filename)
    patch_cache_control(response, private=True, no_store=True)
    return response
