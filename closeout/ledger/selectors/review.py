"""Reads of the office's plan review (方案审核) at scale: a page of a draft plan's tasks
with their units, persons and open names; the unit names awaiting a decision grouped by
the name as written; the tasks that cannot be confirmed yet; units picked by name.

A plan may have hundreds of tasks and the registry thousands of units, so nothing here
reads a whole plan's rows or the whole registry into a page: tasks come a page at a
time with their relations in a fixed number of queries, and units are found by search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import (
    AssignmentRole,
    Plan,
    Task,
    TaskUnit,
    Unit,
    UnitProposal,
)
from closeout.ledger.selectors.paging import Paged
from closeout.ledger.selectors.tasks import unit_search

REVIEW_PAGE_SIZE = 50
UNIT_SUGGESTIONS = 20
GAPS_LISTED = 20
SOURCE_LINE = 300  # characters of a task's source shown on the review page
# A field read outside its task's excerpt (a problem heading, a standing clause): this
# many characters of it, for at most this many distinct spans a page.
SOURCE_SNIPPET = 200
SNIPPETS_PER_PAGE = 100
# "市生态环境局 (济南市) #123": what the picker's suggestions put in the field.
UNIT_ID_SUFFIX = re.compile(r"#(\d{1,18})\s*$")


def _lacks(role: str) -> Any:
    return ~Exists(TaskUnit.objects.filter(task_id=OuterRef("pk"), role=role))


def _has_open_name() -> Exists:
    return Exists(UnitProposal.objects.filter(task_id=OuterRef("pk"), decided=False))


def needs_attention_q() -> Q:
    """The one rule of what a draft task still needs before the plan is confirmed: a
    lead responsible unit (牵头/主体责任单位), a supervising unit (督导单位), and a decision
    on every unit name the import could not resolve."""
    return (
        Q(_lacks(AssignmentRole.LEAD)) | Q(_lacks(AssignmentRole.SUPERVISING)) | Q(_has_open_name())
    )


@dataclass(frozen=True)
class Gap:
    """A task that cannot be confirmed, and what it lacks."""

    seq: int
    no_lead: bool
    no_supervisor: bool


@dataclass(frozen=True)
class Gaps:
    count: int  # tasks lacking a lead or a supervising unit
    listed: list[Gap]  # the first GAPS_LISTED of them, in order


def confirm_gaps(plan_id: int, *, listed: int = GAPS_LISTED) -> Gaps:
    """The plan's tasks that lack a lead or a supervising unit (two queries)."""
    qs = (
        Task.objects.filter(plan_id=plan_id)
        .annotate(
            no_lead=_lacks(AssignmentRole.LEAD), no_supervisor=_lacks(AssignmentRole.SUPERVISING)
        )
        .filter(Q(no_lead=True) | Q(no_supervisor=True))
    )
    rows = list(qs.order_by("seq").values_list("seq", "no_lead", "no_supervisor")[:listed])
    count = len(rows) if len(rows) < listed else qs.count()
    return Gaps(count=count, listed=[Gap(*row) for row in rows])


@dataclass(frozen=True)
class NameGroup:
    """One unit name as written, with every undecided occurrence of it in the plan."""

    text: str
    count: int  # undecided occurrences
    tasks: int  # tasks it occurs in
    roles: list[str]
    reason: str
    candidates: list[dict[str, Any]]  # [{"unit": id, "name": str, "score": float}], best first


def name_groups(plan_id: int) -> list[NameGroup]:
    """The undecided unit names of a plan, each once, most frequent first (two queries,
    whatever the number of occurrences). The candidates of a name are those of its first
    occurrence: the importer resolves a name the same way wherever it occurs."""
    undecided = UnitProposal.objects.filter(task__plan_id=plan_id, decided=False)
    grouped = list(
        undecided.values("text")
        .annotate(n=Count("id"), tasks=Count("task_id", distinct=True), first=Min("id"))
        .order_by("-n", "text")
    )
    firsts = {
        p["id"]: p
        for p in UnitProposal.objects.filter(pk__in=[g["first"] for g in grouped]).values(
            "id", "reason", "candidates"
        )
    }
    roles: dict[str, set[str]] = {}
    for text, role in undecided.values_list("text", "role").distinct():
        roles.setdefault(text, set()).add(role)
    return [
        NameGroup(
            text=g["text"],
            count=g["n"],
            tasks=g["tasks"],
            roles=sorted(roles.get(g["text"], ())),
            reason=firsts[g["first"]]["reason"],
            candidates=list(firsts[g["first"]]["candidates"] or []),
        )
        for g in grouped
    ]


