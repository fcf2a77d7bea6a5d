"""Writes to the ledger (services). Every change goes through one of these functions,
which check permission through `closeout.ledger.access`, change the rows and append the
audit event in the same database transaction. API, pages, admin and commands all call
these; none of them writes to the ledger tables directly.

Modules: audit (the event writer), units, users, plans, tasks, transitions (life-cycle
steps), taskstate (row lock, derived state), reports, imports,
closeouts (close-out steps, each declared once), objections, ratelimits, lookbacks,
escalations, notifications. Import from
here: `from closeout.ledger import services; services.task_transition(...)`.
"""

from __future__ import annotations

from closeout.ledger.access import Actor
from closeout.ledger.services.audit import (
    audit,
    audited_delete,
    audited_save,
    audited_set_m2m,
    snapshot,
)
from closeout.ledger.services.closeouts import STEPS, acceptance_criteria, step_data
from closeout.ledger.services.escalations import (
    escalation_issue,
    escalation_lift,
    escalation_respond,
)
from closeout.ledger.services.imports import (
    ImportOutcome,
    parse_upload,
    plan_confirm,
    plan_import,
    proposal_decide,
)
from closeout.ledger.services.lookbacks import lookback_record
from closeout.ledger.services.notifications import (
    digests_send,
    notifications_mark_read,
    notify_task,
)
from closeout.ledger.services.objections import (
    objection_answer,
    objection_lodge,
    objection_mark_spam,
)
from closeout.ledger.services.plans import (
    inspection_create,
    plan_add_inspection,
    plan_create,
    plan_publish,
    problem_create,
)
from closeout.ledger.services.reports import (
    ACCEPTED_EVIDENCE_TYPES,
    OFFICE_EXTENSIONS,
    Upload,
    evidence_store,
    report_create,
    sniff_content_type,
)
from closeout.ledger.services.review import (
    DefaultOutcome,
    NameDecision,
    plan_supervisor_default,
    proposal_name_decide,
    supervision_conflict,
    task_person_add,
    task_person_change,
    task_person_remove,
    task_unit_add,
    task_unit_change,
    task_unit_remove,
)
from closeout.ledger.services.tasks import (
    TASK_EDITABLE_FIELDS,
    PersonRef,
    UnitRef,
    task_create,
    task_update,
)
from closeout.ledger.services.transitions import task_transition
from closeout.ledger.services.units import (
    unit_create,
    unit_group_create,
    unit_save,
)
from closeout.ledger.services.users import (
    token_authenticate,
    token_create,
    token_hash,
    token_revoke,
    user_create,
)

__all__ = [
    "ACCEPTED_EVIDENCE_TYPES",
    "OFFICE_EXTENSIONS",
    "STEPS",
    "TASK_EDITABLE_FIELDS",
    "Actor",
    "DefaultOutcome",
    "ImportOutcome",
    "NameDecision",
    "PersonRef",
    "UnitRef",
    "Upload",
    "acceptance_criteria",
    "audit",
    "audited_delete",
    "audited_save",
    "audited_set_m2m",
    "digests_send",
    "escalation_issue",
    "escalation_lift",
    "escalation_respond",
    "evidence_store",
    "inspection_create",
    "lookback_record",
    "notifications_mark_read",
    "notify_task",
    "objection_answer",
    "objection_lodge",
    "objection_mark_spam",
    "parse_upload",
    "plan_add_inspection",
    "plan_confirm",
    "plan_create",
    "plan_import",
    "plan_publish",
    "plan_supervisor_default",
    "problem_create",
    "proposal_decide",
    "proposal_name_decide",
    "report_create",
    "snapshot",
    "sniff_content_type",
    "step_data",
    "supervision_conflict",
    "task_create",
    "task_person_add",
    "task_person_change",
    "task_person_remove",
    "task_transition",
    "task_unit_add",
    "task_unit_change",
    "task_unit_remove",
    "task_update",
    "token_authenticate",
    "token_create",
    "token_hash",
    "token_revoke",
    "unit_create",
    "unit_group_create",
    "unit_save",
    "user_create",
]
