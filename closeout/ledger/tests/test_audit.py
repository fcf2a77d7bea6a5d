"""The audit trail is append-only: through the model, the query set and the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from closeout.ledger.models import AuditEvent
from closeout.ledger.models.audit import AppendOnlyError


def test_every_object_built_by_the_services_has_an_audit_event(world):
    assert AuditEvent.objects.filter(action="unit.create").count() == 8
    assert AuditEvent.objects.filter(action="task.create").count() == 3
    assert AuditEvent.objects.filter(action="task.confirm").count() == 3
    assert AuditEvent.objects.filter(action="user.create").count() == len(world.users)


def test_an_audit_event_cannot_be_changed_through_the_model(world):
    event = AuditEvent.objects.first()
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_an_audit_event_cannot_be_deleted_through_the_model(world):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.first().delete()


def test_audit_events_cannot_be_bulk_updated_or_deleted(world):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(note="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_itself_refuses_to_update_an_audit_event(world):
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_auditevent SET note = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == event.note


def test_the_database_itself_refuses_to_delete_an_audit_event(world):
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_history_outlives_the_task_it_describes(world):
    from closeout.ledger.models import Task

    task_id = world.foreign.pk
    before = AuditEvent.objects.filter(task_id=task_id).count()
    Task.objects.filter(pk=task_id).delete()
    assert AuditEvent.objects.filter(task_id=task_id).count() == before > 0
