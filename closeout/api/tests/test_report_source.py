"""The API says where each report came from (ReportOut.source)."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from closeout.ledger.models import ProgressReport, ReportSource


def test_reports_carry_their_source(world, as_user):
    client = as_user("unit_env")
    posted = client.post(f"/api/tasks/{world.own.pk}/reports", {"text": "已完成排查"})
    assert posted.status_code == 201, posted.content
    assert posted.json()["source"] == "unit"
    ProgressReport.objects.create(
        task=world.own,
        submitted_at=timezone.now(),
        text="完成情况：已完成",
        source=ReportSource.LEDGER_IMPORT,
    )
    detail = as_user("supervisor").get(f"/api/tasks/{world.own.pk}").json()
    assert sorted(r["source"] for r in detail["reports"]) == ["ledger_import", "unit"]
    listed = client.get(f"/api/tasks/{world.own.pk}/reports").json()
    assert sorted(r["source"] for r in listed) == ["ledger_import", "unit"]


def test_the_schema_lists_the_sources(db):
    schema = Client().get("/api/openapi.json").json()
    out = schema["components"]["schemas"]["ReportOut"]["properties"]["source"]
    ref = out.get("$ref") or out["allOf"][0]["$ref"]
    values = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"]
    assert values == [s.value for s in ReportSource]
