"""A measure's letter as the service gathers it: addressee, reason, reply date, copies,
and its number (issued once, from the measure's body, year and the office's prefix)."""

from __future__ import annotations

import argparse
import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.management.base import CommandError

from closeout.ledger import clock, services
from closeout.ledger.errors import NotFound
from closeout.ledger.management import exportletter
from closeout.ledger.models import Escalation, IssuedNumber, LoopSettings
from closeout.ledger.services.letters import escalation_letter

DAY = dt.date(2026, 12, 4)  # a Friday


@pytest.fixture
def measure(world):
    with clock.frozen_at(DAY):
        return services.escalation_issue(
            actor=world.actor("office"), task_id=world.own.pk, level="supervision",
            reason="整改严重滞后", cause_key="济督〔2026〕1号", response_days=10,
        )


def test_letter_data_comes_from_the_measure_its_task_and_units(world, measure):
    data = escalation_letter(actor=world.actor("office"), escalation_id=measure.pk)
    assert (data.level, data.addressee) == ("supervision", "市生态环境局")
    assert data.reason == "整改严重滞后"
    assert data.number == "督办〔2026〕1号"
    assert data.issued_by == LoopSettings.current().issuing_body
    assert data.issued_on == DAY and data.response_due == measure.response_due
    assert data.copy_to == ("市督导组",)
    assert data.task == world.own.text and data.deadline == "2020年年底"


def test_the_number_is_issued_once_whoever_asks(world, measure):
    first = escalation_letter(actor=world.actor("unit_env"), escalation_id=measure.pk)
    again = escalation_letter(actor=world.actor("supervisor"), escalation_id=measure.pk)
    assert first.number == again.number == "督办〔2026〕1号"
    assert IssuedNumber.objects.get().key == f"escalation:{measure.pk}"


def test_a_rule_measure_says_its_cause_in_chinese(world):
    e = Escalation.objects.create(
        task=world.own, unit=world.env, level="circular", rank=2, trigger="overdue",
        cause="overdue:2026-11-30", issued_by="整改办", issued_on=DAY,
    )
    data = escalation_letter(actor=world.actor("office"), escalation_id=e.pk)
    assert data.reason == "已超过整改时限（2026年11月30日）4天，仍未完成整改"
    assert data.number == "督办〔2026〕1号"


@pytest.mark.parametrize("who", ["unit_water", "supervisor_audit", "public"])
def test_those_who_do_not_see_the_measure_get_no_letter_and_no_number(world, measure, who):
    with pytest.raises(NotFound):
        escalation_letter(actor=world.actor(who), escalation_id=measure.pk)
    assert not IssuedNumber.objects.exists()


def _export(*args: str) -> str:
    """`closeout export letter ARGS` through its module (the dispatcher of `export` also
    loads the other exports' modules)."""
    parser = argparse.ArgumentParser()
    exportletter.register(parser.add_subparsers())
    options = vars(parser.parse_args(["letter", *args]))
    out = io.StringIO()
    options["run"](SimpleNamespace(stdout=out), options)
    return out.getvalue()


def test_export_letter_writes_the_docx(world, measure, tmp_path):
    out = tmp_path / "letter.docx"
    assert str(out) in _export(str(measure.pk), "-o", str(out))
    assert out.read_bytes()[:2] == b"PK"
    _export(str(measure.pk), "-o", str(tmp_path))
    assert (tmp_path / "督办〔2026〕1号督办函.docx").read_bytes() == out.read_bytes()
    with pytest.raises(CommandError, match="no escalation measure 999999"):
        _export("999999", "-o", str(out))
