"""The evidence limits through the API: too many files, too many bytes together, one file
too large, a body longer than allowed or cut off. Each is refused with the API's error
shape, and nothing is kept: no report or step, no Evidence row, no stored file, no
temporary upload file; a body past the limit is not read to its end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import translation

from closeout.api.tests.conftest import TINY_PDF
from closeout.ledger.models import CloseoutStep, Evidence, ProgressReport, Task
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.uploads import pdf_upload, small_limits

ASSESSMENT = '{"生态修复": "植被已恢复", "污染消除": "水质达标", "群众满意": "回访满意"}'


@pytest.fixture(autouse=True)
def spool(settings, tmp_path) -> Path:
    return small_limits(settings, tmp_path)


def pdf(name: str, size: int) -> SimpleUploadedFile:
    return pdf_upload(name, size, TINY_PDF)


class Wire(io.BytesIO):
    """A request body as the server hands it over; counts what was read, and can end
    early (`cut`: a short read) or break (`broken`: the connection dropped)."""

    def __init__(self, body: bytes, cut: int | None = None, broken: bool = False) -> None:
        super().__init__(body[:cut] if cut is not None else body)
        self.broken = broken
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if self.broken and not data:
            raise OSError("connection reset by peer")
        self.taken += len(data)
        return data


def raw_post(client, path: str, data: dict, length: int | None = None, **wire):
    """POST a multipart body through `Wire`; `length` is the Content-Length to claim."""
    body = encode_multipart(BOUNDARY, data)
    stream = Wire(body, **wire)
    response = client.generic(
        "POST",
        path,
        body,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(length or len(body))},
    )
    return response, stream, len(body)


def reports_path(world) -> str:
    return f"/api/tasks/{world.own.pk}/reports"


def closeout_path(world) -> str:
    return f"/api/tasks/{world.own.pk}/closeout-request"


def assert_nothing_kept(world, spool: Path) -> None:
    assert not ProgressReport.objects.exists()
    assert not CloseoutStep.objects.exists()
    assert not Evidence.objects.exists()
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS
    store = Path(settings.DATA_DIR) / "evidence"
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))
    assert list(spool.iterdir()) == []


def refused(response, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["field"] == "files"
    return body["detail"]


def test_more_files_than_allowed_are_refused_with_the_number_allowed(world, as_user, spool):
    files = [pdf(f"{i}.pdf", 200) for i in range(5)]
    response = as_user("unit_env").post(reports_path(world), {"text": "进展", "files": files})
    assert "3" in refused(response, 400)
    assert_nothing_kept(world, spool)


def test_files_larger_together_than_the_total_are_a_413(world, as_user, spool):
    files = [pdf("a.pdf", 900), pdf("b.pdf", 900), pdf("c.pdf", 900)]
    response = as_user("unit_env").post(reports_path(world), {"text": "进展", "files": files})
    with translation.override("zh-hans"):
        assert filesizeformat(2500) in refused(response, 413)
    assert_nothing_kept(world, spool)


def test_one_file_too_large_is_named(world, as_user, spool):
    files = [pdf("小.pdf", 300), pdf("大文件.pdf", 1001)]
    response = as_user("unit_env").post(reports_path(world), {"text": "进展", "files": files})
    assert "大文件.pdf" in refused(response, 413)
    assert_nothing_kept(world, spool)


def test_a_close_out_request_with_too_many_files_changes_nothing(world, as_user, spool):
    files = [pdf(f"{i}.pdf", 200) for i in range(4)]
    response = as_user("unit_env").post(
        closeout_path(world), {"assessment": ASSESSMENT, "files": files}
    )
    assert "3" in refused(response, 400)
    assert_nothing_kept(world, spool)


def test_a_close_out_request_larger_than_the_total_changes_nothing(world, as_user, spool):
    files = [pdf("a.pdf", 900), pdf("b.pdf", 900), pdf("c.pdf", 900)]
    response = as_user("unit_env").post(
        closeout_path(world), {"assessment": ASSESSMENT, "files": files}
    )
    refused(response, 413)
    assert_nothing_kept(world, spool)


def test_files_are_counted_as_they_arrive_and_the_rest_is_not_read(world, as_user, spool):
    big = [pdf(f"{i}.pdf", 100_000) for i in range(6)]  # each past the limit as well
    response, wire, length = raw_post(
        as_user("unit_env"), reports_path(world), {"text": "进展", "files": big}
    )
    refused(response, 413)
    assert wire.taken < length / 2
    assert_nothing_kept(world, spool)


def test_a_body_longer_than_allowed_is_not_read_to_its_end(world, as_user, spool, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    files = [pdf("a.pdf", 300_000)]
    response, wire, length = raw_post(
        as_user("unit_env"), reports_path(world), {"text": "进展", "files": files}
    )
    refused(response, 413)
    assert wire.taken < 70_000 < length  # the form fields and one chunk at most
    assert_nothing_kept(world, spool)


def test_a_content_length_past_the_limit_is_refused_whatever_follows(
    world, as_user, spool, settings
):
    """The declared length alone decides: small files behind a Content-Length longer
    than any allowed request are not taken."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response, _, _ = raw_post(
        as_user("unit_env"),
        reports_path(world),
        {"text": "进展", "files": [pdf("a.pdf", 300)]},
        length=1_000_000,
    )
    refused(response, 413)
    assert_nothing_kept(world, spool)


def test_the_refusal_is_reported_even_when_fields_come_after_the_files(world, as_user, spool):
    files = [pdf(f"{i}.pdf", 200) for i in range(5)]
    response, _, _ = raw_post(
        as_user("unit_env"), reports_path(world), {"files": files, "text": "进展"}
    )
    assert "3" in refused(response, 400)
    assert_nothing_kept(world, spool)


@pytest.mark.parametrize("wire", [{"cut": -40}, {"cut": -40, "broken": True}])
def test_an_interrupted_upload_keeps_nothing(world, as_user, spool, wire):
    files = [pdf("a.pdf", 300), pdf("b.pdf", 300)]
    response, _, _ = raw_post(
        as_user("unit_env"), reports_path(world), {"text": "进展", "files": files}, **wire
    )
    refused(response, 400)
    assert_nothing_kept(world, spool)


def test_files_within_the_limits_are_kept_and_the_spool_is_emptied(world, as_user, spool):
    files = [pdf("a.pdf", 1000), pdf("b.pdf", 1000), pdf("c.pdf", 500)]
    response = as_user("unit_env").post(reports_path(world), {"text": "进展", "files": files})
    assert response.status_code == 201, response.content
    assert sorted(e["size"] for e in response.json()["evidence"]) == [500, 1000, 1000]
    assert list(spool.iterdir()) == []


def test_an_evidence_file_is_streamed_from_the_store(world, as_user):
    as_user("unit_env").post(reports_path(world), {"text": "进展", "files": pdf("a.pdf", 900)})
    evidence = Evidence.objects.get()
    response = as_user("supervisor").get(f"/api/evidence/{evidence.pk}")
    assert response.status_code == 200 and response.streaming
    assert len(b"".join(response.streaming_content)) == 900
