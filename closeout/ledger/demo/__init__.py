"""Demo data: the units of Jinan, the seed plans imported through the import path, the
Jinan 2018 rectification plan confirmed and brought to life as a ledger, and one demo
user per role. `load_demo` is idempotent and atomic; `closeout demo` calls it.

The plan texts (closeout/samples/plans/*.txt) are public government documents kept verbatim
as our sample input; they ship with the package and are read with importlib.resources. Besides
Jinan's, they are plans of other cities, left as drafts awaiting the office's review.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from closeout.ledger import clock, sweep
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan, ledger, users
from closeout.ledger.models import Plan, Role
from closeout.ledger.services import imports


@dataclass(frozen=True)
class DemoResult:
    plan: Plan  # the Jinan plan
    created: bool  # False when the plan was already there
    users: dict[str, Any]
    drafts: list[Plan]  # the other seed plans, awaiting review


def load_demo() -> DemoResult:
    """Load the demo into the database, creating only what is missing.

    1. the office user (it acts for everything below);
    2. the other cities' plans, imported as drafts before the registry exists (their
       names are not Jinan's units; see `ledger.import_other_plans`);
    3. the unit registry and groups, then the other demo users;
    4. the Jinan plan, imported — unless the same file was imported before, which ends
       the load — then reviewed, confirmed and given a year of work.

    Imports keep the original files under DATA_DIR/plans; those that a failed load
    wrote are removed with the rollback.
    """
    names = (ledger.JINAN_PLAN, *ledger.OTHER_PLANS)
    stored = [
        imports.stored_path(hashlib.sha256(ledger.plan_bytes(name)).hexdigest()) for name in names
    ]
    existed = {path for path in stored if path.exists()}
    try:
        return _load()
    except BaseException:
        for path in stored:
            if path not in existed:
                path.unlink(missing_ok=True)
        raise


def _load() -> DemoResult:
    loader = Actor(role=Role.OFFICE, label="closeout demo")
    with transaction.atomic():
        with clock.frozen_at(ledger.JINAN_IMPORTED_ON):
            office = Actor.of(users.ensure_office(loader))
        drafts = ledger.import_other_plans(office)
        with clock.frozen_at(ledger.JINAN_IMPORTED_ON):
            registry = jinan.load_units(office)
            demo_users = users.ensure_users(office, registry)
        outcome = ledger.import_jinan(office, registry)
        if not outcome.created:
            return DemoResult(outcome.plan, created=False, users=demo_users, drafts=drafts)
        loaded = ledger.review_and_confirm(office, registry, outcome.plan)
        actors = {key: Actor.of(user) for key, user in demo_users.items()}
        ledger.bring_to_life(loaded, actors)
        sweep.run()  # and today's, so the ledger shows where things stand now
    return DemoResult(loaded.plan, created=True, users=demo_users, drafts=drafts)


__all__ = ["DemoResult", "load_demo"]
