"""The documents of the ledger (issue 13) in a real browser (headless Chromium, live
server), each downloaded by the person who would, and opened to read what it says:

1. the office filters the ledger table (/tasks/) and downloads it with "Excel": the
   workbook has the customary headers and exactly the tasks the table shows;
2. a responsible unit edits that workbook (a progress text and a percentage of its own
   task) and sends it back from "Import workbook" on its workspace (/my/): the preview
   lists the change and refuses the rows of other units' tasks naming sheet, row and
   column; applied, the task page shows the new progress report;
3. the office on the overview and the leader on the board download the circular
   (调度通报) of the frozen period from the picker;
4. the office downloads the letter (督办文书) of an escalation measure from the task page:
   numbered 〔year〕 and addressed to the task's lead unit;
5. a visitor, not signed in, opens a published plan's progress report (整改进展情况公示)
   and downloads it, and opens the close-out notice (销号公示) of a task under public
   notice, with its notice period and the link to object.

The world is the portal's (`public_world.build_portal_world`: one published plan whose
task `own` is under notice, `child` closed out, `foreign` overdue with a 约谈 measure),
swept on the suite's Monday so that a period is frozen for the circular.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext

from closeout.ledger import clock, sweep
from closeout.ledger.models import IssuedNumber, ProgressReport, Task
from closeout.web.tests.browser import log_in
from closeout.web.tests.public_world import PortalWorld, build_portal_world

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

HEADERS = ["序号", "问题", "整改目标", "整改措施", "责任单位", "责任人", "整改时限", "整改进展"]
PROGRESS = "已完成管网排查十二公里,正在清淤"


@pytest.fixture
def pw(transactional_db, world) -> PortalWorld:
    portal = build_portal_world(world)
    sweep.run()  # freezes the suite's week: the circular's period
    return portal


@pytest.fixture
def person(browser):
    """A page in a context of its own, with downloads accepted."""
    contexts: list = []

    def open_page() -> Page:
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _download(page: Page, link, folder: Path):
    """Click `link` (a selector or a locator) and keep the file it downloads: (suggested
    name, bytes)."""
    with page.expect_download() as info:
        (page.locator(link) if isinstance(link, str) else link).click()
    download = info.value
    assert download.failure() is None, download.failure()
    path = folder / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes()


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _header_row(sheet) -> int:
    for row in sheet.iter_rows(min_row=1, max_row=10):
        if any(cell.value == "序号" for cell in row):
            return row[0].row
    raise AssertionError(f"no 序号 header on sheet {sheet.title}")


def _columns(sheet, header: int) -> dict[str, int]:
    return {
        cell.value: cell.column
        for cell in sheet[header]
        if isinstance(cell.value, str) and cell.value
    }


def _shown_tasks(page: Page) -> set[int]:
    rows = page.locator("[data-testid=ledger] tbody tr[data-task]")
    return {int(rows.nth(i).get_attribute("data-task")) for i in range(rows.count())}


def test_the_office_exports_the_ledger_and_a_unit_sends_it_back(pw, person, live_server, tmp_path):
    base, world = live_server.url, pw.world
    foreign = Task.objects.get(pk=pw.overdue.pk)

    # 1. The office filters the ledger to the plan and downloads it, with the percentage.
    office = person()
    log_in(office, base, "office")
    office.goto(f"{base}/tasks/")
    filters = office.locator("[data-testid=filters]")
    filters.locator("select[name=plan]").select_option(str(world.plan.pk))
    filters.locator("button[type=submit]").first.click()
    office.wait_for_url(re.compile(rf".*/tasks/\?.*plan={world.plan.pk}"))
    shown = _shown_tasks(office)
    assert {pw.notice.pk, pw.closed.pk, pw.overdue.pk} <= shown
    export = office.locator("[data-testid=ledger-export]")
    carried = export.locator(f"input[type=hidden][name=plan][value='{world.plan.pk}']")
    expect(carried).to_have_count(1)  # the download carries the table's filter
    export.locator("summary").click()
    export.locator("input[name=xcol][value=percent]").check()
    name, data = _download(office, "[data-testid=ledger-export-button]", tmp_path)
    assert name.endswith(".xlsx") and "台账" in name, name

    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = _header_row(sheet)
    columns = _columns(sheet, header)
    assert list(columns)[: len(HEADERS)] == HEADERS
    assert list(columns)[-2:] == ["进度(%)", "任务编号"]
    rows_of = {  # task number → its row
        int(sheet.cell(r, columns["任务编号"]).value): r
        for r in range(header + 1, sheet.max_row + 1)
        if sheet.cell(r, columns["任务编号"]).value is not None
    }
    assert sorted(rows_of) == sorted(shown)  # the tasks of the filtered table, no other

    # 2. The water bureau edits its own task's row and sends the workbook back.
    row = rows_of[foreign.pk]
    sheet.cell(row, columns["整改进展"]).value = PROGRESS
    sheet.cell(row, columns["进度(%)"]).value = 40
    edited = tmp_path / "水务局回报.xlsx"
    book.save(edited)

    unit = person()
    log_in(unit, base, "unit_water")
    assert unit.url == f"{base}/my/"
    unit.locator("[data-testid=ledger-import-link]").click()
    unit.wait_for_url(f"{base}/tasks/import/")
    upload = unit.locator("[data-testid=ledger-upload-form]")
    upload.locator("input[type=file]").set_input_files(str(edited))
    upload.locator("button[type=submit]").click()

    language = unit.locator("html").get_attribute("lang") or "zh-hans"

    def cell(key: str, at: int) -> str:
        """How the import names a cell in the page's language: 台账 第5行 H列 (整改进展)."""
        letter = sheet.cell(header, columns[key]).column_letter
        with translation.override(language):
            place = gettext("%(sheet)s row %(row)s, column %(column)s") % {
                "sheet": sheet.title, "row": at, "column": letter,
            }
        return f"{place} ({key})"

    changes = unit.locator("[data-testid=import-changes] tbody tr")
    expect(changes).to_have_count(2)  # the text and the percentage
    expect(changes.nth(0).locator("td").first).to_have_text(cell("整改进展", row))
    expect(changes.nth(0)).to_contain_text(PROGRESS)
    expect(changes.nth(1).locator("td").first).to_have_text(cell("进度(%)", row))
    expect(changes.nth(1).locator("td").last).to_have_text("40%")
    # The rows of the other units' tasks are refused, each naming its cell.
    others = sorted(set(shown) - {foreign.pk})
    refusals = unit.locator("[data-testid=import-refusals] li")
    expect(refusals).to_have_count(len(others))
    places = sorted(text.split(": ", 1)[0] for text in refusals.all_inner_texts())
    assert places == sorted(cell("任务编号", rows_of[task_id]) for task_id in others)
    assert not ProgressReport.objects.filter(task=foreign, text=PROGRESS).exists()

    unit.locator("[data-testid=ledger-apply-form] button[type=submit]").click()
    expect(unit.locator("[data-testid=import-result]")).to_be_visible()
    report = ProgressReport.objects.get(task=foreign, text=PROGRESS)
    assert report.percent == 40
    unit.goto(f"{base}/tasks/{foreign.pk}/")
    written = unit.locator(f"#reports article[data-report='{report.pk}']")
    expect(written).to_contain_text(PROGRESS)
    expect(written.locator(".pct")).to_have_text("40%")


