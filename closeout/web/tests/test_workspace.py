"""The units' first screens on the pages: the responsible unit's workspace (/my/), the
supervising unit's queue (/queue/), the report form they lead to, evidence shown as
thumbnails (`?inline=1`), and the photos of an on-site check."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from closeout.ledger import services
from closeout.ledger.models import Evidence, Task
from closeout.ledger.tests.factories import ProblemFactory, make_task, take, walk
from closeout.web.forms import ReportForm
from closeout.web.tests.data import PDF

pytestmark = pytest.mark.django_db
WORKSPACE, QUEUE = reverse("web:workspace"), reverse("web:queue")


def png() -> bytes:
    """A real 1×1 PNG (evidence is sniffed, so the bytes must be one)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _login(client, world, user):
    client.force_login(world.users[user])
    return client


def _detail(task, anchor=""):
    return reverse("web:task_detail", args=[task.pk]) + anchor


def _report_with(world, task, name, content):
    return services.report_create(
        actor=world.actor("unit_env"),
        task_id=task.pk,
        text="已完成清淤",
        files=[services.Upload(name, content)],
    )


def test_the_workspace_lists_the_report_due_with_a_one_tap_button(client, world):
    page = _login(client, world, "unit_env").get(WORKSPACE)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{_detail(world.own, "#report")}"' in html
    assert 'data-testid="report-button"' in html
    assert f'data-task="{world.foreign.pk}"' not in html
    # Once reported for this period, it leaves "what I owe" (and stays under the buckets).
    services.report_create(actor=world.actor("unit_env"), task_id=world.own.pk, text="进展")
    html = client.get(WORKSPACE).content.decode()
    assert 'data-testid="owe-due"' not in html
    assert 'data-testid="owe-nothing"' in html
    assert f'data-task="{world.own.pk}"' in html


def test_a_district_sees_the_tasks_of_the_units_below(client, world):
    html = _login(client, world, "unit_licheng").get(WORKSPACE).content.decode()
    assert f'href="{_detail(world.child, "#report")}"' in html


def test_sent_back_and_measures_link_to_their_place_on_the_task(client, world):
    take(world.actor("unit_env"), world.own, "request_closeout")
    take(world.actor("supervisor"), world.own, "send_back", "照片不清晰")
    services.escalation_issue(
        actor=world.actor("office"),
        task_id=world.own.pk,
        level="reminder",
        reason="进度滞后",
        cause_key="c1",
    )
    html = _login(client, world, "unit_env").get(WORKSPACE).content.decode()
    assert "照片不清晰" in html
    assert f'href="{_detail(world.own, "#closeout")}"' in html
    assert f'href="{_detail(world.own, "#escalations")}"' in html


@pytest.mark.parametrize(("user", "url"), [("supervisor", WORKSPACE), ("office", WORKSPACE)])
def test_the_workspace_is_refused_to_other_roles(client, world, user, url):
    assert _login(client, world, user).get(url).status_code == 403


@pytest.mark.parametrize("user", ["unit_env", "leader"])
def test_the_queue_is_refused_to_units_and_leaders(client, world, user):
    assert _login(client, world, user).get(QUEUE).status_code == 403


