"""`closeout sweep`: apply the closed loop's rules as of a date (see closeout.ledger.sweep);
`--explain` prints the rules and their SQL instead."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError

from closeout.ledger import sweep
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.services.notifications import digests_send


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


class Command(LedgerCommand):
    help = (
        "Apply reporting cycles, schedule status, public notices, look-backs and escalation "
        "rules to every task as of a date (today by default), then send the e-mail digests "
        "that are due. Idempotent: a second run for the same date changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", type=_date, help="the date to apply the rules as of")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--no-mail", action="store_true", help="do not send the e-mail digests")
        parser.add_argument(
            "--explain",
            action="store_true",
            help="print each rule in the order it runs, with what it reads and writes and "
            "its SQL as compiled for this database, without running anything",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["explain"]:
            self.explain()
            return
        result = sweep.run(options["as_of"])
        digests = None if options["no_mail"] else digests_send(result.as_of)
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if digests is not None:
            for failure in digests.failed:
                self.stderr.write(f"warning: digest not sent: {failure}")
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False))
            return
        d = result.details()
        self.stdout.write(
            f"as of {d['as_of']}: {d['tasks']} confirmed tasks — "
            + ", ".join(f"{k} {v}" for k, v in d["buckets"].items())
        )
        self.stdout.write(
            f"changed {d['changed']}: {d['missed_reports']} missing reports recorded, "
            f"{d['buckets_changed']} buckets, {d['streaks_changed']} report streaks, "
            f"{d['notices_ended']} public notices ended, "
            f"{d['lookbacks_scheduled']} look-backs scheduled ({d['lookbacks_due']} due), "
            f"{d['escalations_issued']} measures issued, {d['escalations_lifted']} lifted; "
            f"{d['notifications']} notifications"
            + (f"; {digests.sent} e-mail digests sent" if digests is not None else "")
        )

    def explain(self) -> None:
        """Each rule in order: its sentence, reads and writes, twin and statements."""
        for number, rule in enumerate(sweep.RULES, 1):
            self.stdout.write(f"{number}. {rule.name}: {rule.sentence}")
            self.stdout.write(f"   reads:  {', '.join(sorted(rule.reads))}")
            self.stdout.write(f"   writes: {', '.join(sorted(rule.writes))}")
            if rule.twin is not None:
                self.stdout.write(f"   twin:   {rule.twin.__module__}.{rule.twin.__qualname__}")
            for compiled in rule.statements():
                self.stdout.write(f"   -- {compiled.label}")
                self.stdout.write(f"   {compiled.text()}")
            self.stdout.write("")
