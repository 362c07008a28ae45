"""Robust plans: demand scenarios, the extensive form, evaluation and the value of the
stochastic solution, each checked on cases worked out by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.api import plan_robust, plan_scenario
from planner.errors import UsageError
from planner.model.options import SolveOptions
from planner.model.stochastic import Risk, cvar, evaluate, first_stage_of, scenario_models
from planner.runs.store import RunStore
from planner.scenario.demand import demand_scenarios, from_table, point, sample
from planner.scenario.read import load_scenario
from planner.scenario.schema import Scenario
from planner.scenario.write_folder import write_folder

from builders import contribution, invoke, penalty, problems, rule, scenario, section

ROOT = Path(__file__).resolve().parent.parent
LP = SolveOptions(relax=True)
WHOLE = SolveOptions()


def newsvendor(daily_cost: float = 40, *, band: bool = False,
               table: list[dict[str, Any]] | None = None) -> Scenario:
    """One day at A: a guard per arrival, 2 arrivals forecast; a guard costs ``daily_cost``,
    a guard short 100. By default two equally likely scenarios: as forecast, and twice it."""
    arrival: dict[str, Any] = {"section_id": "A", "period": 1, "nationality_id": "X",
                               "arrivals": 2}
    if band:
        arrival |= {"arrivals_p10": 1, "arrivals_p90": 4}
    return scenario(
        sections=[section("A")],
        nationalities=[{"id": "X", "name": "Examplian"}],
        forecast=[arrival],
        requirement_rules=[rule("guard", per_arrival=1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("agency", "guard", 10, daily_cost)],
        demand_scenarios=table if table is not None else [
            {"name": "as_forecast", "probability": 0.5},
            {"name": "twice", "probability": 0.5, "scaling": 2}],
    )


def units(plan: Any) -> float:
    return float(plan.schedule["quantity"].sum())


# --- the extensive form against plans worked out by hand --------------------------------------


@pytest.mark.parametrize("options", [LP, WHOLE], ids=["lp", "whole"])
def test_newsvendor_deploys_for_the_high_scenario_when_it_pays(options: SolveOptions) -> None:
    # n guards cost 40 n + 0.5 x 100 x (4 - n) for 2 <= n <= 4: least at n = 4, 160. The
    # point plan (2 guards) costs 80 as forecast and 280 when twice: 180 expected.
    case = newsvendor()
    plan = plan_robust(case, from_table(case), Risk(), options)
    robust = plan.robust
    assert robust is not None
    assert units(plan) == 4
    assert robust["objective"] == pytest.approx(160)
    assert robust["point_plan"]["objective"] == pytest.approx(180)
    assert robust["value_of_stochastic_solution"] == pytest.approx(20)
    assert robust["expected_shortfall"] == pytest.approx(0)
    assert robust["point_plan"]["expected_shortfall"] == pytest.approx(1)  # 0 or 2
    assert robust["worst_scenario_shortfall"] == 0
    assert robust["point_plan"]["worst_scenario"] == {
        "scenario": "twice", "shortfall": 2.0, "total_cost": 280.0, "coverage_per_cent": 50.0}
    # The plan's own tables are the robust plan with the forecast: 4 guards, 160.
    assert plan.result.objective == pytest.approx(160)
    table = plan.outcomes
    assert table is not None
    assert table.set_index(["plan", "scenario"])["total_cost"].to_dict() == pytest.approx({
        ("robust", "as_forecast"): 160, ("robust", "twice"): 160,
        ("point", "as_forecast"): 80, ("point", "twice"): 280})


def test_newsvendor_keeps_the_point_plan_when_hedging_costs_more() -> None:
    # At 60 a guard: n = 2 costs 120 + 100 = 220, n = 3 230, n = 4 240. Nothing to gain.
    case = newsvendor(daily_cost=60)
    plan = plan_robust(case, from_table(case), Risk(), LP)
    assert units(plan) == 2
    assert plan.robust is not None
    assert plan.robust["objective"] == pytest.approx(220)
    assert plan.robust["value_of_stochastic_solution"] == pytest.approx(0)


def test_cvar_minimises_the_worst_half() -> None:
    # CVaR at 0.5 is the cost of the 'twice' scenario: 40 n + 100 (4 - n), least at n = 4.
    case = newsvendor(daily_cost=60)  # where the expectation keeps 2 guards
    plan = plan_robust(case, from_table(case), Risk.parse("cvar:0.5"), LP)
    assert units(plan) == 4
    assert plan.robust is not None
    assert plan.robust["risk"] == "cvar:0.5"
    assert plan.robust["objective"] == pytest.approx(240)
    assert plan.robust["point_plan"]["objective"] == pytest.approx(320)  # 120 + 200
    assert plan.robust["value_of_stochastic_solution"] == pytest.approx(80)


def test_cvar_by_hand() -> None:
    costs, probabilities = np.array([10.0, 50.0, 30.0]), np.array([0.5, 0.25, 0.25])
    assert cvar(costs, probabilities, 0.0) == pytest.approx(25)  # the mean
    assert cvar(costs, probabilities, 0.75) == pytest.approx(50)
    assert cvar(costs, probabilities, 0.5) == pytest.approx(40)
    assert cvar(costs, probabilities, 0.6) == pytest.approx((0.25 * 50 + 0.15 * 30) / 0.4)


# The whole-unit Western Balkans plan stops at a gap, where two solves may differ.
@pytest.mark.parametrize(("name", "options"), [
    ("tiny", LP), ("tiny", WHOLE), ("western_balkans_2022", LP)],
    ids=["tiny-lp", "tiny-whole", "western_balkans-lp"])
def test_one_scenario_extensive_form_equals_the_ordinary_plan(name: str,
                                                              options: SolveOptions) -> None:
    case = load_scenario(ROOT / "scenarios" / name)
    ordinary = plan_scenario(case, options)
    robust = plan_robust(case, point(case), Risk(), options)
    assert robust.robust is not None
    assert robust.robust["objective"] == pytest.approx(ordinary.result.objective, rel=1e-7)
    assert robust.robust["value_of_stochastic_solution"] == pytest.approx(
        0, abs=1e-6 * ordinary.result.objective)
    assert robust.result.objective == pytest.approx(ordinary.result.objective, rel=1e-7)
    if name == "tiny":  # the optimum is unique there
        key = ["contribution_id", "section_id", "period"]
        mine = robust.schedule.set_index(key)["quantity"].sort_index()
        theirs = ordinary.schedule.set_index(key)["quantity"].sort_index()
        pd.testing.assert_series_equal(mine, theirs, check_dtype=False)


def test_evaluation_of_the_ordinary_plan_is_its_own_cost() -> None:
    case = load_scenario(ROOT / "scenarios" / "tiny")
    plan = plan_scenario(case, LP)
    models = scenario_models(case, point(case), whole_units=False)
    outcomes = evaluate(models, first_stage_of(models, plan.schedule),
                        plan.result.objective_parts["deployment_cost"]
                        + plan.result.objective_parts["start_cost"])
    row = outcomes.table.iloc[0]
    assert row["total_cost"] == pytest.approx(plan.result.objective)
    assert row["shortfall"] == pytest.approx(plan.summary()["coverage"]["shortfall_unit_periods"])


scaling = st.floats(min_value=0.0, max_value=4.0, allow_nan=False)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(scaling, st.integers(1, 5)), min_size=1, max_size=4),
       st.floats(min_value=20, max_value=90))
def test_robust_plan_is_never_worse_than_the_point_plan_on_its_scenarios(
        drawn: list[tuple[float, int]], daily_cost: float) -> None:
    weights = np.array([weight for _, weight in drawn], dtype=float)
    probabilities = weights / weights.sum()
    probabilities[-1] = 1 - probabilities[:-1].sum()
    table = [{"name": f"s{k}", "probability": float(p), "scaling": factor}
             for k, ((factor, _), p) in enumerate(zip(drawn, probabilities, strict=True))]
    case = newsvendor(daily_cost, table=table)
    plan = plan_robust(case, from_table(case), Risk(), LP)
    assert plan.robust is not None
    assert plan.robust["value_of_stochastic_solution"] >= -1e-6
    # A plan never deploys more than the pledge offers.
    assert units(plan) <= 10


def test_more_demand_never_lowers_the_robust_cost() -> None:
    low = newsvendor(table=[{"name": "a", "probability": 0.5, "scaling": 1.0},
                            {"name": "b", "probability": 0.5, "scaling": 1.5}])
    high = newsvendor(table=[{"name": "a", "probability": 0.5, "scaling": 1.0},
                             {"name": "b", "probability": 0.5, "scaling": 2.5}])
    costs = [plan_robust(case, from_table(case), Risk(), LP).robust["objective"]  # type: ignore[index]
             for case in (low, high)]
    assert costs[0] <= costs[1]


# --- demand scenarios -------------------------------------------------------------------------


def test_table_scalings_compose_and_match_rows() -> None:
    case = newsvendor(table=[
        {"name": "surge", "probability": 0.25, "scaling": 2, "nationality_id": "X"},
        {"name": "surge", "probability": 0.25, "scaling": 1.5, "from_period": 1},
        {"name": "calm", "probability": 0.75, "scaling": 0.5, "section_id": "A"}])
    demand = from_table(case)
    assert demand.names == ("surge", "calm")
    assert demand.probabilities.tolist() == [0.25, 0.75]
    assert demand.arrivals[:, 0].tolist() == [6.0, 1.0]


def test_samples_follow_the_band_and_the_seed() -> None:
    case = newsvendor(band=True)
    drawn = sample(case, 1000, seed=7).arrivals[:, 0]
    assert sample(case, 1000, seed=7).arrivals[:, 0].tolist() == drawn.tolist()
    assert sample(case, 50, seed=8).arrivals[:, 0].tolist() != drawn[:50].tolist()
    # Each row's 10th and 90th percentiles are its band's; its median is the forecast.
    assert np.mean(drawn < 1) == pytest.approx(0.10, abs=0.03)
    assert np.mean(drawn > 4) == pytest.approx(0.10, abs=0.03)
    assert np.median(drawn) == pytest.approx(2, rel=0.05)
    assert sample(case, 3).names == ("sample_1", "sample_2", "sample_3")


def test_samples_need_a_band() -> None:
    case = newsvendor()
    with pytest.raises(UsageError, match=re.escape(
            "1 of the forecast's 1 rows have no arrivals_p10 and arrivals_p90 to sample "
            "from")):
        demand_scenarios(case, samples=5)


def test_robust_without_a_table_says_what_to_do() -> None:
    case = load_scenario(ROOT / "scenarios" / "tiny")
    with pytest.raises(UsageError, match="the scenario has no demand_scenarios table: add "
                       "one, or sample demand scenarios from the forecast's band with "
                       "--samples N"):
        demand_scenarios(case)


def test_demand_table_problems_are_named_by_file_row_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    write_folder(folder, newsvendor())
    (folder / "demand_scenarios.csv").write_text(
        "name,probability,scaling,section_id,nationality_id,from_period,to_period\n"
        "up,0.5,2,Z,,,\n"
        "up,0.4,2,,Y,,\n"
        "down,0.3,0.5,,,1,\n", encoding="utf-8")
    assert problems(folder) == [
        "demand_scenarios.csv, row 2, field 'section_id': unknown section 'Z'",
        "demand_scenarios.csv, row 3, field 'nationality_id': unknown nationality 'Y'",
        "demand_scenarios.csv, row 3, field 'probability': scenario 'up' has probability "
        "0.5 on an earlier row and 0.4 here",
        "demand_scenarios.csv, row 4, field 'probability': the probabilities of the 2 demand "
        "scenarios sum to 0.8, not 1",
    ]


def test_a_scenario_without_demand_scenarios_keeps_its_hash() -> None:
    case = load_scenario(ROOT / "scenarios" / "tiny")
    with_table = case.model_copy(update={"demand_scenarios": newsvendor().demand_scenarios})
    assert with_table.content_hash() != case.content_hash()
    # The recorded runs of the shipped scenarios match it as it was.
    assert case.content_hash() == Scenario.model_validate(
        json.loads(case.model_dump_json(by_alias=True, exclude={"demand_scenarios"}))
    ).content_hash()


# --- the command line -------------------------------------------------------------------------


def test_run_robust_records_writes_and_evaluate_stores(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    folder, store, out = tmp_path / "case", tmp_path / "runs.sqlite", tmp_path / "out"
    write_folder(folder, newsvendor(band=True))
    assert invoke(monkeypatch, "run", str(folder), "--robust", "--store", str(store),
                  "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert "value of the stochastic solution: 20" in printed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["robust"]["value_of_stochastic_solution"] == pytest.approx(20)
    assert summary["robust"]["demand"] == {"source": "table", "scenarios": 2, "seed": None}
    outcomes = pd.read_csv(out / "robust.csv")
    assert set(outcomes["plan"]) == {"robust", "point"} and len(outcomes) == 4

    assert invoke(monkeypatch, "evaluate", "last", "--samples", "40", "--seed", "3",
                  "--store", str(store)) == 0
    assert "evaluation #2 stored" in capsys.readouterr().out
    with RunStore(store, create=False) as runs:
        record = runs.get(runs.resolve("last"))
    assert [each.kind for each in record.evaluations] == ["robust", "evaluate"]
    assert record.options["robust"] == {"risk": "expected", "source": "table",
                                        "scenarios": 2, "seed": None}
    evaluated = record.evaluations[1]
    assert evaluated.demand == {"source": "samples", "scenarios": 40, "seed": 3}
    assert len(evaluated.outcomes) == 40
    assert (evaluated.outcomes["first_stage_cost"] == 160).all()  # 4 guards at 40

    report = tmp_path / "report.html"
    assert invoke(monkeypatch, "report", "last", "--html", str(report), "--store",
                  str(store)) == 0
    page = report.read_text(encoding="utf-8")
    assert '<section id="demand">' in page
    assert "Robust plan across 2 demand scenarios (table)" in page
    assert "Evaluated across 40 demand scenarios (samples, seed 3)" in page
    assert 'id="forecast-band-1"' in page


@pytest.mark.parametrize(("args", "message"), [
    (["--samples", "5"], "--samples: for a robust plan; give --robust too"),
    (["--robust", "--risk", "cvar:1"], "--risk must be 'expected' or 'cvar:A' with A at "
     "least 0 and below 1"),
    (["--robust", "--pyomo"], "--robust builds the extensive form from the matrices"),
])
def test_robust_options_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str], args: list[str],
                                    message: str) -> None:
    folder = tmp_path / "case"
    write_folder(folder, newsvendor())
    assert invoke(monkeypatch, "run", str(folder), "--no-store", *args) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")
