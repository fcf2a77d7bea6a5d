"""The ledger workbook import pages: upload → preview → apply through the test client,
who may use them, and a kept file that cannot be named by a path."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from closeout.ledger.models import AuditEvent, ProgressReport
from closeout.ledger.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HEADER = ["序号", "整改措施", "整改进展", "进度(%)", "任务编号"]


@pytest.fixture
def client(client, settings):
    """Pages in English: the tests read the English messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client


def _login(client, username):
    client.logout()  # empties the cookies: the language's too
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username


def _workbook(*rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, data, name="台账.xlsx"):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(reverse("web:ledger_import"), {"file": file})


def test_upload_preview_apply(client, world):
    _login(client, "unit_env")
    page = client.get(reverse("web:task_list"))
    assert b'data-testid="ledger-import-link"' in page.content
    data = _workbook([1, world.own.text, "本周完成排查", 30, world.own.pk],
                     [2, world.foreign.text, "别人的任务", 50, world.foreign.pk])  # fmt: skip
    preview = _upload(client, data)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "台账 row 2, column D (进度(%))" in body
    assert f"台账 row 3, column E (任务编号): task {world.foreign.pk} is not one of" in body
    assert "Apply 1 change" in body
    assert not ProgressReport.objects.exists()
    form = preview.context["apply"]
    result = client.post(reverse("web:ledger_import_apply"), form.initial)
    assert result.status_code == 200
    assert "1 progress report written" in result.content.decode()
    report = ProgressReport.objects.get()
    assert (report.task_id, report.text, report.percent) == (world.own.pk, "本周完成排查", 30)
    assert AuditEvent.objects.filter(action="ledger.import", note="台账.xlsx").count() == 1
    again = client.post(reverse("web:ledger_import_apply"), form.initial)  # the file is gone
    assert again.status_code == 400 and ProgressReport.objects.count() == 1


@pytest.mark.parametrize("user", ["supervisor", "leader"])
def test_roles_that_do_not_report_are_refused(client, world, user):
    _login(client, user)
    assert client.get(reverse("web:ledger_import")).status_code == 403
    assert b"ledger-import-link" not in client.get(reverse("web:task_list")).content


def test_a_bad_file_is_shown_on_the_form(client, world):
    _login(client, "office")
    response = _upload(client, b"not a workbook", name="x.xlsx")
    assert response.status_code == 200
    assert "x.xlsx cannot be read: not an Excel workbook" in response.content.decode()


@pytest.mark.parametrize("sha", ["../../secret_key", "a" * 63, "A" * 64])
def test_apply_names_the_kept_file_only_by_its_hash(client, world, sha):
    _login(client, "office")
    response = client.post(
        reverse("web:ledger_import_apply"), {"sha256": sha, "digest": "0" * 64, "name": "x"}
    )
    assert response.status_code == 400
    assert "upload the workbook again" in response.content.decode()


def test_apply_with_a_stale_digest_is_refused(client, world):
    _login(client, "office")
    preview = _upload(client, _workbook([1, world.own.text, "进展", 30, world.own.pk]))
    initial = dict(preview.context["apply"].initial, digest="f" * 64)
    response = client.post(reverse("web:ledger_import_apply"), initial)
    assert response.status_code == 400
    assert "changed since the preview" in response.content.decode()
    assert not ProgressReport.objects.exists()
