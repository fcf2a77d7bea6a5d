"""The upload page refuses hostile plan files next to the file field, in Chinese, naming
the file and the limit it reached; nothing is imported and the server never answers 500."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from closeout.ingest.tests import bombs
from closeout.ledger.models import Plan

MB = 1024 * 1024


def _upload(client, data: bytes, name: str) -> str:
    client.force_login(get_user_model().objects.get(username="office"))
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    plans = Plan.objects.count()
    response = client.post(reverse("web:plan_upload"), {"file": file})
    assert response.status_code == 200
    assert Plan.objects.count() == plans
    page = response.content.decode()
    start = page.index('id="id_file_errors"')
    return page[start : page.index("</ul>", start)]


def test_a_pdf_bomb_is_refused_by_the_unpacked_limit(client, world, settings):
    settings.PLAN_MAX_UNPACKED_BYTES = 16 * MB
    error = _upload(client, bombs.pdf_bomb(), "bomb.pdf")
    assert "bomb.pdf" in error and "解压后超过 16 MB" in error


def test_a_pdf_of_thousands_of_pages_is_refused_by_the_page_limit(client, world, settings):
    settings.PLAN_MAX_PAGES = 50
    error = _upload(client, bombs.pdf_pages(2000), "pages.pdf")
    assert "pages.pdf" in error and "超过 50 页" in error


def test_a_docx_bomb_is_refused_by_the_unpacked_limit(client, world, settings):
    settings.PLAN_MAX_UNPACKED_BYTES = 4 * MB
    error = _upload(client, bombs.docx_bomb(100_000), "big.docx")
    assert "big.docx" in error and "解压后超过 4 MB" in error


def test_a_damaged_docx_is_refused_as_damaged(client, world):
    error = _upload(client, bombs.docx_damaged(), "bad.docx")
    assert "bad.docx" in error and "文件已损坏" in error


def test_a_huge_html_page_is_refused_at_the_time_limit(client, world, settings):
    settings.PLAN_PARSE_SECONDS = 0.5
    error = _upload(client, bombs.html_page(400_000), "huge.html")
    assert "huge.html" in error and "超过 0.5 秒" in error
