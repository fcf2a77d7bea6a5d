"""The evidence limits on the pages: a report or a close-out request with too many files,
too many bytes together, one file too large, or a body past the limit comes back as the
page with the error by the form's files field (not an error page), and nothing is kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from closeout.ledger.models import CloseoutStep, Evidence, ProgressReport, Task
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.uploads import pdf_upload, small_limits
from closeout.web.tests.data import PDF


@pytest.fixture(autouse=True)
def spool(settings, tmp_path) -> Path:
    return small_limits(settings, tmp_path)


def pdf(name: str, size: int) -> SimpleUploadedFile:
    return pdf_upload(name, size, PDF)


def _report(task) -> str:
    return reverse("web:task_report", args=[task.pk])


def _request(task) -> str:
    return reverse("web:task_transition", args=[task.pk, "request_closeout"])


def _assessment() -> dict[str, str]:
    texts = ("植被恢复", "水质达标", "回访满意")
    return {f"request_closeout-assessment_{i}": t for i, t in enumerate(texts)}


def report_errors(response) -> list[str]:
    assert response.status_code == 400, response.status_code
    return response.context["report_form"].errors["files"]


def request_errors(response) -> list[str]:
    assert response.status_code == 400, response.status_code
    (form,) = [f for f, _ in response.context["transitions"] if f.rule.name == "request_closeout"]
    return form.errors["files"]


def assert_nothing_kept(world, spool: Path) -> None:
    assert not ProgressReport.objects.exists()
    assert not CloseoutStep.objects.exists()
    assert not Evidence.objects.exists()
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS
    store = Path(settings.DATA_DIR) / "evidence"
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))
    assert list(spool.iterdir()) == []


def signed_in(world, client: Client | None = None) -> Client:
    client = client or Client()
    client.force_login(world.users["unit_env"])
    return client


def test_too_many_files_on_the_report_form_say_how_many_are_allowed(world, spool):
    files = [pdf(f"{i}.pdf", 200) for i in range(5)]
    response = signed_in(world).post(_report(world.own), {"text": "进展", "files": files})
    (error,) = report_errors(response)
    assert "3" in error
    assert response.context["report_form"]["text"].value() == "进展"  # kept for a resend
    assert_nothing_kept(world, spool)


def test_files_larger_together_than_the_total_are_refused_on_the_report_form(world, spool):
    files = [pdf("a.pdf", 900), pdf("b.pdf", 900), pdf("c.pdf", 900)]
    response = signed_in(world).post(_report(world.own), {"text": "进展", "files": files})
    assert report_errors(response)
    assert_nothing_kept(world, spool)


def test_one_file_too_large_is_named_on_the_report_form(world, spool):
    files = [pdf("小.pdf", 300), pdf("大文件.pdf", 1001)]
    response = signed_in(world).post(_report(world.own), {"text": "进展", "files": files})
    (error,) = report_errors(response)
    assert "大文件.pdf" in error
    assert_nothing_kept(world, spool)


@pytest.mark.parametrize(
    "files",
    [
        [pdf(f"{i}.pdf", 200) for i in range(4)],  # too many
        [pdf("a.pdf", 900), pdf("b.pdf", 900), pdf("c.pdf", 900)],  # too large together
        [pdf("大文件.pdf", 1001)],  # one too large
    ],
)
def test_the_close_out_form_refuses_files_past_the_limits(world, spool, files):
    response = signed_in(world).post(
        _request(world.own), {**_assessment(), "request_closeout-files": files}
    )
    assert request_errors(response)
    assert_nothing_kept(world, spool)


def test_a_body_past_the_limit_is_a_form_error_with_the_csrf_check_on(world, spool, settings):
    """The token comes first in the form, so the check passes and the page explains;
    the files behind it are not read."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = signed_in(world, Client(enforce_csrf_checks=True))
    token = client.get(reverse("web:task_detail", args=[world.own.pk])).context["csrf_token"]
    data = {"csrfmiddlewaretoken": str(token), "text": "进展", "files": [pdf("a.pdf", 400_000)]}
    body = encode_multipart(BOUNDARY, data)
    wire = io.BytesIO(body)
    response = client.generic(
        "POST", _report(world.own), body, content_type=MULTIPART_CONTENT, **{"wsgi.input": wire}
    )
    assert report_errors(response)
    assert wire.tell() < len(body) / 2
    assert_nothing_kept(world, spool)


def test_a_cut_off_upload_is_refused_on_the_form(world, spool):
    data = {"text": "进展", "files": [pdf("a.pdf", 300), pdf("b.pdf", 300)]}
    body = encode_multipart(BOUNDARY, data)
    response = signed_in(world).generic(
        "POST",
        _report(world.own),
        body,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": io.BytesIO(body[:-40]), "CONTENT_LENGTH": str(len(body))},
    )
    assert report_errors(response)
    assert_nothing_kept(world, spool)


def test_files_within_the_limits_go_through_the_form(world, spool):
    files = [pdf("a.pdf", 1000), pdf("b.pdf", 1000), pdf("c.pdf", 500)]
    response = signed_in(world).post(_report(world.own), {"text": "进展", "files": files})
    assert response.status_code == 302
    assert ProgressReport.objects.get().evidence.count() == 3
    assert list(spool.iterdir()) == []
