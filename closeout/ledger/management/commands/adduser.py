"""`closeout adduser`: create a login with its role and unit (the first office user of a
new deployment starts here)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import CommandError

from closeout.ledger import selectors, services
from closeout.ledger.access import Actor
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.models import Role


class Command(LedgerCommand):
    help = "Create a user with a role (office, unit, supervisor, leader) and, for units, a unit."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role", required=True, choices=[r for r in Role.values if r != Role.PUBLIC]
        )
        parser.add_argument("--unit", help="the unit's name or id (unit users and supervisors)")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--password", help="default: asked for on the terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = None
        if options["unit"]:
            matches = list(selectors.unit_lookup(options["unit"])[:5])
            if not matches:
                raise CommandError(f"no unit is called {options['unit']!r}")
            if len(matches) > 1:
                names = ", ".join(f"{u.pk}:{u}" for u in matches)
                raise CommandError(
                    f"{options['unit']!r} names several units ({names}); give the id"
                )
            unit = matches[0]
        password = options["password"] or getpass.getpass("Password: ")
        if not password:
            raise CommandError("a password is required")
        services.user_create(
            actor=Actor.system("adduser"),
            username=options["username"],
            password=password,
            role=options["role"],
            unit=unit,
            display_name=options["display_name"],
        )
        where = f" of {unit}" if unit else ""
        self.stdout.write(f"created {options['username']} ({options['role']}{where})")
