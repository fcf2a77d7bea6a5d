"""Logins with their role and unit, and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import (
    ApiToken,
    Profile,
    Role,
    Unit,
)
from closeout.ledger.services.audit import audit


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    display_name: str = "",
) -> Any:
    """Create a login with its role and unit (the office's page, `closeout adduser`, the
    demo). The Django admin is for superusers only (`access.can_use_admin`)."""
    username = username.strip()
    if not username:
        raise InvalidInput(_("a login needs a user name"), field="username")
    if len(username) > 150:
        raise InvalidInput(_("a user name of at most 150 characters"), field="username")
    if role not in Role.values:
        raise InvalidInput(_("choose a role"), field="role")
    if role == Role.PUBLIC:
        raise InvalidInput(_("the public role is for anonymous visitors"), field="role")
    if role in (Role.UNIT, Role.SUPERVISOR) and unit is None:
        raise InvalidInput(_("unit users and supervisors must belong to a unit"), field="unit")
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise InvalidInput(
                _("the user name %(name)s is taken") % {"name": username}, field="username"
            )
        user = User.objects.create_user(
            username=username, password=password, is_staff=(role == Role.OFFICE)
        )
        profile = Profile.objects.create(user=user, role=role, unit=unit, display_name=display_name)
        audit(
            actor,
            "user.create",
            profile,
            after={"username": username, "role": role, "unit": unit.pk if unit else None},
        )
    return user


def token_create(*, actor: Actor, user: Any, name: str) -> tuple[ApiToken, str]:
    """Issue an API token. The key is returned once; only its hash is kept."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:8], key_hash=token_hash(key)
        )
        audit(actor, "token.create", token, after={"user": user.pk, "name": name})
    return token, key


def token_revoke(*, actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's own API tokens. Revoking twice is harmless."""
    if actor.user_id is None:
        raise NotFound(_("token %(token)s does not exist") % {"token": token_id})
    with transaction.atomic():
        token = ApiToken.objects.filter(pk=token_id, user_id=actor.user_id).first()
        if token is None:
            raise NotFound(_("token %(token)s does not exist") % {"token": token_id})
        # Conditional update: only the call that actually flips the flag is audited.
        if ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True) == 1:
            audit(actor, "token.revoke", token, before={"revoked": False}, after={"revoked": True})


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_authenticate(key: str) -> Any | None:
    """The user a bearer token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
