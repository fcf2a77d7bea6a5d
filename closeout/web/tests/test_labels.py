"""What people read on the pages is words, not codes: every page of the demo ledger,
fetched as every demo role and as a visitor in Chinese (the default language), holds no
stored code in its visible text — no actor of no person (sweep, anonymous, bench), no
measure cause key (overdue:2020-12-31), no audit action (taskunit.create), no parser
flag or status code (missing_deadline, in_progress), no JSON list ([3, 12]), no ISO
timestamp (2019-06-10T09:00) and no True/False/None.

The demo is loaded once for the module (a few seconds) inside a transaction rolled back
at the end, with a few events the demo has none of: an anonymous visitor's objection,
a benchmark's edit of a task, and a measure issued by hand.
"""

from __future__ import annotations

import html
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.demo.users import DEMO_USERS
from closeout.ledger.models import Plan, Task
from closeout.ledger.rules import labels
from closeout.ledger.services.audit import audit

JINAN = "003_jinan_2018.txt"

# What a stored code looks like in a page's visible text. Words of an English msgid not
# yet in the catalog ("System (scheduled check)") match none of these.
CODES = {
    "actor code": re.compile(r"\b(sweep|anonymous|bench|adduser|system)\b|closeout (import|demo)"),
    "cause key": re.compile(r"\b(overdue|due_soon|missed_reports|rebound|manual):"),
    "snake_case code": re.compile(r"\b[a-z]+_[a-z0-9_]+\b"),
    "audit action": re.compile(
        r"\b[a-z]+\.(create|update|delete|add|issue|lift|record|[a-z]+_[a-z_]+)\b"
    ),
    "JSON list": re.compile(r"\[\s*(\d|'|\")"),
    "ISO timestamp": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d(:\d\d)?(\.\d+)?Z\b"),
    "Python value": re.compile(r"\b(True|False|None)\b"),
}


def visible_text(page: str) -> str:
    """The text a reader sees: no tags, no scripts or styles, entities decoded."""
    page = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


def codes_in(text: str) -> list[tuple[str, str, str]]:
    found = []
    for line in text.splitlines():
        for name, pattern in CODES.items():
            for match in pattern.finditer(line):
                found.append((name, match.group(0), " ".join(line.split())[:120]))
    return found


def test_the_patterns_catch_what_leaked_before():
    leaked = (
        "sweep 结束公示  taskunit.create  missing_deadline: no deadline given  "
        "overdue:2020-12-31  [3, 12]  2019-06-10T09:00:00+08:00  None  closeout import"
    )
    kinds = {name for name, _code, _line in codes_in(leaked)}
    assert kinds == set(CODES), kinds
    clean = "系统（定时核查） 指定责任单位 逾期（期限 2020年12月31日） 销号后 3 个月、12 个月 PM2.5"
    assert codes_in(clean) == []


def _extras(office: Actor) -> None:
    """Events of kinds the demo has none of, on Jinan tasks."""
    tasks = list(Task.objects.filter(plan__source_name=JINAN, status="in_progress")[:2])
    audit(
        Actor.of(None),
        "objection.lodge",
        tasks[0],
        task=tasks[0],
        after={"text": "公众来信反映整改不到位"},
    )
    audit(
        Actor.system("bench"),
        "task.update",
        tasks[0],
        task=tasks[0],
        before={"deadline_raw": "2018年底"},
        after={"deadline_raw": "2019年底", "immediate": False},
    )
    services.escalation_issue(
        actor=office,
        task_id=tasks[1].pk,
        level="region_hold",
        reason="整改严重滞后，实行区域限批。",
        cause_key="济督办〔2019〕12号",
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, DATA_DIR=tmp_path_factory.mktemp("demo")),
        transaction.atomic(),
    ):
        call_command("demo", "--no-serve", stdout=StringIO())
        _extras(Actor.of(get_user_model().objects.get(username="demo-office")))
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _pages() -> list[str]:
    jinan = Task.objects.filter(plan__source_name=JINAN).order_by("pk")
    drafts = Plan.objects.exclude(source_name=JINAN)
    # The pages that were there before the role pages of issue 12; those pages' own
    # tests hold them to the same patterns (`codes_in`).
    urls = ["/", "/login/", "/tasks/", "/tasks/?page=2", "/inbox/", "/inbox/?unread=1"]
    urls += ["/plans/", "/plans/import/"]
    urls += [f"/tasks/{pk}/" for pk in jinan.values_list("pk", flat=True)]
    urls += [f"/plans/{pk}/review/" for pk in drafts.values_list("pk", flat=True)]
    for plan in drafts:
        urls += [f"/tasks/{t}/" for t in plan.tasks.values_list("pk", flat=True)[:5]]
    return urls


READERS = [spec.username for spec in DEMO_USERS] + ["visitor"]


@pytest.mark.parametrize("reader", READERS)
def test_no_page_shows_a_code(demo, reader):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    if reader != "visitor":
        client.force_login(get_user_model().objects.get(username=reader))
    seen, leaks = 0, []
    for url in _pages():
        # Followed: a visitor is sent from a published task's page to its public page.
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        page = response.content.decode()
        assert '<html lang="zh-hans"' in page, url
        leaks += [(url, *leak) for leak in codes_in(visible_text(page))]
    assert seen >= (3 if reader == "visitor" else 10), seen
    assert not leaks, "\n".join(" | ".join(leak) for leak in leaks[:40])


def test_the_events_the_demo_lacks_read_in_words(demo):
    """The extras are on the pages at all (so the walk above did look at them)."""
    office = Client()
    office.force_login(get_user_model().objects.get(username="demo-office"))
    task = Task.objects.filter(plan__source_name=JINAN, status="in_progress").order_by("pk")
    first, second = task[0], task[1]
    text = visible_text(office.get(f"/tasks/{first.pk}/").content.decode())
    assert labels.system_actor_label("bench") in text
    assert str(Task._meta.get_field("deadline_raw").verbose_name).capitalize()[:2] in text
    assert "公众" in text  # the anonymous visitor
    measures = visible_text(office.get(f"/tasks/{second.pk}/").content.decode())
    assert labels.cause_label("manual:济督办〔2019〕12号") in measures
