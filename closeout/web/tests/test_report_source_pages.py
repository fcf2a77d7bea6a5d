"""Where a report came from, on the task page's report history, and a staged deadline's
milestones on the plan review page."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse
from django.utils import timezone, translation

from closeout.ledger import services
from closeout.ledger.models import ProgressReport, ReportSource, Task

STAGED = (
    Path(__file__).resolve().parents[2]
    / "ingest"
    / "tests"
    / "corpus"
    / "sentence_deadlines"
    / "qujing_2024_fangan.txt"
)


def test_the_report_history_names_a_source_other_than_the_units_own(client, world):
    services.report_create(
        actor=world.actor("unit_env"), task_id=world.own.pk, text="单位报送", percent=20
    )
    ProgressReport.objects.create(
        task=world.own,
        submitted_at=timezone.now(),
        text="完成情况：已完成",
        percent=100,
        source=ReportSource.DOCUMENT_IMPORT,
    )
    client.force_login(world.users["office"])
    page = client.get(reverse("web:task_detail", args=[world.own.pk])).content.decode()
    assert page.count('data-testid="report-source"') == 1
    language = re.search(r'<html lang="([^"]+)"', page).group(1)  # the page's own
    with translation.override(language):
        label = str(ReportSource.DOCUMENT_IMPORT.label)
    assert f'data-testid="report-source">{label}<' in page


def test_the_review_page_lists_a_staged_tasks_milestones(client, world):
    plan = services.plan_import(
        world.actor("office"), data=STAGED.read_bytes(), name=STAGED.name
    ).plan
    staged = Task.objects.filter(plan=plan, milestones__isnull=False).distinct().count()
    client.force_login(world.users["office"])
    page = client.get(reverse("web:plan_review", args=[plan.pk])).content.decode()
    assert page.count('data-testid="milestones"') == staged == 2
    assert "2024-12-31 完成主体工程建设" in page and "(66%)" in page
