"""The office's settings services: escalation rules, closed-loop settings, holiday days,
logins and the unit registry. Each change is checked, audited, and refused to anyone
but the office with a NotPermitted; bad input names its field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory

from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound, NotPermitted
from closeout.ledger.models import (
    AuditEvent,
    CalendarDay,
    EscalationRule,
    LoopSettings,
    Role,
    Unit,
    UnitAlias,
)
from closeout.ledger.rules.escalation import rule_problem
from closeout.ledger.selectors import office as selectors
from closeout.ledger.services import accounts, settings, units
from closeout.ledger.tests.factories import PASSWORD

NOT_OFFICE = ("leader", "unit_env", "supervisor", "public")


def signs_in(username: str, password: str) -> bool:
    """Whether the login goes through (the login throttle wants a request)."""
    request = RequestFactory().post("/login/")
    return authenticate(request, username=username, password=password) is not None


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# ---------------------------------------------------------------------------- the rules' check


@pytest.mark.parametrize(
    ("level", "trigger", "threshold", "field"),
    [
        ("warning", "due_soon", 7, None),
        ("circular", "overdue", 0, None),
        ("reminder", "missed_reports", 1, None),
        ("region_hold", "overdue", 5, "level"),
        ("accountability", "overdue", 5, "level"),
        ("warning", "manual", 5, "trigger"),
        ("warning", "overdue", -1, "threshold"),
        ("reminder", "missed_reports", 0, "threshold"),
        ("summons", "rebound", 0, "threshold"),
    ],
)
def test_rule_problem_names_the_field_that_is_wrong(level, trigger, threshold, field):
    problem = rule_problem(level, trigger, threshold)
    assert (problem[0] if problem else None) == field


# ---------------------------------------------------------------------------- escalation rules


def test_office_adds_edits_and_deactivates_a_rule_audited(world):
    office = world.actor("office")
    rule = settings.escalation_rule_create(
        actor=office, level="supervision", trigger="overdue", threshold=45, response_days=5
    )
    assert events("escalationrule.create")[0].after["threshold"] == 45
    settings.escalation_rule_update(
        actor=office,
        rule_id=rule.pk,
        level="listed",
        trigger="overdue",
        threshold=45,
        response_days=5,
        active=True,
    )
    update = events("escalationrule.update")[0]
    assert update.before == {"level": "supervision"} and update.after == {"level": "listed"}
    settings.escalation_rule_set_active(actor=office, rule_id=rule.pk, active=False)
    settings.escalation_rule_set_active(actor=office, rule_id=rule.pk, active=False)
    rule.refresh_from_db()
    assert rule.active is False
    assert len(events("escalationrule.deactivate")) == 1  # the second call changed nothing


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"level": "region_hold", "trigger": "overdue", "threshold": 10}, "level"),
        ({"level": "reminder", "trigger": "missed_reports", "threshold": 0}, "threshold"),
        ({"level": "warning", "trigger": "due_soon", "threshold": 9999}, "threshold"),
        ({"level": "warning", "trigger": "due_soon", "threshold": 3, "response_days": 0},
         "response_days"),
        ({"level": "nonsense", "trigger": "due_soon", "threshold": 3}, "level"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_refused_naming_its_field(world, values, field):
    before = EscalationRule.objects.count()
    with pytest.raises(InvalidInput) as error:
        settings.escalation_rule_create(actor=world.actor("office"), **values)
    assert error.value.field == field
    assert EscalationRule.objects.count() == before


def test_the_same_rule_twice_is_refused(world):
    office = world.actor("office")
    settings.escalation_rule_create(actor=office, level="warning", trigger="due_soon", threshold=3)
    with pytest.raises(InvalidInput) as error:
        settings.escalation_rule_create(
            actor=office, level="warning", trigger="due_soon", threshold=3
        )
    assert error.value.field == "threshold"


@pytest.mark.parametrize("user", NOT_OFFICE)
def test_only_the_office_changes_settings(world, user):
    actor = world.actor(user)
    with pytest.raises(NotPermitted):
        settings.escalation_rule_create(
            actor=actor, level="warning", trigger="due_soon", threshold=3
        )
    with pytest.raises(NotPermitted):
        settings.loop_settings_update(actor=actor, notice_working_days=9)
    with pytest.raises(NotPermitted):
        accounts.account_set_active(actor=actor, user_id=world.users["leader"].pk, active=False)
    with pytest.raises(NotPermitted):
        units.unit_alias_add(actor=actor, unit_id=world.env.pk, name="环保局")
    with pytest.raises(NotPermitted):
        selectors.accounts_page(actor, selectors.AccountFilter())
    assert not AuditEvent.objects.filter(action__in=["loopsettings.update", "unitalias.create"])


def test_a_superuser_without_a_profile_manages_settings(db):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    actor = Actor.of(admin)
    settings.loop_settings_update(actor=actor, notice_working_days=7)
    assert LoopSettings.current().notice_working_days == 7


# ---------------------------------------------------------------------------- loop settings


def test_loop_settings_change_only_what_is_given_and_record_it(world):
    settings.loop_settings_update(
        actor=world.actor("office"), notice_working_days=7, lookback_months=[6, 12]
    )
    current = LoopSettings.current()
    assert (current.notice_working_days, current.lookback_months) == (7, [6, 12])
    event = events("loopsettings.update")[0]
    assert event.before == {"notice_working_days": 5, "lookback_months": [3, 12]}
    assert event.after == {"notice_working_days": 7, "lookback_months": [6, 12]}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"notice_working_days": 0}, "notice_working_days"),
        ({"digest_cycle": "custom", "digest_cycle_days": None}, "digest_cycle_days"),
        ({"issuing_body": "  "}, "issuing_body"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_loop_settings_are_refused_naming_the_field(world, values, field):
    with pytest.raises(InvalidInput) as error:
        settings.loop_settings_update(actor=world.actor("office"), **values)
    assert error.value.field == field
    assert LoopSettings.current().notice_working_days == 5


@pytest.mark.parametrize(
    ("text", "months"),
    [("3, 12", [3, 12]), ("12，3", [3, 12]), ("6 6 24", [6, 24]), ("", []), ("3、12", [3, 12])],
)
def test_look_back_months_are_read_as_the_office_types_them(text, months):
    assert settings.parse_months(text) == months
    assert settings.months_text(months) == ", ".join(str(m) for m in months)


@pytest.mark.parametrize("text", ["3, x", "0", "121", "[3, 12]", "3.5"])
def test_look_back_months_that_are_not_months_are_refused(text):
    with pytest.raises(InvalidInput) as error:
        settings.parse_months(text)
    assert error.value.field == "lookback_months"


def test_holiday_days_are_entered_once_and_removed_audited(world):
    office = world.actor("office")
    day = settings.calendar_day_add(
        actor=office, date=dt.date(2031, 1, 1), working=False, note="元旦"
    )
    with pytest.raises(InvalidInput) as error:
        settings.calendar_day_add(actor=office, date=dt.date(2031, 1, 1), working=True)
    assert error.value.field == "date"
    settings.calendar_day_remove(actor=office, day_id=day.pk)
    assert not CalendarDay.objects.exists()
    assert [
        e.action for e in AuditEvent.objects.filter(target_type="calendarday").order_by("id")
    ] == [
        "calendarday.create",
        "calendarday.delete",
    ]
    with pytest.raises(NotFound):
        settings.calendar_day_remove(actor=office, day_id=day.pk)


# ---------------------------------------------------------------------------- logins


def test_office_adds_a_login_with_a_role_and_a_unit(world):
    user = accounts.account_create(
        actor=world.actor("office"),
        username="water2",
        password="a-long-password",
        role=Role.UNIT,
        unit=world.water,
        display_name="水务局经办人",
    )
    assert user.check_password("a-long-password")
    assert (user.profile.role, user.profile.unit) == (Role.UNIT, world.water)
    event = events("user.create")[0]
    assert "password" not in str(event.after) and user.password not in str(event.after)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"username": "x1", "password": "short", "role": "leader"}, "password"),
        ({"username": "x2", "password": "a-long-password", "role": "unit"}, "unit"),
        ({"username": "office", "password": "a-long-password", "role": "leader"}, "username"),
        ({"username": "OFFICE", "password": "a-long-password", "role": "leader"}, "username"),
        ({"username": "x3", "password": "a-long-password", "role": "public"}, "role"),
        ({"username": " ", "password": "a-long-password", "role": "leader"}, "username"),
    ],
)
def test_a_bad_login_is_refused_naming_its_field(world, values, field):
    before = get_user_model().objects.count()
    with pytest.raises(InvalidInput) as error:
        accounts.account_create(actor=world.actor("office"), **values)
    assert error.value.field == field
    assert get_user_model().objects.count() == before


def test_role_and_unit_change_audited(world):
    target = world.users["unit_water"]
    accounts.account_update(
        actor=world.actor("office"), user_id=target.pk, role=Role.SUPERVISOR, unit=world.env
    )
    target.profile.refresh_from_db()
    assert (target.profile.role, target.profile.unit) == (Role.SUPERVISOR, world.env)
    event = events("user.update")[0]
    assert event.before == {"role": "unit", "unit": world.water.pk}
    assert event.after == {"role": "supervisor", "unit": world.env.pk}


def test_the_office_keeps_its_own_role_and_login(world):
    office = world.actor("office")
    me = world.users["office"].pk
    with pytest.raises(InvalidInput) as error:
        accounts.account_update(actor=office, user_id=me, role=Role.LEADER, unit=None)
    assert error.value.field == "role"
    with pytest.raises(InvalidInput) as error:
        accounts.account_set_active(actor=office, user_id=me, active=False)
    assert error.value.field == "active"
    # A display name of one's own may change.
    accounts.account_update(
        actor=office, user_id=me, role=Role.OFFICE, unit=None, display_name="我"
    )


def test_deactivated_login_cannot_sign_in_and_comes_back(world):
    office = world.actor("office")
    leader = world.users["leader"]
    accounts.account_set_active(actor=office, user_id=leader.pk, active=False)
    assert not signs_in("leader", PASSWORD)
    accounts.account_set_active(actor=office, user_id=leader.pk, active=True)
    assert signs_in("leader", PASSWORD)
    assert [e.action for e in AuditEvent.objects.filter(target_type="user").order_by("id")][
        -2:
    ] == [
        "user.deactivate",
        "user.activate",
    ]


def test_a_new_password_works_and_is_never_recorded(world):
    leader = world.users["leader"]
    accounts.account_set_password(
        actor=world.actor("office"), user_id=leader.pk, password="brand-new-secret"
    )
    assert signs_in("leader", "brand-new-secret")
    assert not signs_in("leader", PASSWORD)
    event = events("user.set_password")[0]
    leader.refresh_from_db()
    assert "brand-new-secret" not in str((event.before, event.after, event.note))
    assert leader.password not in str((event.before, event.after, event.note))
    with pytest.raises(InvalidInput) as error:
        accounts.account_set_password(actor=world.actor("office"), user_id=leader.pk, password="x")
    assert error.value.field == "password"


def test_logins_are_found_by_role_unit_and_name(world):
    office = world.actor("office")
    page = selectors.accounts_page(office, selectors.AccountFilter(role="unit"))
    assert {u.username for u in page} == {"unit_env", "unit_licheng", "unit_water"}
    page = selectors.accounts_page(office, selectors.AccountFilter(unit_id=world.district.pk))
    assert {u.username for u in page} == {"unit_licheng"}  # the units below count too
    page = selectors.accounts_page(office, selectors.AccountFilter(q="super"))
    assert {u.username for u in page} == {"supervisor", "supervisor_audit"}


# ---------------------------------------------------------------------------- units


def test_a_unit_is_added_under_its_parent_with_its_path(world):
    unit = units.unit_add(
        actor=world.actor("office"),
        name="历城区水务局",
        kind="department",
        level="county",
        parent=world.district_gov,
    )
    assert unit.path == f"{world.district_gov.path}{unit.pk}/" and unit.depth == 3
    with pytest.raises(InvalidInput) as error:
        units.unit_add(
            actor=world.actor("office"),
            name="历城区水务局",
            kind="department",
            level="county",
            parent=world.district_gov,
        )
    assert error.value.field == "name"


def test_a_renamed_unit_keeps_its_old_name_as_a_former_name(world):
    office = world.actor("office")
    units.unit_rename(actor=office, unit_id=world.water.pk, name="市水务局", full_name="")
    world.water.refresh_from_db()
    assert world.water.name == "市水务局"
    assert UnitAlias.objects.get(unit=world.water, name="市城乡水务局").former is True
    assert [u.pk for u in selectors.unit_by_reference(office, "市城乡水务局")] == [world.water.pk]
    event = events("unit.rename")[0]
    assert event.before["name"] == "市城乡水务局" and event.after["name"] == "市水务局"
    # Renaming back: the name stops being an alias of itself.
    units.unit_rename(actor=office, unit_id=world.water.pk, name="市城乡水务局", full_name="")
    assert not UnitAlias.objects.filter(unit=world.water, name="市城乡水务局").exists()


def test_a_unit_cannot_take_the_name_of_a_sibling(world):
    with pytest.raises(InvalidInput) as error:
        units.unit_rename(
            actor=world.actor("office"), unit_id=world.water.pk, name="市生态环境局", full_name=""
        )
    assert error.value.field == "name"


def test_aliases_are_added_once_and_removed(world):
    office = world.actor("office")
    alias = units.unit_alias_add(actor=office, unit_id=world.env.pk, name="环境局")
    with pytest.raises(InvalidInput):
        units.unit_alias_add(actor=office, unit_id=world.env.pk, name="环境局")
    with pytest.raises(InvalidInput):
        units.unit_alias_add(actor=office, unit_id=world.env.pk, name="市生态环境局")
    units.unit_alias_remove(actor=office, unit_id=world.env.pk, alias_id=alias.pk)
    assert not UnitAlias.objects.filter(pk=alias.pk).exists()
    assert [
        e.action for e in AuditEvent.objects.filter(target_type="unitalias").order_by("id")
    ] == [
        "unitalias.create",
        "unitalias.delete",
    ]


def test_units_are_searched_by_any_of_their_names_and_paged(world):
    office = world.actor("office")
    assert [u.pk for u in selectors.units_page(office, q="环保局")] == [world.env.pk]
    for n in range(60):
        Unit.objects.create(name=f"街道{n}", kind="other", level="town", path=f"/x{n}/")
    page = selectors.units_page(office, q="街道", page=2)
    assert page.paginator.count == 60 and len(page.object_list) == 10
