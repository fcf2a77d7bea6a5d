"""Objections on the pages beyond lodging and answering (test_loop_pages): the office
marking one as spam, and the rate limit on the public objection form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from closeout.ledger import clock, services
from closeout.ledger.models import Objection, Task
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.factories import walk

DAY = dt.date(2025, 6, 9)  # a Monday; a notice passed today runs to Friday 2025-06-13
ACTING = {"request_closeout": "unit_env", "pass_review": "supervisor"}


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(DAY):
        yield


def _on_notice(world):
    walk(lambda name: world.actor(ACTING[name]), world.own, "request_closeout", "pass_review")


def _login(client, world, role):
    client.force_login(world.users[role])
    return client


def _detail(task):
    return reverse("web:task_detail", args=[task.pk])


def test_the_office_marks_an_objection_as_spam_and_the_notice_may_end(client, world):
    _on_notice(world)
    objection = services.objection_lodge(
        actor=world.actor("public"), task_id=world.own.pk, text="代开发票 138"
    )
    url = reverse("web:objection_spam", args=[world.own.pk, objection.pk])
    _login(client, world, "office")
    refused = client.post(url, {f"spam-{objection.pk}-reason": ""})
    assert refused.status_code == 400
    ((_o, _answer, spam_form),) = refused.context["objections"]
    assert "reason" in spam_form.errors
    assert client.post(url, {f"spam-{objection.pk}-reason": "广告"}).status_code == 302
    objection.refresh_from_db()
    assert (objection.spam_reason, objection.spam_by_id) == ("广告", world.users["office"].pk)
    html = client.get(_detail(world.own)).content.decode()
    assert f'data-objection="{objection.pk}" data-answered="0" data-spam="1"' in html
    assert "代开发票" in html  # the office still reads it …
    public = Client().get(reverse("web:public_task", args=[world.own.pk])).content.decode()
    assert "代开发票" not in public  # … the public does not
    with clock.frozen_at(dt.date(2025, 6, 16)):
        step = reverse("web:task_transition", args=[world.own.pk, "end_notice"])
        assert client.post(step, {}).status_code == 302
    assert Task.objects.get(pk=world.own.pk).status == Status.VERIFICATION


@pytest.mark.parametrize(("role", "status"), [("supervisor", 403), ("supervisor_audit", 404)])
def test_only_the_office_marks_spam(client, world, role, status):
    _on_notice(world)
    objection = services.objection_lodge(
        actor=world.actor("public"), task_id=world.own.pk, text="有异议"
    )
    page = _login(client, world, "supervisor").get(_detail(world.own))
    ((_o, answer_form, spam_form),) = page.context["objections"]
    assert answer_form is not None and spam_form is None
    response = _login(client, world, role).post(
        reverse("web:objection_spam", args=[world.own.pk, objection.pk]),
        {f"spam-{objection.pk}-reason": "广告"},
    )
    assert response.status_code == status
    objection.refresh_from_db()
    assert objection.spam_at is None


def test_a_flood_of_objections_from_one_address_is_refused_with_429(client, world, settings):
    from closeout.ledger.services.ratelimits import Limit

    settings.CLOSEOUT_OBJECTION_LIMITS = {"address": Limit(3, 600)}
    _on_notice(world)
    url = reverse("web:objection_lodge", args=[world.own.pk])
    codes = [client.post(url, {"objection-text": f"异议{i}"}).status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]
    refused = client.post(url, {"objection-text": "再来"}, REMOTE_ADDR="127.0.0.1")
    assert refused.status_code == 429
    assert refused.context["objection_form"].non_field_errors()
    assert client.post(url, {"objection-text": "别处"}, REMOTE_ADDR="192.0.2.8").status_code == 302
    assert Objection.objects.count() == 4
