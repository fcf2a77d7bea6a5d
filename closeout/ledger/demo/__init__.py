"""Demo data: the units of Jinan, its 2018 rectification plan as a living ledger, and one
demo user per role. `load_demo` is idempotent and atomic; `closeout demo` calls it.

The plan text (`plans/jinan_2018.txt`) is a public government document kept verbatim as
our sample input; it ships with the package and is read with importlib.resources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.models import Plan, Role


@dataclass(frozen=True)
class DemoResult:
    plan: Plan
    created: bool  # False when the plan was already there
    users: dict[str, Any]


def load_demo() -> DemoResult:
    """Load the demo into the database, creating only what is missing.

    1. the office user (it acts for everything below);
    2. the unit registry and groups, then the other demo users;
    3. the plan, unless a plan with the same content hash exists; then a year of work.
    """
    from closeout.ledger.demo import jinan, ledger, users
    from closeout.ledger.demo import plan as plan_source

    loader = Actor(role=Role.OFFICE, label="closeout demo")
    with transaction.atomic():
        with clock.frozen_at(dt.date(2018, 6, 29)):
            office_user = users.ensure_office(loader)
            office = Actor.of(office_user)
            registry = jinan.load_units(office)
            demo_users = users.ensure_users(office, registry)
            plan = Plan.objects.filter(content_hash=plan_source.content_hash()).first()
            if plan is not None:
                return DemoResult(plan=plan, created=False, users=demo_users)
            plan, loaded = ledger.create_plan(office, registry)
        actors = {key: Actor.of(user) for key, user in demo_users.items()}
        ledger.bring_to_life(loaded, actors)
    return DemoResult(plan=plan, created=True, users=demo_users)


__all__ = ["DemoResult", "load_demo"]
