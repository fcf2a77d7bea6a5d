"""The office's import page takes an Excel ledger (台账) too: its rows become a draft plan
on the same review page as a document's, each task showing the sheet and row it came
from, and its progress columns the tasks' first reports."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from closeout.ingest.tests.ledgerbooks import TITLE, ledger_workbook, plain_workbook
from closeout.ledger.models import Plan, ProgressReport
from closeout.web.tests.test_import_pages import _login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client, data: bytes, name: str = "台账.xlsx"):
    file = SimpleUploadedFile(name, data, content_type=XLSX)
    return client.post(reverse("web:plan_upload"), {"file": file})


def test_an_uploaded_ledger_is_reviewed_like_a_document_with_its_rows(client, world):
    _login(client, "office")
    response = _upload(client, ledger_workbook())
    plan = Plan.objects.get(title=TITLE)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:plan_review", args=[plan.pk])
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="review-task"') == 4
    assert page.count('data-testid="source"') == 4
    assert "大气 第6行: " in page and "水 第2行: " in page
    texts = ProgressReport.objects.filter(task__plan=plan).values_list("text", flat=True)
    assert set(texts) == {"已淘汰锅炉120台\n完成情况：推进中", "检查企业35家\n完成情况：已完成",
                          "完成情况：已销号", "管网已铺设8公里"}  # fmt: skip


def test_a_workbook_without_a_ledger_header_is_refused_on_the_page(client, world):
    _login(client, "office")
    data = plain_workbook(("通讯录", [["姓名", "电话"], ["张三", "123"]]))
    response = _upload(client, data, "通讯录.xlsx")
    assert response.status_code == 200
    assert "通讯录" in response.content.decode()
    assert not Plan.objects.filter(source_name="通讯录.xlsx").exists()