def test_the_office_and_the_leader_download_the_circular(pw, person, live_server, tmp_path):
    base = live_server.url
    for username, screen in (("office", "/overview/"), ("leader", "/board/")):
        page = person()
        log_in(page, base, username)
        page.goto(f"{base}{screen}")
        picker = page.locator("[data-testid=circular-picker]")
        period = picker.locator("select[name=period]").input_value()
        latest = picker.locator("select[name=period] option").first.get_attribute("value")
        assert period == latest  # the last frozen period is the one offered first
        name, data = _download(page, "[data-testid=circular-docx]", tmp_path)
        assert name == f"调度通报-{period}.docx", (username, name)
        text = _docx_text(data)
        assert "通报" in text and "总体进展" in text, (username, text[:300])
        year, month, day = (int(part) for part in period.split("-"))
        assert f"截至{year}年{month}月{day}日" in text, (username, text[:300])


def test_the_office_downloads_the_letter_of_a_measure(pw, person, live_server, tmp_path):
    base, foreign = live_server.url, pw.overdue
    page = person()
    log_in(page, base, "office")
    page.goto(f"{base}/tasks/{foreign.pk}/")
    measure = page.locator("#escalations article[data-escalation][data-level=summons]")
    expect(measure).to_have_count(1)
    assert not IssuedNumber.objects.exists()  # numbered at its first download
    link = measure.locator("[data-testid=letter-links] a[href$='/letter.docx']")
    name, data = _download(page, link, tmp_path)
    year = clock.today().year
    number = re.match(rf"\w+〔{year}〕\d+号", name)  # 督办〔2025〕1号约谈通知.docx
    assert number and name.endswith(".docx"), name
    paragraphs = [p.text.strip() for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert number[0] in paragraphs, paragraphs[:6]
    assert "市城乡水务局：" in paragraphs, paragraphs[:8]  # the lead unit, addressed
    assert IssuedNumber.objects.count() == 1


def test_a_visitor_downloads_the_progress_report_and_reads_a_notice(
    pw, person, live_server, tmp_path
):
    base, plan = live_server.url, pw.world.plan
    visitor = person()

    visitor.goto(f"{base}/public/plans/{plan.pk}/")
    visitor.locator("[data-testid=progress-report-link]").click()
    visitor.wait_for_url(f"{base}/public/plans/{plan.pk}/progress/")
    title = visitor.locator("[data-testid=document-title]").inner_text()
    reported = visitor.locator("[data-testid=report-tasks] tr[data-task]")
    expect(reported.and_(visitor.locator(f"[data-task='{pw.notice.pk}']"))).to_be_visible()
    name, data = _download(visitor, "[data-testid=download-docx]", tmp_path)
    assert name == f"整改进展情况公示-{plan.pk}.docx", name
    text = _docx_text(data)
    assert title in text and "整改进展情况" in text, text[:300]
    assert Task.objects.get(pk=pw.notice.pk).text in text

    notice = Task.objects.get(pk=pw.notice.pk)
    visitor.goto(f"{base}/public/notice/")
    visitor.locator(f"[data-task='{notice.pk}'] a.portal-title").click()
    visitor.wait_for_url(f"{base}/public/tasks/{notice.pk}/")
    visitor.locator("[data-testid=closeout-notice-link]").click()
    visitor.wait_for_url(f"{base}/public/tasks/{notice.pk}/notice/")
    heading = visitor.locator("[data-testid=document-title]")
    expect(heading).to_have_text(re.compile(r"销号.*公示"))  # 关于…整改任务销号情况的公示
    title = heading.inner_text()
    window = visitor.locator("[data-testid=notice]")
    expect(window).to_have_attribute("data-from", clock.today().isoformat())  # reviewed today
    expect(window).to_have_attribute("data-until", notice.notice_until.isoformat())
    expect(window).to_contain_text(notice.notice_until.isoformat())
    name, data = _download(visitor, "[data-testid=download-docx]", tmp_path)
    assert name == f"销号公示-{notice.pk}.docx", name
    assert title in _docx_text(data)
    visitor.locator("[data-testid=objection-link]").click()
    visitor.wait_for_url(re.compile(rf".*/public/tasks/{notice.pk}/.*"))
    expect(visitor.locator("[data-testid=objection-form]")).to_be_visible()
