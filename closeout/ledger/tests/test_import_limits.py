"""Importing a hostile plan: refused with a message that names the file and the limit it
reached (or that it is damaged), and nothing written; the limits come from settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from closeout.ingest.tests import bombs
from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import AuditEvent, Plan, Role, Task

OFFICE = Actor(role=Role.OFFICE, label="test-office")
MB = 1024 * 1024


def _refusal(data: bytes, name: str) -> str:
    with pytest.raises(InvalidInput) as caught, translation.override("en"):
        services.plan_import(OFFICE, data=data, name=name)
    assert caught.value.field == "file"
    assert not Plan.objects.exists() and not Task.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not list((Path(django_settings.DATA_DIR) / "plans").glob("*"))
    return caught.value.message


def test_a_pdf_that_inflates_to_hundreds_of_mb_is_refused_by_the_unpacked_limit(db, settings):
    settings.PLAN_MAX_UNPACKED_BYTES = 16 * MB
    message = _refusal(bombs.pdf_bomb(), "bomb.pdf")
    assert message == "bomb.pdf cannot be read: it expands to more than 16 MB when unpacked"


def test_a_pdf_of_thousands_of_pages_is_refused_by_the_page_limit(db, settings):
    settings.PLAN_MAX_PAGES = 50
    message = _refusal(bombs.pdf_pages(2000), "pages.pdf")
    assert message == "pages.pdf cannot be read: it has more than 50 pages"


def test_a_docx_whose_document_expands_hugely_is_refused(db, settings):
    settings.PLAN_MAX_UNPACKED_BYTES = 4 * MB
    message = _refusal(bombs.docx_bomb(100_000), "big.docx")
    assert message == "big.docx cannot be read: it expands to more than 4 MB when unpacked"


def test_a_damaged_docx_is_refused_as_damaged(db):
    message = _refusal(bombs.docx_damaged(), "bad.docx")
    assert message.startswith("bad.docx cannot be read: the file is damaged or incomplete")


def test_a_huge_html_page_is_refused_at_the_time_limit(db, settings):
    settings.PLAN_PARSE_SECONDS = 0.5
    message = _refusal(bombs.html_page(400_000), "huge.html")
    assert message == "huge.html cannot be read: reading it took longer than 0.5 s"


def test_a_read_past_the_memory_limit_is_refused(db, settings):
    settings.PLAN_MAX_UNPACKED_BYTES = 10 * 1024 * MB  # out of the way: memory decides
    settings.PLAN_PARSE_MEMORY_BYTES = 192 * MB
    message = _refusal(bombs.pdf_bomb(), "bomb.pdf")
    assert message == "bomb.pdf cannot be read: reading it needed more than 192 MB of memory"


def test_the_refusal_is_in_chinese_by_default(db, settings):
    settings.PLAN_MAX_PAGES = 50
    with pytest.raises(InvalidInput) as caught:
        services.plan_import(OFFICE, data=bombs.pdf_pages(2000), name="pages.pdf")
    assert "pages.pdf" in caught.value.message and "50 页" in caught.value.message


def test_closeout_import_refuses_a_bomb_with_the_same_message(db, settings, tmp_path):
    settings.PLAN_MAX_UNPACKED_BYTES = 16 * MB
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bombs.pdf_bomb())
    with pytest.raises(CommandError, match=r"bomb\.pdf") as caught, translation.override("en"):
        call_command("import", str(path))
    assert "more than 16 MB" in str(caught.value)
    assert not Plan.objects.exists()


def test_closeout_parse_reads_within_the_same_limits(settings, tmp_path):
    settings.PLAN_MAX_PAGES = 50
    path = tmp_path / "pages.pdf"
    path.write_bytes(bombs.pdf_pages(2000))
    with pytest.raises(CommandError, match="more than 50 pages"):
        call_command("parse", str(path))
