"""POST /api/tasks/{id}/reports with evidence, and downloading the evidence again."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from closeout.api.tests.conftest import TINY_PDF, tiny_png
from closeout.ledger import services
from closeout.ledger.models import AuditEvent, Evidence, Milestone, ProgressReport, Task


def _post(client, task, **data):
    return client.post(f"/api/tasks/{task.pk}/reports", data)


def test_a_responsible_unit_reports_progress_with_a_photo_and_a_pdf(world, as_user):
    png = tiny_png()
    response = _post(
        as_user("unit_env"),
        world.own,
        text="已完成排查",
        percent="40",
        files=[
            SimpleUploadedFile("现场照片.png", png, content_type="image/png"),
            SimpleUploadedFile("验收报告.pdf", TINY_PDF, content_type="application/pdf"),
        ],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text"] == "已完成排查"
    assert body["percent"] == 40
    assert body["unit"] == world.env.pk
    evidence = {e["name"]: e for e in body["evidence"]}
    assert evidence["现场照片.png"]["content_type"] == "image/png"
    assert evidence["现场照片.png"]["sha256"] == hashlib.sha256(png).hexdigest()
    assert evidence["验收报告.pdf"]["content_type"] == "application/pdf"
    assert evidence["验收报告.pdf"]["size"] == len(TINY_PDF)
    assert Task.objects.get(pk=world.own.pk).progress == 40
    assert AuditEvent.objects.filter(task=world.own, action="report.create").count() == 1
    detail = as_user("supervisor").get(f"/api/tasks/{world.own.pk}").json()
    assert [len(r["evidence"]) for r in detail["reports"]] == [2]


def test_evidence_is_downloaded_by_whoever_sees_the_task_and_nobody_else(world, as_user):
    png = tiny_png()
    _post(as_user("unit_env"), world.own, text="照片", files=SimpleUploadedFile("a.png", png))
    evidence = Evidence.objects.get()
    response = as_user("supervisor").get(f"/api/evidence/{evidence.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert as_user("unit_water").get(f"/api/evidence/{evidence.pk}").status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("report.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_a_disguised_file_is_refused_and_nothing_is_saved(world, as_user, name, content):
    response = _post(
        as_user("unit_env"),
        world.own,
        text="附件",
        files=SimpleUploadedFile(name, content, content_type="image/png"),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "files"
    assert name in response.json()["detail"]
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()


def test_an_oversized_file_is_refused_naming_it(world, as_user, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    response = _post(
        as_user("unit_env"), world.own, text="大文件", files=SimpleUploadedFile("big.pdf", TINY_PDF)
    )
    assert response.status_code == 413
    assert response.json()["field"] == "files" and "big.pdf" in response.json()["detail"]
    assert not ProgressReport.objects.exists()


def test_reaching_a_milestone_raises_progress_to_its_expectation(world, as_user):
    milestone = Milestone.objects.create(
        task=world.own, seq=1, title="完成排查", due_date="2020-06-30", expected_progress=50
    )
    response = _post(as_user("unit_env"), world.own, text="排查完成", milestone=str(milestone.pk))
    assert response.status_code == 201
    assert response.json()["milestone"] == milestone.pk
    assert Task.objects.get(pk=world.own.pk).progress == 50


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"text": " "}, 400, "text"),
        ({"text": "x", "percent": "150"}, 400, "percent"),
        ({"text": "x", "milestone": "999999"}, 400, "milestone"),
        ({}, 422, "text"),
        ({"text": "x", "percent": "half"}, 422, "percent"),
    ],
)
def test_bad_report_input_is_rejected_naming_the_field(world, as_user, data, status, field):
    response = _post(as_user("unit_env"), world.own, **data)
    assert response.status_code == status
    assert response.json()["field"] == field
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("user", "status"),
    [("supervisor", 403), ("leader", 403), ("unit_water", 404), ("unit_licheng", 404)],
)
def test_only_responsible_units_and_the_office_report(world, as_user, user, status):
    assert _post(as_user(user), world.own, text="x").status_code == status
    assert not ProgressReport.objects.exists()


def test_the_office_reports_on_behalf_of_the_lead_unit(world, as_user):
    response = _post(as_user("office"), world.own, text="代报")
    assert response.status_code == 201
    assert response.json()["unit"] == world.env.pk


def test_no_reports_while_a_task_is_cancelled(world, as_user):
    services.task_transition(
        actor=world.actor("office"), task_id=world.own.pk, name="cancel", note="重复"
    )
    response = _post(as_user("unit_env"), world.own, text="x")
    assert response.status_code == 409


def test_reports_are_listed_newest_first(world, as_user):
    client = as_user("unit_env")
    _post(client, world.own, text="第一次")
    _post(client, world.own, text="第二次")
    reports = client.get(f"/api/tasks/{world.own.pk}/reports").json()
    assert [r["text"] for r in reports] == ["第二次", "第一次"]
