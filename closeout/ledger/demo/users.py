"""The demo users: one per role, sharing one documented password."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.demo.jinan import ENV_BUREAU, RECTIFICATION_OFFICE, Registry, government
from closeout.ledger.models import Role

PASSWORD = "closeout-demo"


@dataclass(frozen=True)
class DemoUser:
    key: str  # how the demo code refers to the user
    username: str
    role: str
    unit: str | None  # a name in the Jinan registry
    display_name: str
    what: Any  # what the user sees, for the table the demo prints


DEMO_USERS = (
    DemoUser(
        "office",
        "demo-office",
        Role.OFFICE,
        None,
        "市整改办(演示)",
        _("everything; confirms, files close-outs, edits"),
    ),
    DemoUser(
        "clerk",
        "demo-clerk",
        Role.OFFICE,
        None,
        "市整改办经办人(演示)",
        _("everything; requests close-out for units without a login of their own"),
    ),
    DemoUser(
        "unit",
        "demo-unit",
        Role.UNIT,
        ENV_BUREAU,
        "市生态环境局(演示)",
        _("tasks its unit leads or cooperates on; reports progress"),
    ),
    DemoUser(
        "district",
        "demo-district",
        Role.UNIT,
        government("历城区"),
        "历城区政府(演示)",
        _("the district's tasks, including those given to every district"),
    ),
    DemoUser(
        "supervisor",
        "demo-supervisor",
        Role.SUPERVISOR,
        RECTIFICATION_OFFICE,
        "市整改办督导(演示)",
        _("tasks it supervises; reviews and verifies close-outs"),
    ),
    DemoUser(
        "leader",
        "demo-leader",
        Role.LEADER,
        None,
        "市领导(演示)",
        _("reads everything, changes nothing"),
    ),
)


def ensure_office(actor: Actor) -> Any:
    """The office user comes first: it has no unit, and it loads everything else."""
    return _ensure(actor, DEMO_USERS[0], None)


def ensure_users(actor: Actor, registry: Registry) -> dict[str, Any]:
    """Every demo user by key, creating those that do not exist yet."""
    return {
        spec.key: _ensure(actor, spec, registry.unit(spec.unit) if spec.unit else None)
        for spec in DEMO_USERS
    }


def _ensure(actor: Actor, spec: DemoUser, unit: Any) -> Any:
    existing = get_user_model().objects.filter(username=spec.username).first()
    if existing is not None:
        return existing
    return services.user_create(
        actor=actor,
        username=spec.username,
        password=PASSWORD,
        role=spec.role,
        unit=unit,
        display_name=spec.display_name,
    )
