"""Evidence files (佐证材料): download one, if the caller may see its task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest
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
    e = selectors.evidence_detail(actor(request), evidence_id)
    path = Path(settings.DATA_DIR) / e.stored_path
    if not path.is_file():
        raise NotFound(f"evidence {evidence_id} is missing from storage")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=e.original_name, content_type=e.content_type
    )
    # The stored type was sniffed from the bytes; forbid the browser from guessing again.
    response["X-Content-Type-Options"] = "nosniff"
    return response
