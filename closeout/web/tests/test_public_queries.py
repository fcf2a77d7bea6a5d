"""Odd query strings never fail a portal page: a table of hostile ones, on every page
that reads the query string, answered 200 (the page, the filter's error on the form)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from closeout.web.tests.public_world import any_secret, build_portal_world

HOSTILE = [
    "page=abc",
    "page=0",
    "page=-1",
    "page=1.5",
    "page=1e9",
    "page=99999999999999999999999999999999",
    "page=9223372036854775808",
    "page=%C2%B2",  # a superscript two: a digit to str.isdigit, not to int()
    "page=%D9%A3",  # an Arabic-Indic three
    "page=&page=2",
    "page[]=1",
    "bucket=zzz",
    "bucket=done&bucket=overdue",
    "bucket=%00",
    "category=zzz",
    "category=",
    "q=%00",
    "q=" + "长" * 500,
    "q=" + "+".join(str(n) for n in range(50)),
    "q=%ED%A0%80",  # a lone surrogate, as UTF-8 bytes
    "q=%FF%FE",  # not UTF-8 at all
    "q=%25%27%22%3Cscript%3E",
    "q=_%25",
    "q=" + "%20" * 300,
    "sort=-id;drop table",
    "%%%=%%%",
    "a=" + "b" * 5000,
]


@pytest.fixture
def urls(world):
    pw = build_portal_world(world)
    return [
        reverse("web:public_index"),
        reverse("web:public_plan", args=[world.plan.pk]),
        reverse("web:public_problem", args=[pw.problem.pk]),
        reverse("web:public_notice"),
        reverse("web:public_closed"),
        reverse("web:public_lookbacks"),
        reverse("web:public_task", args=[pw.notice.pk]),
    ]


@pytest.mark.parametrize("query", HOSTILE)
def test_a_hostile_query_string_gets_the_page_not_an_error(client, urls, query):
    for url in urls:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, (url, query)
        assert any_secret(response.content.decode()) == []


def test_a_bad_filter_is_said_on_the_form(client, world):
    url = reverse("web:public_plan", args=[world.plan.pk])
    for query in ("bucket=zzz", "category=zzz", "q=" + "长" * 101, "q=%00"):
        text = client.get(f"{url}?{query}").content.decode()
        assert 'class="errorlist"' in text, query
