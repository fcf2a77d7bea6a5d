"""The public documents' data (`selectors.publicdocs`): the progress report of a
published plan and the close-out notice of a task under public notice, with the
portal's public fields and nothing else."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from docx import Document

from closeout.documents import pdf
from closeout.documents import publicdocs as docs
from closeout.ledger import clock, services
from closeout.ledger.errors import NotFound
from closeout.ledger.models import LoopSettings, Milestone, Role, TaskState
from closeout.ledger.selectors import publicdocs
from closeout.ledger.tests.factories import PlanFactory, ProblemFactory, make_task, take
from closeout.web.tests.public_world import SECRETS, build_portal_world


@pytest.fixture
def pw(world):
    return build_portal_world(world)


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _secrets_in(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_the_report_lists_each_problem_with_its_public_tasks_and_the_portals_buckets(pw):
    report = publicdocs.progress_report(pw.world.plan.pk)
    assert report.title == pw.world.plan.title and report.as_of == clock.today()
    assert report.office == "整改办"  # the settings' default
    (problem,) = report.problems
    assert problem.id == pw.problem.pk
    rows = [(t.id, t.lead_units, t.status, t.bucket) for t in problem.tasks]
    assert rows == [
        # Due 2020-12-31: a close-out still on notice after its deadline is late.
        (pw.notice.pk, ("市生态环境局",), "notice", "overdue"),
        (pw.closed.pk, ("历城区生态环境分局",), "closed", "done"),
        (pw.overdue.pk, ("市城乡水务局",), "in_progress", "overdue"),
    ]  # the cancelled task is not there
    stored = dict(
        TaskState.objects.filter(task__plan=pw.world.plan).values_list("task_id", "bucket")
    )
    assert {t.id: t.bucket for t in problem.tasks} == {t.id: stored[t.id] for t in problem.tasks}
    counts = {b.bucket: b.count for b in report.totals}
    assert counts == {"done": 1, "sustained": 0, "on_schedule": 0, "behind": 0, "overdue": 2}
    assert report.totals == problem.totals and report.total == 3 and report.done == 1
    assert problem.tasks[0].notice_until == pw.notice.notice_until
    assert problem.tasks[1].closed_on == pw.closed.closed_on


@pytest.mark.parametrize("which", ["draft_plan", "unpublished_plan", "superseded_plan"])
def test_only_published_plans_have_a_report(pw, which):
    with pytest.raises(NotFound):
        publicdocs.progress_report(getattr(pw, which).pk)


def test_a_problem_of_draft_tasks_only_is_left_out(pw):
    make_task(ProblemFactory(plan=pw.world.plan, seq=9, title="DRAFT-ONLY"), 20, pw.world.env)
    assert [p.title for p in publicdocs.progress_report(pw.world.plan.pk).problems] == [
        pw.problem.title
    ]


def test_the_report_as_of_an_earlier_day_buckets_by_that_day(pw):
    # `overdue` is due 2020-12-31; in 2019 it was not late yet (and has reported nothing).
    early = publicdocs.progress_report(pw.world.plan.pk, as_of=dt.date(2019, 3, 1))
    buckets = {t.id: t.bucket for t in early.problems[0].tasks}
    assert buckets[pw.overdue.pk] == "behind" and buckets[pw.closed.pk] == "done"
    # A milestone reached counts by the day it was reached.
    Milestone.objects.create(
        task=pw.overdue, seq=1, title="节点", due_date=dt.date(2019, 1, 1),
        expected_progress=10, reached_on=dt.date(2019, 1, 1),
    )  # fmt: skip
    early = publicdocs.progress_report(pw.world.plan.pk, as_of=dt.date(2019, 3, 1))
    assert {t.id: t.bucket for t in early.problems[0].tasks}[pw.overdue.pk] == "on_schedule"


def test_no_staff_name_person_report_or_note_reaches_the_report(pw):
    report = publicdocs.progress_report(pw.world.plan.pk)
    assert _secrets_in(repr(report)) == []
    assert _secrets_in(_docx_text(docs.progress_report_docx(report))) == []


def test_the_report_takes_the_same_queries_for_three_tasks_or_thirty(pw):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            publicdocs.progress_report(pw.world.plan.pk)
        return len(ctx.captured_queries)

    few = queries()
    office = pw.world.actor("office")
    for seq in range(10, 37):
        task = make_task(ProblemFactory(plan=pw.world.plan, seq=seq), seq, pw.world.water)
        take(office, task, "confirm")
    assert queries() == few <= 5
    assert publicdocs.progress_report(pw.world.plan.pk).total == 30


def test_the_office_name_comes_from_the_settings_and_reading_it_writes_nothing(db):
    assert publicdocs.office_name() == "整改办"
    assert not LoopSettings.objects.exists()
    LoopSettings.objects.create(issuing_body="济南市督察整改办")
    assert publicdocs.office_name() == "济南市督察整改办"


def test_a_task_under_notice_has_its_notice(pw):
    task = pw.notice
    notice = publicdocs.closeout_notice(task.pk)
    assert (notice.task_id, notice.text, notice.target) == (task.pk, task.text, task.target)
    assert notice.notice_from == clock.today() and notice.notice_until == task.notice_until
    assert notice.requested_on == clock.today() == notice.reviewed_on
    assert notice.plan_title == pw.world.plan.title and notice.plan_issuer == "济南市人民政府"
    assert [(u.part, u.names) for u in notice.units] == [
        ("lead", ("市生态环境局",)),
        ("supervising", ("市督导组",)),
    ]
    assert notice.objection_url == f"/public/tasks/{task.pk}/#objections"
    assert notice.office == "整改办" and notice.office_contact == ""
    with_host = publicdocs.closeout_notice(task.pk, base_url="https://portal.example/")
    assert with_host.objection_url == f"https://portal.example/public/tasks/{task.pk}/#objections"
    assert publicdocs.in_notice(task.pk)


def test_a_notice_holds_no_self_assessment_opinion_objector_or_person(pw):
    notice = publicdocs.closeout_notice(pw.notice.pk)
    assert _secrets_in(repr(notice)) == []
    assert _secrets_in(_docx_text(docs.closeout_notice_docx(notice))) == []


@pytest.mark.parametrize(
    "which", ["closed", "overdue", "draft_task", "unpublished_task", "cancelled"]
)
def test_a_task_not_under_notice_has_none(pw, which):
    task = getattr(pw, which)
    assert not publicdocs.in_notice(task.pk)
    with translation.override("en"), pytest.raises(NotFound, match="not under public notice"):
        publicdocs.closeout_notice(task.pk)


def test_a_notice_ends_with_its_public_notice(pw):
    office = pw.world.actor("office")
    with clock.frozen_at(pw.notice.notice_until + dt.timedelta(days=1)):
        take(office, pw.notice, "end_notice")
    with pytest.raises(NotFound):
        publicdocs.closeout_notice(pw.notice.pk)


def test_every_task_entering_its_notice_has_one_for_its_latest_round(pw):
    """A task sent back and requested again: the notice gives the new round's days."""
    office = services.Actor(role=Role.OFFICE, label="office")
    task = pw.overdue
    take(pw.world.actor("unit_water"), task, "request_closeout")
    with pytest.raises(NotFound):
        publicdocs.closeout_notice(task.pk)  # requested, not yet on notice
    take(office, task, "send_back")
    later = dt.date(2025, 6, 16)
    with clock.frozen_at(later):
        take(pw.world.actor("unit_water"), task, "request_closeout")
        take(pw.world.actor("supervisor_audit"), task, "pass_review")
        notice = publicdocs.closeout_notice(task.pk)
    assert notice.requested_on == later == notice.reviewed_on == notice.notice_from
    assert notice.notice_until > later


