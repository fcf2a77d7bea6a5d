"""Reads of the office's settings pages (整改办的设置): escalation rules, closed-loop
settings and holiday days, logins with their roles, and the unit registry.

Every function asks `access.can_manage_settings` first and answers NotFound to anyone
else (the pages turn that into a 403 before they get here). Lists are paginated with
bounded counts; the registry holds tens of thousands of units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound, NotPermitted
from closeout.ledger.models import (
    CalendarDay,
    EscalationRule,
    LoopSettings,
    Role,
    Unit,
    UnitAlias,
    UnitGroup,
)
from closeout.ledger.selectors.tasks import search_words

PAGE_SIZE = 50


def _require(actor: Actor) -> None:
    if not access.can_manage_settings(actor):
        raise NotPermitted(_("only the rectification office sees the settings"))


def _page(qs: QuerySet[Any], number: int, size: int = PAGE_SIZE) -> Page:
    """One page of a list; a number past the end gives the last page."""
    paginator = Paginator(qs, size)
    return paginator.get_page(number)


# ---------------------------------------------------------------------------- the closed loop


def escalation_rules(actor: Actor) -> list[EscalationRule]:
    """Every rule, active first, in the ladder's order of trigger and threshold."""
    _require(actor)
    return list(EscalationRule.objects.order_by("-active", "trigger", "threshold", "level"))


def escalation_rule(actor: Actor, rule_id: int) -> EscalationRule:
    _require(actor)
    rule = EscalationRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("escalation rule %(id)s does not exist") % {"id": rule_id})
    return rule


def loop_settings(actor: Actor) -> LoopSettings:
    _require(actor)
    return LoopSettings.current()


def calendar_days(actor: Actor) -> list[CalendarDay]:
    """The entered holidays and make-up working days, newest year first."""
    _require(actor)
    return list(CalendarDay.objects.order_by("-date"))


# ---------------------------------------------------------------------------- logins


@dataclass(frozen=True)
class AccountFilter:
    q: str = ""
    role: str = ""
    unit_id: int | None = None
    active: bool | None = None


def accounts_page(actor: Actor, filters: AccountFilter, *, page: int = 1) -> Page:
    """Logins by user name, with role and unit (never the password hash), filtered by a
    search over user name and display name, role, unit (and the units below it)."""
    _require(actor)
    qs = (
        get_user_model()
        .objects.select_related("profile", "profile__unit")
        .only(
            "username",
            "is_active",
            "is_superuser",
            "last_login",
            "profile__role",
            "profile__display_name",
            "profile__unit__name",
            "profile__unit__full_name",
        )
        .order_by("username")
    )
    for word in search_words(filters.q):
        qs = qs.filter(Q(username__icontains=word) | Q(profile__display_name__icontains=word))
    if filters.role:
        qs = qs.filter(profile__role=filters.role)
    if filters.unit_id is not None:
        unit = Unit.objects.filter(pk=filters.unit_id).only("path").first()
        qs = qs.filter(profile__unit__path__startswith=unit.path) if unit else qs.none()
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return _page(qs, page)


def account(actor: Actor, user_id: int) -> Any:
    """One login with its profile (no password hash is ever shown)."""
    _require(actor)
    user = (
        get_user_model()
        .objects.select_related("profile", "profile__unit")
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        raise NotFound(_("login %(id)s does not exist") % {"id": user_id})
    return user


def account_role(user: Any) -> str:
    """The role a login acts in (a superuser without a profile acts as the office)."""
    profile = getattr(user, "profile", None)
    if profile is not None:
        return str(profile.role)
    return str(Role.OFFICE) if user.is_superuser else ""


# ---------------------------------------------------------------------------- units


def units_page(actor: Actor, *, q: str = "", parent_id: int | None = None, page: int = 1) -> Page:
    """Units whose name, full name or any other name (a former name) has every word of
    `q`, or the children of `parent_id`; in tree order, one page at a time."""
    _require(actor)
    qs = Unit.objects.select_related("parent").order_by("path")
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    for word in search_words(q):
        qs = qs.filter(
            Q(name__contains=word)
            | Q(full_name__contains=word)
            | Exists(UnitAlias.objects.filter(unit_id=OuterRef("pk"), name__contains=word))
        )
    return _page(qs, page)


@dataclass(frozen=True)
class UnitDetail:
    unit: Unit
    ancestors: list[Unit]
    aliases: list[UnitAlias]
    children: Page
    groups: list[UnitGroup]


def unit_detail(actor: Actor, unit_id: int, *, page: int = 1) -> UnitDetail:
    """A unit with its place in the tree, its other names, its groups and a page of the
    units right below it."""
    _require(actor)
    unit = Unit.objects.select_related("parent").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("unit %(id)s does not exist") % {"id": unit_id})
    ancestors = {u.pk: u for u in Unit.objects.filter(pk__in=unit.ancestor_ids[:-1])}
    return UnitDetail(
        unit=unit,
        ancestors=[ancestors[i] for i in unit.ancestor_ids[:-1] if i in ancestors],
        aliases=list(unit.aliases.order_by("former", "name")),
        children=_page(Unit.objects.filter(parent_id=unit.pk).order_by("name"), page),
        groups=list(unit.unit_groups.order_by("name")),
    )


def unit_by_reference(actor: Actor, reference: str) -> list[Unit]:
    """The units a typed reference names: a registry number (#23 or 23), or a name,
    full name, short or former name. Up to five, so that a form can say which."""
    _require(actor)
    text = reference.strip().lstrip("#").strip()
    if not text:
        return []
    if text.isdigit():
        return list(Unit.objects.filter(pk=int(text)))
    named = Q(name=text) | Q(full_name=text)
    aliased = Exists(UnitAlias.objects.filter(unit_id=OuterRef("pk"), name=text))
    return list(Unit.objects.filter(named | aliased).select_related("parent").order_by("path")[:5])
