"""The Django admin, the rectification office's (整改办) back room.

Rules the admin keeps:
- Who may enter and what they may do come from `closeout.ledger.access` only: the site
  lets in `can_use_admin` actors, every ModelAdmin's permissions ask `can_edit`, and the
  task list goes through `visible_tasks`. Django's per-model permissions are not used.
- Nothing here writes ledger rows itself: saves go through `services.task_update`,
  `task_create`, `unit_save`, `audited_save` and `audited_set_m2m`, deletes through
  `audited_delete`, life-cycle changes through `task_transition`, so each one leaves an
  audit event (操作留痕). Audit events, progress reports and evidence are read-only.
- It must stay fast on a million tasks: no full COUNT(*) per page (`CappedPaginator`,
  `show_full_result_count = False`, no facets), related rows joined rather than fetched
  per row, big text columns of joined rows deferred, filters that never scan the table.

Django finds this package as `closeout.ledger.admin`; importing the modules below
registers every ModelAdmin (base: the shared pieces; tasks: tasks, problems, plans,
reports and evidence; registry: units and accounts; loop: the closed loop; audit: the
audit trail).
"""

from closeout.ledger.admin import audit, base, loop, registry, tasks
from closeout.ledger.admin.base import AtLeast, CappedPaginator

__all__ = ["AtLeast", "CappedPaginator", "audit", "base", "loop", "registry", "tasks"]