@dataclass(frozen=True)
class ReviewPage(Paged):
    """One page of a plan under review, with the counts of the whole plan."""

    plan: Plan
    # Each with its problem, assignments (and units), persons, unit_proposals, the
    # flags no_lead, no_supervisor, open_names (see `needs_attention_q`), and where it
    # was read: field_spans, source_line, source_snippets (see `_attach_sources`).
    rows: list[Task]
    count: int  # tasks on all pages of this view (all, or those needing attention)
    total: int  # tasks of the plan
    attention: int  # tasks of the plan needing attention
    undecided: int  # undecided occurrences of unit names
    names: list[NameGroup]
    gaps: Gaps
    number: int
    size: int
    only_attention: bool


def _plan(actor: Actor, plan_id: int) -> Plan:
    if not access.can_edit(actor):
        raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    plan = Plan.objects.defer("source_text").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    return plan


def review_page(
    actor: Actor,
    plan_id: int,
    *,
    page: int = 1,
    only_attention: bool = False,
    size: int = REVIEW_PAGE_SIZE,
) -> ReviewPage:
    """A page of the review of a plan (only the office reviews; others get NotFound).

    Tasks come in plan order, so the problems they answer come together and the page
    heads each problem once. A fixed number of queries whatever the plan's size: the
    page's tasks with their problems, one query per relation, the counts, the name
    groups and the gaps.
    """
    plan = _plan(actor, plan_id)
    if page < 1:
        raise InvalidInput(_("pages are numbered from 1"), field="page")
    tasks = Task.objects.filter(plan_id=plan.pk)
    attention_qs = tasks.filter(needs_attention_q())
    total = tasks.count()
    attention = attention_qs.count()
    listed = attention_qs if only_attention else tasks
    count = attention if only_attention else total
    start = (page - 1) * size
    if start >= max(count, 1) and page > 1:
        raise InvalidInput(_("there is no page %(page)s") % {"page": page}, field="page")
    rows = list(
        listed.annotate(
            no_lead=_lacks(AssignmentRole.LEAD),
            no_supervisor=_lacks(AssignmentRole.SUPERVISING),
            open_names=_has_open_name(),
        )
        .select_related("problem")
        .prefetch_related(
            "assignments__unit", "persons__unit", "unit_proposals__unit", "milestones"
        )
        .order_by("seq")[start : start + size]
    )
    # Where each task was read (a document's sentence, a ledger's "台账 第7行: …") and
    # its fields, without loading the plan's whole source text.
    _attach_sources(plan.pk, rows)
    undecided = UnitProposal.objects.filter(task__plan_id=plan.pk, decided=False).count()
    return ReviewPage(
        plan=plan,
        rows=rows,
        count=count,
        total=total,
        attention=attention,
        undecided=undecided,
        names=name_groups(plan.pk) if undecided else [],
        gaps=confirm_gaps(plan.pk),
        number=page,
        size=size,
        only_attention=only_attention,
    )


def stored_spans(task: Task) -> dict[str, list[tuple[int, int]]]:
    """A task's field spans as stored by the import (``Task.source_spans``: field →
    [[start, end], …]); anything malformed is left out."""
    spans = task.source_spans if isinstance(task.source_spans, dict) else {}
    out: dict[str, list[tuple[int, int]]] = {}
    for name, pairs in spans.items():
        for pair in pairs if isinstance(pairs, list) else ():
            if (
                isinstance(pair, list)
                and len(pair) == 2
                and all(type(x) is int for x in pair)
                and 0 <= pair[0] < pair[1]
            ):
                out.setdefault(str(name), []).append((pair[0], pair[1]))
    return out


