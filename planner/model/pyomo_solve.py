"""Solving the Pyomo model of record with HiGHS, returning the planner's typed result."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from planner.columns import DEPLOY_KEY
from planner.model.diagnose import Label, explain_iis
from planner.model.families import ROW
from planner.model.keys import OBJECTIVE_PARTS
from planner.model.options import SolveOptions, Status
from planner.model.pyomo_model import DeploymentModel
from planner.model.results import (
    BOUNDED_BY_UNITS,
    CAPACITY_ROWS,
    SOLUTION_COLUMNS,
    Solution,
    SolveResult,
    capacity_values,
    solution_tables,
    with_plan,
)


def explain_infeasibility(built: DeploymentModel, solver: Any) -> list[str]:
    """The hard rules that cannot all hold, from the Pyomo model's HiGHS interface.

    ``solver`` has just found ``built`` infeasible; its HiGHS model and maps from Pyomo
    components to rows and columns are read.
    """
    variables = {id(var): var for var in built.model.component_data_objects(pyo.Var)}
    columns = {index: _label(variables[var_id])
               for var_id, index in solver._pyomo_var_to_solver_var_map.items()
               if var_id in variables}
    rows = {index: _label(con) for con, index in solver._pyomo_con_to_solver_con_map.items()}
    return explain_iis(solver._solver_model, built.index, built.whole_units, rows, columns)


def _label(component: Any) -> Label:
    key = component.index()
    return component.parent_component().local_name, key if isinstance(key, tuple) else (key,)


_STATUS_BY_TERMINATION = {
    TerminationCondition.convergenceCriteriaSatisfied: Status.OPTIMAL,
    TerminationCondition.provenInfeasible: Status.INFEASIBLE,
    TerminationCondition.locallyInfeasible: Status.INFEASIBLE,
    TerminationCondition.infeasibleOrUnbounded: Status.INFEASIBLE,
    TerminationCondition.unbounded: Status.UNBOUNDED,
    TerminationCondition.maxTimeLimit: Status.NO_SOLUTION,
    TerminationCondition.iterationLimit: Status.NO_SOLUTION,
    TerminationCondition.interrupted: Status.NO_SOLUTION,
}


_STOPPED_BY = {
    TerminationCondition.convergenceCriteriaSatisfied: "gap",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.interrupted: "interrupt",
}


def solve(built: DeploymentModel, options: SolveOptions | None = None) -> SolveResult:
    """Solve ``built`` with HiGHS; an infeasible or failed solve is a status, not an exception."""
    options = options or SolveOptions(relax=not built.whole_units)
    if options.whole_units != built.whole_units:
        raise ValueError("the model was built for "
                         f"{'whole' if built.whole_units else 'fractional'} units")
    solver = Highs()
    outcome = SolveResult.empty(built.whole_units, built.size,
                                ".".join(str(part) for part in solver.version()))
    if built.size.variables == 0:
        # Nothing is needed anywhere: the empty plan is optimal, and HiGHS won't say so.
        return replace(outcome, solution=extract_solution(built, duals=None))

    solver_options: dict[str, Any] = {"output_flag": False}
    if options.threads is not None:
        solver_options["threads"] = options.threads
    started = time.perf_counter()
    results = solver.solve(
        built.model,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        time_limit=options.time_limit,
        rel_gap=options.gap,
        solver_options=solver_options,
    )
    solve_seconds = time.perf_counter() - started
    status = _STATUS_BY_TERMINATION.get(results.termination_condition, Status.ERROR)
    has_values = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if status is Status.NO_SOLUTION and has_values:
        status = Status.FEASIBLE
    outcome = replace(outcome, status=status, termination=results.termination_condition.name,
                      objective=None, bound=None, gap=None, solve_seconds=solve_seconds,
                      objective_parts={},
                      stopped_by=_STOPPED_BY.get(results.termination_condition),
                      time_limit=options.time_limit,
                      target_gap=options.gap if built.whole_units else None)
    if outcome.stopped_by == "gap" and not built.whole_units:
        outcome = replace(outcome, stopped_by="optimal")
    if status is Status.INFEASIBLE:
        return replace(outcome, conflicts=tuple(explain_infeasibility(built, solver)))
    if not status.has_plan:
        return outcome
    if not has_values:
        return replace(outcome, status=Status.ERROR)

    started = time.perf_counter()
    results.solution_loader.load_vars()
    duals = capacities = None
    if not built.whole_units:
        m = built.model
        limits = [row for name in CAPACITY_ROWS for row in getattr(m, name).values()]
        rows = [*m.cover.values(), *m.language.values(), *limits]
        duals = results.solution_loader.get_duals(rows) if rows else {}
        bounded = [v for name in BOUNDED_BY_UNITS for v in getattr(m, name).values()]
        reduced = results.solution_loader.get_reduced_costs(bounded) if bounded else {}
        capacities = _capacity_values(built, duals, reduced)
    solution = extract_solution(built, duals, capacities)
    parts = {name: float(pyo.value(getattr(built.model, name))) for name in OBJECTIVE_PARTS}
    objective = float(results.incumbent_objective)
    return with_plan(outcome, objective,
                     results.objective_bound if built.whole_units else objective,
                     solution, parts, started)


def _values(variable: pyo.Var) -> np.ndarray:
    """A variable's values in the order of its Set (missing values as 0)."""
    return np.array([variable[key].value or 0.0 for key in variable.index_set()], dtype=float)


def _capacity_values(built: DeploymentModel, duals: Mapping[Any, float],
                     reduced: Mapping[Any, float]) -> pd.DataFrame:
    """What one more bed, unit or unit-day of cap would save (see ``capacity_values``)."""
    m = built.model
    rows = {}
    for name in CAPACITY_ROWS:
        constraint = getattr(m, name)
        keys = pd.DataFrame([key if isinstance(key, tuple) else (key,)
                             for key in constraint], columns=list(ROW[name].key))
        rows[name] = (keys, np.array([duals.get(row, 0.0) for row in constraint.values()],
                                     dtype=float))
    columns = {}
    for name in BOUNDED_BY_UNITS:
        variable = getattr(m, name)
        columns[name] = (pd.DataFrame(list(variable.keys()), columns=DEPLOY_KEY),
                         np.array([reduced.get(v, 0.0) for v in variable.values()],
                                  dtype=float))
    return capacity_values(rows, columns)


def extract_solution(built: DeploymentModel, duals: dict[Any, float] | None,
                     capacities: pd.DataFrame | None = None) -> Solution:
    """Read the Pyomo model's loaded values (and LP duals) into tables aligned with the index."""
    m = built.model
    values = {name: _values(getattr(m, name)) for name in SOLUTION_COLUMNS}
    row_duals = None if duals is None else {
        name: np.array([duals.get(row, 0.0) for row in getattr(m, name).values()], dtype=float)
        for name in ("cover", "language")
    }
    return solution_tables(built.index, built.whole_units, values, row_duals, capacities)


