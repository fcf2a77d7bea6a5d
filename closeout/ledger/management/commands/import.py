"""`closeout import FILE [--confirm] [--supervisor UNIT]`: import a plan (or an office's Excel
ledger, .xlsx: its progress columns become the tasks' first reports) as a draft for the
office's review. A task is confirmed only with a lead and a supervising unit (督导单位);
plans mostly name none of the latter, and `--supervisor` gives every task without one
the unit named (as the review page's "apply to every task without one" does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from closeout.ledger import selectors, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.models import Role


class Command(LedgerCommand):
    help = (
        "Import a plan file or an Excel ledger (.xlsx) as a draft plan and print what needs "
        "review; --confirm confirms it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--confirm", action="store_true", help="confirm the plan at once")
        parser.add_argument(
            "--supervisor",
            help="the unit (name, alias or id) that supervises every task the plan gives no "
            "supervising unit, e.g. the rectification office (整改办)",
        )
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
            if out.reports:
                w(f"  first reports from the ledger's progress columns: {out.reports}")
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
        if options["supervisor"]:
            unit = selectors.unit_pick(actor, options["supervisor"], field="supervisor")
            given = services.plan_supervisor_default(actor, plan_id=plan.pk, unit_id=unit.pk)
            w(f"  supervising unit {unit.name}: given to {len(given.assigned)} tasks")
            if given.skipped:
                skipped = ", ".join(str(seq) for seq in given.skipped)
                w(f"  {unit.name} is responsible for tasks {skipped}: give them another")
        if options["confirm"]:
            try:
                services.plan_confirm(actor, plan.pk)
            except InvalidInput as exc:
                if exc.field != "units" or options["supervisor"]:
                    raise
                raise CommandError(
                    f"{exc.message}; name the unit that supervises them with --supervisor"
                ) from exc
            w(f"plan {plan.pk} confirmed")
