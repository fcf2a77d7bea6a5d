"""The admin, kept for superusers: who gets in, that every save is audited, that audit events stay
read-only, that life-cycle actions go through the state table, and that list pages do
not cost more queries as the ledger grows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from closeout.ledger import clock, services, sweep
from closeout.ledger.access import Actor
from closeout.ledger.admin import AtLeast, CappedPaginator
from closeout.ledger.models import (
    AuditEvent,
    CalendarDay,
    Digest,
    Role,
    Task,
    TaskUnit,
    Unit,
    UnitGroup,
)
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.factories import InspectionFactory, ProblemFactory, make_task, walk

OFFICE = Actor(role=Role.OFFICE, label="test-office")


def url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:ledger_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def office(world) -> Client:
    """The office user who is also a superuser: the admin is for superusers only, and
    what they do there is done as the office."""
    user = world.users["office"]
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=True)
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def full_world(world):
    """The world plus one row of every model the admin lists."""
    InspectionFactory()
    group = services.audited_save(OFFICE, UnitGroup(name="市生态文明建设工作领导小组"))
    services.audited_set_m2m(OFFICE, group, "members", [world.env, world.water])
    services.token_create(actor=OFFICE, user=world.users["unit_env"], name="ci")
    services.report_create(
        actor=world.actor("unit_env"),
        task_id=world.own.pk,
        text="已完成水源地排查",
        percent=40,
        files=[services.Upload("排查记录.txt", "排查记录".encode())],
    )
    # The closed loop: a whole close-out with an answered objection, then a sweep, which
    # records missing reports, schedules look-backs and issues measures; a digest row.
    office = world.actor("office")

    def who(step: str) -> Any:
        if step == "request_closeout":  # the requester takes no approval step
            return world.actor("unit_licheng")
        return world.actor("supervisor") if step in ("pass_review", "verify") else office

    walk(who, world.child, "request_closeout", "pass_review")
    objection = services.objection_lodge(
        actor=world.actor("public"), task_id=world.child.pk, text="还有异味"
    )
    services.objection_answer(actor=office, objection_id=objection.pk, answer="已复查")
    walk(who, world.child, "end_notice", "verify", "file")
    sweep.run(clock.today() + dt.timedelta(days=10))
    today = clock.today()
    services.audited_save(office, CalendarDay(date=dt.date(2027, 1, 1), note="元旦"))
    Digest.objects.create(
        recipient_key="user:1", period_start=today, period_end=today, sent_at=clock.now(),
        subject="s", items=1,
    )  # fmt: skip
    return world


def form_data(response) -> dict[str, Any]:
    """The POST body a browser would send back for an admin change page, unchanged."""
    data: dict[str, Any] = {}

    def add(form) -> None:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def ledger_admins() -> list[tuple[type, Any]]:
    return [(m, a) for m, a in admin.site._registry.items() if m._meta.app_label == "ledger"]


# ---------------------------------------------------------------------------- who gets in


def test_office_opens_every_changelist_change_page_and_add_page(full_world, office):
    registered = {m.__name__ for m, _ in ledger_admins()}
    assert registered == {
        "Task",
        "Problem",
        "Plan",
        "Inspection",
        "Unit",
        "UnitGroup",
        "Profile",
        "ApiToken",
        "ProgressReport",
        "Evidence",
        "AuditEvent",
        "LoopSettings",
        "EscalationRule",
        "Escalation",
        "CloseoutStep",
        "Objection",
        "LookbackCheck",
        "MissedReport",
        "SweepRun",
        "Digest",
        "CalendarDay",
    }
    for model, model_admin in ledger_admins():
        response = office.get(url(model, "changelist"))
        assert response.status_code == 200, model
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {model.__name__} to open"
        response = office.get(url(model, "change", obj.pk))
        assert response.status_code == 200, model
        add = office.get(url(model, "add"))
        assert add.status_code == (
            200 if model_admin.has_add_permission(response.wsgi_request) else 403
        ), model


def test_office_sees_the_ledger_on_the_admin_index(world, office):
    response = office.get(reverse("admin:index"))
    assert response.status_code == 200
    assert url(Task, "changelist") in response.content.decode()


@pytest.mark.parametrize("name", ["office", "leader", "unit_env", "supervisor"])
def test_logins_that_are_not_superusers_cannot_reach_the_admin(world, name):
    """The office included: it has its own settings pages (web:office_home)."""
    client = Client()
    client.force_login(world.users[name])
    for path in (
        reverse("admin:index"),
        url(Task, "changelist"),
        url(Task, "change", world.own.pk),
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitors_cannot_reach_the_admin(world):
    response = Client().get(url(Task, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_superuser_flag_not_the_staff_flag_opens_the_admin(world):
    user = world.users["unit_env"]
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(url(Task, "changelist")).status_code == 302


def test_a_superuser_without_a_profile_uses_the_admin_as_the_office(world):
    root = get_user_model().objects.create_superuser("root", password="x-long-password")
    client = Client()
    client.force_login(root)
    assert client.get(url(Task, "changelist")).status_code == 200
    assert client.get(url(Task, "change", world.own.pk)).status_code == 200


# ---------------------------------------------------------------------------- audited saves


def test_editing_a_task_writes_an_audit_event_with_before_and_after(world, office):
    page = office.get(url(Task, "change", world.own.pk))
    data = form_data(page)
    data["target"] = "饮用水水源地一级保护区内违法建设项目全部清理"
    data["status"] = Status.CLOSED  # read-only in the form: must be ignored
    response = office.post(url(Task, "change", world.own.pk), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    task = Task.objects.get(pk=world.own.pk)
    assert task.target == data["target"]
    assert task.status == Status.IN_PROGRESS
    event = AuditEvent.objects.filter(task_id=task.pk, action="task.update").get()
    assert event.before == {"target": ""}
    assert event.after == {"target": data["target"]}
    assert event.actor_label == "office"


def test_saving_an_unchanged_task_writes_no_audit_event(world, office):
    before = AuditEvent.objects.count()
    data = form_data(office.get(url(Task, "change", world.own.pk)))
    assert office.post(url(Task, "change", world.own.pk), data).status_code == 302
    assert AuditEvent.objects.count() == before


def test_adding_a_responsible_unit_inline_is_audited_on_the_task(world, office):
    data = form_data(office.get(url(Task, "change", world.own.pk)))
    prefix = "assignments"
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": n + 1,
            f"{prefix}-{n}-unit": world.water.pk,
            f"{prefix}-{n}-role": "coop",
        }
    )
    assert office.post(url(Task, "change", world.own.pk), data).status_code == 302
    row = TaskUnit.objects.get(task=world.own, unit=world.water)
    event = AuditEvent.objects.get(action="taskunit.create", target_id=row.pk)
    assert event.task_id == world.own.pk
    assert event.after["unit"] == world.water.pk


def test_removing_a_responsible_unit_inline_is_audited_on_the_task(world, office):
    data = form_data(office.get(url(Task, "change", world.own.pk)))
    row = TaskUnit.objects.get(task=world.own, role="supervising")
    index = next(
        k
        for k, v in data.items()
        if k.startswith("assignments-") and k.endswith("-id") and int(v) == row.pk
    ).split("-")[1]
    data[f"assignments-{index}-DELETE"] = "on"
    assert office.post(url(Task, "change", world.own.pk), data).status_code == 302
    assert not TaskUnit.objects.filter(pk=row.pk).exists()
    event = AuditEvent.objects.get(action="taskunit.delete", target_id=row.pk)
    assert event.task_id == world.own.pk


def test_adding_a_task_goes_through_the_service(world, office):
    problem = world.own.problem
    data = form_data(office.get(url(Task, "add")))
    data.update(
        {
            "problem": problem.pk,
            "seq": 9,
            "text": "开展入河排污口排查整治",
            "category": "water",
            "deadline_raw": "2021年12月31日",
            "due_date": "2021-12-31",
            "measures": json.dumps(["排查", "整治"], ensure_ascii=False),
        }
    )
    response = office.post(url(Task, "add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    task = Task.objects.get(problem=problem, seq=9)
    assert (task.plan_id, task.status, task.measures) == (
        problem.plan_id,
        Status.DRAFT,
        ["排查", "整治"],
    )
    assert AuditEvent.objects.filter(task_id=task.pk, action="task.create").count() == 1


def test_moving_a_unit_in_the_admin_keeps_the_tree_and_is_audited(world, office):
    data = form_data(office.get(url(Unit, "change", world.district_gov.pk)))
    data["parent"] = world.env.pk
    assert office.post(url(Unit, "change", world.district_gov.pk), data).status_code == 302
    below = Unit.objects.get(pk=world.district_env.pk)
    assert (
        below.path == f"{world.city.path}{world.env.pk}/{world.district_gov.pk}/"
        f"{world.district_env.pk}/"
    )
    event = AuditEvent.objects.get(action="unit.update", target_id=world.district_gov.pk)
    assert event.before["parent"] == world.district.pk and event.after["parent"] == world.env.pk


def test_placing_a_unit_below_itself_is_refused_with_a_message(world, office):
    data = form_data(office.get(url(Unit, "change", world.district.pk)))
    data["parent"] = world.district_env.pk
    office.cookies["django_language"] = "en"  # the message is checked in English
    response = office.post(url(Unit, "change", world.district.pk), data, follow=True)
    assert response.status_code == 200
    assert any("below itself" in str(m) for m in get_messages(response.wsgi_request))
    assert Unit.objects.get(pk=world.district.pk).parent_id == world.city.pk


def test_changing_group_members_is_audited(full_world, office):
    group = UnitGroup.objects.get()
    data = form_data(office.get(url(UnitGroup, "change", group.pk)))
    data["members"] = [full_world.env.pk]
    assert office.post(url(UnitGroup, "change", group.pk), data).status_code == 302
    assert list(group.members.values_list("pk", flat=True)) == [full_world.env.pk]
    event = AuditEvent.objects.filter(target_type="unitgroup", action="unitgroup.update").latest(
        "id"
    )
    assert event.after == {"members": [full_world.env.pk]}


def test_deleting_a_record_in_the_admin_is_audited(full_world, office):
    inspection = InspectionFactory()
    response = office.post(url(type(inspection), "delete", inspection.pk), {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="inspection.delete", target_id=inspection.pk)
    assert event.before["name"] == inspection.name


# ---------------------------------------------------------------------------- audit events


def test_audit_events_are_read_only_in_the_admin(world, office):
    event = AuditEvent.objects.filter(task_id=world.own.pk).latest("id")
    page = office.get(url(AuditEvent, "change", event.pk))
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}
    assert not page.context["has_change_permission"]
    data = {"action": "forged", "note": "forged"}
    assert office.post(url(AuditEvent, "change", event.pk), data).status_code == 403
    assert office.get(url(AuditEvent, "delete", event.pk)).status_code == 403
    assert office.post(url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert office.get(url(AuditEvent, "add")).status_code == 403
    event.refresh_from_db()
    assert event.action == "task.create" or event.action.startswith("task.")
    assert event.note != "forged"


def test_audit_events_have_no_bulk_delete_action(world, office):
    page = office.get(url(AuditEvent, "changelist"))
    assert page.context["action_form"] is None
    count = AuditEvent.objects.count()
    response = office.post(
        url(AuditEvent, "changelist"),
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [AuditEvent.objects.first().pk],
            "post": "yes",
        },
    )
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.count() == count


def test_the_task_page_shows_its_history_read_only(world, office):
    page = office.get(url(Task, "change", world.own.pk))
    history = next(
        i for i in page.context["inline_admin_formsets"] if i.formset.model is AuditEvent
    )
    actions = {form.instance.action for form in history.formset.forms}
    assert {"task.create", "task.confirm"} <= actions
    assert not history.has_change_permission and not history.has_delete_permission


def test_audit_events_filter_by_action_and_object_type(world, office):
    page = office.get(url(AuditEvent, "changelist"), {"action": "confirm"})
    shown = {e.action for e in page.context["cl"].result_list}
    assert shown == {"task.confirm"}
    page = office.get(url(AuditEvent, "changelist"), {"target_type": "unit"})
    assert {e.target_type for e in page.context["cl"].result_list} == {"unit"}


# ---------------------------------------------------------------------------- actions


def _act(client: Client, name: str, tasks: list[Task], note: str = ""):
    return client.post(
        url(Task, "changelist"),
        {
            "action": f"transition_{name}",
            ACTION_CHECKBOX_NAME: [t.pk for t in tasks],
            "note": note,
            "index": 0,
        },
        follow=True,
    )


def test_a_transition_action_moves_the_task_and_audits_it(world, office):
    response = _act(office, "cancel", [world.own, world.child], note="duplicate of task 3")
    assert response.status_code == 200
    for task in (world.own, world.child):
        task.refresh_from_db()
        assert task.status == Status.CANCELLED
        event = AuditEvent.objects.filter(task_id=task.pk).latest("id")
        assert (event.action, event.actor_label) == ("task.cancel", "office")
        assert event.before == {"status": Status.IN_PROGRESS}
        assert event.note == "duplicate of task 3"
    assert any("2" in str(m) for m in get_messages(response.wsgi_request))


def test_steps_that_need_input_are_not_bulk_actions(world, office):
    response = office.get("/admin/ledger/task/")
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "transition_cancel" in actions
    assert "transition_request_closeout" not in actions
    assert "transition_verify" not in actions


def test_a_transition_action_reports_the_tasks_it_could_not_move(world, office):
    response = _act(office, "file", [world.own])
    world.own.refresh_from_db()
    assert world.own.status == Status.IN_PROGRESS
    errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert len(errors) == 1 and f"#{world.own.pk}" in str(errors[0])


def test_a_transition_needing_a_reason_takes_it_from_the_action_bar(world, office):
    _act(office, "cancel", [world.foreign])
    world.foreign.refresh_from_db()
    assert world.foreign.status == Status.IN_PROGRESS
    _act(office, "cancel", [world.foreign], note="与第1项重复")
    world.foreign.refresh_from_db()
    assert world.foreign.status == Status.CANCELLED
    event = AuditEvent.objects.filter(task_id=world.foreign.pk).latest("id")
    assert (event.action, event.note) == ("task.cancel", "与第1项重复")


def test_tasks_have_no_bulk_delete_action(world, office):
    page = office.get(url(Task, "changelist"))
    choices = [name for name, _ in page.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in choices
    assert "transition_confirm" in choices


# ---------------------------------------------------------------------------- scale


def _changelist_queries(client: Client, model: type, params: dict | None = None) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(model, "changelist"), params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (Task, {}),
        (Task, {"status__exact": "in_progress", "q": "整改"}),
        (AuditEvent, {}),
        (Unit, {"q": "局"}),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(
    world, office, django_assert_max_num_queries, model, params
):
    baseline = _changelist_queries(office, model, params)
    problem = ProblemFactory(plan=world.plan, seq=2)
    for seq in range(10, 40):
        make_task(problem, seq, world.env, world.supervising)
    with django_assert_max_num_queries(baseline):
        office.get(url(model, "changelist"), params)


def test_the_paginator_stops_counting_at_its_cap(world):
    paginator = CappedPaginator(Task.objects.all(), 1)
    paginator.cap = 2
    assert paginator.count == 2 and isinstance(paginator.count, AtLeast)
    assert str(paginator.count) == "2+"
    assert paginator.num_pages == 2
    exact = CappedPaginator(Task.objects.filter(pk=world.own.pk), 1)
    assert exact.count == 1 and not isinstance(exact.count, AtLeast)


def test_a_capped_changelist_says_there_are_more(world, office, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    page = office.get(url(Task, "changelist"), {"o": ""})
    assert page.context["cl"].result_count == 2
    assert "2+" in page.content.decode()


def test_the_task_list_filters_by_plan_without_loading_plan_sources(world, office):
    world.plan.source_text = "全文" * 1000
    world.plan.save()
    page = office.get(url(Task, "changelist"), {"plan__id__exact": world.plan.pk})
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 3
    task = page.context["cl"].result_list[0]
    assert "source_text" in task.plan.get_deferred_fields()


def test_a_due_date_filter_narrows_the_task_list(world, office):
    Task.objects.filter(pk=world.own.pk).update(due_date=dt.date(2030, 1, 1))
    page = office.get(url(Task, "changelist"), {"due_date__gte": "2029-01-01"})
    assert [t.pk for t in page.context["cl"].result_list] == [world.own.pk]


def test_tasks_sorted_by_due_date_break_ties_by_id_in_the_same_direction(world, office):
    # Same due date for all three: the order must follow the (due_date, id) index.
    ids = sorted(t.pk for t in (world.own, world.child, world.foreign))
    for sort, expected in (("7", ids), ("-7", ids[::-1])):
        response = office.get(reverse("admin:ledger_task_changelist"), {"o": sort})
        shown = [t.pk for t in response.context["cl"].result_list]
        assert shown == expected
