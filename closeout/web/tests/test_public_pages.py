"""The public portal's pages (信息公开): what they show, what they never show, what is
not on them at all (404), and that they are the same page for everyone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from closeout.ledger.models import Objection
from closeout.web.tests.public_world import (
    ANSWER,
    OBJECTION,
    OFFICE_LOGIN,
    any_secret,
    build_portal_world,
    page_text,
    public_urls,
)


@pytest.fixture
def pw(world):
    return build_portal_world(world)


def _get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return page_text(response)


def test_no_public_page_shows_a_login_a_phone_number_or_internal_history(client, pw):
    urls = public_urls(pw)
    for url in urls:
        text = _get(client, url)
        assert any_secret(text) == [], url
    # … nor for a signed-in reader, nor after an objection is lodged or refused.
    office = Client()
    office.force_login(pw.world.users["office"])
    for url in urls:
        assert any_secret(_get(office, url)) == [], url
    lodge = reverse("web:objection_lodge", args=[pw.notice.pk])
    for data in ({"objection-text": "仍有异味"}, {"objection-text": ""}):
        response = client.post(lodge, {**data, "portal": "1"}, follow=True)
        assert any_secret(page_text(response)) == []


def test_draft_unpublished_and_superseded_plans_and_cancelled_tasks_are_not_found(client, pw):
    for plan in pw.hidden_plans():
        _get(client, reverse("web:public_plan", args=[plan.pk]), 404)
    for task in pw.hidden_tasks():
        _get(client, reverse("web:public_task", args=[task.pk]), 404)
    _get(client, reverse("web:public_problem", args=[pw.draft_problem.pk]), 404)
    for name, arg in (("public_plan", 0), ("public_task", 2**63), ("public_problem", 10**30)):
        _get(client, reverse(f"web:{name}", args=[arg]), 404)


def test_the_index_counts_problems_and_tasks_by_bucket(client, pw):
    text = _get(client, reverse("web:public_index"))
    assert pw.world.plan.title in text
    for hidden in pw.hidden_plans():
        assert hidden.title not in text
    # One closed (已完成), two overdue (the plan's tasks are due 2020-12-31).
    assert 'data-bucket="done"><span class="bucket-label">' in text
    plan_url = reverse("web:public_plan", args=[pw.world.plan.pk])
    assert plan_url in text


def test_a_plan_page_lists_its_problems_with_their_progress_and_filters(client, pw):
    url = reverse("web:public_plan", args=[pw.world.plan.pk])
    text = _get(client, url)
    assert pw.problem.title in text and 'data-done="0"' in text
    assert pw.problem.title in _get(client, f"{url}?bucket=done")
    assert pw.problem.title not in _get(client, f"{url}?bucket=sustained")
    assert pw.problem.title not in _get(client, f"{url}?category=air")
    assert pw.problem.title in _get(client, f"{url}?q=饮用水 水源")
    assert pw.problem.title not in _get(client, f"{url}?q=不存在的词")


def test_a_task_under_notice_shows_units_notice_history_answers_and_the_form(client, pw):
    response = client.get(reverse("web:public_task", args=[pw.notice.pk]))
    text = page_text(response)
    assert "市生态环境局" in text and "市督导组" in text  # units, by part
    assert f'data-until="{pw.notice.notice_until:%Y-%m-%d}"' in text
    assert OBJECTION in text and ANSWER in text
    assert 'data-step="request"' in text and 'data-step="review"' in text
    assert 'data-testid="objection-form"' in text and 'name="portal" value="1"' in text
    assert "private" in response["Cache-Control"]


def test_a_closed_task_shows_its_closing_and_look_back(client, pw):
    text = _get(client, reverse("web:public_task", args=[pw.closed.pk]))
    assert 'data-step="file"' in text and 'data-testid="lookbacks"' in text
    assert "objection-form" not in text and "csrfmiddlewaretoken" not in text
    lists = {
        "public_closed": pw.closed,
        "public_lookbacks": pw.closed,
        "public_notice": pw.notice,
    }
    for name, task in lists.items():
        assert f'data-task="{task.pk}"' in _get(client, reverse(f"web:{name}")), name
    assert f'data-task="{pw.overdue.pk}"' not in _get(client, reverse("web:public_closed"))


def test_an_objection_lodged_from_the_portal_comes_back_to_the_portal(client, pw):
    url = reverse("web:objection_lodge", args=[pw.notice.pk])
    data = {
        "objection-text": "下游仍有黑臭",
        "objection-contact": "王先生 13700000000",
        "portal": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:public_task", args=[pw.notice.pk]) + "#objections"
    page = client.get(response["Location"])
    text = page_text(page)
    assert 'data-testid="messages"' in text and "下游仍有黑臭" in text
    assert "13700000000" not in text  # the objector's contact is for those who answer
    assert "private" in page["Cache-Control"]
    assert Objection.objects.filter(task=pw.notice, text="下游仍有黑臭").exists()
    # A refused objection: the portal's page again, the error beside the field.
    response = client.post(url, {"objection-text": "  ", "portal": "1"})
    assert response.status_code == 400
    text = page_text(response)
    assert 'class="portal"' in text and "errorlist" in text


def test_a_closed_task_refuses_an_objection_on_the_portal_page(client, pw):
    url = reverse("web:objection_lodge", args=[pw.closed.pk])
    response = client.post(url, {"objection-text": "还有问题", "portal": "1"})
    assert response.status_code == 400
    assert 'data-testid="page-errors"' in page_text(response)


def test_pages_are_the_same_for_everyone_and_shareable_by_a_cache(client, pw):
    office = Client()
    office.force_login(
        pw.world.users[OFFICE_LOGIN] if OFFICE_LOGIN in pw.world.users else pw.world.users["office"]
    )
    for url in public_urls(pw):
        anonymous = client.get(url)
        if url == reverse("web:public_task", args=[pw.notice.pk]):
            continue  # the objection form's CSRF token
        assert anonymous.status_code == 200
        assert "public" in anonymous["Cache-Control"], url
        assert "Cookie" in anonymous["Vary"], url
        assert "csrfmiddlewaretoken" not in page_text(anonymous), url
        assert not anonymous.cookies, url
        assert page_text(office.get(url)) == page_text(anonymous), url


def test_a_visitor_switches_the_portal_to_english_and_back_with_a_link(client, db):
    page = client.get(reverse("web:public_index"))
    assert 'lang="zh-hans"' in page.content.decode()
    switch = reverse("web:public_language", args=["en"]) + "?next=/public/notice/"
    response = client.get(switch)
    assert response.status_code == 302 and response["Location"] == "/public/notice/"
    english = client.get("/public/notice/")
    assert '<html lang="en">' in english.content.decode()
    client.get(reverse("web:public_language", args=["zh-hans"]))
    assert '<html lang="zh-hans">' in client.get("/public/").content.decode()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_the_language_link_never_sends_a_visitor_elsewhere(client, db, next_url):
    response = client.get(reverse("web:public_language", args=["en"]), {"next": next_url})
    assert response["Location"] == reverse("web:public_index")


def test_an_unknown_language_is_404(client, db):
    assert client.get("/public/language/xx/").status_code == 404
