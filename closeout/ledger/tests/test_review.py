"""The office's plan review at scale: units and persons assigned on a draft, names decided
once for all their occurrences, a default supervising unit, and what confirmation needs."""

from __future__ import annotations

import pytest
from django.utils import translation

from closeout.ledger import selectors, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    PlanStatus,
    Role,
    Task,
    TaskPerson,
    TaskUnit,
    UnitAlias,
    UnitProposal,
)
from closeout.ledger.services.review import supervision_conflict
from closeout.ledger.tests.bigplan import big_plan, registry, unknown


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the catalog makes them Chinese by default)."""
    with translation.override("en"):
        yield


OFFICE = Actor(role=Role.OFFICE, label="test-office")
# The review page's queries, whatever the plan's size: the plan, two counts, the page's
# tasks with their problems, one per relation (assignments, units, persons, their units,
# names, their units), the undecided count, the name groups (three), the gaps (two).
REVIEW_QUERIES = 16
SMALL = """济南市水源保护整改方案
一、主要措施
1.清理饮用水水源保护区违法建筑。(责任单位:市生态环境局、市水务局;整改时限:2019年底)
2.开展水源地规范化建设。(责任单位:市生态环境局;整改时限:立行立改)
"""


@pytest.fixture
def units(db):
    return registry(OFFICE)


def _import(data: bytes, name: str = "plan.txt"):
    return services.plan_import(OFFICE, data=data, name=name).plan


@pytest.fixture
def big(units):
    return _import(big_plan(), "big.txt")


@pytest.mark.parametrize(
    ("role", "parts", "conflict"),
    [
        ("supervising", [(1, "lead")], True),
        ("supervising", [(1, "coop")], True),
        ("coop_supervising", [(1, "lead")], True),
        ("supervising", [(2, "lead")], False),
        ("supervising", [(1, "supervising")], False),
        ("lead", [(1, "supervising")], True),
        ("coop", [(1, "coop_supervising")], True),
        ("lead", [(1, "coop")], False),
        ("lead", [], False),
    ],
)
def test_a_unit_never_supervises_what_it_is_responsible_for(role, parts, conflict):
    assert supervision_conflict(role, 1, parts) is conflict


def test_391_occurrences_of_40_names_are_40_decisions(big, units):
    assert UnitProposal.objects.filter(task__plan=big, decided=False).count() == 391
    groups = selectors.name_groups(big.pk)
    assert len(groups) == 40 and sum(g.count for g in groups) == 391
    assert groups[0].count == 10 and groups[0].roles == ["lead"]
    for k, group in enumerate(groups):
        unit = units["water"].pk if k % 2 else None
        out = services.proposal_name_decide(OFFICE, plan_id=big.pk, text=group.text, unit_id=unit)
        assert out.occurrences == group.count
    assert not UnitProposal.objects.filter(task__plan=big, decided=False).exists()
    assert AuditEvent.objects.filter(action="plan.decide_name").count() == 40
    decided = AuditEvent.objects.filter(action="unitproposal.decide")
    assert decided.count() == 391 and decided.filter(task_id=None).count() == 0
    assert not any(
        f.startswith("unit_unresolved") for t in Task.objects.filter(plan=big) for f in t.flags
    )
    water_tasks = TaskUnit.objects.filter(task__plan=big, unit=units["water"], role="lead")
    assert water_tasks.count() == sum(g.count for k, g in enumerate(groups) if k % 2)
    assert selectors.name_groups(big.pk) == []


def test_a_plan_without_supervising_units_is_refused_then_confirmed_with_a_default(big, units):
    UnitProposal.objects.filter(task__plan=big).update(decided=True)
    with pytest.raises(InvalidInput) as refused:
        services.plan_confirm(OFFICE, big.pk)
    message = refused.value.message
    assert refused.value.field == "units"
    assert message.startswith("391 ") and "1 (no supervising unit)" in message
    assert "20 (no supervising unit)" in message and "21 (" not in message
    assert "371" in message  # and 371 more
    out = services.plan_supervisor_default(OFFICE, plan_id=big.pk, unit_id=units["office"].pk)
    assert len(out.assigned) == 391 and out.skipped == []
    created = AuditEvent.objects.filter(action="taskunit.create", task__plan=big)
    assert created.count() == 391
    assert AuditEvent.objects.filter(action="plan.default_supervisor").count() == 1
    # Applied again: nothing left without one.
    again = services.plan_supervisor_default(OFFICE, plan_id=big.pk, unit_id=units["water"].pk)
    assert again.assigned == [] and again.skipped == []
    assert services.plan_confirm(OFFICE, big.pk).status == PlanStatus.CONFIRMED


def test_the_default_supervisor_skips_the_tasks_it_is_responsible_for(units):
    plan = _import(SMALL.encode())
    out = services.plan_supervisor_default(OFFICE, plan_id=plan.pk, unit_id=units["env"].pk)
    assert out.assigned == [] and out.skipped == [1, 2]
    assert not TaskUnit.objects.filter(task__plan=plan, role="supervising").exists()
    gaps = selectors.confirm_gaps(plan.pk)
    assert gaps.count == 2 and [g.seq for g in gaps.listed] == [1, 2]
    assert gaps.listed[0].no_supervisor and not gaps.listed[0].no_lead


def test_units_and_persons_are_assigned_changed_and_removed_on_the_record(units):
    plan = _import(SMALL.encode())
    task = Task.objects.get(plan=plan, seq=2)
    sup = services.task_unit_add(
        OFFICE, task_id=task.pk, unit_id=units["office"].pk, role=AssignmentRole.SUPERVISING
    )
    assert sup.task_status == "draft"
    with pytest.raises(InvalidInput, match="already"):
        services.task_unit_add(
            OFFICE, task_id=task.pk, unit_id=units["office"].pk, role="supervising"
        )
    with pytest.raises(InvalidInput, match="supervise"):
        services.task_unit_add(OFFICE, task_id=task.pk, unit_id=units["env"].pk, role="supervising")
    coop = services.task_unit_add(OFFICE, task_id=task.pk, unit_id=units["land"].pk, role="coop")
    changed = services.task_unit_change(
        OFFICE, assignment_id=coop.pk, unit_id=units["water"].pk, role="lead"
    )
    assert (changed.unit_id, changed.role) == (units["water"].pk, "lead")
    services.task_unit_remove(OFFICE, assignment_id=changed.pk)
    assert not TaskUnit.objects.filter(pk=changed.pk).exists()
    person = services.task_person_add(
        OFFICE, task_id=task.pk, text="市整改办主任", unit_id=units["office"].pk, post="主任"
    )
    services.task_person_change(
        OFFICE, person_id=person.pk, text="市整改办副主任", unit_id=None, post="副主任"
    )
    person.refresh_from_db()
    assert (person.text, person.unit_id, person.post) == ("市整改办副主任", None, "副主任")
    with pytest.raises(InvalidInput) as empty:
        services.task_person_add(OFFICE, task_id=task.pk, text="  ")
    assert empty.value.field == "text"
    services.task_person_remove(OFFICE, person_id=person.pk)
    actions = list(
        AuditEvent.objects.filter(task_id=task.pk)
        .exclude(action="task.create")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "taskunit.create",
        "taskunit.create",
        "taskunit.update",
        "taskunit.delete",
        "taskperson.create",
        "taskperson.update",
        "taskperson.delete",
    ]


def test_a_confirmed_plan_is_no_longer_reviewed(units):
    plan = _import(SMALL.encode())
    proposal = UnitProposal.objects.get(task__plan=plan)
    services.proposal_name_decide(OFFICE, plan_id=plan.pk, text=proposal.text, unit_id=None)
    services.plan_supervisor_default(OFFICE, plan_id=plan.pk, unit_id=units["office"].pk)
    services.plan_confirm(OFFICE, plan.pk)
    task = Task.objects.filter(plan=plan).first()
    lead = TaskUnit.objects.filter(task=task, role="lead").first()
    person = TaskPerson.objects.filter(task=task).first()
    refused = [
        lambda: services.task_unit_add(
            OFFICE, task_id=task.pk, unit_id=units["land"].pk, role="coop"
        ),
        lambda: services.task_unit_change(
            OFFICE, assignment_id=lead.pk, unit_id=units["land"].pk, role="lead"
        ),
        lambda: services.task_unit_remove(OFFICE, assignment_id=lead.pk),
        lambda: services.task_person_add(OFFICE, task_id=task.pk, text="某人"),
        lambda: services.plan_supervisor_default(OFFICE, plan_id=plan.pk, unit_id=units["land"].pk),
        lambda: services.proposal_name_decide(
            OFFICE, plan_id=plan.pk, text=proposal.text, unit_id=None
        ),
        lambda: services.proposal_decide(OFFICE, proposal.pk, None),
    ]
    if person is not None:
        refused.append(lambda: services.task_person_remove(OFFICE, person_id=person.pk))
    for call in refused:
        with pytest.raises(InvalidTransition):
            call()


def test_only_the_office_reviews(world):
    unit_actor = world.actor("unit_env")
    with pytest.raises(NotPermitted):
        services.task_unit_add(unit_actor, task_id=world.own.pk, unit_id=world.env.pk, role="coop")
    with pytest.raises(NotPermitted):
        services.plan_supervisor_default(unit_actor, plan_id=world.plan.pk, unit_id=world.env.pk)
    with pytest.raises(NotPermitted):
        services.proposal_name_decide(unit_actor, plan_id=world.plan.pk, text="x", unit_id=None)


def test_a_name_added_as_an_alias_resolves_on_the_next_import(units):
    plan = _import(SMALL.encode())
    out = services.proposal_name_decide(
        OFFICE, plan_id=plan.pk, text="市水务局", unit_id=units["water"].pk, alias=True
    )
    assert out.alias_added and UnitAlias.objects.filter(unit=units["water"], name="市水务局")
    assert AuditEvent.objects.filter(action="unitalias.create").count() == 1
    again = services.plan_import(
        OFFICE, data=SMALL.replace("水源保护", "水源地保护").encode(), name="again.txt"
    )
    assert again.unresolved == []
    task = Task.objects.get(plan=again.plan, seq=1)
    assert TaskUnit.objects.filter(task=task, unit=units["water"], role="lead").exists()
    with pytest.raises(InvalidInput):
        services.proposal_name_decide(
            OFFICE, plan_id=plan.pk, text="市水务局", unit_id=None, alias=True
        )


def test_the_review_page_of_a_big_plan_takes_a_fixed_number_of_queries(
    big, units, django_assert_max_num_queries
):
    with django_assert_max_num_queries(REVIEW_QUERIES):
        first = selectors.review_page(OFFICE, big.pk, page=1)
        assert len(first.rows) == 50 and first.total == 391 and first.num_pages == 8
        seen = [
            (
                task.problem.title,
                [a.unit.name for a in task.assignments.all()],
                [p.unit for p in task.persons.all()],
                [p.unit for p in task.unit_proposals.all()],
            )
            for task in first.rows
        ]
        assert len(seen) == 50 and all(row[1] == ["市生态环境局"] for row in seen)
    with django_assert_max_num_queries(REVIEW_QUERIES):
        last = selectors.review_page(OFFICE, big.pk, page=8, only_attention=True)
        assert len(last.rows) == 41 and last.attention == 391 and len(last.names) == 40


def test_the_needs_attention_filter_keeps_only_tasks_that_lack_something(units):
    plan = _import(SMALL.encode())
    assert selectors.review_page(OFFICE, plan.pk, only_attention=True).count == 2
    services.proposal_name_decide(
        OFFICE, plan_id=plan.pk, text="市水务局", unit_id=units["water"].pk
    )
    task = Task.objects.get(plan=plan, seq=2)
    services.task_unit_add(OFFICE, task_id=task.pk, unit_id=units["office"].pk, role="supervising")
    view = selectors.review_page(OFFICE, plan.pk, only_attention=True)
    assert [t.seq for t in view.rows] == [1] and view.attention == 1 and view.total == 2


def test_a_unit_is_picked_by_name_alias_or_suggestion(units):
    assert selectors.unit_pick(OFFICE, "市城乡水务局") == units["water"]
    assert selectors.unit_pick(OFFICE, f"市城乡水务局 (济南市) #{units['water'].pk}").pk == (
        units["water"].pk
    )
    with pytest.raises(InvalidInput, match="did you mean"):
        selectors.unit_pick(OFFICE, "水务")
    with pytest.raises(InvalidInput):
        selectors.unit_pick(OFFICE, "#999999")
    suggestions = selectors.unit_suggestions(OFFICE, "水务")
    assert [s["id"] for s in suggestions] == [units["water"].pk]
    assert unknown(3) == "市未知3局"
