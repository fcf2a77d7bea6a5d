"""The task life cycle (整改任务生命周期): every state, every allowed transition and the
roles that may take it, declared once, here.

    draft 待确认 ─confirm→ in_progress 整改中 ─request_closeout→ requested 申请销号
      ─pass_review (初审)→ notice 公示中 ─end_notice→ verification 待核查
      ─verify (核查)→ verified 已核查 ─file (备案)→ closed 已销号 | sustained 已完成、长期坚持
    closed/sustained ─reopen (回头看发现反弹)→ in_progress
    requested/notice/verification/verified ─send_back (退回)→ in_progress

Transitions are taken only through `closeout.ledger.services.task_transition`, which
checks `closeout.ledger.access.may_transition` (role, scope and separation of duties),
saves the new state and writes the audit event in one database transaction. The
`ConcurrentTransitionMixin` turns the save into `UPDATE … WHERE status = <old state>`,
so two people acting on the same task at once can never both succeed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition


class Status(models.TextChoices):
    DRAFT = "draft", _("Awaiting confirmation")  # 待确认
    IN_PROGRESS = "in_progress", _("In progress")  # 整改中
    REQUESTED = "requested", _("Close-out requested")  # 申请销号
    NOTICE = "notice", _("Public notice")  # 公示中
    VERIFICATION = "verification", _("Awaiting verification")  # 待核查
    VERIFIED = "verified", _("Verified, awaiting filing")  # 已核查待备案
    CLOSED = "closed", _("Closed out")  # 已销号
    SUSTAINED = "sustained", _("Completed, sustained")  # 已完成、长期坚持
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销 (e.g. a duplicate)


OPEN_STATES = frozenset(
    {Status.IN_PROGRESS, Status.REQUESTED, Status.NOTICE, Status.VERIFICATION, Status.VERIFIED}
)
DONE_STATES = frozenset({Status.CLOSED, Status.SUSTAINED})
# States in which the responsible unit still owes progress reports.
REPORTING_STATES = frozenset({Status.IN_PROGRESS, Status.REQUESTED, Status.SUSTAINED})

# Role names as used below; the same values as closeout.ledger.models.accounts.Role,
# plus "system" for the scheduled sweep.
OFFICE, UNIT, SUPERVISOR, SYSTEM = "office", "unit", "supervisor", "system"


@dataclass(frozen=True)
class TransitionRule:
    """What the state table says about one transition, for code that lists them."""

    name: str
    label: Any  # a lazy translation: str() it where it is shown, in the reader's language
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    roles: frozenset[str]
    approves: bool  # an approval step: the responsible unit may never take it
    needs_reason: bool


def _target_after_filing(task: Any) -> str:
    return Status.SUSTAINED if task.ongoing else Status.CLOSED


def _rule(
    label: Any, roles: set[str], *, approves: bool = False, needs_reason: bool = False
) -> dict[str, Any]:
    return {
        "label": label,
        "roles": frozenset(roles),
        "approves": approves,
        "needs_reason": needs_reason,
    }


class TaskLifecycle(ConcurrentTransitionMixin, models.Model):
    """The state field and the transition table of a task."""

    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    class Meta:
        abstract = True

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.IN_PROGRESS,
        custom=_rule(_("Confirm"), {OFFICE}),
    )
    def confirm(self) -> None:
        """The office confirms an imported task; the clock starts (确认入账)."""

    @transition(
        field=status,
        source=[Status.DRAFT, Status.IN_PROGRESS],
        target=Status.CANCELLED,
        custom=_rule(_("Cancel"), {OFFICE}, needs_reason=True),
    )
    def cancel(self) -> None:
        """The office withdraws a task, e.g. a duplicate (撤销)."""

    @transition(
        field=status,
        source=Status.IN_PROGRESS,
        target=Status.REQUESTED,
        custom=_rule(_("Request close-out"), {UNIT, OFFICE}),
    )
    def request_closeout(self) -> None:
        """The responsible unit applies for close-out (申请销号)."""

    @transition(
        field=status,
        source=Status.REQUESTED,
        target=Status.IN_PROGRESS,
        custom=_rule(_("Withdraw request"), {UNIT, OFFICE}),
    )
    def withdraw_request(self) -> None:
        """The unit takes its close-out request back."""

    @transition(
        field=status,
        source=Status.REQUESTED,
        target=Status.NOTICE,
        custom=_rule(_("Pass preliminary review"), {SUPERVISOR, OFFICE}, approves=True),
    )
    def pass_review(self) -> None:
        """The supervising unit's preliminary review passes (初审通过); notice begins."""

    @transition(
        field=status,
        source=Status.NOTICE,
        target=Status.VERIFICATION,
        custom=_rule(_("End public notice"), {OFFICE, SYSTEM}, approves=True),
    )
    def end_notice(self) -> None:
        """The public notice (公示) has run its days with every objection answered."""

    @transition(
        field=status,
        source=Status.VERIFICATION,
        target=Status.VERIFIED,
        custom=_rule(_("Verify on site"), {SUPERVISOR, OFFICE}, approves=True),
    )
    def verify(self) -> None:
        """An on-site check confirms the rectification (核查)."""

    @transition(
        field=status,
        source=Status.VERIFIED,
        target=GET_STATE(_target_after_filing, states=[Status.CLOSED, Status.SUSTAINED]),
        custom=_rule(_("File and close out"), {OFFICE}, approves=True),
    )
    def file(self) -> None:
        """The office files the close-out (备案); ongoing tasks become "sustained"."""

    @transition(
        field=status,
        source=[Status.REQUESTED, Status.NOTICE, Status.VERIFICATION, Status.VERIFIED],
        target=Status.IN_PROGRESS,
        custom=_rule(_("Send back"), {SUPERVISOR, OFFICE}, approves=True, needs_reason=True),
    )
    def send_back(self) -> None:
        """A review step rejects the close-out and returns the task (退回重新整改)."""

    @transition(
        field=status,
        source=[Status.CLOSED, Status.SUSTAINED],
        target=Status.IN_PROGRESS,
        custom=_rule(_("Reopen after rebound"), {SUPERVISOR, OFFICE}, needs_reason=True),
    )
    def reopen(self) -> None:
        """A look-back finds the problem has come back (反弹); the task reopens."""


@functools.cache
def transition_rules() -> dict[str, TransitionRule]:
    """The state table, read back from the declarations above."""
    from closeout.ledger.models import Task  # the concrete model registers the transitions

    rules: dict[str, TransitionRule] = {}
    field = Task._meta.get_field("status")
    for tr in field.get_all_transitions(Task):  # type: ignore[attr-defined]
        target = tr.target
        targets = tuple(target.allowed_states) if hasattr(target, "allowed_states") else (target,)
        existing = rules.get(tr.name)
        sources = (*existing.sources, tr.source) if existing else (tr.source,)
        rules[tr.name] = TransitionRule(
            name=tr.name,
            label=tr.custom["label"],
            sources=sources,
            targets=targets,
            roles=tr.custom["roles"],
            approves=tr.custom["approves"],
            needs_reason=tr.custom["needs_reason"],
        )
    return rules
