"""The fast path (matrices to HiGHS) against the Pyomo model of record, and re-solves."""

from __future__ import annotations

import filecmp
from dataclasses import replace
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pytest
from pyomo.contrib.solver.solvers.highs import Highs

from planner import SolveOptions, Status, load_scenario, plan_scenario
from planner.api import Planner
from planner.bench import scale_demand
from planner.model.families import COLUMNS, ROWS
from planner.model.highs import HighsModel
from planner.model.index import build_index, index_shape, refresh_index
from planner.model.matrix import MatrixModel, build_matrix, refresh_matrix
from planner.model.pyomo_model import build_model
from planner.model.requirements import derive_requirements
from planner.plan.plan import Plan
from planner.runs.records import record_plan
from planner.scenario.baseline import make_baseline, with_baseline
from planner.scenario.generate import SIZES, GeneratorConfig, generate_scenario
from planner.scenario.schema import Scenario

from builders import beds_conflict, capped_reserve

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def generated(seed: int) -> Scenario:
    return generate_scenario(replace(SIZES["S"], seed=seed))


def replanned(scenario: Scenario, factor: float, freeze_period: int) -> Scenario:
    """``scenario`` with every arrival times ``factor``, re-planned around its own plan."""
    plan = plan_scenario(scenario, SolveOptions(gap=0.01, time_limit=60))
    record = replace(record_plan(plan), id=1)
    changed = scale_demand(scenario, factor)
    freeze = scenario.horizon.period_start(freeze_period)
    return with_baseline(changed, make_baseline(record, changed, freeze), change_cost=7.5)


CASES = {
    "tiny": lambda: load_scenario(SCENARIOS / "tiny"),
    "tiny re-planned": lambda: replanned(load_scenario(SCENARIOS / "tiny"), 1.5, 1),
    "generated S seed 1 re-planned": lambda: replanned(generated(1), 1.2, 4),
    "western_balkans_2022": lambda: load_scenario(SCENARIOS / "western_balkans_2022"),
    "generated S seed 1": lambda: generated(1),
    "generated S seed 2": lambda: generated(2),
    "capped reserve": capped_reserve,
}


def test_every_family_has_rows_or_columns_in_some_case() -> None:
    # Otherwise the two paths could differ in a family and the test above pass vacuously.
    sizes = {family.name: 0 for family in (*COLUMNS, *ROWS)}
    for make in CASES.values():
        matrix = build_matrix(build_index(chosen := make(), derive_requirements(chosen)))
        for family in (*matrix.columns, *matrix.rows):
            sizes[family.name] = max(sizes[family.name], len(family.keys))
    assert [name for name, size in sizes.items() if size == 0] == []


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Scenario:
    return CASES[request.param]()


def _written(highs: highspy.Highs, path: Path) -> Path:
    """The model in ``highs`` as an MPS file, written whole (a fresh copy, then closed)."""
    copy = highspy.Highs()
    copy.setOptionValue("output_flag", False)
    copy.passModel(highs.getLp())
    copy.writeModel(str(path))
    del copy
    return path


@pytest.mark.parametrize("whole_units", [False, True], ids=["lp", "whole"])
def test_both_paths_hand_highs_the_same_model(case: Scenario, whole_units: bool,
                                              tmp_path: Path) -> None:
    requirements = derive_requirements(case)
    built = build_model(case, requirements, whole_units=whole_units)
    reference = Highs()
    reference.set_instance(built.model)
    matrix = build_matrix(built.index, whole_units=whole_units)
    fast = HighsModel(matrix)
    # Same columns, rows, bounds, costs, integrality and coefficients, in the same order.
    assert filecmp.cmp(_written(reference._solver_model, tmp_path / "reference.mps"),
                       _written(fast.highs, tmp_path / "fast.mps"), shallow=False)
    assert matrix.size == built.size


