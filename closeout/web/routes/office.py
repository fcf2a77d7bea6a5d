"""Routes of the office's settings pages (escalation rules, loop settings, users, units)."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import office, office_units, office_users

urlpatterns: list[URLPattern] = [
    path("office/", office.home, name="office_home"),
    path("office/rules/", office.rules, name="office_rules"),
    path("office/rules/add/", office.rule_add, name="office_rule_add"),
    path("office/rules/<int:rule_id>/", office.rule_edit, name="office_rule_edit"),
    path("office/rules/<int:rule_id>/active/", office.rule_active, name="office_rule_active"),
    path("office/loop/", office.loop, name="office_loop"),
    path("office/days/", office.days, name="office_days"),
    path("office/days/<int:day_id>/remove/", office.day_remove, name="office_day_remove"),
    path("office/users/", office_users.users, name="office_users"),
    path("office/users/add/", office_users.user_add, name="office_user_add"),
    path("office/users/<int:user_id>/", office_users.user, name="office_user"),
    path(
        "office/users/<int:user_id>/password/",
        office_users.user_password,
        name="office_user_password",
    ),
    path("office/users/<int:user_id>/active/", office_users.user_active, name="office_user_active"),
    path("office/units/", office_units.units, name="office_units"),
    path("office/units/add/", office_units.unit_add, name="office_unit_add"),
    path("office/units/<int:unit_id>/", office_units.unit, name="office_unit"),
    path("office/units/<int:unit_id>/rename/", office_units.unit_rename, name="office_unit_rename"),
    path("office/units/<int:unit_id>/aliases/", office_units.alias_add, name="office_alias_add"),
    path(
        "office/units/<int:unit_id>/aliases/<int:alias_id>/remove/",
        office_units.alias_remove,
        name="office_alias_remove",
    ),
]
