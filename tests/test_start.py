"""The first whole-unit plan built from the relaxation: feasible, valid rows, reported."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planner import SolveOptions, plan_scenario
from planner.model.highs import HighsModel
from planner.model.index import build_index
from planner.model.matrix import build_matrix
from planner.model.requirements import derive_requirements
from planner.model.start import TOLERANCE, primal_start, rounding_rows, violation
from planner.runs.records import record_plan
from planner.scenario.baseline import make_baseline, with_baseline
from planner.scenario.generate import SIZES, generate_scenario


@pytest.fixture(scope="module")
def small():
    return generate_scenario(replace(SIZES["S"], seed=1))


@pytest.fixture(scope="module")
def matrix(small):
    return build_matrix(build_index(small, derive_requirements(small)), whole_units=True)


@pytest.fixture(scope="module")
def best(matrix):
    """The whole-unit optimum of the model, found without a start."""
    result = HighsModel(matrix, SolveOptions(gap=1e-6, start=False)).solve()
    assert result.objective is not None and result.bound is not None
    return result


def _activity(lower, starts, columns, values, plan):
    ends = np.append(starts[1:], len(columns))
    return np.array([values[a:b] @ plan[columns[a:b]] for a, b in zip(starts, ends, strict=True)])


def test_the_start_is_a_feasible_whole_plan_no_better_than_the_optimum(matrix, best) -> None:
    start = primal_start(matrix)
    assert start is not None
    assert violation(matrix, start.values) <= TOLERANCE
    assert np.allclose(start.values[matrix.integer], np.round(start.values[matrix.integer]))
    assert start.objective == pytest.approx(float(matrix.cost @ start.values))
    # The bound it reports is a bound, and no plan beats the optimum.
    assert start.bound <= best.objective + 1e-6
    assert start.objective >= best.bound - 1e-6
    assert start.gap == pytest.approx((start.objective - start.bound) / start.objective)


def test_the_same_model_gets_the_same_start(matrix) -> None:
    first, second = primal_start(matrix), primal_start(matrix)
    assert first is not None and second is not None
    assert np.array_equal(first.values, second.values)


def test_rounding_rows_hold_for_every_whole_plan_found(matrix) -> None:
    lower, starts, columns, values = rounding_rows(matrix)
    assert len(lower) > 0
    start = primal_start(matrix)
    solved = HighsModel(matrix, SolveOptions(start=False))
    solved.solve()
    assert start is not None and solved._last is not None
    for plan in (start.values, solved._last):
        assert np.all(_activity(lower, starts, columns, values, plan) >= lower - 1e-6)


def test_a_rounding_row_is_its_cover_row_with_units_scaled_by_the_fraction(matrix) -> None:
    lower, starts, columns, values = rounding_rows(matrix)
    cover = matrix.row("cover")
    need = matrix.row_lower[cover.span]
    fractional = np.flatnonzero(need - np.floor(need) > TOLERANCE)
    assert len(lower) == len(fractional)
    row = fractional[0]
    fraction = need[row] - np.floor(need[row])
    assert lower[0] == pytest.approx(fraction * np.ceil(need[row]))
    end = starts[1] if len(starts) > 1 else len(columns)
    for column, value in zip(columns[:end], values[:end], strict=True):
        entries = slice(matrix.start[column], matrix.start[column + 1])
        original = matrix.value[entries][matrix.row_index[entries] == cover.offset + row]
        assert len(original) == 1
        expected = fraction * original[0] if matrix.integer[column] else original[0]
        assert value == pytest.approx(expected)


def test_no_start_is_built_for_fractional_units_small_models_or_when_stopped(matrix) -> None:
    relaxed = replace(matrix, whole_units=False, integer=np.zeros_like(matrix.integer))
    assert primal_start(relaxed) is None
    assert primal_start(matrix, lambda: True) is None


def test_a_whole_unit_run_reports_its_start_and_ends_no_worse(small) -> None:
    plan = plan_scenario(small, SolveOptions(gap=1e-3))
    start = plan.summary()["solver"]["start"]
    assert start is not None
    assert plan.result.objective <= start["objective"] + 1e-6
    assert start["bound"] <= plan.result.objective + 1e-6
    assert start["gap"] >= 0 and start["seconds"] > 0 and start["dive_rounds"] >= 1
    assert start["handed_at"] >= start["seconds"]
    assert plan.result.gap is not None and plan.result.gap <= 1e-3
    unstarted = plan_scenario(small, SolveOptions(gap=1e-3, start=False))
    assert unstarted.summary()["solver"]["start"] is None
    assert unstarted.result.objective == pytest.approx(plan.result.objective, rel=2e-3)
    relaxed = plan_scenario(small, SolveOptions(relax=True))
    assert relaxed.summary()["solver"]["start"] is None


def test_a_run_with_a_start_gives_the_same_plan_every_time(small) -> None:
    # The start is handed over at a point of HiGHS's own path, not of the clock.
    first, second = (plan_scenario(small, SolveOptions(gap=1e-3)) for _ in range(2))
    assert first.result.objective == second.result.objective
    assert first.schedule.equals(second.schedule)



def test_a_whole_unit_objective_is_the_cost_of_the_plan_written_out(small) -> None:
    # Planned afresh (with a start) and re-planned around itself (a partial start that
    # HiGHS completes): the objective is the sum of the plan's own costs either way.
    plan = plan_scenario(small, SolveOptions(gap=1e-3))
    record = replace(record_plan(plan), id=1)
    again = with_baseline(small, make_baseline(record, small, small.horizon.start))
    replan = plan_scenario(again, SolveOptions(gap=1e-3))
    for solved in (plan, replan):
        assert solved.result.objective == pytest.approx(
            sum(solved.result.objective_parts.values()), rel=1e-9)
        assert solved.result.bound is not None
        assert solved.result.bound <= solved.result.objective