def _same_plan(fast: Plan, reference: Plan) -> None:
    assert fast.status is reference.status is Status.OPTIMAL
    assert fast.result.objective == pytest.approx(reference.result.objective, rel=1e-9)
    assert fast.result.objective_parts == pytest.approx(reference.result.objective_parts,
                                                        rel=1e-9, abs=1e-6)
    pd.testing.assert_frame_equal(fast.schedule, reference.schedule)
    pd.testing.assert_frame_equal(fast.shortfalls, reference.shortfalls)


def test_both_paths_give_the_same_lp_plan(case: Scenario) -> None:
    options = SolveOptions(relax=True)
    fast = plan_scenario(case, options)
    reference = plan_scenario(case, options, pyomo=True)
    _same_plan(fast, reference)
    assert fast.marginal_values is not None and reference.marginal_values is not None
    pd.testing.assert_frame_equal(fast.marginal_values, reference.marginal_values)
    assert fast.capacity_values is not None and reference.capacity_values is not None
    pd.testing.assert_frame_equal(fast.capacity_values, reference.capacity_values,
                                  check_exact=False, atol=1e-6)


@pytest.mark.parametrize("name", ["tiny", "generated S seed 1"])
def test_both_paths_give_the_same_whole_unit_plan(name: str) -> None:
    # Western Balkans in whole units takes a minute a path; its model is held equal above.
    # The same problem, searched the same way: the start built beside the search (matrices
    # only) may find another of several optimal plans, so it is left out here.
    chosen = CASES[name]()
    options = SolveOptions(gap=0.0, time_limit=120, start=False)
    _same_plan(plan_scenario(chosen, options), plan_scenario(chosen, options, pyomo=True))
    started = plan_scenario(chosen, SolveOptions(gap=0.0, time_limit=120))
    assert started.result.objective == pytest.approx(
        plan_scenario(chosen, options).result.objective, rel=1e-9)


def test_the_matrix_path_explains_a_conflict_as_the_model_of_record_does() -> None:
    infeasible = beds_conflict()
    fast = plan_scenario(infeasible)
    reference = plan_scenario(infeasible, pyomo=True)
    assert fast.status is reference.status is Status.INFEASIBLE
    assert fast.result.conflicts == reference.result.conflicts
    assert "section 'A' has 3 beds for deployed personnel in period 1 (2024-01-01 to " \
           "2024-01-01)" in fast.result.conflicts


# --- re-solves: a loaded model changed in place and solved warm ---------------------------------


def _cheaper(chosen: Scenario, factor: float) -> Scenario:
    rows = tuple(row.model_copy(update={"daily_cost": row.daily_cost * factor})
                 for row in chosen.contributions)
    return chosen.model_copy(update={"contributions": rows})


def _fewer(chosen: Scenario) -> Scenario:
    rows = tuple(row.model_copy(update={"quantity": max(row.quantity - 1, 1)})
                 for row in chosen.contributions)
    return chosen.model_copy(update={"contributions": rows})


WHAT_IFS = {
    "demand up 30%": lambda chosen: scale_demand(chosen, 1.3),
    "demand down 40%": lambda chosen: scale_demand(chosen, 0.6),
    "costs down 20%": lambda chosen: _cheaper(chosen, 0.8),
    "one unit fewer per pledge": _fewer,
}


@pytest.mark.parametrize("what_if", sorted(WHAT_IFS))
@pytest.mark.parametrize("relax", [True, False], ids=["lp", "whole"])
def test_a_warm_re_solve_equals_a_cold_solve(what_if: str, relax: bool) -> None:
    base = generate_scenario(GeneratorConfig(sections=5, periods=12, kinds=6, contributions=30,
                                             seed=3))
    options = SolveOptions(relax=relax, gap=0.0, time_limit=120)
    planner = Planner(options)
    first = planner.plan(base)
    assert not first.result.warm_start
    changed = WHAT_IFS[what_if](base)
    warm = planner.plan(changed)
    cold = Planner(options).plan(changed)
    assert warm.result.warm_start and not cold.result.warm_start
    assert warm.status is cold.status is Status.OPTIMAL
    assert warm.result.objective == pytest.approx(cold.result.objective, rel=1e-7)
    assert warm.result.objective != pytest.approx(first.result.objective, rel=1e-7)
    # Back to the base: the loaded model returns to the base's optimum too.
    assert planner.plan(base).result.objective == pytest.approx(first.result.objective,
                                                                rel=1e-7)


