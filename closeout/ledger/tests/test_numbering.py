"""Document numbers (发文字号): per body, year and kind; once per document; never reused;
one at a time under concurrent callers (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import AuditEvent, Escalation, IssuedNumber, LoopSettings
from closeout.ledger.services.numbering import document_number
from closeout.ledger.tests.factories import build_world

BODY = "济南市生态环境保护督察整改工作领导小组办公室"


def issue(key: str, *, body: str = BODY, year: int = 2026, kind: str = "letter") -> str:
    return document_number(kind=kind, key=key, body=body, year=year).text


@pytest.mark.django_db
def test_numbers_count_up_per_body_year_and_kind():
    assert [issue("escalation:1"), issue("escalation:2")] == ["督办〔2026〕1号", "督办〔2026〕2号"]
    assert issue("escalation:3", body="历城区整改办") == "督办〔2026〕1号"
    assert issue("circular:2026-11-30", kind="circular") == "整改通报〔2026〕1号"
    assert issue("escalation:4", year=2027) == "督办〔2027〕1号"
    assert issue("escalation:5") == "督办〔2026〕3号"


@pytest.mark.django_db
def test_the_same_document_keeps_its_number():
    first = document_number(kind="letter", key="escalation:7", body=BODY, year=2026)
    issue("escalation:8")
    again = document_number(kind="letter", key="escalation:7", body=BODY, year=2026)
    assert (again.pk, again.text) == (first.pk, "督办〔2026〕1号")
    assert IssuedNumber.objects.count() == 2
    assert AuditEvent.objects.filter(action="issuednumber.create").count() == 2


@pytest.mark.django_db
def test_prefix_comes_from_the_settings_and_an_issued_number_keeps_its_own():
    LoopSettings.objects.update_or_create(pk=1, defaults={"letter_prefix": "济督"})
    assert issue("escalation:1") == "济督〔2026〕1号"
    LoopSettings.objects.filter(pk=1).update(letter_prefix="督办")
    assert issue("escalation:1") == "济督〔2026〕1号"
    assert issue("escalation:2") == "督办〔2026〕2号"


@pytest.mark.django_db
def test_a_number_survives_its_measure_and_is_never_reused():
    world = build_world()
    measure = Escalation.objects.create(
        task=world.own, level="supervision", rank=3, trigger="overdue",
        cause="overdue:2026-01-01", issued_by=BODY, issued_on=dt.date(2026, 3, 1),
    )
    key = f"escalation:{measure.pk}"
    assert issue(key) == "督办〔2026〕1号"
    measure.delete()
    kept = IssuedNumber.objects.get(key=key)
    assert kept.text == "督办〔2026〕1号"
    assert issue("escalation:other") == "督办〔2026〕2号"
    IssuedNumber.objects.filter(key="escalation:other").delete()  # even the row itself
    assert issue("escalation:third") == "督办〔2026〕3号"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "memo"}, "kind"),
        ({"key": " "}, "key"),
        ({"body": ""}, "body"),
        ({"year": 26}, "year"),
        ({"prefix": " "}, "prefix"),
    ],
)
def test_bad_input_names_its_field(kwargs, field):
    values = {"kind": "letter", "key": "escalation:1", "body": BODY, "year": 2026, **kwargs}
    with pytest.raises(InvalidInput) as error:
        document_number(**values)
    assert error.value.field == field
    assert not IssuedNumber.objects.exists()


def _race(actions):
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as exc:  # collected and asserted on below
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_of_a_new_series_get_distinct_numbers():
    outcomes = _race([lambda i=i: issue(f"escalation:{i}") for i in range(8)])
    assert sorted(outcomes, key=str) == sorted(
        (f"督办〔2026〕{n}号" for n in range(1, 9)), key=str
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_of_one_document_get_one_number():
    issue("escalation:first")
    outcomes = _race([lambda: issue("escalation:same") for _ in range(6)])
    assert outcomes == ["督办〔2026〕2号"] * 6
    assert IssuedNumber.objects.filter(key="escalation:same").count() == 1