def test_an_unknown_task_or_plan_is_not_found(db):
    with pytest.raises(NotFound):
        publicdocs.closeout_notice(10**9)
    with pytest.raises(NotFound):
        publicdocs.progress_report(10**9)
    empty = publicdocs.progress_report(PlanFactory(published=True).pk)
    assert (empty.problems, empty.total) == ((), 0)


# --------------------------------------------------------------------------- the commands


def test_the_commands_write_the_report_and_the_notice(pw, tmp_path, monkeypatch):
    out = tmp_path / "report.docx"
    stdout = io.StringIO()
    plan = str(pw.world.plan.pk)
    call_command("report", "progress", "--plan", plan, "-o", str(out), stdout=stdout)
    assert str(out) in stdout.getvalue()
    report = publicdocs.progress_report(pw.world.plan.pk)
    assert out.read_bytes() == docs.progress_report_docx(report)
    monkeypatch.chdir(tmp_path)
    call_command("report", "progress", "--plan", str(pw.world.plan.pk), "--as-of", "2019-03-01",
                 stdout=io.StringIO())  # fmt: skip
    assert (tmp_path / f"整改进展情况公示-{pw.world.plan.pk}-20190301.docx").is_file()
    call_command(
        "report", "notice", str(pw.notice.pk), "--base-url", "https://portal.example",
        stdout=io.StringIO(),
    )  # fmt: skip
    text = _docx_text((tmp_path / f"销号公示-{pw.notice.pk}.docx").read_bytes())
    assert f"https://portal.example/public/tasks/{pw.notice.pk}/#objections" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["progress", "--plan", "{unpublished}"], "does not exist"),
        (["progress", "--plan", "{plan}", "--as-of", "2019-13-01"], "--as-of"),
        (["notice", "{closed}"], "not under public notice"),
        (["notice", "{notice}", "--base-url", "portal.example"], "--base-url"),
        (["notice", "{notice}", "-o", "/nonexistent/folder/x.docx"], "-o: cannot write"),
    ],
)
def test_the_commands_refuse_with_a_clear_message(pw, args, message):
    ids = {"unpublished": pw.unpublished_plan.pk, "plan": pw.world.plan.pk,
           "closed": pw.closed.pk, "notice": pw.notice.pk}  # fmt: skip
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("report", *[a.format(**ids) for a in args], stdout=io.StringIO())


def test_pdf_without_libreoffice_is_a_clear_error(pw, monkeypatch):
    monkeypatch.setattr(pdf, "available", lambda: False)
    with pytest.raises(CommandError, match="LibreOffice"):
        call_command("report", "notice", str(pw.notice.pk), "--pdf", stdout=io.StringIO())
