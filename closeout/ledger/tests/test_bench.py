"""`closeout bench`: runs end to end on a small generated ledger and reports every scenario."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from closeout.ledger.management.commands.bench import percentile

pytestmark = pytest.mark.django_db

SCENARIOS = {
    "api list: unit+status", "api list: +due range", "api list: +category",
    "api list: +inspection", "api list: +sort", "admin list: status+plan",
    "admin list: +due range", "admin list: +category", "admin list: +inspection",
    "admin list: +sort", "api detail", "api counts: province", "api counts: city",
    "api search q=", "page: office overview", "page: leader board",
    "page: leader board, a plan", "chart: bucket shares (drawn once)",
    "chart: units most behind (drawn once)",
}  # fmt: skip


def test_bench_reports_every_scenario_as_json():
    call_command("gen", "--tasks", "150", stdout=StringIO())
    out = StringIO()
    call_command("bench", "--runs", "2", "--warmup", "1", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["tasks"] == 150
    results = {r["scenario"]: r for r in report["scenarios"]}
    assert set(results) == SCENARIOS
    for name, r in results.items():
        assert (name, r["status"], r["detail"]) == (name, "ok", "")
        assert r["n"] == 2
        assert 0 < r["p50"] <= r["p95"] <= r["max"]
        assert r["queries"] > 0
    assert results["api list: unit+status"]["target"] == report["target_ms"]
    assert results["api detail"]["target"] is None
    assert results["page: office overview"]["target"] == 150.0
    assert results["page: leader board"]["target"] == 150.0


def test_bench_prints_a_table_with_a_row_per_scenario():
    call_command("gen", "--tasks", "60", stdout=StringIO())
    out = StringIO()
    call_command("bench", "--runs", "1", "--warmup", "0", stdout=out)
    table = out.getvalue()
    for name in SCENARIOS:
        assert name in table
    assert "p95" in table


def test_the_sweep_bench_times_four_runs_and_finds_the_second_changes_nothing():
    call_command("gen", "--tasks", "120", stdout=StringIO())
    out = StringIO()
    call_command("bench", "--sweep", "--as-of", "2025-06-30", "--json", stdout=out)
    report = json.loads(out.getvalue())
    runs = {r["run"]: r for r in report["runs"]}
    assert list(runs) == ["first sweep", "same day again", "next day", "a week later"]
    assert runs["first sweep"]["changed"] > 0
    assert runs["first sweep"]["rows_added"]["sweeprun"] == 1
    assert runs["same day again"]["changed"] == 0
    assert runs["same day again"]["rows_added"] == {"sweeprun": 1}
    assert report["idempotent"] is True
    day = runs["next day"]["sweep"]
    assert sum(day["buckets"].values()) == day["tasks"] <= report["tasks"]


def test_bench_refuses_an_empty_ledger():
    with pytest.raises(CommandError, match="closeout gen"):
        call_command("bench", "--runs", "1", stdout=StringIO())


def test_percentile_is_nearest_rank():
    samples = [float(v) for v in range(1, 101)]
    assert percentile(samples, 95) == 95.0
    assert percentile(samples, 50) == 50.0
    assert percentile([3.0], 95) == 3.0


def test_the_ingest_bench_times_every_heavy_case_of_the_parser():
    # The limits the parser tests once asserted, measured here instead.
    out = StringIO()
    call_command("bench", "--ingest", "--json", stdout=out)
    cases = {r["case"]: r for r in json.loads(out.getvalue())["cases"]}
    assert set(cases) == {
        "zip bomb as .docx refused", "huge single line read", "seed 004 normalised",
        "seed 004 parsed", "closeout parse 004 (process)",
    }  # fmt: skip
    for r in cases.values():
        assert r["seconds"] >= 0 and r["limit"] > 0 and isinstance(r["passed"], bool)
