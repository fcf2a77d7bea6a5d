"""`closeout import FILE [--confirm]`: import a plan as a draft for the office's review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.models import Role


class Command(LedgerCommand):
    help = "Import a plan file as a draft plan and print what needs review; --confirm confirms it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--confirm", action="store_true", help="confirm the plan at once")
        parser.add_argument("--user", help="the office user to record as the importer")
        parser.add_argument("--year", type=int, help="the year a bare '年底' means")

    def _actor(self, username: str | None) -> Actor:
        if not username:
            # Whoever runs the command holds the data folder: they act as the office.
            return Actor(role=Role.OFFICE, label="closeout import")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user is called {username!r}")
        return Actor.of(user)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot open file ({exc.strerror or exc})") from exc
        actor = self._actor(options["user"])
        out = services.plan_import(actor, data=data, name=path.name, year=options["year"])
        plan = out.plan
        w = self.stdout.write
        if not out.created:
            w(f"already imported as plan {plan.pk} (version {plan.version}, {plan.status})")
        else:
            w(f"plan {plan.pk}: {plan.title} (version {plan.version}, draft)")
            w(f"  tasks: {out.tasks}; unit names matched: {out.resolved}")
            w(f"  flagged tasks: {len(out.flagged)}")
            for seq, dup in out.duplicates:
                w(f"  duplicate: parsed task {seq} repeats {dup}; not imported")
            for name in out.unresolved:
                w(f"  unresolved unit: {name}")
            for warning in out.warnings:
                w(f"  warning: {warning}")
            if out.previous is not None and out.diff is not None:
                d = out.diff
                w(
                    f"  new version of plan {out.previous.pk}: {len(d.added)} added, "
                    f"{len(d.removed)} removed, {len(d.changed)} changed, {d.unchanged} unchanged"
                )
                for change in d.changed:
                    w(f"    task {change.old_seq} → {change.new_seq}: {', '.join(change.fields)}")
        if options["confirm"]:
            services.plan_confirm(actor, plan.pk)
            w(f"plan {plan.pk} confirmed")
