"""A staged deadline's milestones (分阶段 → 倒排进度): what a plan's "2024年8月底前完成方案编制,
2024年12月底前完成主体工程建设,2025年12月底前出水稳定达标" makes of its task's milestones
when the plan is imported. Pure; the import (`services.imports`) applies it.

The parser gives a task's stages in text order, each with its due date and the clause it
governs (`ParseResult` JSON "deadline_detail" → "milestones"); the latest is the task's
due date. The milestones are steps, as the schedule rule reads them (`rules.schedule`:
the expected progress on a date is the highest of the milestones due by then), so:

- They are in date order (a stage the text names later but dates earlier comes first);
  stages on the same date are one milestone, their clauses joined.
- Fewer than two dates are no stages: a single date is just the deadline.
- Each title is the stage's clause (完成主体工程建设), else "Stage n" (阶段 n).
- The last milestone, on the due date, expects 100%: the task is due then.
- An earlier one expects what its clause states as done ("完成30%的…", "完成总工程量的
  60%"); a percentage the clause gives as a target (水质优良比例达到95%) is no progress and
  is not read. Milestones stating none are spread evenly between their neighbours
  (of three, 33%, 66%, 100%; rounded down, in the unit's favour, as the share of time
  elapsed is). Stated figures that do not rise from one stage to the next (or reach
  100% before the last) are ignored, and all are spread evenly: the rule must not
  expect less later than it did before.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

TITLE_MAX = 300  # Milestone.title
# "完成30%", "完成总工程量的60%", "完成整改任务的50%以上": the share of the work done.
_DONE_SHARE = re.compile(r"完成(?:[^,，;；。%％]{0,12}?的)?\s*(\d{1,3})\s*[%％]")


def stated_percent(clause: str) -> int | None:
    """The share of the work a stage's clause says is done by then, if it says one."""
    found = _DONE_SHARE.search(clause or "")
    if found is None:
        return None
    value = int(found.group(1))
    return value if 0 < value <= 100 else None


def staged_milestones(stages: Sequence[Mapping[str, Any]]) -> list[tuple[str, dt.date, int]]:
    """The milestones (title, due date, expected progress) of a task's stages as parsed
    (each with "due", an ISO date, and "clause"); none without two dates."""
    by_date: dict[dt.date, list[str]] = {}
    for stage in stages:
        if not stage.get("due"):
            continue
        clause = (stage.get("clause") or "").strip()
        clauses = by_date.setdefault(dt.date.fromisoformat(stage["due"]), [])
        if clause and clause not in clauses:
            clauses.append(clause)
    if len(by_date) < 2:
        return []
    dates = sorted(by_date)
    titles = [
        "；".join(by_date[d])[:TITLE_MAX] or _("Stage %(n)s") % {"n": i}
        for i, d in enumerate(dates, start=1)
    ]
    stated = [stated_percent(" ".join(by_date[d])) for d in dates[:-1]]
    return list(zip(titles, dates, _expected(stated), strict=True))


def _expected(stated: list[int | None]) -> list[int]:
    """The expected progress of each milestone: `stated` for all but the last (None where
    a stage states none), then 100."""
    n = len(stated) + 1
    even = [100 * i // n for i in range(1, n)] + [100]
    anchors = [(0, 0)] + [(i, p) for i, p in enumerate(stated, start=1) if p is not None]
    anchors.append((n, 100))
    if any(b[1] <= a[1] for a, b in itertools.pairwise(anchors)):
        return even
    out: list[int] = []
    for (a, pa), (b, pb) in itertools.pairwise(anchors):
        out.extend(pa + (pb - pa) * (i - a) // (b - a) for i in range(a + 1, b + 1))
    return out
