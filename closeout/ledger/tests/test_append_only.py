"""Append-only tables refuse every way of changing or deleting a row, on both databases:
the model, the query set, Django's cascades and raw SQL. The one exception is a link to
a deleted user or milestone, which the database clears."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.db.models import ProtectedError

from closeout.ledger import services
from closeout.ledger.models import (
    AuditEvent,
    CloseoutStep,
    Evidence,
    Milestone,
    ProgressReport,
    Task,
)
from closeout.ledger.models.appendonly import AppendOnlyError, AppendOnlyModel
from closeout.ledger.tests.factories import PDF, take

APPEND_ONLY = [AuditEvent, CloseoutStep, ProgressReport, Evidence]
# The text column each test rewrites.
TEXT = {AuditEvent: "note", CloseoutStep: "opinion", ProgressReport: "text", Evidence: "sha256"}


@pytest.fixture
def history(world):
    """A report with a file, and a close-out request (a step with a file) on `own`."""
    unit_env = world.actor("unit_env")
    services.report_create(
        actor=unit_env,
        task_id=world.own.pk,
        text="进展",
        percent=50,
        files=[services.Upload("photo.pdf", PDF)],
    )
    take(unit_env, world.own, "request_closeout")
    return world


def one(model: type[models.Model]) -> models.Model:
    row = model.objects.order_by("pk").first()
    assert row is not None
    return row


def test_every_model_named_here_is_append_only_and_no_other():
    found = {m for m in AppendOnlyModel.__subclasses__()}
    assert found == set(APPEND_ONLY)


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_a_row_cannot_be_changed_through_the_instance(history, model):
    row = one(model)
    setattr(row, TEXT[model], "rewritten")
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.save(update_fields=[TEXT[model]])
    assert getattr(model.objects.get(pk=row.pk), TEXT[model]) != "rewritten"


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_a_row_cannot_be_deleted_through_the_instance(history, model):
    row = one(model)
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_rows_cannot_be_changed_or_deleted_through_a_query_set(history, model):
    before = model.objects.count()
    field = TEXT[model]
    for qs in (model.objects.all(), model._base_manager.all(), model._default_manager.all()):
        with pytest.raises(AppendOnlyError):
            qs.update(**{field: "x"})
        with pytest.raises(AppendOnlyError):
            qs.delete()
        with pytest.raises(AppendOnlyError):
            qs._raw_delete(qs.db)
    row = one(model)
    setattr(row, field, "x")
    with pytest.raises(AppendOnlyError):
        model.objects.bulk_update([row], [field])
    assert model.objects.count() == before
    assert not model.objects.filter(**{field: "x"}).exists()


def _sql(statement: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_the_database_refuses_to_update_a_row(history, model):
    row = one(model)
    table, column = model._meta.db_table, model._meta.get_field(TEXT[model]).column
    with pytest.raises(DatabaseError):
        _sql(f"UPDATE {table} SET {column} = 'forged' WHERE id = %s", [row.pk])
    assert getattr(model.objects.get(pk=row.pk), TEXT[model]) != "forged"


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_the_database_refuses_to_delete_a_row(history, model):
    row = one(model)
    with pytest.raises(DatabaseError):
        _sql(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError):
        _sql(f"DELETE FROM {model._meta.db_table}", [])
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_the_update_trigger_guards_every_column_but_the_clearable_links(history, model):
    """A column added later must be added to the trigger too (see migration 0011)."""
    if connection.vendor == "sqlite":
        sql = " ".join(
            s
            for (s,) in connection.cursor()
            .execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [model._meta.db_table],
            )
            .fetchall()
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT string_agg(pg_get_triggerdef(oid), ' ') FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [model._meta.db_table],
            )
            (sql,) = cursor.fetchone()
    # PostgreSQL gives the condition back with parentheses and casts to text.
    sql = re.sub(r'["()]|::text', "", sql).lower()
    clearable = {model._meta.get_field(n).column for n in model.append_only_clearable}
    for field in model._meta.concrete_fields:
        if field.column in clearable:
            assert f"new.{field.column} is not null" in sql
        elif clearable:
            assert f"old.{field.column} is" in sql, field.column


def test_deleting_a_user_clears_the_links_to_them_and_keeps_the_rows(history):
    user = history.users["unit_env"]
    step = CloseoutStep.objects.get(task=history.own, actor=user)
    report = ProgressReport.objects.get(task=history.own, reporter=user)
    files = set(Evidence.objects.filter(uploaded_by=user).values_list("pk", flat=True))
    assert files
    user.delete()
    step = CloseoutStep.objects.get(pk=step.pk)
    assert (step.actor_id, step.actor_label) == (None, "unit_env")
    assert ProgressReport.objects.get(pk=report.pk).reporter_id is None
    assert set(Evidence.objects.filter(pk__in=files).values_list("uploaded_by", flat=True)) == {
        None
    }


def test_deleting_a_milestone_clears_the_reports_link(history):
    milestone = Milestone.objects.create(
        task=history.own, seq=1, title="一期", due_date="2025-12-31", expected_progress=50
    )
    report = services.report_create(
        actor=history.actor("unit_env"),
        task_id=history.own.pk,
        text="一期完成",
        milestone_id=milestone.pk,
    )
    assert ProgressReport.objects.get(pk=report.pk).milestone_id == milestone.pk
    milestone.delete()
    assert ProgressReport.objects.get(pk=report.pk).milestone_id is None


def test_a_link_may_only_be_cleared_never_pointed_elsewhere(history):
    step = CloseoutStep.objects.get(task=history.own)
    other = history.users["office"]
    with pytest.raises(AppendOnlyError):
        CloseoutStep.objects.filter(pk=step.pk).update(actor=other)
    with pytest.raises(DatabaseError):
        _sql("UPDATE ledger_closeoutstep SET actor_id = %s WHERE id = %s", [other.pk, step.pk])
    assert CloseoutStep.objects.get(pk=step.pk).actor_id == step.actor_id


def test_a_task_with_history_cannot_be_deleted(history):
    with pytest.raises(ProtectedError):
        Task.objects.get(pk=history.own.pk).delete()
    assert Task.objects.filter(pk=history.own.pk).exists()
    assert CloseoutStep.objects.filter(task=history.own).exists()


def test_a_task_without_history_can_still_be_deleted(history):
    Task.objects.get(pk=history.foreign.pk).delete()
    assert not Task.objects.filter(pk=history.foreign.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_append_only_tables_too():
    """The whole-database reset — also what the test runner does after this test — gets
    through; nothing else does (the tests above)."""
    from closeout.ledger.tests.factories import build_world

    world = build_world()
    unit_env = world.actor("unit_env")
    services.report_create(
        actor=unit_env,
        task_id=world.own.pk,
        text="进展",
        files=[services.Upload("photo.pdf", PDF)],
    )
    take(unit_env, world.own, "request_closeout")
    assert all(model.objects.exists() for model in APPEND_ONLY)
    call_command("flush", interactive=False, verbosity=0)
    assert not any(model.objects.exists() for model in APPEND_ONLY)
    # The reset over, the guard is back.
    world = build_world()
    services.report_create(actor=world.actor("unit_env"), task_id=world.own.pk, text="x")
    with pytest.raises(DatabaseError):
        _sql("DELETE FROM ledger_progressreport", [])
    assert ProgressReport.objects.exists()
