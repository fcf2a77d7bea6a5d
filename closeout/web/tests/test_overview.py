"""The office overview page (web:overview): its numbers are those of the ledger, every
number links to the ledger filtered to its tasks, the change since the previous period
comes from the frozen snapshots, and only the office and leaders may see it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from closeout.ledger import clock, services, sweep
from closeout.ledger.access import Actor
from closeout.ledger.models import Escalation, Role, Snapshot, Task, TaskState
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db
D = dt.date
URL = "/overview/"
OFFICE = Actor(role=Role.OFFICE, label="test-office")


def _get(client, world, role):
    client.force_login(world.users[role])
    return client.get(URL)


def _links(html: str) -> list[tuple[str, dict[str, list[str]]]]:
    """Every link to the ledger on the page, with its query."""
    import re

    out = []
    for href in re.findall(r'href="([^"]+)"', html):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.path == reverse("web:task_list"):
            out.append((href, parse_qs(parts.query)))
    return out


def test_the_url_is_named():
    assert reverse("web:overview") == URL


@pytest.mark.parametrize("role", ["office", "leader"])
def test_the_office_and_leaders_see_it(client, world, role):
    sweep.run(D(2019, 3, 6))
    response = _get(client, world, role)
    assert response.status_code == 200
    assert response.context["o"].total.n == 3


@pytest.mark.parametrize("role", ["unit_env", "unit_licheng", "supervisor", "supervisor_audit"])
def test_units_and_supervisors_are_refused(client, world, role):
    assert _get(client, world, role).status_code == 403


def test_anonymous_visitors_go_to_the_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("looked_up", [500, 0])  # units by id, or the whole registry
def test_the_numbers_are_those_of_the_ledger_with_the_change_since_last_period(
    client, world, monkeypatch, looked_up
):
    from closeout.ledger.selectors import overview

    monkeypatch.setattr(overview, "UNITS_LOOKED_UP", looked_up)
    # Last week: all three on schedule (due 2020-12-31, no milestones, time elapsed low).
    sweep.run(D(2019, 3, 6))
    with clock.frozen_at(D(2019, 3, 12)):
        services.task_transition(actor=OFFICE, task_id=world.foreign.pk, name="cancel",
                                 note="duplicate")  # fmt: skip
    # This week, past the due date: two tasks overdue, one gone.
    sweep.run(D(2021, 1, 6))
    o = _get(client, world, "office").context["o"]
    assert o.snapshot.period_start == D(2021, 1, 4) and o.previous is not None
    live = {
        b: TaskState.objects.filter(bucket=b, task__status__in=["in_progress"]).count()
        for b in Bucket.values
    }
    figures = {value: f for value, _label, f in o.buckets}
    assert {b: f.n for b, f in figures.items()} == live
    assert figures[Bucket.OVERDUE].n == 2
    before = {b: 0 for b in Bucket.values}
    for value, n in _previous_buckets():
        before[value] = n
    assert figures[Bucket.OVERDUE].change == 2 - before[Bucket.OVERDUE]
    assert o.total.n == 2 and o.total.change == -1
    # Units ranked: both leads of the open tasks lag by one overdue task each.
    assert {u.unit_id: u.overdue.n for u in o.units} == {world.env.pk: 1, world.district_env.pk: 1}
    # The district roll-up puts 历城区生态环境分局 under 历城区, the city's department
    # with its city.
    districts = {d.unit_id: d.overdue.n for d in o.districts}
    assert districts == {world.district.pk: 1, world.city.pk: 1}
    # The overdue list is live and links to the tasks.
    assert {t.task_id for t in o.overdue} == {world.own.pk, world.child.pk}
    assert [line.total.n for line in o.plans] == [2]


def _previous_buckets():
    from closeout.ledger.models import SnapshotRow

    previous = Snapshot.objects.order_by("-period_start")[1]
    rows = SnapshotRow.objects.filter(snapshot=previous, kind="category")
    return [(r.bucket, r.tasks) for r in rows]


def test_every_number_links_to_the_ledger_filtered_to_its_tasks(client, world):
    sweep.run(D(2021, 1, 6))
    Escalation.objects.update(lifted_on=None)
    html = _get(client, world, "office").content.decode()
    links = _links(html)
    queries = [q for _href, q in links]
    assert {"bucket": ["overdue"]} in queries
    assert {"bucket": ["done"]} in queries
    for flag in ("missing", "escalated", "notice", "rebounded"):
        assert {flag: ["1"]} in queries
    assert {"unit": [str(world.env.pk)], "bucket": ["overdue"]} in queries
    assert {"unit": [str(world.district.pk)], "bucket": ["overdue"]} in queries
    assert {"plan": [str(world.plan.pk)], "bucket": ["overdue"]} in queries
    assert {"category": ["other"], "bucket": ["overdue"]} in queries
    inspections = [q for q in queries if "inspection" in q]
    assert inspections or not world.plan.inspections.exists()
    # Task lists link to the tasks themselves.
    assert reverse("web:task_detail", args=[world.own.pk]) in html
    assert reverse("web:plan_list") in html


def test_the_inspection_rounds_come_through_the_plans(client, world):
    from closeout.ledger.tests.factories import InspectionFactory

    inspection = InspectionFactory()
    world.plan.inspections.add(inspection)
    sweep.run(D(2021, 1, 6))
    o = _get(client, world, "office").context["o"]
    assert [(line.label, line.total.n, line.total.query) for line in o.inspections] == [
        (inspection.name, 3, f"inspection={inspection.pk}")
    ]


def test_a_fresh_install_shows_live_counts_and_says_so(client, world):
    services.task_transition(actor=OFFICE, task_id=world.own.pk, name="cancel", note="dup")
    response = _get(client, world, "office")
    o = response.context["o"]
    assert o.live and o.snapshot is None and not Snapshot.objects.exists()
    assert o.total.n == 2 and o.total.change is None
    assert b'data-testid="no-snapshot"' in response.content


def test_drafts_are_kept_apart_from_the_confirmed_ledger(client, world):
    PlanFactory(status="draft")
    sweep.run(D(2019, 3, 6))
    o = _get(client, world, "office").context["o"]
    assert o.draft_plans == 1 and o.total.n == 3
    assert Task.objects.filter(plan__status="draft").count() == o.draft_tasks
