"""`closeout token`: issue an API token for a user (the key is printed once)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.management.base import LedgerCommand


class Command(LedgerCommand):
    help = "Issue an API bearer token for a user; the key is printed once and only its hash kept."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user is called {options['username']!r}")
        _, key = services.token_create(actor=Actor.system("token"), user=user, name=options["name"])
        self.stdout.write(key)
