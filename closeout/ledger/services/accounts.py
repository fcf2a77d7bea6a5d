"""The office's management of logins (账号管理): add a login, change its role and unit,
deactivate or reactivate it, set a new password the office hands to the person.

Every change checks `access.can_manage_settings`, is audited in its transaction (never
with the password or its hash), and the office cannot take away its own office role or
lock itself out: another office user has to do that.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound, NotPermitted
from closeout.ledger.models import Profile, Role, Unit
from closeout.ledger.services.audit import audit
from closeout.ledger.services.users import user_create

UNIT_ROLES = (Role.UNIT, Role.SUPERVISOR)


def _require(actor: Actor) -> None:
    if not access.can_manage_settings(actor):
        raise NotPermitted(_("only the rectification office manages logins"))


def _check_password(password: str, user: Any = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from None


def _locked(user_id: int) -> Any:
    user = get_user_model().objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("login %(id)s does not exist") % {"id": user_id})
    return user


def account_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    display_name: str = "",
) -> Any:
    """Add a login with its role and unit (a unit user or a supervisor needs a unit)."""
    _require(actor)
    _check_password(password)
    return user_create(
        actor=actor,
        username=username,
        password=password,
        role=role,
        unit=unit,
        display_name=display_name.strip(),
    )


def account_update(
    *, actor: Actor, user_id: int, role: str, unit: Unit | None, display_name: str = ""
) -> Profile:
    """Change a login's role, unit and display name. The office keeps its own role."""
    _require(actor)
    if role not in Role.values or role == Role.PUBLIC:
        raise InvalidInput(_("choose a role"), field="role")
    if role in UNIT_ROLES and unit is None:
        raise InvalidInput(_("unit users and supervisors must belong to a unit"), field="unit")
    with transaction.atomic():
        user = _locked(user_id)
        profile = Profile.objects.filter(user_id=user.pk).first()
        if user.pk == actor.user_id and actor.role == Role.OFFICE and role != Role.OFFICE:
            raise InvalidInput(
                _("you cannot take away your own office role; ask another office user"),
                field="role",
            )
        before = (
            {"role": profile.role, "unit": profile.unit_id, "display_name": profile.display_name}
            if profile is not None
            else None
        )
        if profile is None:
            profile = Profile(user=user)
        profile.role, profile.unit, profile.display_name = role, unit, display_name.strip()
        profile.save()
        after = {
            "role": role,
            "unit": unit.pk if unit else None,
            "display_name": profile.display_name,
        }
        if before != after:
            if before is not None:
                changed = [k for k in after if before[k] != after[k]]
                before = {k: before[k] for k in changed}
                after = {k: after[k] for k in changed}
            audit(actor, "user.update", profile, before=before, after=after)
    return profile


def account_set_active(*, actor: Actor, user_id: int, active: bool) -> Any:
    """Deactivate a login (it can no longer sign in, its sessions and API tokens stop
    working; its history stays) or reactivate it. Nobody deactivates themselves."""
    _require(actor)
    with transaction.atomic():
        user = _locked(user_id)
        if user.pk == actor.user_id and not active:
            raise InvalidInput(
                _("you cannot deactivate your own login; ask another office user"),
                field="active",
            )
        if user.is_active != active:
            get_user_model().objects.filter(pk=user.pk).update(is_active=active)
            user.is_active = active
            audit(
                actor,
                "user.activate" if active else "user.deactivate",
                user,
                before={"is_active": not active},
                after={"is_active": active},
            )
    return user


def account_set_password(*, actor: Actor, user_id: int, password: str) -> Any:
    """Set a new password that the office gives to the person. The event records that
    it was set, never the password; the person's open sessions end."""
    _require(actor)
    with transaction.atomic():
        user = _locked(user_id)
        _check_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit(actor, "user.set_password", user, note="password set by the office")
    return user
