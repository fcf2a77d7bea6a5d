"""The ledger table's Excel download (/tasks/export.xlsx): the button carries the
table's filters, the file holds what the user sees, named in Chinese."""

from __future__ import annotations

import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from closeout.documents.tests.pdfcheck import assert_renders
from closeout.ledger.tests.factories import PASSWORD, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture
def world() -> World:
    return build_world()


def _login(client, username: str) -> None:
    client.logout()
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username


def _download(client, query: dict | None = None):
    response = client.get(reverse("web:ledger_xlsx"), query or {})
    assert response.status_code == 200, response.content[:300]
    data = b"".join(response.streaming_content)
    return response, data, openpyxl.load_workbook(io.BytesIO(data))


def _ids(ws) -> list[int]:
    column = [c.value for c in ws[2]].index("任务编号") + 1
    return [ws.cell(r, column).value for r in range(3, ws.max_row + 1)]


def test_the_download_is_a_workbook_with_a_chinese_file_name(client, world: World) -> None:
    _login(client, "office")
    response, data, book = _download(client)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=utf-8''" in disposition.lower()
    assert unquote(disposition.split("''", 1)[1]).startswith("整改工作台账（截至")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sorted(_ids(book.active)) == sorted([world.own.pk, world.child.pk, world.foreign.pk])
    assert_renders(data, ".xlsx", "整改措施", "市城乡水务局")


def test_a_unit_downloads_only_its_own_tasks(client, world: World) -> None:
    _login(client, "unit_env")
    _, _, book = _download(client)
    assert _ids(book.active) == [world.own.pk]


def test_the_table_filters_and_the_export_options_are_honoured(client, world: World) -> None:
    _login(client, "office")
    query = {"unit": world.water.pk, "xcol": ["bucket", "lead_units"], "per_unit": "on"}
    _, _, book = _download(client, query)
    assert book.sheetnames == ["市城乡水务局"]
    ws = book.active
    assert _ids(ws) == [world.foreign.pk]
    assert [c.value for c in ws[2]][-3:] == ["牵头单位", "序时进度", "任务编号"]


def test_an_unknown_column_is_refused(client, world: World) -> None:
    _login(client, "office")
    response = client.get(reverse("web:ledger_xlsx"), {"xcol": "colour"})
    assert response.status_code == 400 and b"xcol" in response.content


def test_signed_out_visitors_are_sent_to_sign_in(client, world: World) -> None:
    response = client.get(reverse("web:ledger_xlsx"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("page", ["web:task_list", "web:problem_list"])
def test_the_button_carries_the_current_filters(client, world: World, page: str) -> None:
    _login(client, "office")
    html = client.get(reverse(page), {"unit": world.water.pk, "page": 2}).content.decode()
    form = html.split('data-testid="ledger-export"', 1)[1].split("</form>", 1)[0]
    assert f'name="unit" value="{world.water.pk}"' in form
    assert 'name="page"' not in form
    assert 'data-testid="ledger-export-button"' in form and 'value="percent"' in form