def _window(task: Task, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The source shown for a task: its span, and the fields read just after it (a
    bracket's units and deadline), up to SOURCE_LINE characters."""
    if task.span_start is None or task.span_end is None:
        return None
    lo, limit = task.span_start, task.span_start + SOURCE_LINE
    near = [e for s, e in spans if lo <= s and e <= limit]
    return lo, min(max([task.span_end, *near]), limit)


def _attach_sources(plan_id: int, rows: list[Task]) -> None:
    """Give each row ``field_spans`` (``stored_spans``), ``source_line`` (the text of its
    window, see ``_window``) and ``source_snippets`` (the text, up to SOURCE_SNIPPET
    characters, of the field spans read outside the window: a problem heading, a
    standing clause), all from one query."""
    reads: dict[str, Any] = {}
    windows: dict[int, tuple[tuple[int, int], str]] = {}
    wanted: dict[tuple[int, int], str] = {}
    for task in rows:
        task.field_spans = stored = stored_spans(task)  # type: ignore[attr-defined]
        spans = [span for pairs in stored.values() for span in pairs]
        window = _window(task, spans)
        if window is None:
            continue
        alias = f"w{len(windows)}"
        windows[task.pk] = (window, alias)
        reads[alias] = Substr("source_text", window[0] + 1, window[1] - window[0])
        for s, e in spans:
            outside = not (window[0] <= s and e <= window[1])
            if outside and (s, e) not in wanted and len(wanted) < SNIPPETS_PER_PAGE:
                wanted[(s, e)] = alias = f"s{len(wanted)}"
                reads[alias] = Substr("source_text", s + 1, min(e - s, SOURCE_SNIPPET))
    found: dict[str, Any] = {}
    if reads:
        found = dict(Plan.objects.filter(pk=plan_id).values(**reads).first() or {})
    texts = {span: found[alias] for span, alias in wanted.items() if found.get(alias)}
    for task in rows:
        shown = windows.get(task.pk)
        task.source_line = (found.get(shown[1]) or "") if shown else ""  # type: ignore[attr-defined]
        task.source_snippets = texts  # type: ignore[attr-defined]


def unit_label(unit: Unit, parent_name: str | None) -> str:
    """How a unit reads in the picker: its name, its parent for telling namesakes apart,
    and its id, which the field reads back."""
    where = f" ({parent_name})" if parent_name else ""
    return f"{unit.name}{where} #{unit.pk}"


def unit_suggestions(
    actor: Actor, q: str, *, limit: int = UNIT_SUGGESTIONS
) -> list[dict[str, Any]]:
    """Units whose name, full name or alias contains every word of `q`, for the picker
    (one query; nothing for an empty search)."""
    if not access.can_edit(actor) or not q.strip():
        return []
    units = unit_search(actor, q=q).filter(active=True).select_related("parent")[:limit]
    return [
        {
            "id": u.pk,
            "name": u.name,
            "parent": u.parent.name if u.parent else "",
            "label": unit_label(u, u.parent.name if u.parent else None),
        }
        for u in units
    ]


def unit_pick(actor: Actor, value: str, *, field: str = "unit") -> Unit:
    """The active unit a picker field names: "… #id" (a suggestion), an id, or a name,
    full name or alias that exactly one unit answers to. Anything else is refused with
    the units it could mean."""
    text = value.strip()
    if not text:
        raise InvalidInput(_("Pick a unit."), field=field)
    match = UNIT_ID_SUFFIX.search(text)
    units: QuerySet[Unit]
    if match or text.isdigit():
        units = Unit.objects.filter(pk=int(match.group(1) if match else text), active=True)
    else:
        units = (
            Unit.objects.filter(active=True)
            .filter(Q(name=text) | Q(full_name=text) | Q(aliases__name=text))
            .distinct()
        )
    found = list(units.select_related("parent").order_by("path")[:6])
    if len(found) == 1:
        return found[0]
    if not found:
        near = unit_suggestions(actor, text, limit=5) if not (match or text.isdigit()) else []
        if near:
            raise InvalidInput(
                _("No unit is called %(name)s; did you mean: %(list)s?")
                % {"name": text, "list": "; ".join(n["label"] for n in near)},
                field=field,
            )
        raise InvalidInput(_("No unit is called %(name)s.") % {"name": text}, field=field)
    raise InvalidInput(
        _("Several units are called %(name)s; pick one of: %(list)s")
        % {
            "name": text,
            "list": "; ".join(unit_label(u, u.parent.name if u.parent else None) for u in found),
        },
        field=field,
    )
