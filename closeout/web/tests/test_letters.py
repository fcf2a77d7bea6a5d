"""A measure's letter from the task page: who may download it, its type and file name."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse

from closeout.documents import pdf
from closeout.ledger import clock, services
from closeout.ledger.models import IssuedNumber

DAY = dt.date(2026, 12, 4)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def measure(world):
    with clock.frozen_at(DAY):
        return services.escalation_issue(
            actor=world.actor("office"), task_id=world.own.pk, level="listed",
            reason="整改严重滞后", cause_key="k1", response_days=10,
        )


def _url(world, measure, name="web:escalation_letter"):
    return reverse(name, args=[world.own.pk, measure.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("office", 200),
        ("leader", 200),
        ("unit_env", 200),  # the unit addressed
        ("supervisor", 200),  # supervises the task
        ("unit_water", 404),
        ("supervisor_audit", 404),
    ],
)
def test_who_may_download_the_letter(client, world, measure, who, status):
    client.force_login(world.users[who])
    response = client.get(_url(world, measure))
    assert response.status_code == status
    assert IssuedNumber.objects.exists() == (status == 200)


def test_a_visitor_is_sent_to_log_in(client, world, measure):
    response = client.get(_url(world, measure))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not IssuedNumber.objects.exists()


def test_the_letter_is_a_docx_with_its_chinese_name(client, world, measure):
    client.force_login(world.users["office"])
    response = client.get(_url(world, measure))
    assert response["Content-Type"] == DOCX
    name = "督办〔2026〕1号挂牌督办通知.docx"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    assert response["Cache-Control"].count("no-store") == 1
    assert response.content[:2] == b"PK"


def test_a_measure_of_another_task_is_not_found(client, world, measure):
    client.force_login(world.users["office"])
    url = reverse("web:escalation_letter", args=[world.foreign.pk, measure.pk])
    assert client.get(url).status_code == 404


def test_the_task_page_links_the_letter(client, world, measure):
    client.force_login(world.users["unit_env"])
    html = client.get(reverse("web:task_detail", args=[world.own.pk])).content.decode()
    assert f'href="{_url(world, measure)}"' in html
    assert (f'href="{_url(world, measure, "web:escalation_letter_pdf")}"' in html) == (
        pdf.available()
    )


def test_the_pdf_renders(client, world, measure):
    if not pdf.available():
        pytest.skip("LibreOffice is not installed")
    client.force_login(world.users["office"])
    response = client.get(_url(world, measure, "web:escalation_letter_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
