"""The library API: from a scenario to a plan, timing each step, re-solving what-ifs, recording.

The command line (``planner run``, ``planner sweep``) and any service call these same
functions: :func:`plan_and_record` is the one path from a scenario, as a variant and
overrides applied it, to a plan recorded in the run store.

By default the model is built as matrices and handed to HiGHS directly (``planner.model.matrix``,
``planner.model.highs``); ``pyomo=True`` builds the Pyomo model of record instead, which gives
the same problem to HiGHS and hence the same plan, more slowly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from planner.errors import SolverError
from planner.model.highs import HighsModel
from planner.model.index import build_index, index_shape, refresh_index
from planner.model.keys import ModelSize
from planner.model.matrix import build_matrix, refresh_matrix
from planner.model.options import SolveOptions
from planner.model.progress import SolveMonitor
from planner.model.requirements import Requirements, derive_requirements
from planner.model.results import SolveResult
from planner.plan.plan import Plan, make_plan
from planner.scenario.demand import DemandScenarios
from planner.scenario.read import load_scenario
from planner.scenario.schema import Scenario

if TYPE_CHECKING:
    from planner.model.stochastic import Risk
    from planner.runs.records import RunRecord
    from planner.scenario.variants import Applied


def _plan(scenario: Scenario, timings: dict[str, float] | None,
          build_and_solve: Callable[[Requirements], SolveResult]) -> Plan:
    """Derive needs, then build and solve (timed together as ``build``, less the solve)."""
    timings = dict(timings or {})
    started = time.perf_counter()
    requirements = derive_requirements(scenario)
    timings["requirements"] = time.perf_counter() - started
    started = time.perf_counter()
    result = build_and_solve(requirements)
    timings["build"] = time.perf_counter() - started - result.solve_seconds - (
        result.extract_seconds)
    started = time.perf_counter()
    plan = make_plan(scenario, requirements, result, timings)
    plan.timings["plan"] = time.perf_counter() - started
    return plan


class Planner:
    """Plans scenarios one after another, keeping the last model loaded in HiGHS.

    When the next scenario differs only in data its model has the same structure: the
    loaded one is changed in place and re-solved from the last basis (LP) or plan (whole
    units). Where only needs, costs or penalties differ, even the index and matrices are
    refreshed rather than rebuilt; other data changes (availability, say) rebuild them and
    still re-solve warm if the rows come out the same. Otherwise the model is built afresh.
    """

    def __init__(self, options: SolveOptions | None = None) -> None:
        self.options = options or SolveOptions()
        self._loaded: HighsModel | None = None
        self._shape: tuple[Any, ...] | None = None
        """The loaded model's scenario shape (see ``planner.model.index.index_shape``)."""

    def plan(self, scenario: Scenario, *, timings: dict[str, float] | None = None,
             monitor: SolveMonitor | None = None) -> Plan:
        """Derive needs, build (or update) and solve the model, and return the plan.

        A ``monitor`` follows the solve and can stop it (see :mod:`planner.model.progress`).
        """
        return _plan(scenario, timings,
                     lambda requirements: self._solve(scenario, requirements, monitor))

    def write_model(self, path: str | Path) -> None:
        """Write the last model as HiGHS has it (``.mps`` or ``.lp``), e.g. to time HiGHS alone."""
        if self._loaded is None:
            raise ValueError("no model yet: plan a scenario first")
        self._loaded.write(str(path))

    def _solve(self, scenario: Scenario, requirements: Requirements,
               monitor: SolveMonitor | None = None) -> SolveResult:
        shape = index_shape(scenario, requirements)
        if self._loaded is not None and shape == self._shape:
            # Only needs, costs or penalties differ: the rows stay, their values change.
            loaded = self._loaded.matrix
            matrix = refresh_matrix(loaded, refresh_index(loaded.index, scenario, requirements))
        else:
            matrix = build_matrix(build_index(scenario, requirements),
                                  whole_units=self.options.whole_units)
        if self._loaded is None or not self._loaded.update(matrix):
            self._loaded = HighsModel(matrix, self.options)
        self._shape = shape
        return self._loaded.solve(monitor)


