"""`closeout demo`: migrate, load the Jinan demo ledger and its users, and serve it.

Running it again loads nothing twice. With --no-serve it only loads and prints the
users; otherwise it serves with DEBUG on (a demo, never a production server) until
interrupted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from closeout.ledger.demo import load_demo
from closeout.ledger.demo.users import DEMO_USERS, PASSWORD
from closeout.ledger.management.commands.serve import (
    ServerCommand,
    add_listen_arguments,
    open_server,
    run_until_stopped,
    server_urls,
)
from closeout.ledger.models import Role


class Command(ServerCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # A property, because argparse needs a real str and the language is only known
        # once the command runs.
        return _(
            "Load the Jinan demo ledger, create one demo user per role and serve it (DEBUG on)."
        )

    def add_arguments(self, parser: Any) -> None:
        add_listen_arguments(parser)
        parser.add_argument(
            "--no-serve", action="store_true", help=_("load the demo data and exit")
        )

    def bind(self, options: dict[str, Any]) -> Any:
        if options["no_serve"]:
            return None
        host = options["host"]
        # DEBUG must be on before the WSGI application (and whitenoise) is built.
        settings.DEBUG = True
        if host not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [
                *settings.ALLOWED_HOSTS,
                "*" if host in ("0.0.0.0", "::") else host,
            ]
        return open_server(host, options["port"])

    def handle(self, *args: Any, **options: Any) -> None:
        server = self.server
        result = load_demo()
        if result.created:
            self.stdout.write(_("Loaded the demo plan: %(title)s") % {"title": result.plan})
        else:
            self.stdout.write(
                _("The demo plan is already loaded: %(title)s") % {"title": result.plan}
            )
        self._print_users(result.users)
        if server is None:
            self.stdout.write(_("Start the server with `closeout demo` or `closeout serve`."))
            return
        for url in server_urls(server):
            self.stdout.write(
                _("Open %(url)s and sign in as one of the users above (Ctrl-C to stop).")
                % {"url": url}
            )
        self.stdout.flush()
        run_until_stopped(server, self.stdout)

    def _print_users(self, users: dict[str, Any]) -> None:
        rows = [(_("username"), _("password"), _("role"), _("unit"), _("sees"))]
        for spec in DEMO_USERS:
            profile = users[spec.key].profile
            rows.append(
                (
                    spec.username,
                    PASSWORD,
                    str(Role(profile.role).label),
                    str(profile.unit) if profile.unit else "—",
                    str(spec.what),
                )
            )
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)
