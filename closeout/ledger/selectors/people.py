"""Who acted, as a given viewer may see it: the login, or the unit (单位) it acted for.

A login is half of a credential and tells the public nothing, so the history, the
close-out steps and the progress reports of a task name the acting person's unit to
those who may not see logins, and the person's role (整改办, 领导) when it has no unit.

Who sees logins (`sees_login`):
- the office, leaders and supervising units: they hold units and people to account;
- a responsible unit: the logins of its own unit and the units below it, and for
  everybody else the unit's name. Units cooperate on a task as units (the plan names
  units, not people), their accounts are the largest group by far, and whom another
  unit has doing the work is that unit's business;
- visitors and signed-in users without a role: never.

The sweep and the commands act as no one; their stored label ("sweep", "closeout
import") is no login but a code, so everybody signed in reads it in words
(rules.labels: "系统（定时核查）"); visitors see "the system". An anonymous visitor's
events read as the public (公众) to everybody.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from closeout.ledger.access import Actor
from closeout.ledger.models import Role
from closeout.ledger.rules.labels import is_system_actor, system_actor_label
from closeout.ledger.rules.workflow import SYSTEM

ANONYMOUS = Actor.of(None).label  # what an anonymous actor's events store as their actor


@dataclass(frozen=True)
class Acting:
    """What a person who acted was: role, and the unit acted for (when it has one)."""

    role: str
    unit_name: str = ""
    unit_path: str = ""


def sees_login(viewer: Actor, acting: Acting | None) -> bool:
    """Whether `viewer` may see the login of someone who acted as `acting` (the rule in
    the module's docstring; `None`: the system or a command, no person)."""
    if viewer.role in (Role.OFFICE, Role.LEADER, Role.SUPERVISOR, SYSTEM):
        return True
    if viewer.role == Role.UNIT and viewer.unit_path and acting is not None:
        return acting.unit_path.startswith(viewer.unit_path) if acting.unit_path else False
    return False


def stand_in(acting: Acting | None, stored: str) -> str:
    """What stands for the person to whoever may not see the login: the unit's name,
    else the role; the public for an anonymous visitor; the system for the sweep and
    the commands, which act as no one."""
    if acting is None:
        return str(Role.PUBLIC.label) if stored == ANONYMOUS else _("System")
    if acting.unit_name:
        return acting.unit_name
    return str(Role(acting.role).label) if acting.role in Role.values else _("Staff")


def actor_label(viewer: Actor, acting: Acting | None, stored: str) -> str:
    """The one rule every page and API response names an actor by: the stored label
    (the login) when the viewer may see it, the stand-in otherwise; the sweep and the
    commands in words, never by their code."""
    if stored == ANONYMOUS:
        return stand_in(None, stored)
    if acting is None:  # no person: the sweep, a command
        if viewer.role == Role.PUBLIC:
            return stand_in(None, stored)
        return system_actor_label(stored) if is_system_actor(stored) else stored
    return stored if sees_login(viewer, acting) else stand_in(acting, stored)


class ActorNames:
    """The labels of the people behind a task's rows for one viewer, with the roles and
    units of all of them read in one query."""

    def __init__(self, viewer: Actor, user_ids: Iterable[int | None]) -> None:
        self.viewer = viewer
        ids = {pk for pk in user_ids if pk is not None}
        users = (
            get_user_model()
            .objects.filter(pk__in=ids)
            .select_related("profile__unit")
            .only(
                "pk", "is_superuser", "profile__role", "profile__unit__name", "profile__unit__path"
            )
        )
        self._acting = {user.pk: _acting(user) for user in users}

    def acting(self, user_id: int | None) -> Acting | None:
        if user_id is None:
            return None
        # A login deleted since keeps its history; it is shown as no unit's staff.
        return self._acting.get(user_id, Acting(role=""))

    def label(self, user_id: int | None, stored: str) -> str:
        return actor_label(self.viewer, self.acting(user_id), stored)

    def login(self, user_id: int | None, stored: str) -> str | None:
        """The login when the viewer may see it, else nothing (for rows that already
        name the unit, such as a progress report)."""
        return stored if sees_login(self.viewer, self.acting(user_id)) else None


def _acting(user: object) -> Acting:
    profile = getattr(user, "profile", None)
    if profile is None:
        # As `Actor.of` has it: a superuser without a profile is the office, any other
        # login without one has no role in the ledger.
        return Acting(role=Role.OFFICE if getattr(user, "is_superuser", False) else Role.PUBLIC)
    unit = profile.unit
    return Acting(
        role=profile.role,
        unit_name=unit.name if unit else "",
        unit_path=unit.path if unit else "",
    )