def plan_scenario(
    scenario: Scenario,
    options: SolveOptions | None = None,
    *,
    timings: dict[str, float] | None = None,
    pyomo: bool = False,
    monitor: SolveMonitor | None = None,
) -> Plan:
    """Derive needs, build and solve the model, and return the plan (whatever the status).

    ``pyomo`` builds the Pyomo model of record instead of the matrices: same plan, slower
    (and without ``monitor``: no progress, no stop on request).
    """
    options = options or SolveOptions()
    if not pyomo:
        return Planner(options).plan(scenario, timings=timings, monitor=monitor)
    from planner.model.pyomo_model import build_model
    from planner.model.pyomo_solve import solve

    return _plan(scenario, timings, lambda requirements: solve(
        build_model(scenario, requirements, whole_units=options.whole_units), options))


def run(path: str | Path, options: SolveOptions | None = None, *, pyomo: bool = False) -> Plan:
    """Load the scenario at ``path`` and plan it."""
    started = time.perf_counter()
    scenario = load_scenario(path)
    return plan_scenario(scenario, options, timings={"load": time.perf_counter() - started},
                         pyomo=pyomo)


@dataclass(frozen=True)
class RecordedPlan:
    """A plan and, where it was recorded, its run as the store holds it (with its id)."""

    plan: Plan
    run: RunRecord | None


def plan_and_record(applied: Applied, options: SolveOptions | None = None, *,
                    source: str | Path, store: str | Path | None,
                    planner: Planner | None = None, pyomo: bool = False,
                    monitor: SolveMonitor | None = None,
                    demand: DemandScenarios | None = None,
                    risk: Risk | None = None) -> RecordedPlan:
    """Plan ``applied.scenario`` and record the run in ``store`` (``None``: not recorded).

    The run is recorded whatever the status (the store keeps what was tried), with the
    variant, overrides and options it ran with and its ``source`` (the path it came from).
    A ``planner`` keeps its model loaded between calls (its options are used); otherwise
    the scenario is planned afresh, with the Pyomo model of record if ``pyomo``. With
    ``demand`` the plan is robust across those demand scenarios (:func:`plan_robust`).
    """
    from planner.runs.records import record_plan
    from planner.runs.store import RunStore

    if demand is not None:
        options = options or SolveOptions()
        plan = plan_robust(applied.scenario, demand, risk, options, monitor=monitor)
    elif planner is not None:
        options = planner.options
        plan = planner.plan(applied.scenario, monitor=monitor)
    else:
        options = options or SolveOptions()
        plan = plan_scenario(applied.scenario, options, pyomo=pyomo, monitor=monitor)
    if store is None:
        return RecordedPlan(plan, None)
    with RunStore(store) as runs:
        stored = runs.record(record_plan(plan, variant=applied.variant,
                                         changes=applied.changes, options=options,
                                         source=str(source),
                                         description=applied.description))
    return RecordedPlan(plan, stored)


