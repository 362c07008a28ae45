"""The benchmark measures the planner and HiGHS alone on the same model."""

from __future__ import annotations

import json

import pytest

from planner.bench import STEPS, bench

from builders import invoke


def test_bench_row_compares_the_planner_with_highs_alone() -> None:
    row = bench("S", relax=True)
    assert row.status == "optimal"
    # HiGHS alone solves the very model the planner built: same optimum.
    assert row.highs_objective == pytest.approx(row.objective, rel=1e-7)
    assert row.seconds["total"] == pytest.approx(sum(row.seconds[step] for step in STEPS))
    assert row.ratio_time == pytest.approx(row.seconds["total"] / row.highs_seconds)
    assert row.peak_mb > 0 and row.highs_peak_mb > 0
    document = row.as_json()
    assert {"ratio_time", "ratio_memory", "seconds", "variables", "nonzeros"} <= set(document)


def test_bench_json_lists_one_row_per_size_and_mode(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "bench", "--size", "S", "--relax", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(row["size"], row["units"]) for row in rows] == [("S", "fractional")]
    assert rows[0]["ratio_time"] > 0 and rows[0]["ratio_memory"] > 0


def test_bench_refuses_an_unknown_size(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "bench", "--size", "XL") == 2
    assert "choose from S, M, L" in capsys.readouterr().err