def test_a_change_of_structure_builds_the_model_afresh() -> None:
    base = generated(3)
    planner = Planner(SolveOptions(relax=True))
    planner.plan(base)
    extra = base.contributions[0].model_copy(update={"id": "extra-pledge", "quantity": 5})
    grown = base.model_copy(update={"contributions": (*base.contributions, extra)})
    again = planner.plan(grown)
    assert not again.result.warm_start
    assert again.result.objective == pytest.approx(
        Planner(SolveOptions(relax=True)).plan(grown).result.objective, rel=1e-9)
    assert "extra-pledge" in set(again.schedule["contribution_id"]) or "extra-pledge" in set(
        build_index(grown, derive_requirements(grown)).deploy["contribution_id"])


# --- data-only what-ifs: the index and matrices refreshed instead of rebuilt ---------------------


def _penalties_up(chosen: Scenario) -> Scenario:
    rows = tuple(row.model_copy(update={"high": row.high * 2, "low": row.low + 1})
                 for row in chosen.penalties)
    return chosen.model_copy(update={
        "penalties": rows,
        "language_penalty": chosen.language_penalty.model_copy(update={"high": 999.0})})


def _impact_raised(chosen: Scenario) -> Scenario:
    rows = tuple(row.model_copy(update={"impact_level": "critical"}) for row in chosen.sections)
    return chosen.model_copy(update={"sections": rows})


SOFT = {
    "demand up 30%": lambda chosen: scale_demand(chosen, 1.3),
    "costs down 20%": lambda chosen: _cheaper(chosen, 0.8),
    "penalties changed": _penalties_up,
    "impact raised": _impact_raised,
}


def _assert_same_matrix(got: MatrixModel, expected: MatrixModel) -> None:
    for name in ("cost", "col_lower", "col_upper", "integer", "row_lower", "row_upper", "start",
                 "row_index", "value", "solver_order"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)
    for field in ("deploy", "starts", "rotation", "caps", "cover", "language", "interpret",
                  "reserve_gates", "periods"):
        pd.testing.assert_frame_equal(getattr(got.index, field), getattr(expected.index, field))


@pytest.mark.parametrize("what_if", sorted(SOFT))
def test_a_refreshed_model_equals_one_built_afresh(case: Scenario, what_if: str) -> None:
    changed = SOFT[what_if](case)
    before, after = derive_requirements(case), derive_requirements(changed)
    shape = index_shape(changed, after)
    if shape != index_shape(case, before):
        # Raising impact levels may create needs where there were none: then a rebuild.
        assert what_if == "impact raised"
        return
    built = build_matrix(build_index(case, before), whole_units=False)
    refreshed = refresh_matrix(built, refresh_index(built.index, changed, after))
    _assert_same_matrix(refreshed, build_matrix(build_index(changed, after), whole_units=False))


@pytest.mark.parametrize("what_if", ["one unit fewer per pledge", "new pledge"])
def test_a_change_of_pledges_changes_the_shape(what_if: str) -> None:
    base = generated(3)
    if what_if == "new pledge":
        extra = base.contributions[0].model_copy(update={"id": "extra-pledge"})
        changed = base.model_copy(update={"contributions": (*base.contributions, extra)})
    else:
        changed = WHAT_IFS[what_if](base)
    assert index_shape(changed, derive_requirements(changed)) != index_shape(
        base, derive_requirements(base))
