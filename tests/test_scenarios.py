"""Every shipped scenario validates and solves to its recorded result."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from planner import SolveOptions, Status, load_scenario, plan_scenario
from planner.contract.bundle import build_contract, validate_contract, write_contract
from planner.plan.plan import Plan
from planner.runs.records import record_plan
from planner.scenario.baseline import make_baseline, with_baseline
from planner.scenario.cohorts import derive_deployments
from planner.scenario.variants import load_study

from builders import units_by_cohorts, units_scheduled

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

WHOLE = SolveOptions(gap=0.001, time_limit=600)
"""Whole-unit runs stop within 0.1% of the bound (the default): recorded objectives hold
to that."""

RECORDED: dict[str, dict[str, Any]] = {
    "tiny": {
        "lp": {
            "objective": 770.0,
            "costs": {"deployment_cost": 220.0, "start_cost": 0.0, "shortfall_penalty": 100.0,
                      "language_penalty": 450.0, "remote_interpretation": 0.0,
                      "change_cost": 0.0},
            "coverage_per_cent": 100 * 13 / 14,
            "language_shortfall": 3.0,
            "shortfall_by_kind": {"guard": 1.0, "car": 0.0},
        },
        "whole_objective": 770.0,
        "variants": {"more_beds": 635.0, "quiet_day3": 225.0},
    },
    "western_balkans_2022": {
        "lp": {
            "objective": 20_978_708.6419,
            "costs": {"deployment_cost": 16_246_563.2615, "start_cost": 677_864.7594,
                      "shortfall_penalty": 3_403_139.905, "language_penalty": 138_534.62,
                      "remote_interpretation": 512_606.096, "change_cost": 0.0},
            "coverage_per_cent": 95.5527,
            "language_shortfall": 22.2496,
            "shortfall_by_kind": {"BCO": 2.6, "BSO": 178.8299, "DOC": 0.0, "TL": 0.56,
                                  "PCAR": 13.584, "TVV": 60.233},
        },
        "whole_objective": 21_735_627.859,
        "variants": {"extra_pledge": 20_921_729.366, "serbia_agreement_delayed": 29_896_287.6194,
                     "summer_surge": 26_522_195.4667, "visa_alignment": 16_428_464.756},
    },
}
"""Recorded results; update them only for a deliberate change of model or data."""


def test_every_shipped_scenario_has_a_recorded_result() -> None:
    shipped = {path.parent.name for path in SCENARIOS.glob("*/scenario.yaml")}
    assert shipped == set(RECORDED)


@pytest.fixture(scope="module", params=sorted(RECORDED))
def solved(request: pytest.FixtureRequest) -> tuple[str, Plan, Plan]:
    name = request.param
    scenario = load_scenario(SCENARIOS / name)
    return name, plan_scenario(scenario, SolveOptions(relax=True)), plan_scenario(scenario, WHOLE)


def test_linear_relaxation_solves_to_the_recorded_result(solved: tuple[str, Plan, Plan]) -> None:
    name, plan, _ = solved
    recorded = RECORDED[name]["lp"]
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


def test_whole_units_solve_to_the_recorded_result(solved: tuple[str, Plan, Plan]) -> None:
    name, relaxed, plan = solved
    assert plan.status is Status.OPTIMAL
    assert plan.result.gap is not None and plan.result.gap <= WHOLE.gap
    assert plan.result.objective == pytest.approx(RECORDED[name]["whole_objective"],
                                                  rel=WHOLE.gap)
    assert relaxed.result.objective is not None and plan.result.objective is not None
    assert relaxed.result.objective <= plan.result.objective + 1e-6
    assert (plan.schedule["quantity"] == plan.schedule["quantity"].round()).all()


def test_the_cohorts_of_every_shipped_plan_add_up_to_its_schedule(
    solved: tuple[str, Plan, Plan],
) -> None:
    name, _, plan = solved
    scenario = load_scenario(SCENARIOS / name)
    deployments = derive_deployments(scenario, plan.schedule)
    assert deployments["deployment_id"].is_unique
    assert units_by_cohorts(deployments) == units_scheduled(plan.schedule)
    running = deployments[deployments["status"] == "running"]
    assert len(running) == len(scenario.running_deployments)


def test_every_shipped_plan_exports_a_contract_valid_against_its_schema(
    solved: tuple[str, Plan, Plan], tmp_path: Path,
) -> None:
    _, _, plan = solved
    record = replace(record_plan(plan), id=1)
    contract = build_contract(record)
    validate_contract(contract)
    write_contract(contract, tmp_path / "cc")
    again = build_contract(record)
    write_contract(again, tmp_path / "again")
    for path in sorted((tmp_path / "cc").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "again" / path.relative_to(
                tmp_path / "cc")).read_bytes(), path.name
    planned = [d for d in contract["deployments"] if d["status"] == "planned"]
    for request in contract["requests"]:
        mine = [d for d in planned if d["contributor"] == request["contributor"]]
        assert request["units"] == sum(d["quantity"] for d in mine)
        assert request["deployment_ids"] == [d["deployment_id"] for d in mine]
    events = [event for path in (tmp_path / "cc" / "calendar").glob("contributor-*.ics")
              for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]
    assert sorted(str(event["UID"]) for event in events) == sorted(
        d["deployment_id"] for d in contract["deployments"])


def test_every_shipped_plan_re_planned_around_itself_keeps_every_id(
    solved: tuple[str, Plan, Plan],
) -> None:
    name, _, plan = solved
    scenario = load_scenario(SCENARIOS / name)
    record = replace(record_plan(plan), id=1)
    again = with_baseline(scenario, make_baseline(record, scenario, scenario.horizon.start))
    replan = plan_scenario(again, WHOLE)
    assert replan.result.objective == pytest.approx(plan.result.objective, rel=1e-9)
    cohorts = len(again.baseline.cohorts) if again.baseline else 0
    assert replan.summary()["replanning"]["changes"] == {
        "kept": cohorts, "changed": 0, "cancelled": 0, "added": 0,
        "frozen_kept": replan.summary()["replanning"]["changes"]["frozen_kept"],
        "unit_days_moved": 0.0}
    before = build_contract(record)["deployments"]
    after = build_contract(replace(record_plan(replan), id=2))["deployments"]
    assert after == before


def test_summer_surge_re_planned_around_the_base_keeps_what_arrived_by_the_freeze(
    solved: tuple[str, Plan, Plan],
) -> None:
    name, _, plan = solved
    if name != "western_balkans_2022":
        pytest.skip("summer_surge is a variant of the Western Balkans scenario")
    study = load_study(SCENARIOS / name)
    surge = study.apply("summer_surge").scenario
    base = replace(record_plan(plan), id=1)
    issued = build_contract(base, revision=1, approved_at="2022-06-20T09:00:00+02:00")
    freeze = date(2022, 8, 15)
    # Within 0.5% the baseline itself (the solve's start) would do: ask for the default gap.
    replan = plan_scenario(with_baseline(surge, make_baseline(base, surge, freeze, revision=1)),
                           SolveOptions(time_limit=600))
    contract = build_contract(replace(record_plan(replan), id=2), history=[issued])
    validate_contract(contract)
    before = {d["deployment_id"]: d for d in issued["deployments"]}
    after = {d["deployment_id"]: d for d in contract["deployments"]}
    early = [i for i, d in before.items() if date.fromisoformat(d["arrive"]) <= freeze]
    assert len(early) > 200
    assert all(after.get(i) == before[i] for i in early)  # the very same records
    changes = replan.summary()["replanning"]["changes"]
    assert changes["frozen_kept"] == len(early)
    assert changes["kept"] + changes["changed"] + changes["cancelled"] == len(before)
    assert changes["added"] == len(after.keys() - before.keys()) > 0
    assert changes["unit_days_moved"] > 0
    delta = {c["deployment_id"]: c for c in contract["changes"]}
    assert {i for i, c in delta.items() if c["change"] == "cancelled"} == \
        before.keys() - after.keys()
    assert all(date.fromisoformat(c["deployment"]["arrive"]) > freeze
               for c in delta.values() if c["change"] == "added")
    assert all(c["sequence"] == 1 for c in delta.values() if c["change"] == "changed")
    assert replan.summary()["costs"]["change_cost"] == pytest.approx(
        100 * changes["unit_days_moved"])


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


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_every_shipped_variant_solves_to_its_recorded_result(name: str) -> None:
    study = load_study(SCENARIOS / name)
    recorded = RECORDED[name]["variants"]
    assert set(study.variants) == set(recorded)
    for variant, objective in recorded.items():
        plan = plan_scenario(study.apply(variant).scenario, SolveOptions(relax=True))
        assert plan.status is Status.OPTIMAL
        assert plan.result.objective == pytest.approx(objective, rel=1e-9), variant
