"""The circular's pages: who may download it (the office and the leaders; units,
supervisors and the public refused), the download itself, the period picker on the
overview and the board, and the office's template (kept, audited, refused with the tag
named, removed)."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from closeout.documents import pdf
from closeout.ledger import sweep
from closeout.ledger.models import AuditEvent, Task
from closeout.ledger.services import circulars

pytestmark = pytest.mark.django_db
D = dt.date
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def _quick_charts(request, monkeypatch):
    """Charts are drawn (vl-convert, a second or more each) only where a test's name says
    so; elsewhere the document gets none."""
    if "charts" not in request.node.name:
        monkeypatch.setattr(circulars, "draw_charts", lambda figures, data: {})


@pytest.fixture
def swept(world):
    Task.objects.filter(pk=world.foreign.pk).update(due_date=D(2019, 3, 1))
    sweep.run(D(2019, 3, 6))
    return world


def _docx(*lines: str) -> bytes:
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


@pytest.mark.parametrize(
    ("role", "status"),
    [("office", 200), ("leader", 200), ("unit_env", 403), ("supervisor", 403), ("public", 302)],
)
def test_only_the_office_and_leaders_get_a_circular(swept, client, role, status):
    if role != "public":
        client.force_login(swept.users[role])
    response = client.get(reverse("web:circular_download"), {"period": "2019-03-10"})
    assert response.status_code == status
    assert client.get(reverse("web:circulars")).status_code == status
    if status == 200:
        assert response["Content-Type"] == DOCX
        assert "attachment" in response["Content-Disposition"]
        texts = _texts(response.content)
        assert "关于全市生态环境保护督察整改工作进展情况的通报" in texts
        assert "一、总体进展" in texts


def test_the_latest_period_and_one_plan_download_with_charts(swept, client):
    client.force_login(swept.users["leader"])
    response = client.get(
        reverse("web:circular_download"), {"period": "latest", "plan": swept.plan.pk}
    )
    assert response.status_code == 200
    assert f"关于《{swept.plan.title}》整改工作进展情况的通报" in _texts(response.content)
    assert b"word/media/" in response.content  # the charts are images in the document


@pytest.mark.parametrize(
    ("query", "status"), [({"period": "2019-04-01"}, 404), ({"period": "soon"}, 400)]
)
def test_a_period_without_snapshot_or_not_a_date_is_refused(swept, client, query, status):
    client.force_login(swept.users["office"])
    assert client.get(reverse("web:circular_download"), query).status_code == status


def test_the_overview_and_the_board_offer_the_periods(swept, client):
    client.force_login(swept.users["office"])
    for name in ("web:overview", "web:board"):
        html = client.get(reverse(name)).content.decode()
        assert 'data-testid="circular-picker"' in html
        assert re.search(r'<option value="2019-03-10">2019-03-04 – 2019-03-10</option>', html)


def test_the_office_keeps_its_template_and_circulars_use_it(swept, client):
    client.force_login(swept.users["office"])
    upload = SimpleUploadedFile("通报模板.docx", _docx("{{ title }}", "{{ number }}", "自定义模板"))
    response = client.post(reverse("web:circular_template"), {"template": upload})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="circular.template_save").count() == 1
    made = client.get(reverse("web:circular_download"), {"period": "2019-03-10"})
    assert "自定义模板" in _texts(made.content)
    assert "通报模板.docx" in client.get(reverse("web:circulars")).content.decode()

    assert client.post(reverse("web:circular_template_remove")).status_code == 302
    made = client.get(reverse("web:circular_download"), {"period": "2019-03-10"})
    assert "一、总体进展" in _texts(made.content)
    assert AuditEvent.objects.filter(action="circular.template_remove").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.docx", _docx("{{ unknown_name }}"), "{{ unknown_name }}"),
        ("t.docx", _docx("{% for u in ranking %}"), "{% for u in ranking %}"),
        ("t.pdf", b"%PDF-1.4", "t.pdf"),
        ("t.docx", b"not a zip", "not a Word"),
    ],
)
def test_a_bad_template_is_refused_naming_the_tag(swept, client, name, content, message):
    client.force_login(swept.users["office"])
    response = client.post(
        reverse("web:circular_template"), {"template": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action="circular.template_save").exists()


def test_a_leader_may_not_keep_a_template(swept, client):
    client.force_login(swept.users["leader"])
    upload = SimpleUploadedFile("t.docx", _docx("{{ title }}"))
    assert client.post(reverse("web:circular_template"), {"template": upload}).status_code == 403


def test_the_command_writes_the_circular_with_the_same_number(swept, tmp_path):
    out = tmp_path / "c.docx"
    call_command("report", "circular", "--period", "2019-03-07", "-o", str(out))
    first = out.read_bytes()
    call_command("report", "circular", "--period", "latest", "-o", str(out))
    assert out.read_bytes() == first
    template = tmp_path / "mine.docx"
    template.write_bytes(_docx("{{ number }}", "{{ period_end }}"))
    call_command("report", "circular", "--period", "latest", "--template", str(template),
                 "-o", str(out))  # fmt: skip
    assert _texts(out.read_bytes())[1] == "2019年3月10日"


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed")
def test_the_pdf_variant_downloads(swept, client):
    client.force_login(swept.users["office"])
    response = client.get(reverse("web:circular_download"), {"period": "latest", "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
