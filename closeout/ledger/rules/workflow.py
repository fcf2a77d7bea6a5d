"""The task life cycle (整改任务生命周期): every state, every allowed transition and the
roles that may take it, declared once, here.

    draft 待确认 ─confirm→ in_progress 整改中 ─request_closeout→ requested 申请销号
      ─pass_review (初审)→ notice 公示中 ─end_notice→ verification 待核查
      ─verify (核查)→ verified 已核查 ─file (备案)→ closed 已销号 | sustained 已完成、长期坚持
    closed/sustained ─reopen (回头看发现反弹)→ in_progress
    requested/notice/verification/verified ─send_back (退回)→ in_progress

This module is the table itself, as data (`TRANSITIONS`); the task model's state field and
its django-fsm transition methods are generated from it (`closeout.ledger.models.lifecycle`).
Transitions are taken only through `closeout.ledger.services.task_transition`, which
checks `closeout.ledger.access.may_transition` (role, scope and separation of duties),
saves the new state and writes the audit event in one database transaction. The
`ConcurrentTransitionMixin` turns the save into `UPDATE … WHERE status = <old state>`,
so two people acting on the same task at once can never both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    """One transition of the state table."""

    name: str
    label: Any  # a lazy translation: str() it where it is shown, in the reader's language
    sources: tuple[str, ...]
    targets: tuple[str, ...]  # more than one: `target_of` chooses by the task
    roles: frozenset[str]
    approves: bool  # an approval step: the responsible unit may never take it
    needs_reason: bool
    doc: str = ""


def _t(
    name: str,
    label: Any,
    sources: list[str],
    targets: list[str],
    roles: set[str],
    doc: str,
    *,
    approves: bool = False,
    needs_reason: bool = False,
) -> TransitionRule:
    return TransitionRule(
        name, label, tuple(sources), tuple(targets), frozenset(roles), approves, needs_reason, doc
    )


S = Status
TRANSITIONS: dict[str, TransitionRule] = {
    rule.name: rule
    for rule in (
        _t("confirm", _("Confirm"), [S.DRAFT], [S.IN_PROGRESS], {OFFICE},
           "The office confirms an imported task; the clock starts (确认入账)."),
        _t("cancel", _("Cancel"), [S.DRAFT, S.IN_PROGRESS], [S.CANCELLED], {OFFICE},
           "The office withdraws a task, e.g. a duplicate (撤销).", needs_reason=True),
        _t("request_closeout", _("Request close-out"), [S.IN_PROGRESS], [S.REQUESTED],
           {UNIT, OFFICE}, "The responsible unit applies for close-out (申请销号)."),
        _t("withdraw_request", _("Withdraw request"), [S.REQUESTED], [S.IN_PROGRESS],
           {UNIT, OFFICE}, "The unit takes its close-out request back."),
        _t("pass_review", _("Pass preliminary review"), [S.REQUESTED], [S.NOTICE],
           {SUPERVISOR, OFFICE},
           "The supervising unit's preliminary review passes (初审通过); notice begins.",
           approves=True),
        _t("end_notice", _("End public notice"), [S.NOTICE], [S.VERIFICATION], {OFFICE, SYSTEM},
           "The public notice (公示) has run its days with every objection answered.",
           approves=True),
        _t("verify", _("Verify on site"), [S.VERIFICATION], [S.VERIFIED], {SUPERVISOR, OFFICE},
           "An on-site check confirms the rectification (核查).", approves=True),
        _t("file", _("File and close out"), [S.VERIFIED], [S.CLOSED, S.SUSTAINED], {OFFICE},
           'The office files the close-out (备案); ongoing tasks become "sustained".',
           approves=True),
        _t("send_back", _("Send back"), [S.REQUESTED, S.NOTICE, S.VERIFICATION, S.VERIFIED],
           [S.IN_PROGRESS], {SUPERVISOR, OFFICE},
           "A review step rejects the close-out and returns the task (退回重新整改).",
           approves=True, needs_reason=True),
        _t("reopen", _("Reopen after rebound"), [S.CLOSED, S.SUSTAINED], [S.IN_PROGRESS],
           {SUPERVISOR, OFFICE},
           "A look-back finds the problem has come back (反弹); the task reopens.",
           needs_reason=True),
    )
}  # fmt: skip


def target_of(rule: TransitionRule, *, ongoing: bool) -> str:
    """The state a transition leads to for a task: filing closes a task, or marks an
    ongoing (长期坚持) one as sustained."""
    if len(rule.targets) == 1:
        return rule.targets[0]
    return Status.SUSTAINED if ongoing else Status.CLOSED


def transition_rules() -> dict[str, TransitionRule]:
    """The state table, by transition name."""
    return TRANSITIONS
