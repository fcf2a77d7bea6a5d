"""The text search of the task and unit lists: bounded in length and words, the same for
the API and the pages, and answered by the trigram indexes on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from closeout.ledger import selectors, services
from closeout.ledger.errors import InvalidInput
from closeout.ledger.selectors import TaskFilter
from closeout.ledger.selectors.tasks import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS, search_words
from closeout.ledger.tests.factories import make_task

MANY = " ".join(f"词{i}" for i in range(SEARCH_MAX_WORDS + 1))
LONG = "水" * (SEARCH_MAX_LENGTH + 1)


def test_a_search_is_its_words_each_once():
    assert search_words("  黑臭  水体 黑臭 ") == ["黑臭", "水体"]
    assert search_words("") == []
    words = " ".join(f"w{i}" for i in range(SEARCH_MAX_WORDS))
    assert len(search_words(words + " w0 w1")) == SEARCH_MAX_WORDS


@pytest.mark.parametrize("q", [MANY, LONG, " ".join(["w"] * 985)])
def test_a_search_too_long_or_of_too_many_words_is_refused(q):
    with pytest.raises(InvalidInput) as refused:
        search_words(q)
    assert refused.value.field == "q"


def test_the_task_list_finds_every_word_in_task_target_or_problem(world):
    office = world.actor("office")
    extra = make_task(world.own.problem, 9, world.env, text="整治城市黑臭水体", target="河长制")
    services.task_transition(actor=office, task_id=extra.pk, name="confirm")
    found = {t.pk for t in selectors.task_list(office, TaskFilter(q="黑臭 河长制"))}
    assert found == {extra.pk}
    title = world.own.problem.title
    every = {t.pk for t in selectors.task_list(office, TaskFilter(q=title))}
    assert every == {world.own.pk, world.child.pk, world.foreign.pk, extra.pk}
    assert not selectors.task_list(office, TaskFilter(q="黑臭 不存在的词")).exists()


@pytest.mark.parametrize("q", [MANY, LONG])
def test_the_task_and_unit_lists_refuse_an_unbounded_search(world, q):
    office = world.actor("office")
    with pytest.raises(InvalidInput) as refused:
        selectors.task_page(office, TaskFilter(q=q))
    assert refused.value.field == "q"
    with pytest.raises(InvalidInput):
        list(selectors.unit_search(office, q=q))


@pytest.mark.parametrize("path", ["/api/tasks", "/api/units"])
@pytest.mark.parametrize("q", [MANY, LONG, " ".join(["w"] * 985)])
def test_the_api_refuses_an_unbounded_search_with_field_q(world, client, path, q):
    client.force_login(world.users["office"])
    response = client.get(path, {"q": q})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "q"


def test_the_ledger_page_shows_the_refusal_on_the_form(world, client):
    client.force_login(world.users["office"])
    response = client.get(reverse("web:task_list"), {"q": MANY})
    assert response.status_code == 200
    assert "q" in response.context["form"].errors
    assert list(response.context["rows"]) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL")
def test_postgresql_answers_a_search_from_the_trigram_indexes(world):
    """With sequential scans ruled out, the plan of a search reads the trigram indexes of
    the task text and target and of the problem title (migration 0003); an OR across
    the join to the problems cannot use them."""
    qs = selectors.task_list(world.actor("office"), TaskFilter(q="饮用水"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.values_list("id", flat=True).explain()
    for index in ("ledger_task_text_trgm", "ledger_task_target_trgm", "ledger_problem_title_trgm"):
        assert index in plan, plan


def test_a_page_past_any_offset_is_refused_on_the_page_too(world, client):
    with pytest.raises(InvalidInput) as refused:
        selectors.task_page(world.actor("office"), None, page=2**62)
    assert refused.value.field == "page"
    client.force_login(world.users["office"])
    response = client.get(reverse("web:task_list"), {"page": str(10**30)})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
