"""The pages through Django's test client: who sees what, and what the forms do.

Assertions look at ids, states and the forms' error dictionaries rather than at
wording, because the interface is translated (Chinese by default).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from closeout.ledger import services
from closeout.ledger.models import AuditEvent, ProgressReport, Task
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.factories import (
    PASSWORD,
    PlanFactory,
    ProblemFactory,
    build_world,
    make_task,
    take,
)
from closeout.web.tests.data import PDF, VISIBLE


def _login(client, world, role):
    client.force_login(world.users[role])
    return client


def _listed_ids(response):
    return {row.task.pk for row in response.context["rows"]}


def _ids(world, names):
    return {getattr(world, name).pk for name in names}


def _detail(task):
    return reverse("web:task_detail", args=[task.pk])


def _report(task):
    return reverse("web:task_report", args=[task.pk])


def _step(task, name):
    return reverse("web:task_transition", args=[task.pk, name])


# ----------------------------------------------------------------------- home and login


def test_anonymous_visitor_sees_the_landing_page_with_a_login_link(client):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("web:login").encode() in response.content


@pytest.mark.parametrize(
    ("role", "first"),
    [
        ("office", "web:overview"),
        ("leader", "web:board"),
        ("unit_env", "web:workspace"),
        ("supervisor", "web:queue"),
    ],
)
def test_signed_in_people_are_sent_from_home_to_their_roles_first_screen(
    client, world, role, first
):
    response = _login(client, world, role).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(first)
    assert client.get(response["Location"]).status_code == 200


def test_task_pages_send_anonymous_visitors_to_the_login_page(client, world):
    world.plan.published = False
    world.plan.save(update_fields=["published"])
    for url in (reverse("web:task_list"), _detail(world.own), "/tasks/999999/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_anonymous_visitors_are_sent_to_the_public_page_of_a_published_task(client, world):
    response = client.get(_detail(world.own))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:public_task", args=[world.own.pk])


def test_login_form_signs_in_and_logout_needs_a_post(client, world):
    response = client.post(
        reverse("web:login"), {"username": "unit_env", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("web:workspace")
    assert response.context["user"].username == "unit_env"
    assert client.get(reverse("web:logout")).status_code == 405
    client.post(reverse("web:logout"))
    assert client.get(reverse("web:task_list")).status_code == 302


def test_wrong_password_shows_the_login_form_again(client, world):
    response = client.post(reverse("web:login"), {"username": "unit_env", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_header_shows_the_users_role_and_unit(client, world):
    response = _login(client, world, "unit_licheng").get(reverse("web:task_list"))
    html = response.content.decode()
    assert "unit_licheng" in html
    assert "历城区政府" in html
    assert world.users["unit_licheng"].profile.get_role_display() in html


# ----------------------------------------------------------------------- the list


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_sees_exactly_the_tasks_access_allows_on_the_list(client, world, role):
    response = _login(client, world, role).get(reverse("web:task_list"))
    assert response.status_code == 200
    assert _listed_ids(response) == _ids(world, VISIBLE[role])


def test_unit_filter_offers_only_the_units_below_the_users_own(client, world):
    response = _login(client, world, "unit_licheng").get(reverse("web:task_list"))
    offered = {unit.pk for unit in response.context["form"].fields["unit"].queryset}
    assert offered == {world.district_gov.pk, world.district_env.pk}


def test_picking_a_unit_outside_ones_own_is_refused_and_widens_nothing(client, world):
    response = _login(client, world, "unit_licheng").get(
        reverse("web:task_list"), {"unit": world.env.pk}
    )
    assert "unit" in response.context["form"].errors
    assert _listed_ids(response) == {world.child.pk}


def test_office_filters_by_unit_status_and_search(client, world):
    _login(client, world, "office")
    by_unit = client.get(reverse("web:task_list"), {"unit": world.district.pk})
    assert _listed_ids(by_unit) == {world.child.pk}
    take(world.actor("office"), world.foreign, "request_closeout")
    by_status = client.get(reverse("web:task_list"), {"status": Status.REQUESTED})
    assert _listed_ids(by_status) == {world.foreign.pk}
    extra = make_task(world.own.problem, 9, world.env, text="整治城市黑臭水体")
    services.task_transition(actor=world.actor("office"), task_id=extra.pk, name="confirm")
    by_text = client.get(reverse("web:task_list"), {"q": "黑臭"})
    assert _listed_ids(by_text) == {extra.pk}


def test_list_is_sorted_by_the_chosen_column(client, world):
    _login(client, world, "office")
    rows = client.get(reverse("web:task_list"), {"sort": "-seq"}).context["rows"]
    assert [row.task.seq for row in rows] == [3, 2, 1]
    rows = client.get(reverse("web:task_list"), {"sort": "seq"}).context["rows"]
    assert [row.task.seq for row in rows] == [1, 2, 3]


def test_list_shows_fifty_tasks_per_page(client, world):
    for seq in range(10, 58):  # 48 more: 51 in all
        make_task(world.own.problem, seq, world.env)
    _login(client, world, "office")
    first = client.get(reverse("web:task_list"))
    second = client.get(reverse("web:task_list"), {"page": 2})
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1
    assert _listed_ids(first).isdisjoint(_listed_ids(second))


def test_list_row_shows_lead_units_and_the_deadline_as_written(client, world):
    response = _login(client, world, "unit_env").get(reverse("web:task_list"))
    (row,) = response.context["rows"]
    assert [unit.name for unit in row.leads] == [world.env.name]
    assert "2020年年底" in response.content.decode()


# ----------------------------------------------------------------------- the detail


@pytest.mark.parametrize(
    ("role", "task"),
    [("unit_env", "foreign"), ("unit_water", "own"), ("supervisor_audit", "child")],
)
def test_detail_of_a_task_the_user_may_not_see_is_not_found(client, world, role, task):
    response = _login(client, world, role).get(_detail(getattr(world, task)))
    assert response.status_code == 404


def test_detail_of_a_task_that_does_not_exist_is_not_found(client, world):
    assert _login(client, world, "office").get("/tasks/999999/").status_code == 404


def test_detail_shows_the_five_clears_milestones_and_source_text(client, world):
    source = "一、问题:饮用水水源地保护不力。整改措施:(一)清理违法建筑;(二)设置隔离防护。"
    plan = PlanFactory(source_text=source)
    problem = ProblemFactory(plan=plan, seq=1, title="饮用水水源地保护不力")
    task = make_task(
        problem,
        1,
        world.env,
        world.supervising,
        target="水源地一级保护区内违法建筑全部清理",
        measures=["清理违法建筑", "设置隔离防护"],
        deadline_raw="立行立改,长期坚持",
        due_date=None,
        immediate=True,
        ongoing=True,
        milestones=[("完成排查", dt.date(2020, 3, 31), 30)],
        span_start=source.index("整改措施"),
        span_end=len(source),
    )
    # A unit sees a task once the office has confirmed it.
    services.task_transition(actor=world.actor("office"), task_id=task.pk, name="confirm")
    html = _login(client, world, "unit_env").get(_detail(task)).content.decode()
    assert html.index("清理违法建筑</li>") < html.index("设置隔离防护</li>")
    for text in (
        "水源地一级保护区内违法建筑全部清理",
        "立行立改,长期坚持",
        "完成排查",
        "市生态环境局主要负责人",
        "市督导组",
        "整改措施:(一)清理违法建筑",
    ):
        assert text in html


def test_report_form_and_buttons_follow_access(client, world):
    unit_page = _login(client, world, "unit_env").get(_detail(world.own))
    assert unit_page.context["report_form"] is not None
    assert [f.rule.name for f, _ in unit_page.context["transitions"]] == ["request_closeout"]
    leader_page = _login(client, world, "leader").get(_detail(world.own))
    assert leader_page.context["report_form"] is None
    assert leader_page.context["transitions"] == []
    supervisor_page = _login(client, world, "supervisor").get(_detail(world.own))
    assert supervisor_page.context["report_form"] is None
    assert b'data-testid="report-form"' not in supervisor_page.content


# ----------------------------------------------------------------------- progress reports


def test_unit_reports_progress_with_evidence_through_the_form(client, world):
    upload = _pdf_upload("现场照片.pdf")
    response = _login(client, world, "unit_env").post(
        _report(world.own), {"text": "已完成排查", "percent": 40, "files": [upload]}
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=world.own)
    assert (report.text, report.percent) == ("已完成排查", 40)
    assert [e.original_name for e in report.evidence.all()] == ["现场照片.pdf"]
    world.own.refresh_from_db()
    assert world.own.progress == 40
    page = client.get(_detail(world.own))
    assert "现场照片.pdf" in page.content.decode()
    assert "report.create" in [row.event.action for row in page.context["history"]]


def test_a_refused_file_shows_its_error_by_the_files_field_and_saves_nothing(client, world):
    bad = _upload("tool.bin", b"\x00\x01\x02not a known file type")
    response = _login(client, world, "unit_env").post(
        _report(world.own), {"text": "已完成排查", "percent": 40, "files": [bad]}
    )
    assert response.status_code == 400
    assert "files" in response.context["report_form"].errors
    assert not ProgressReport.objects.filter(task=world.own).exists()
    assert not AuditEvent.objects.filter(task_id=world.own.pk, action="report.create").exists()
    world.own.refresh_from_db()
    assert world.own.progress == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [({"text": "", "percent": 10}, "text"), ({"text": "x", "percent": 101}, "percent")],
)
def test_bad_report_input_shows_an_error_on_its_field(client, world, data, field):
    response = _login(client, world, "unit_env").post(_report(world.own), data)
    assert response.status_code == 400
    assert field in response.context["report_form"].errors
    assert not ProgressReport.objects.exists()


def test_a_supervisor_may_not_post_a_report(client, world):
    response = _login(client, world, "supervisor").post(_report(world.own), {"text": "x"})
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


def test_reporting_on_a_foreign_task_is_not_found(client, world):
    response = _login(client, world, "unit_env").post(_report(world.foreign), {"text": "x"})
    assert response.status_code == 404
    assert not ProgressReport.objects.exists()


# ----------------------------------------------------------------------- transitions


def test_office_confirms_a_draft_task_with_its_button(client, db):
    world = build_world(status="draft")
    _login(client, world, "office")
    page = client.get(_detail(world.own))
    assert "confirm" in [f.rule.name for f, _ in page.context["transitions"]]
    response = client.post(_step(world.own, "confirm"), {"confirm-note": ""})
    assert response.status_code == 302
    world.own.refresh_from_db()
    assert world.own.status == Status.IN_PROGRESS


def test_send_back_needs_a_reason_shown_next_to_the_note(client, world):
    take(world.actor("office"), world.own, "request_closeout")
    _login(client, world, "supervisor")
    response = client.post(_step(world.own, "send_back"), {"send_back-note": "  "})
    assert response.status_code == 400
    (failed,) = [f for f, _ in response.context["transitions"] if f.rule.name == "send_back"]
    assert "note" in failed.errors
    assert Task.objects.get(pk=world.own.pk).status == Status.REQUESTED
    response = client.post(_step(world.own, "send_back"), {"send_back-note": "证据不足"})
    assert response.status_code == 302
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS
    event = AuditEvent.objects.filter(task_id=world.own.pk).latest("id")
    assert (event.action, event.note) == ("task.send_back", "证据不足")


def test_a_step_the_user_may_not_take_is_refused_and_changes_nothing(client, world):
    response = _login(client, world, "unit_env").post(
        _step(world.own, "cancel"), {"cancel-note": "重复"}
    )
    assert response.status_code == 403
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS


def test_a_step_on_a_foreign_task_is_not_found(client, world):
    response = _login(client, world, "unit_env").post(_step(world.foreign, "request_closeout"))
    assert response.status_code == 404
    assert Task.objects.get(pk=world.foreign.pk).status == Status.IN_PROGRESS


def test_a_step_no_longer_possible_explains_why_on_the_page(client, world):
    filled = {
        "verify-checked_on": "2020-01-02",
        "verify-inspectors": "市督导组",
        "verify-note": "现场核查合格",
    }
    response = _login(client, world, "office").post(_step(world.own, "verify"), filled)
    assert response.status_code == 400
    assert response.context["page_errors"]
    assert "verify" not in [f.rule.name for f, _ in response.context["transitions"]]
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS


# ----------------------------------------------------------------------- language


def test_language_switch_to_english_changes_the_page_language(client, world):
    _login(client, world, "unit_env")
    assert b'<html lang="zh-hans">' in client.get(reverse("web:task_list")).content
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tasks/"})
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    assert b'<html lang="en">' in client.get(reverse("web:task_list")).content


# ----------------------------------------------------------------------- evidence


def test_evidence_is_streamed_to_those_who_see_the_task_and_refused_to_a_foreign_unit(
    client, world
):
    report = services.report_create(
        actor=world.actor("unit_env"),
        task_id=world.own.pk,
        text="已完成",
        files=[services.Upload("验收报告.pdf", PDF)],
    )
    evidence = report.evidence.get()
    url = reverse("web:evidence_download", args=[evidence.pk])
    for role in ("unit_env", "supervisor", "office"):
        response = _login(client, world, role).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
    for role in ("unit_water", "supervisor_audit"):
        assert _login(client, world, role).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _pdf_upload(name):
    return _upload(name, PDF)


def test_units_named_through_a_group_show_as_the_group_in_the_list(world, client):
    from closeout.ledger.models import AssignmentRole, TaskUnit, UnitGroup

    group = UnitGroup.objects.create(name="各县区党委、政府")
    for unit in (world.district_gov, world.district):
        TaskUnit.objects.create(
            task=world.own, unit=unit, role=AssignmentRole.LEAD, via_group=group
        )
    client.force_login(world.users["office"])
    page = client.get("/tasks/").content.decode()
    assert "各县区党委、政府" in page and "(2)" in page
    assert "历城区政府</span>" not in page


def test_pages_are_chinese_whatever_the_browser_prefers_until_english_is_chosen(client):
    page = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in page.content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert 'lang="en"' in page.content.decode()