@pytest.mark.parametrize("url", [WORKSPACE, QUEUE])
def test_visitors_log_in_first(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_the_queue_shows_the_request_with_its_evidence_and_reviews_it(client, world):
    _report_with(world, world.own, "现场.png", png())
    take(world.actor("unit_env"), world.own, "request_closeout")
    html = _login(client, world, "supervisor").get(QUEUE).content.decode()
    assert 'data-testid="queue-review"' in html
    assert f'data-task="{world.own.pk}"' in html
    photo = Evidence.objects.get(original_name="现场.png")
    assert f'src="{reverse("web:evidence_download", args=[photo.pk])}?inline=1"' in html
    assert "evidence.pdf" in html  # the request's file, in the step and beside it
    assert html.count(f'id="q{world.own.pk}-pass_review-note"') == 1
    # The supervisor of another task sees nothing of it.
    other = _login(client, world, "supervisor_audit").get(QUEUE).content.decode()
    assert f'data-task="{world.own.pk}"' not in other
    # The review, from the queue's form.
    _login(client, world, "supervisor")
    response = client.post(
        reverse("web:task_transition", args=[world.own.pk, "pass_review"]),
        {"pass_review-note": "材料齐全"},
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=world.own.pk).status == "notice"
    html = client.get(QUEUE).content.decode()
    assert 'data-testid="queue-review"' not in html
    assert 'data-testid="queue-notices"' in html


def test_the_on_site_check_takes_photos_shown_on_its_step(client, world):
    acting = {"request_closeout": "unit_env", "pass_review": "supervisor", "end_notice": "office"}
    walk(lambda name: world.actor(acting[name]), world.own, *acting)
    _login(client, world, "supervisor")
    assert 'data-testid="queue-checks"' in client.get(QUEUE).content.decode()
    response = client.post(
        reverse("web:task_transition", args=[world.own.pk, "verify"]),
        {
            "verify-checked_on": "2025-06-09",
            "verify-inspectors": "市督导组",
            "verify-note": "整改到位",
            "verify-files": [SimpleUploadedFile("核查.png", png())],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = Evidence.objects.get(original_name="核查.png")
    assert photo.step is not None and photo.step.kind == "verify"
    html = client.get(_detail(world.own)).content.decode()
    step = re.search(r'<li data-step="verify">.*?</li>\s*</ol>', html, re.S)
    assert step is not None
    assert f"{reverse('web:evidence_download', args=[photo.pk])}?inline=1" in step.group(0)


def test_images_inline_only_when_asked_and_only_images(client, world):
    _report_with(world, world.own, "p.png", png())
    _report_with(world, world.own, "a.pdf", PDF)
    image = Evidence.objects.get(original_name="p.png")
    pdf = Evidence.objects.get(original_name="a.pdf")
    _login(client, world, "unit_env")
    url = reverse("web:evidence_download", args=[image.pk])
    inline = client.get(url + "?inline=1")
    assert inline["Content-Type"] == "image/png"
    assert inline["Content-Disposition"].startswith("inline")
    assert inline["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in inline["Content-Security-Policy"]
    assert client.get(url)["Content-Disposition"].startswith("attachment")
    refused = client.get(reverse("web:evidence_download", args=[pdf.pk]) + "?inline=1")
    assert refused["Content-Disposition"].startswith("attachment")
    # Nobody else gets it, inline or not.
    _login(client, world, "unit_water")
    assert client.get(url + "?inline=1").status_code == 404


def test_the_report_form_shows_every_field_of_the_form_with_its_anchor(client, world):
    html = _login(client, world, "unit_env").get(_detail(world.own)).content.decode()
    assert 'id="report"' in html
    assert f'data-draft-key="closeout:report:{world.own.pk}"' in html
    task = Task.objects.get(pk=world.own.pk)
    for name in ReportForm(task=task).fields:
        assert f'name="{name}"' in html, name


def test_report_errors_are_summed_up_at_the_top_of_the_form(client, world):
    _login(client, world, "unit_env")
    response = client.post(reverse("web:task_report", args=[world.own.pk]), {"text": ""})
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'data-testid="report-errors".*?</div>', html, re.S)
    assert summary is not None
    assert 'href="#id_text"' in summary.group(0)
    assert 'data-bound="1"' in html


def test_a_saved_report_tells_the_page_so(client, world):
    _login(client, world, "unit_env")
    response = client.post(
        reverse("web:task_report", args=[world.own.pk]), {"text": "进展"}, follow=True
    )
    assert 'class="message done-report success"' in response.content.decode()


def _more_tasks(world, n):
    problem = ProblemFactory(plan=world.plan, seq=2)
    for i in range(n):
        task = make_task(problem, 100 + i, world.env, world.supervising)
        services.task_transition(actor=world.actor("office"), task_id=task.pk, name="confirm")
        if i % 2:
            take(world.actor("unit_env"), task, "request_closeout")


@pytest.mark.parametrize("n", [0, 10])
def test_the_pages_queries_do_not_grow_with_the_tasks(
    client, world, n, django_assert_max_num_queries
):
    _more_tasks(world, n)
    _login(client, world, "unit_env")
    with django_assert_max_num_queries(24):
        assert client.get(WORKSPACE).status_code == 200
    _login(client, world, "supervisor")
    with django_assert_max_num_queries(26):
        html = client.get(QUEUE).content.decode()
    assert html.count('data-kind="review"') == n // 2
