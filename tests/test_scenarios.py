"""Every shipped scenario validates and solves to its recorded result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planner import Status, load_scenario, plan_scenario
from planner.plan import Plan

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

RECORDED: dict[str, dict[str, Any]] = {
    "tiny": {
        "objective": 770.0,
        "costs": {"deployment_cost": 220.0, "start_cost": 0.0, "shortfall_penalty": 100.0,
                  "language_penalty": 450.0, "remote_interpretation": 0.0},
        "coverage_per_cent": 100 * 16 / 17,
        "language_shortfall": 3.0,
        "shortfall_by_kind": {"guard": 1.0, "car": 0.0},
    },
    "western_balkans_2022": {
        "objective": 20_527_535.679,
        "costs": {"deployment_cost": 17_897_638.969, "shortfall_penalty": 1_992_580.45,
                  "language_penalty": 637_316.26},
        "coverage_per_cent": 97.3603,
        "language_shortfall": 97.5674,
        "shortfall_by_kind": {"BCO": 0.0, "BSO": 66.16, "TL": 12.56, "PCAR": 30.544},
    },
}
"""Recorded results; update them only for a deliberate change of model or data."""


def test_every_shipped_scenario_has_a_recorded_result() -> None:
    shipped = {path.parent.name for path in SCENARIOS.glob("*/scenario.yaml")}
    assert shipped == set(RECORDED)


@pytest.fixture(scope="module", params=sorted(RECORDED))
def solved(request: pytest.FixtureRequest) -> tuple[str, Plan]:
    name = request.param
    return name, plan_scenario(load_scenario(SCENARIOS / name))


def test_solves_to_the_recorded_result(solved: tuple[str, Plan]) -> None:
    name, plan = solved
    recorded = RECORDED[name]
    summary = plan.summary()
    assert plan.status is Status.OPTIMAL
    assert plan.result.objective == pytest.approx(recorded["objective"], rel=1e-6)
    assert summary["costs"] == pytest.approx(recorded["costs"], rel=1e-5)
    assert summary["coverage"]["coverage_per_cent"] == pytest.approx(
        recorded["coverage_per_cent"], abs=1e-3
    )
    assert summary["coverage"]["language_shortfall"] == pytest.approx(
        recorded["language_shortfall"], abs=1e-3
    )
    by_kind = {row["kind_id"]: row["shortfall"] for row in summary["by_kind"]}
    for kind_id, shortfall in recorded["shortfall_by_kind"].items():
        assert by_kind[kind_id] == pytest.approx(shortfall, abs=1e-3), kind_id


def test_tiny_decisions_match_the_hand_derivation() -> None:
    plan = plan_scenario(load_scenario(SCENARIOS / "tiny"))
    deployed = {
        (row.contribution_id, row.section_id, row.period): row.quantity
        for row in plan.schedule.itertuples(index=False)
    }
    # See scenarios/tiny/README.md for the derivation.
    assert deployed == {
        ("host-guards", "A", 1): 1, ("host-guards", "B", 1): 1, ("agency-guards", "A", 1): 1,
        ("interpreters", "A", 1): 1, ("pool-car", "A", 1): 1,
        ("host-guards", "A", 2): 1, ("host-guards", "B", 2): 1, ("agency-guards", "A", 2): 1,
        ("interpreters", "A", 2): 2, ("pool-car", "A", 2): 1,
        ("host-guards", "A", 3): 2, ("agency-guards", "A", 3): 2,
        ("interpreters", "A", 3): 1, ("pool-car", "A", 3): 1,
    }