def plan_robust(scenario: Scenario, demand: DemandScenarios, risk: Risk | None = None,
                options: SolveOptions | None = None, *,
                monitor: SolveMonitor | None = None) -> Plan:
    """One plan for every demand scenario: shared deployments, each scenario's shortfall.

    First the point-forecast plan (the scenario's own forecast, as :func:`plan_scenario`
    makes it); then the extensive form over ``demand`` (``planner.model.stochastic``),
    started from the better of the point plan and, in whole units, a whole-unit plan near
    the extensive form's relaxation (the ordinary model asked to deploy what the
    relaxation deploys: ``guided_matrix``), so it never ends above the point plan. Both
    plans are evaluated on every demand scenario. The plan returned is the robust one
    with the scenario's own forecast (its schedule, shortfalls and costs), with
    ``robust`` and ``outcomes``. Without a point plan (infeasible, say), the point
    solve's plan is returned as it is.
    """
    from planner.model.stochastic import (
        Risk,
        evaluate,
        first_stage_cost,
        first_stage_of,
        first_stage_values,
        fixed_result,
        guided_matrix,
        scenario_models,
        solve_robust,
    )

    risk = risk or Risk()
    options = options or SolveOptions()
    started = time.perf_counter()
    point = plan_scenario(scenario, options, monitor=monitor)
    if not point.status.has_plan:
        return point
    timings = {"point_plan": time.perf_counter() - started}
    started = time.perf_counter()
    models = scenario_models(scenario, demand, whole_units=options.whole_units)
    timings["scenario_models"] = time.perf_counter() - started
    point_first = first_stage_of(models, point.schedule)
    point_outcomes = evaluate(models, point_first,
                              first_stage_cost(point.result.objective_parts))
    start, guided = point_first, None
    if options.whole_units:
        # A whole-unit start near the relaxation's robust plan, if it beats the point plan.
        started = time.perf_counter()
        relaxed = solve_robust(models, risk, replace(options, relax=True))
        if relaxed.first is not None:
            found = HighsModel(guided_matrix(models, relaxed.first), options).solve(monitor)
            if found.status.has_plan:
                first = first_stage_values(models, found)
                cost = float(models.point.cost[models.stages.first] @ first)
                guided = evaluate(models, first, cost)
                if guided.measure(risk) < point_outcomes.measure(risk):
                    start = first
        timings["guided_start"] = time.perf_counter() - started
    solved = solve_robust(models, risk, options, start=start, monitor=monitor)
    if solved.first is None:
        raise SolverError(f"the robust plan over {len(demand)} demand scenarios found no "
                          f"plan ({solved.status.value}): raise --time-limit")
    started = time.perf_counter()
    first_cost = float(models.point.cost[models.stages.first] @ solved.first)
    outcomes = evaluate(models, solved.first, first_cost)
    timings["evaluate"] = point_outcomes.seconds + outcomes.seconds
    result = fixed_result(models, solved.first, options)
    result = replace(result, status=solved.status, gap=solved.gap, bound=None,
                     solve_seconds=solved.seconds + result.solve_seconds,
                     size=ModelSize(*solved.size[:3]), stopped_by=solved.stopped_by)
    # Marginal values with the deployments fixed would price nothing a planner can change.
    plan = replace(make_plan(scenario, models.point_requirements, result, timings),
                   marginal_values=None, capacity_values=None)
    plan.timings["plan"] = time.perf_counter() - started
    mine, theirs = outcomes.summary(risk), point_outcomes.summary(risk)
    summary = {
        "risk": risk.label,
        "demand": {"source": demand.source, "scenarios": len(demand), "seed": demand.seed},
        "status": solved.status.value,
        "objective": mine["objective"],
        "bound": None if solved.bound is None else round(solved.bound, 6),
        "gap": solved.gap,
        "expected_cost": mine["expected_cost"],
        "expected_shortfall": mine["expected_shortfall"],
        "worst_scenario_shortfall": mine["worst_scenario"]["shortfall"],
        "value_of_stochastic_solution": round(theirs["objective"] - mine["objective"], 6),
        "plan": mine,
        "point_plan": {**theirs, "objective_on_forecast": point.result.objective},
        "extensive_form": {"variables": solved.size[0], "constraints": solved.size[1],
                           "nonzeros": solved.size[2]},
        "started_from": "point_plan" if start is point_first else "guided",
        "guided_objective": None if guided is None else round(guided.measure(risk), 6),
    }
    table = pd.concat([outcomes.table.assign(plan="robust"),
                       point_outcomes.table.assign(plan="point")], ignore_index=True)
    return replace(plan, robust=summary, outcomes=table)
