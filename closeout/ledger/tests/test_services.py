"""The write services: each change is checked, applied whole or not at all, and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from closeout.ledger import clock, services
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import (
    AuditEvent,
    Evidence,
    Milestone,
    ProgressReport,
    Role,
    Task,
    Unit,
    UnitKind,
    UnitLevel,
)
from closeout.ledger.rules.workflow import Status
from closeout.ledger.services import Upload

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_unit_reports_progress_with_evidence(world):
    actor = world.actor("unit_env")
    with clock.frozen_at(dt.date(2019, 3, 1)):
        report = services.report_create(
            actor=actor,
            task_id=world.own.pk,
            text="已完成排查",
            percent=40,
            files=[Upload("现场照片.png", PNG), Upload("验收报告.pdf", PDF)],
        )
    task = Task.objects.get(pk=world.own.pk)
    assert task.progress == 40 and task.last_reported_at == report.submitted_at
    assert report.unit_id == world.env.pk
    kinds = dict(
        Evidence.objects.filter(report=report).values_list("original_name", "content_type")
    )
    assert kinds == {"现场照片.png": "image/png", "验收报告.pdf": "application/pdf"}
    stored = Evidence.objects.get(original_name="现场照片.png")
    path = Path(settings.DATA_DIR) / stored.stored_path
    assert path.read_bytes() == PNG and stored.sha256 == hashlib.sha256(PNG).hexdigest()
    actions = list(AuditEvent.objects.filter(task_id=task.pk).values_list("action", flat=True))
    assert actions.count("evidence.add") == 2 and "report.create" in actions


def test_a_disguised_file_is_refused_and_nothing_is_saved(world):
    actor = world.actor("unit_env")
    with pytest.raises(InvalidInput) as err:
        services.report_create(
            actor=actor,
            task_id=world.own.pk,
            text="进展",
            files=[Upload("photo.png", PNG), Upload("photo2.jpg", b"MZ\x90\x00" * 50)],
        )
    assert "photo2.jpg" in err.value.message and err.value.field == "files"
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert Task.objects.get(pk=world.own.pk).last_reported_at is None


def test_an_oversized_file_is_refused(world, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as err:
        services.report_create(
            actor=world.actor("unit_env"),
            task_id=world.own.pk,
            text="x",
            files=[Upload("big.pdf", PDF + b"0" * 200)],
        )
    assert err.value.field == "files" and "big.pdf" in err.value.message
    assert not ProgressReport.objects.exists()


def test_reaching_a_milestone_sets_progress_to_at_least_its_expectation(world):
    milestone = Milestone.objects.create(
        task=world.own,
        seq=1,
        title="完成方案编制",
        due_date=dt.date(2019, 6, 30),
        expected_progress=30,
    )
    services.report_create(
        actor=world.actor("unit_env"),
        task_id=world.own.pk,
        text="方案已印发",
        percent=10,
        milestone_id=milestone.pk,
    )
    milestone.refresh_from_db()
    assert milestone.reached_on is not None
    assert Task.objects.get(pk=world.own.pk).progress == 30


def test_a_milestone_of_another_task_is_refused(world):
    other = Milestone.objects.create(
        task=world.child, seq=1, title="m", due_date=dt.date(2019, 6, 30), expected_progress=30
    )
    with pytest.raises(InvalidInput) as err:
        services.report_create(
            actor=world.actor("unit_env"), task_id=world.own.pk, text="x", milestone_id=other.pk
        )
    assert err.value.field == "milestone"


@pytest.mark.parametrize(
    ("text", "percent", "field"),
    [("  ", None, "text"), ("x", 101, "percent"), ("x", -1, "percent")],
)
def test_bad_report_input_names_the_field(world, text, percent, field):
    with pytest.raises(InvalidInput) as err:
        services.report_create(
            actor=world.actor("unit_env"), task_id=world.own.pk, text=text, percent=percent
        )
    assert err.value.field == field


def test_reports_are_refused_for_foreign_tasks_and_drafts(world):
    with pytest.raises(NotFound):
        services.report_create(actor=world.actor("unit_env"), task_id=world.foreign.pk, text="x")
    with pytest.raises(NotPermitted):
        services.report_create(actor=world.actor("supervisor"), task_id=world.own.pk, text="x")
    Task.objects.filter(pk=world.own.pk).update(status=Status.DRAFT)
    with pytest.raises(InvalidTransition):  # the office sees drafts, but nobody reports on one
        services.report_create(actor=world.actor("office"), task_id=world.own.pk, text="x")
    with pytest.raises(NotFound):  # a unit does not even see a draft
        services.report_create(actor=world.actor("unit_env"), task_id=world.own.pk, text="x")


def test_the_office_edits_a_task_and_the_change_is_audited(world):
    task = services.task_update(
        actor=world.actor("office"),
        task_id=world.own.pk,
        changes={
            "due_date": dt.date(2021, 6, 30),
            "deadline_raw": "2021年6月底",
            "target": "水质达标",
        },
    )
    assert task.due_date == dt.date(2021, 6, 30)
    event = AuditEvent.objects.filter(task_id=task.pk, action="task.update").get()
    assert event.before == {"due_date": "2020-12-31", "deadline_raw": "2020年年底", "target": ""}
    assert event.after == {
        "due_date": "2021-06-30",
        "deadline_raw": "2021年6月底",
        "target": "水质达标",
    }
    assert event.actor_label == "office"


def test_an_edit_that_changes_nothing_writes_no_event(world):
    services.task_update(
        actor=world.actor("office"), task_id=world.own.pk, changes={"deadline_raw": "2020年年底"}
    )
    assert not AuditEvent.objects.filter(action="task.update").exists()


@pytest.mark.parametrize(
    "changes", [{"status": "closed"}, {"plan": 1}, {"measures": "one"}, {"progress": 50}]
)
def test_fields_outside_the_edit_set_are_refused(world, changes):
    with pytest.raises(InvalidInput):
        services.task_update(actor=world.actor("office"), task_id=world.own.pk, changes=changes)
    assert Task.objects.get(pk=world.own.pk).status == Status.IN_PROGRESS


def test_units_cannot_edit_tasks(world):
    with pytest.raises(NotPermitted):
        services.task_update(
            actor=world.actor("unit_env"), task_id=world.own.pk, changes={"target": "x"}
        )


def test_moving_a_unit_moves_its_whole_subtree(world):
    office = world.actor("office")
    world.district_gov.parent = world.city
    services.unit_save(actor=office, unit=world.district_gov)
    env = Unit.objects.get(pk=world.district_env.pk)
    gov = Unit.objects.get(pk=world.district_gov.pk)
    assert gov.path == f"{world.city.path}{gov.pk}/" and gov.depth == 1
    assert env.path == f"{gov.path}{env.pk}/" and env.depth == 2
    assert AuditEvent.objects.filter(action="unit.update", target_id=gov.pk).exists()


def test_a_unit_cannot_move_below_itself(world):
    world.district.parent = world.district_env
    with pytest.raises(InvalidInput):
        services.unit_save(actor=world.actor("office"), unit=world.district)


def test_unit_paths_follow_the_tree(world):
    for unit in Unit.objects.all():
        expected = (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
        assert unit.path == expected
        assert unit.depth == len(unit.ancestor_ids) - 1


def test_a_unit_needs_a_name(db):
    with pytest.raises(InvalidInput):
        services.unit_create(
            actor=services.Actor.system(), name=" ", kind=UnitKind.OTHER, level=UnitLevel.CITY
        )


def test_api_tokens_are_stored_hashed_and_can_be_revoked(world):
    user = world.users["unit_env"]
    token, key = services.token_create(actor=world.actor("office"), user=user, name="ci")
    assert key not in token.key_hash and token.prefix == key[:8]
    assert services.token_authenticate(key) == user
    assert services.token_authenticate(key + "x") is None
    token.revoked = True
    token.save()
    assert services.token_authenticate(key) is None


def test_unit_users_must_have_a_unit(db):
    with pytest.raises(InvalidInput) as err:
        services.user_create(
            actor=services.Actor.system(), username="u", password="x", role=Role.UNIT
        )
    assert err.value.field == "unit"
