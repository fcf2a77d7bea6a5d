"""The office's import pages: upload, review (decide unit names, edit fields), confirm."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import Plan, Task, TaskUnit, UnitProposal
from closeout.ledger.tests.factories import PASSWORD

PLAN = """济南市水源保护整改方案
一、主要措施
1.清理饮用水水源保护区违法建筑。(责任单位:市生态环境局、市水务局;整改时限:2019年底)
2.开展水源地规范化建设。(责任单位:市生态环境局;整改时限:立行立改)
"""


def _login(client, username):
    # Through the login page: the login throttle (axes) judges logins by their request.
    client.logout()
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username


def _upload(client, text=PLAN, name="plan.txt"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")
    return client.post(reverse("web:plan_upload"), {"file": file})


def test_only_the_office_reaches_the_import_pages(client, world):
    _login(client, "unit_env")
    assert client.get(reverse("web:plan_upload")).status_code == 403
    assert _upload(client).status_code == 403
    assert not Plan.objects.filter(title__contains="水源保护").exists()
    _login(client, "office")
    page = client.get(reverse("web:plan_upload"))
    assert page.status_code == 200 and b'data-testid="nav-import"' in page.content


def test_office_uploads_reviews_decides_and_confirms(client, world):
    _login(client, "office")
    response = _upload(client)
    plan = Plan.objects.get(title="济南市水源保护整改方案")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:plan_review", args=[plan.pk])
    review = client.get(response["Location"])
    assert review.status_code == 200 and review.content.count(b'data-testid="review-task"') == 2
    proposal = UnitProposal.objects.get(task__plan=plan)
    assert proposal.text == "市水务局" and proposal.candidates[0]["name"] == "市城乡水务局"
    # Confirming before the decision is refused with the name in the message.
    refused = client.post(reverse("web:plan_confirm", args=[plan.pk]), follow=True)
    assert "市水务局" in refused.content.decode()
    assert set(Task.objects.filter(plan=plan).values_list("status", flat=True)) == {"draft"}
    client.post(
        reverse("web:plan_proposal_decide", args=[plan.pk, proposal.pk]),
        {"unit": proposal.candidates[0]["unit"]},
    )
    assert TaskUnit.objects.filter(task=proposal.task, unit__name="市城乡水务局").exists()
    # Nor without a supervising unit: the plan names none, the office gives a default.
    refused = client.post(reverse("web:plan_confirm", args=[plan.pk]), follow=True)
    assert "no supervising unit" in refused.content.decode() or "督导" in refused.content.decode()
    services.plan_supervisor_default(
        Actor.of(world.users["office"]), plan_id=plan.pk, unit_id=world.supervising.pk
    )
    done = client.post(reverse("web:plan_confirm", args=[plan.pk]))
    assert done.status_code == 302
    assert set(Task.objects.filter(plan=plan).values_list("status", flat=True)) == {"in_progress"}


def test_a_field_error_is_shown_next_to_the_field(client, world):
    _login(client, "office")
    _upload(client)
    task = Task.objects.get(plan__title="济南市水源保护整改方案", seq=2)
    url = reverse("web:plan_task_fields", args=[task.plan_id, task.pk])
    prefix = f"t{task.pk}"
    bad = client.post(url, {f"{prefix}-text": "", f"{prefix}-due_date": "not a date"})
    assert bad.status_code == 400
    assert f'id="id_{prefix}-due_date_errors"'.encode() in bad.content
    ok = client.post(
        url,
        {f"{prefix}-text": "开展水源地规范化建设。", f"{prefix}-deadline_raw": "2020年6月底",
         f"{prefix}-due_date": "2020-06-30"},
    )  # fmt: skip
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.deadline_raw == "2020年6月底" and task.due_date.isoformat() == "2020-06-30"


def test_an_unreadable_upload_is_refused_next_to_the_file_field(client, world):
    _login(client, "office")
    response = _upload(client, text="not a zip", name="broken.docx")
    assert response.status_code == 200
    assert b'id="id_file_errors"' in response.content and b"broken.docx" in response.content


try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser test needs playwright
    expect = None


@pytest.mark.browser
@pytest.mark.skipif(expect is None and not os.environ.get("CI"), reason="no playwright")
def test_office_imports_and_confirms_a_plan_in_the_browser(
    page, live_server, transactional_db, world, tmp_path
):
    base = live_server.url
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill("office")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the role's first screen
    page.locator("[data-testid=nav-import]").click()
    path = tmp_path / "plan.txt"
    path.write_text(PLAN, encoding="utf-8")
    upload = page.locator("[data-testid=upload-form]")
    upload.locator("input[name=file]").set_input_files(str(path))
    upload.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/plans/*/review/")
    expect(page.locator("[data-testid=review-task]")).to_have_count(2)
    page.locator("[data-testid=proposal] form button[type=submit]").click()
    page.wait_for_load_state()
    # The plan names no supervising unit: the office gives one to every task at once.
    default = page.locator("[data-testid=default-supervisor-form]")
    default.locator("input[name=default-unit]").fill("市督导组")
    default.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("[data-testid=confirm-form] button[type=submit]").click()
    page.wait_for_url(f"{base}/tasks/")
    plan = Plan.objects.get(title="济南市水源保护整改方案")
    assert plan.status == "confirmed"


def test_the_office_lists_plans_with_drafts_to_review_first(client, db):
    from closeout.ledger.access import Actor
    from closeout.ledger.models import Role
    from closeout.ledger.tests.factories import PASSWORD, PlanFactory

    office = Actor(role=Role.OFFICE, label="setup")
    user = services.user_create(actor=office, username="o2", password=PASSWORD, role=Role.OFFICE)
    PlanFactory(title="已确认方案", status="confirmed")
    PlanFactory(title="待审核方案", status="draft")
    client.force_login(user)
    page = client.get("/plans/").content.decode()
    assert page.index("待审核方案") < page.index("已确认方案")
    assert "/review/" in page


def test_only_the_office_sees_the_plan_list(world, client):
    client.force_login(world.users["unit_env"])
    assert client.get("/plans/").status_code == 403


def test_review_flags_read_in_the_page_language():
    from django.utils import translation

    from closeout.web.templatetags.closeout import flag_label

    with translation.override("en"):
        assert flag_label("missing_lead_units: no responsible unit given") == (
            "No responsible unit given"
        )
        assert flag_label("deadline_unparsed: 2019年春") == "Deadline not understood: 2019年春"
        assert flag_label("something_new: kept as is") == "something_new: kept as is"
    note = "deadline_note: several dates (staged): milestones in order; the latest is the deadline"
    unparsed = "deadline_unparsed: no year: the phrase states none and the plan's year is unknown"
    with translation.override("zh-hans"):
        assert flag_label(note) == "整改时限说明: 分阶段的多个日期：按先后为节点，最晚的为整改时限"
        assert flag_label(unparsed) == "整改时限无法识别: 未写年份，方案也未给出年份"
        assert flag_label("deadline_unparsed: 2019年春") == "整改时限无法识别: 2019年春"


def test_every_deadline_note_translated_is_one_the_parser_writes():
    from pathlib import Path

    from closeout.ingest import deadlines
    from closeout.web.templatetags.closeout import NOTE_LABELS

    source = Path(deadlines.__file__).read_text(encoding="utf-8")
    assert [note for note in NOTE_LABELS if f'"{note}"' not in source] == []
