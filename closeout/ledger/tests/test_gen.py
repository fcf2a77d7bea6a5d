"""`closeout gen`: the synthetic ledger loader (closeout.ledger.synth + the gen command)."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    Profile,
    ProgressReport,
    Role,
    Task,
    TaskState,
    TaskUnit,
    Unit,
    UnitKind,
    UnitLevel,
)
from closeout.ledger.synth import TABLES, Config, Generator

pytestmark = pytest.mark.django_db


def gen(*args: str) -> str:
    out = StringIO()
    call_command("gen", "--tasks", "300", "--batch", "120", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def ledger() -> str:
    return gen()


def test_gen_loads_exactly_the_requested_number_of_tasks(ledger):
    assert Task.objects.count() == 300
    assert "300 / 300 tasks" in ledger
    # Each with the state row the sweep keeps, not computed yet.
    assert TaskState.objects.filter(bucket="", missed_reports=0).count() == 300


def test_every_generated_task_has_a_lead_and_a_supervising_unit(ledger):
    tasks = Task.objects.annotate(
        leads=Count("assignments", filter=Q(assignments__role=AssignmentRole.LEAD)),
        supervisors=Count("assignments", filter=Q(assignments__role=AssignmentRole.SUPERVISING)),
    )
    assert not tasks.filter(leads=0).exists()
    assert not tasks.filter(supervisors=0).exists()
    assert tasks.filter(leads__gt=1).exists()
    assert TaskUnit.objects.filter(role=AssignmentRole.COOP).exists()


def test_generated_unit_paths_follow_the_parents(ledger):
    units = {u.pk: u for u in Unit.objects.all()}
    assert len(units) > 1000
    for u in units.values():
        parent = units.get(u.parent_id)
        expected = (parent.path if parent else "/") + f"{u.pk}/"
        assert (u.path, u.depth) == (expected, parent.depth + 1 if parent else 0)
    assert Unit.objects.filter(parent__isnull=True).count() == 1
    assert Unit.objects.filter(kind=UnitKind.REGION, level=UnitLevel.CITY).count() == 16


def test_generated_deadlines_cover_immediate_ongoing_and_dated(ledger):
    assert Task.objects.filter(immediate=True, due_date__isnull=True).exists()
    assert Task.objects.filter(ongoing=True, due_date__isnull=True).exists()
    assert Task.objects.filter(ongoing=True, due_date__isnull=False).exists()
    assert Task.objects.filter(immediate=False, ongoing=False, due_date__isnull=False).exists()
    raw = set(Task.objects.values_list("deadline_raw", flat=True))
    assert any("立行立改" in r or "立即整改" in r for r in raw)
    assert any(r.endswith("底") or r.endswith("底前") for r in raw)


def test_generated_tasks_have_progress_history(ledger):
    # About 3 per task over the years, plus the weekly rounds of the last 8 weeks of the
    # tasks still reporting.
    from closeout.ledger.synth.ledger import WEEKLY_NOTES

    history = ProgressReport.objects.exclude(text__in=WEEKLY_NOTES).count()
    assert 1.5 * 300 < history < 4.5 * 300
    weekly = ProgressReport.objects.filter(text__in=WEEKLY_NOTES)
    assert weekly.exists()
    assert all(r.period_start.weekday() == 0 for r in weekly)
    latest = Task.objects.filter(last_reported_at__isnull=False).first()
    assert latest is not None
    assert latest.reports.order_by("-submitted_at").first().submitted_at == latest.last_reported_at


def test_generated_rows_read_back_as_django_values(ledger):
    task = Task.objects.filter(due_date__isnull=False, last_reported_at__isnull=False).first()
    assert isinstance(task.due_date, dt.date)
    assert task.created_at.tzinfo is not None and task.created_at.year >= 2017
    assert isinstance(task.measures, list) and all(isinstance(m, str) for m in task.measures)
    assert Task.objects.filter(status="in_progress").exists()
    assert Task.objects.filter(status__in=["closed", "sustained"], progress=100).exists()


def test_every_leading_and_supervising_unit_gets_a_login_once(ledger):
    def units(roles):
        return set(TaskUnit.objects.filter(role__in=roles).values_list("unit_id", flat=True))

    def check():
        logins = Profile.objects.select_related("user")
        assert set(logins.filter(role=Role.UNIT).values_list("unit_id", flat=True)) == units(
            [AssignmentRole.LEAD]
        )
        supervising = [AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING]
        assert set(logins.filter(role=Role.SUPERVISOR).values_list("unit_id", flat=True)) == units(
            supervising
        )
        assert not any(p.user.has_usable_password() for p in logins)
        assert not Profile.objects.values("role", "unit").annotate(n=Count("id")).filter(n__gt=1)

    check()
    gen("--append")  # logins only for the units that have none yet
    check()


def test_gen_records_one_audit_event_with_the_counts(ledger):
    events = AuditEvent.objects.filter(action="ledger.generate")
    assert events.count() == 1
    assert events.get().after["task"] == 300
    assert events.get().actor_label == "gen"


def test_rows_created_after_gen_get_fresh_ids(ledger):
    top = Unit.objects.get(parent__isnull=True)
    unit = services.unit_create(
        actor=Actor.system("test"),
        name="新单位",
        kind=UnitKind.OTHER,
        level=UnitLevel.PROVINCE,
        parent=top,
    )
    assert unit.pk > max(Unit.objects.exclude(pk=unit.pk).values_list("pk", flat=True))


def test_second_run_is_refused_without_append(ledger):
    with pytest.raises(CommandError, match="--append"):
        gen()
    assert Task.objects.count() == 300


def test_append_adds_tasks_and_reuses_the_unit_tree(ledger):
    units = Unit.objects.count()
    gen("--append")
    assert Task.objects.count() == 600
    assert Unit.objects.count() == units


def _digest(seed: int) -> str:
    g = Generator(Config(tasks=200, seed=seed, batch=50))
    h = hashlib.sha256()
    for batch in g.batches():
        for key, rows in batch.items():
            assert all(len(r) == len(TABLES[key][1]) for r in rows)
            h.update(repr((key, rows)).encode())
    return h.hexdigest()


def test_same_seed_gives_the_same_ledger():
    assert _digest(7) == _digest(7)
    assert _digest(7) != _digest(8)
