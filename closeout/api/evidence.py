"""Evidence files (佐证材料): download one, if the caller may see its task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from closeout.api.auth import actor
from closeout.api.schemas import ErrorOut
from closeout.ledger import selectors
from closeout.ledger.errors import NotFound

router = Router(tags=["evidence"])

ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}


@router.get(
    "/evidence/{int:evidence_id}",
    response=ERRORS,
    summary="Download an evidence file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with the type decided when it was uploaded.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_evidence(request: HttpRequest, evidence_id: int) -> FileResponse:
    """The file is streamed from the store in blocks, never read whole."""
    e = selectors.evidence_detail(actor(request), evidence_id)
    root = Path(settings.DATA_DIR).resolve()
    path = (root / e.stored_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound(
            _("evidence file %(evidence)s is missing from storage") % {"evidence": evidence_id}
        )
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=e.original_name, content_type=e.content_type
    )
    # The stored type was sniffed from the bytes; forbid the browser from guessing again.
    response["X-Content-Type-Options"] = "nosniff"
    return response
