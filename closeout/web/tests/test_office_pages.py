"""The office's settings pages through the test client: who may open them, that each form
changes what it says through its service, that errors are shown next to their field and
in a summary, linked for screen readers, and that no password hash ever shows."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from closeout.ledger.models import (
    AuditEvent,
    CalendarDay,
    EscalationRule,
    LoopSettings,
    Role,
    Unit,
    UnitAlias,
)

GET_PAGES = [
    ("web:office_home", ()),
    ("web:office_rules", ()),
    ("web:office_rule_add", ()),
    ("web:office_loop", ()),
    ("web:office_days", ()),
    ("web:office_users", ()),
    ("web:office_user_add", ()),
    ("web:office_units", ()),
    ("web:office_unit_add", ()),
]


def client_for(world, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


@pytest.fixture
def office(world) -> Client:
    return client_for(world, "office")


def field_errors(html: str, field_id: str) -> tuple[bool, bool]:
    """Whether the input `field_id` is marked invalid and described by its error list."""
    tag = re.search(rf"<(input|select)[^>]*id=\"{field_id}\"[^>]*>", html)
    assert tag, field_id
    described = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    linked = bool(described) and f"{field_id}_error" in described.group(1).split()
    return 'aria-invalid="true"' in tag.group(0), linked and f'id="{field_id}_error"' in html


# ---------------------------------------------------------------------------- who may


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_the_office_opens_every_settings_page(world, office, name, args):
    response = office.get(reverse(name, args=args))
    assert response.status_code == 200


@pytest.mark.parametrize("user", ["leader", "unit_env", "supervisor", "supervisor_audit"])
@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_other_roles_get_a_403(world, user, name, args):
    assert client_for(world, user).get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_visitors_are_sent_to_log_in(world, name, args):
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_other_roles_cannot_post_either(world):
    client = client_for(world, "unit_env")
    before = LoopSettings.current().notice_working_days
    response = client.post(reverse("web:office_loop"), {"notice_working_days": "9"})
    assert response.status_code == 403
    assert LoopSettings.current().notice_working_days == before
    target = world.users["leader"].pk
    response = client.post(reverse("web:office_user_active", args=[target]), {"active": "0"})
    assert response.status_code == 403
    assert get_user_model().objects.get(pk=target).is_active


def test_a_superuser_without_a_profile_uses_the_pages(world):
    root = get_user_model().objects.create_superuser("root", password="x-long-password")
    client = Client()
    client.force_login(root)
    assert client.get(reverse("web:office_users")).status_code == 200


# ---------------------------------------------------------------------------- escalation rules


def test_office_adds_a_rule_and_finds_it_in_the_list(world, office):
    response = office.post(
        reverse("web:office_rule_add"),
        {"rule-trigger": "overdue", "rule-threshold": "45", "rule-level": "supervision",
         "rule-response_days": "5"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = EscalationRule.objects.get(trigger="overdue", threshold=45)
    assert (rule.level, rule.response_days, rule.active) == ("supervision", 5, True)
    page = office.get(reverse("web:office_rules")).content.decode()
    assert f'data-rule="{rule.pk}"' in page


def test_a_bad_rule_comes_back_with_the_error_at_its_field_and_in_the_summary(world, office):
    response = office.post(
        reverse("web:office_rule_add"),
        {"rule-trigger": "missed_reports", "rule-threshold": "0", "rule-level": "reminder",
         "rule-response_days": "10"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html, "id_rule-threshold") == (True, True)
    assert 'data-testid="error-summary"' in html and 'href="#id_rule-threshold"' in html
    assert not EscalationRule.objects.filter(trigger="missed_reports", threshold=0).exists()


def test_manual_levels_are_not_offered_as_rules(world, office):
    html = office.get(reverse("web:office_rule_add")).content.decode()
    assert 'value="region_hold"' not in html and 'value="manual"' not in html


def test_office_edits_and_deactivates_a_rule(world, office):
    rule = EscalationRule.objects.get(trigger="overdue", threshold=30)
    response = office.post(
        reverse("web:office_rule_edit", args=[rule.pk]),
        {"rule-trigger": "overdue", "rule-threshold": "20", "rule-level": rule.level,
         "rule-response_days": "7", "rule-active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.response_days) == (20, 7)
    office.post(reverse("web:office_rule_active", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert rule.active is False
    assert AuditEvent.objects.filter(action="escalationrule.deactivate").count() == 1


def test_an_unknown_rule_is_a_404(world, office):
    assert office.get(reverse("web:office_rule_edit", args=[999999])).status_code == 404


# ---------------------------------------------------------------------------- loop settings


def loop_data(**changes: str) -> dict[str, str]:
    data = {
        "notice_working_days": "5",
        "lookback_months": "3, 12",
        "report_grace_days": "1",
        "issuing_body": "整改办",
        "digest_cycle": "weekly",
        "digest_cycle_days": "",
        "backfill_days": "14",
    }
    return {**data, **changes}


def test_look_back_months_are_shown_as_a_comma_list_never_as_json(world, office):
    html = office.get(reverse("web:office_loop")).content.decode()
    assert 'value="3, 12"' in html and "[3, 12]" not in html


def test_office_changes_the_notice_and_the_look_backs(world, office):
    response = office.post(
        reverse("web:office_loop"), loop_data(notice_working_days="7", lookback_months="6，24")
    )
    assert response.status_code == 302
    current = LoopSettings.current()
    assert (current.notice_working_days, current.lookback_months) == (7, [6, 24])
    assert AuditEvent.objects.filter(action="loopsettings.update").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lookback_months": "3, abc"}, "lookback_months"),
        ({"notice_working_days": "0"}, "notice_working_days"),
        ({"digest_cycle": "custom"}, "digest_cycle_days"),
    ],
)
def test_bad_settings_show_the_error_at_the_field(world, office, changes, field):
    response = office.post(reverse("web:office_loop"), loop_data(**changes))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), f"id_{field}") == (True, True)
    assert LoopSettings.current().lookback_months == [3, 12]


def test_holiday_days_are_entered_and_removed(world, office):
    response = office.post(
        reverse("web:office_days"),
        {"day-date": "2031-10-01", "day-working": "0", "day-note": "国庆节"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date="2031-10-01")
    again = office.post(reverse("web:office_days"), {"day-date": "2031-10-01", "day-working": "1"})
    assert again.status_code == 400 and field_errors(again.content.decode(), "id_day-date")[1]
    office.post(reverse("web:office_day_remove", args=[day.pk]))
    assert not CalendarDay.objects.exists()


# ---------------------------------------------------------------------------- logins


def test_the_login_list_filters_by_role_and_unit_and_shows_no_hashes(world, office):
    html = office.get(reverse("web:office_users"), {"role": "unit"}).content.decode()
    shown = set(re.findall(r'data-user="([^"]+)"', html))
    assert shown == {"unit_env", "unit_licheng", "unit_water"}
    html = office.get(reverse("web:office_users"), {"unit": "历城区"}).content.decode()
    assert set(re.findall(r'data-user="([^"]+)"', html)) == {"unit_licheng"}
    for user in get_user_model().objects.all():
        assert user.password not in html
        page = office.get(reverse("web:office_user", args=[user.pk])).content.decode()
        assert user.password not in page and "md5$" not in page


def test_an_unknown_unit_in_the_filter_says_so(world, office):
    response = office.get(reverse("web:office_users"), {"unit": "无此单位"})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "id_unit") == (True, True)


def test_office_adds_a_login_for_a_unit_named_or_numbered(world, office):
    response = office.post(
        reverse("web:office_user_add"),
        {"username": "water2", "display_name": "水务局", "role": "unit",
         "unit": f"#{world.water.pk}", "password": "a-long-password"},
    )  # fmt: skip
    assert response.status_code == 302
    user = get_user_model().objects.get(username="water2")
    assert (user.profile.role, user.profile.unit_id) == (Role.UNIT, world.water.pk)
    response = office.post(
        reverse("web:office_user_add"),
        {"username": "env2", "role": "supervisor", "unit": "市环保局",  # a former name
         "password": "a-long-password"},
    )  # fmt: skip
    assert response.status_code == 302
    assert get_user_model().objects.get(username="env2").profile.unit_id == world.env.pk


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "unit", "unit": ""}, "unit"),
        ({"role": "leader", "password": "short"}, "password"),
        ({"role": "leader", "username": "office"}, "username"),
    ],
)
def test_a_bad_login_comes_back_with_the_error_at_its_field(world, office, data, field):
    body = {"username": "someone", "role": "leader", "unit": "", "password": "a-long-password"}
    response = office.post(reverse("web:office_user_add"), {**body, **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html, f"id_{field}") == (True, True)
    assert "a-long-password" not in html and 'value="short"' not in html  # never echoed


def test_office_changes_a_role_sets_a_password_and_deactivates(world, office):
    target = world.users["unit_water"]
    response = office.post(
        reverse("web:office_user", args=[target.pk]),
        {"edit-role": "supervisor", "edit-unit": f"#{world.audit.pk} 市审计局",
         "edit-display_name": ""},
    )  # fmt: skip
    assert response.status_code == 302
    target.profile.refresh_from_db()
    assert (target.profile.role, target.profile.unit_id) == ("supervisor", world.audit.pk)
    office.post(
        reverse("web:office_user_password", args=[target.pk]),
        {"password-password": "brand-new-secret"},
    )
    target.refresh_from_db()
    assert target.check_password("brand-new-secret")
    office.post(reverse("web:office_user_active", args=[target.pk]), {"active": "0"})
    target.refresh_from_db()
    assert not target.is_active


def test_the_office_cannot_remove_its_own_role_or_deactivate_itself(world, office):
    me = world.users["office"]
    page = office.get(reverse("web:office_user", args=[me.pk])).content.decode()
    assert 'data-testid="self-note"' in page and 'data-testid="user-active"' not in page
    response = office.post(
        reverse("web:office_user", args=[me.pk]),
        {"edit-role": "leader", "edit-unit": "", "edit-display_name": ""},
    )
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "id_edit-role") == (True, True)
    response = office.post(reverse("web:office_user_active", args=[me.pk]), {"active": "0"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.is_active and me.profile.role == Role.OFFICE


# ---------------------------------------------------------------------------- units


def test_the_registry_is_searched_by_former_names_and_paged(world, office):
    html = office.get(reverse("web:office_units"), {"q": "环保局"}).content.decode()
    assert re.findall(r'data-unit="(\d+)"', html) == [str(world.env.pk)]
    for n in range(55):
        Unit.objects.create(name=f"街道{n}", kind="other", level="town", path=f"/x{n}/")
    second = office.get(reverse("web:office_units"), {"q": "街道", "page": "2"}).content.decode()
    assert len(re.findall(r'data-unit="(\d+)"', second)) == 5


def test_office_adds_a_unit_under_a_parent_and_renames_it(world, office):
    response = office.post(
        reverse("web:office_unit_add"),
        {"name": "历城区环保局", "parent": f"#{world.district_gov.pk}", "kind": "department",
         "level": "county", "full_name": "", "code": ""},
    )  # fmt: skip
    assert response.status_code == 302
    unit = Unit.objects.get(name="历城区环保局")
    assert unit.parent_id == world.district_gov.pk and response["Location"].endswith(
        reverse("web:office_unit", args=[unit.pk])
    )
    office.post(
        reverse("web:office_unit_rename", args=[unit.pk]),
        {"rename-name": "历城区生态环境局", "rename-full_name": "", "rename-keep_former": "on"},
    )
    unit.refresh_from_db()
    assert unit.name == "历城区生态环境局"
    assert UnitAlias.objects.get(unit=unit).name == "历城区环保局"
    html = office.get(reverse("web:office_unit", args=[unit.pk])).content.decode()
    assert 'data-alias="历城区环保局"' in html


def test_an_ambiguous_parent_asks_for_the_number(world, office):
    Unit.objects.create(name="市生态环境局", kind="department", level="county",
                        parent=world.district, path="/y/")  # fmt: skip
    response = office.post(
        reverse("web:office_unit_add"),
        {"name": "新单位", "parent": "市生态环境局", "kind": "department", "level": "county"},
    )
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "id_parent") == (True, True)


def test_aliases_are_added_and_removed_on_the_unit_page(world, office):
    office.post(reverse("web:office_alias_add", args=[world.water.pk]), {"alias-name": "水务局"})
    alias = UnitAlias.objects.get(unit=world.water, name="水务局")
    again = office.post(
        reverse("web:office_alias_add", args=[world.water.pk]), {"alias-name": "水务局"}
    )
    assert again.status_code == 400
    assert field_errors(again.content.decode(), "id_alias-name") == (True, True)
    office.post(reverse("web:office_alias_remove", args=[world.water.pk, alias.pk]))
    assert not UnitAlias.objects.filter(pk=alias.pk).exists()


def test_every_input_of_the_forms_has_a_label(world, office):
    pages = [reverse(name, args=args) for name, args in GET_PAGES]
    pages += [reverse("web:office_unit", args=[world.env.pk])]
    pages += [reverse("web:office_user", args=[world.users["leader"].pk])]
    for url in pages:
        html = office.get(url).content.decode()
        main = html.split('<main class="page"', 1)[1]
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", main):
            if 'type="hidden"' in tag:
                continue
            field_id = re.search(r'id="([^"]+)"', tag)
            assert field_id, (url, tag)
            assert f'for="{field_id.group(1)}"' in main, (url, tag)
