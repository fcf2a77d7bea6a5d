"""Uploads held to the evidence limits while they arrive (整改佐证材料的上传限制).

`LimitedUploadHandler` is the first of Django's upload handlers (FILE_UPLOAD_HANDLERS in
closeout.settings), so it sees every multipart request before a byte of it is kept: a
Content-Length longer than any allowed request, one file more than EVIDENCE_MAX_FILES,
or file bytes past EVIDENCE_MAX_TOTAL_BYTES stop the parsing at once. The fields read
until then stay (the CSRF token and the texts come first in our forms), the file being
received is dropped with its temporary file, and the rest of the body is never read.
A body that ends before its last file is complete is refused too.

Django then hands the view a request without the refused files, so the refusal is kept
on the request: the API and the pages ask `refusal(request)` before they call a service
and answer with its message (the service's own checks, `evidence_check`, apply the same
limits to whatever reaches it, and name the file that is too large).
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from closeout.ledger.errors import DomainError
from closeout.ledger.services import reports

# A multipart part's headers are at most 1,024 bytes in Django, plus two boundary lines;
# the form fields' parts get a flat allowance for theirs.
PART_OVERHEAD = 2048
FIELD_PARTS_OVERHEAD = 64 * 1024

_REFUSAL = "_closeout_upload_refusal"


def body_limit() -> int:
    """The longest request body that can carry files within the limits: the files, the
    form fields Django reads (DATA_UPLOAD_MAX_MEMORY_SIZE) and the parts' headers."""
    fields = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) + FIELD_PARTS_OVERHEAD
    files = settings.EVIDENCE_MAX_TOTAL_BYTES + PART_OVERHEAD * settings.EVIDENCE_MAX_FILES
    return files + fields


def refusal(request: HttpRequest) -> DomainError | None:
    """Why the upload of this request was stopped, if it was."""
    return getattr(request, _REFUSAL, None)


def refuse(request: HttpRequest, error: DomainError) -> None:
    if refusal(request) is None:
        setattr(request, _REFUSAL, error)


def broken(request: HttpRequest) -> DomainError:
    """The refusal of a request whose connection broke while its body was read
    (UnreadablePostError). Django closes the files it had finished; this also closes,
    and so deletes, the one that was being written."""
    for handler in request.upload_handlers:
        file = getattr(handler, "file", None)
        if file is not None:
            file.close()
    error = refusal(request) or reports.upload_interrupted()
    refuse(request, error)
    return error


class LimitedUploadHandler(FileUploadHandler):
    """Counts the files and their bytes as they stream in; keeps nothing itself."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.too_long = False
        self.count = 0
        self.total = 0

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.too_long = content_length > body_limit()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.count += 1
        if self.count > settings.EVIDENCE_MAX_FILES:
            self._stop(reports.too_many_files())
        if self.too_long:
            self._stop(reports.too_large_together())

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.total += len(raw_data)
        if self.total > settings.EVIDENCE_MAX_TOTAL_BYTES:
            self._stop(reports.too_large_together())
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file

    def upload_interrupted(self) -> None:
        self._record(reports.upload_interrupted())

    def _record(self, error: DomainError) -> None:
        if self.request is not None:
            refuse(self.request, error)

    def _stop(self, error: DomainError) -> None:
        self._record(error)
        # connection_reset: the parser returns at once instead of reading the body to
        # its end (closeout serve has the whole body already; other servers drop it).
        raise StopUpload(connection_reset=True)
