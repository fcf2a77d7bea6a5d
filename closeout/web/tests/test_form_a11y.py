"""Forms a screen reader can use: every field has a label tied to it, required fields
say so, a field in error is marked invalid and described by its error (the ids it
names exist), and the form's problems are summed up at its top in an alert."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _widgets(page: str) -> list[str]:
    return re.findall(r"<(?:input|textarea|select)\b[^>]*>", page)


def _attr(tag: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return match.group(1) if match else None


def _check_fields(page: str) -> list[str]:
    """Every visible field labelled; every aria-describedby id present; returns the
    ids of the fields marked invalid."""
    invalid = []
    for tag in _widgets(page):
        if _attr(tag, "type") in ("hidden", "submit") or 'name="csrfmiddlewaretoken"' in tag:
            continue
        field_id = _attr(tag, "id")
        assert field_id, tag
        labelled = f'for="{field_id}"' in page or _attr(tag, "aria-label")
        in_fieldset = _attr(tag, "type") in ("radio", "checkbox")
        assert labelled or in_fieldset, tag
        for ref in (_attr(tag, "aria-describedby") or "").split():
            assert f'id="{ref}"' in page, (tag, ref)
        if _attr(tag, "aria-invalid") == "true":
            invalid.append(field_id)
    return invalid


def test_a_failed_login_says_what_is_wrong_in_an_alert(client, world):
    response = client.post(reverse("web:login"), {"username": "office", "password": "wrong"})
    page = response.content.decode()
    assert 'role="alert"' in page and 'data-testid="error-summary"' in page
    _check_fields(page)
    assert "visually-hidden" in page  # "(required)" for screen readers beside the star


def test_a_report_with_a_bad_percentage_marks_the_field_and_links_to_it(client, world):
    client.force_login(world.users["unit_env"])
    url = reverse("web:task_report", args=[world.own.pk])
    response = client.post(url, {"text": "进展", "percent": "150"})
    assert response.status_code == 400
    page = response.content.decode()
    invalid = _check_fields(page)
    assert invalid, "no field marked aria-invalid"
    for field_id in invalid:
        assert f'id="{field_id}_error"' in page  # what aria-describedby names
    detail = client.get(reverse("web:task_detail", args=[world.own.pk])).content.decode()
    _check_fields(detail)


def test_the_plan_upload_form_is_labelled(client, world):
    client.force_login(world.users["office"])
    empty = SimpleUploadedFile("方案.docx", b"")
    page = client.post(reverse("web:plan_upload"), {"file": empty}).content.decode()
    assert 'data-testid="error-summary"' in page and 'href="#id_file"' in page
    assert _check_fields(page) == ["id_file"]
