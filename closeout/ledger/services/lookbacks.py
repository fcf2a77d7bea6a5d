"""Look-back checks (回头看): recording what a re-check of a closed task found.

A stable outcome closes the check. A rebound (反弹) reopens the task through the
`reopen` transition (so it is audited and counted in `Task.rebounds`, against the lead
unit recorded on the check), voids the other checks still scheduled for that closing,
and keeps the whole previous history: steps, reports and checks stay as they were.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import LookbackCheck, LookbackState
from closeout.ledger.rules import limits
from closeout.ledger.rules.dates import check_date
from closeout.ledger.rules.workflow import DONE_STATES
from closeout.ledger.services.audit import audit
from closeout.ledger.services.transitions import task_transition


def lookback_record(
    *,
    actor: Actor,
    check_id: int,
    rebound: bool,
    findings: str,
    checked_on: dt.date | None = None,
) -> LookbackCheck:
    findings = limits.LOOKBACK_FINDINGS.check(findings)
    if not findings:
        raise InvalidInput(_("the findings of the look-back are required"), field="findings")
    today = clock.today()
    checked_on = checked_on or today
    with transaction.atomic():
        check = (
            LookbackCheck.objects.select_for_update()
            .select_related("task")
            .filter(pk=check_id)
            .first()
        )
        if check is None or not access.can_view(actor, check.task):
            raise NotFound(_("look-back check %(id)s does not exist") % {"id": check_id})
        if not access.can_record_lookback(actor, check.task):
            raise NotPermitted(_("only the office or the supervising unit records look-backs"))
        if check.state != LookbackState.SCHEDULED:
            raise InvalidTransition(_("this look-back check has already been recorded"))
        if check.task.status not in DONE_STATES or check.task.closed_on != check.closed_on:
            raise InvalidTransition(_("the task was reopened since; this check no longer applies"))
        # A look-back checks a closing: it cannot be dated before the task was closed.
        check_date(
            checked_on,
            field="checked_on",
            label=_("the date of the look-back check"),
            today=today,
            happened=True,
            not_before=check.closed_on,
            not_before_label=_("the day the task was closed"),
        )
        check.state = LookbackState.REBOUND if rebound else LookbackState.STABLE
        check.checked_on = checked_on
        check.checked_by_id = actor.user_id
        check.findings = findings
        check.save(update_fields=["state", "checked_on", "checked_by", "findings"])
        audit(
            actor,
            "lookback.record",
            check,
            task=check.task,
            after={"state": check.state, "months": check.months, "findings": findings},
        )
        if rebound:
            task_transition(
                actor=actor,
                task_id=check.task_id,
                name="reopen",
                note=_("look-back after %(months)s months: %(findings)s")
                % {"months": check.months, "findings": findings},
            )
    return check
