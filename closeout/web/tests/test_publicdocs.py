"""The portal's progress report (整改进展情况公示) and close-out notice (销号公示) pages
and their downloads: open to anyone, cacheable, the public fields only, and 404 for a
plan that is not published or a task that is not under notice."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from closeout.documents import pdf
from closeout.documents.publicdata import cn_date
from closeout.documents.tests.pdfcheck import assert_renders
from closeout.ledger import clock
from closeout.web.tests.public_world import any_secret, build_portal_world, page_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def pw(world):
    return build_portal_world(world)


def _urls(pw) -> list[str]:
    plan, task = pw.world.plan.pk, pw.notice.pk
    return [
        reverse("web:public_progress", args=[plan]),
        reverse("web:public_progress_docx", args=[plan]),
        reverse("web:public_closeout_notice", args=[task]),
        reverse("web:public_closeout_notice_docx", args=[task]),
    ]


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_pages_and_files_are_open_to_anyone_and_cacheable(client, pw):
    for url in _urls(pw):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    signed_in = Client()
    signed_in.force_login(pw.world.users["office"])
    page = reverse("web:public_progress", args=[pw.world.plan.pk])
    assert page_text(signed_in.get(page)) == page_text(client.get(page))  # one page for all


def test_no_page_or_file_shows_a_login_a_person_a_report_or_an_opinion(client, pw):
    for url in _urls(pw):
        response = client.get(url)
        text = _docx_text(response.content) if url.endswith(".docx") else page_text(response)
        assert any_secret(text) == [], url


def test_the_progress_page_lists_each_problem_with_its_tasks_and_buckets(client, pw):
    response = client.get(reverse("web:public_progress", args=[pw.world.plan.pk]))
    text = page_text(response)
    report = response.context["report"]
    assert report.document_title in text
    assert pw.notice.text in text and "市城乡水务局" in text
    assert f'data-task="{pw.overdue.pk}" data-bucket="overdue"' in text
    assert f'data-task="{pw.closed.pk}" data-bucket="done"' in text
    assert f'data-task="{pw.cancelled.pk}"' not in text
    assert reverse("web:public_progress_docx", args=[pw.world.plan.pk]) in text


def test_the_progress_file_is_the_report_as_word(client, pw):
    response = client.get(reverse("web:public_progress_docx", args=[pw.world.plan.pk]))
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".docx" in response["Content-Disposition"]
    text = _docx_text(response.content)
    assert "整改进展情况的公示" in text and pw.overdue.text in text
    again = client.get(reverse("web:public_progress_docx", args=[pw.world.plan.pk]))
    assert again.content == response.content
    assert_renders(response.content, ".docx", "整改进展情况的公示", "整改任务3")


def test_the_notice_page_says_the_period_and_links_to_the_objection_form(client, pw):
    response = client.get(reverse("web:public_closeout_notice", args=[pw.notice.pk]))
    text = page_text(response)
    until = pw.notice.notice_until.isoformat()
    assert f'data-until="{until}"' in text
    form = f"http://testserver/public/tasks/{pw.notice.pk}/#objections"
    assert f'href="{form}"' in text
    assert "市生态环境局" in text and "市督导组" in text
    assert reverse("web:public_closeout_notice_docx", args=[pw.notice.pk]) in text


def test_the_notice_file_holds_the_period_and_the_objection_address(client, pw):
    response = client.get(reverse("web:public_closeout_notice_docx", args=[pw.notice.pk]))
    assert response["Content-Type"] == DOCX
    text = _docx_text(response.content)
    notice = pw.notice
    # The review passed today (the tests' clock) and opened the notice.
    assert f"公示期为{cn_date(clock.today())}至{cn_date(notice.notice_until)}" in text
    assert f"http://testserver/public/tasks/{notice.pk}/#objections" in text
    assert_renders(response.content, ".docx", "销号情况的公示", "加强饮用水水源保护")


def test_the_notice_list_and_the_task_page_link_to_the_notice(client, pw):
    link = reverse("web:public_closeout_notice", args=[pw.notice.pk])
    assert link in page_text(client.get(reverse("web:public_notice")))
    assert link in page_text(client.get(reverse("web:public_task", args=[pw.notice.pk])))
    closed = page_text(client.get(reverse("web:public_task", args=[pw.closed.pk])))
    assert 'data-testid="closeout-notice-link"' not in closed
    plan = page_text(client.get(reverse("web:public_plan", args=[pw.world.plan.pk])))
    assert reverse("web:public_progress", args=[pw.world.plan.pk]) in plan


def test_unpublished_plans_and_tasks_not_under_notice_are_not_found(client, pw):
    for plan in pw.hidden_plans():
        for name in ("public_progress", "public_progress_docx", "public_progress_pdf"):
            assert client.get(reverse(f"web:{name}", args=[plan.pk])).status_code == 404
    names = ("public_closeout_notice", "public_closeout_notice_docx", "public_closeout_notice_pdf")
    for task in [pw.closed, pw.overdue, *pw.hidden_tasks()]:
        for name in names:
            assert client.get(reverse(f"web:{name}", args=[task.pk])).status_code == 404
    for name, arg in (("public_progress", 2**63), ("public_closeout_notice", 10**30)):
        assert client.get(reverse(f"web:{name}", args=[arg])).status_code == 404


def test_the_pdf_is_offered_when_libreoffice_is_there_and_converted_once(client, pw, monkeypatch):
    page = reverse("web:public_closeout_notice", args=[pw.notice.pk])
    pdf_url = reverse("web:public_closeout_notice_pdf", args=[pw.notice.pk])
    calls: list[int] = []

    def fake_pdf(data: bytes, suffix: str) -> bytes:
        calls.append(len(data))
        return b"%PDF-1.4 fake"

    monkeypatch.setattr(pdf, "available", lambda: True)
    monkeypatch.setattr(pdf, "to_pdf", fake_pdf)
    assert pdf_url in page_text(client.get(page))
    for _ in range(2):
        response = client.get(pdf_url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content == b"%PDF-1.4 fake"
    assert len(calls) == 1  # the same document's PDF is kept

    def unavailable(data: bytes, suffix: str) -> bytes:
        raise pdf.PdfUnavailable(pdf.INSTALL_HINT)

    monkeypatch.setattr(pdf, "available", lambda: False)
    monkeypatch.setattr(pdf, "to_pdf", unavailable)
    assert pdf_url not in page_text(client.get(page))
    progress_pdf = reverse("web:public_progress_pdf", args=[pw.world.plan.pk])
    assert client.get(progress_pdf).status_code == 404
