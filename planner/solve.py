"""Solving a built deployment model with HiGHS, returning a small typed result."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from enum import StrEnum

import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from planner.model import NEED_KEY, DeploymentModel, ModelSize


class Status(StrEnum):
    """How a solve ended, in planner terms."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    """Stopped (time limit) with a usable but not proven optimal plan."""
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"
    """Stopped before any plan was found."""
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        """Whether a plan can be read from the solve."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings a planner may change."""

    time_limit: float | None = None
    """Seconds; ``None`` for no limit."""
    threads: int | None = None


@dataclass(frozen=True)
class Solution:
    """Variable values, as tables keyed by the planner's ids."""

    deploy: pd.DataFrame
    """``contribution_id``, ``section_id``, ``period``, ``quantity``."""
    uncovered: pd.DataFrame
    """``section_id``, ``period``, ``kind_id``, ``shortfall``."""
    interpret: pd.DataFrame
    """``contribution_id``, ``section_id``, ``period``, ``language_id``, ``quantity``."""
    unserved_language: pd.DataFrame
    """``section_id``, ``period``, ``language_id``, ``shortfall``."""


@dataclass(frozen=True)
class SolveResult:
    """What a solve produced: status, objective, timings, size, and values if there are any."""

    status: Status
    termination: str
    """The solver's own word for why it stopped."""
    objective: float | None
    solver: str
    solver_version: str
    size: ModelSize
    solve_seconds: float
    extract_seconds: float
    solution: Solution | None = None
    objective_parts: dict[str, float] = field(default_factory=dict)
    """``deployment_cost``, ``shortfall_penalty`` and ``language_penalty``."""


OBJECTIVE_PARTS = ("deployment_cost", "shortfall_penalty", "language_penalty")
"""The objective's named terms, as the model's Expressions call them."""

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


def solve(built: DeploymentModel, options: SolveOptions | None = None) -> SolveResult:
    """Solve ``built`` with HiGHS; an infeasible or failed solve is a status, not an exception."""
    options = options or SolveOptions()
    solver = Highs()
    solver_options: dict[str, object] = {"output_flag": False}
    if options.threads is not None:
        solver_options["threads"] = options.threads
    if built.size.variables == 0:
        # Nothing is needed anywhere: the empty plan is optimal, and HiGHS won't say so.
        return SolveResult(
            status=Status.OPTIMAL,
            termination="emptyModel",
            objective=0.0,
            solver="highs",
            solver_version=_version(solver),
            size=built.size,
            solve_seconds=0.0,
            extract_seconds=0.0,
            solution=extract_solution(built),
            objective_parts=dict.fromkeys(OBJECTIVE_PARTS, 0.0),
        )
    started = time.perf_counter()
    results = solver.solve(
        built.model,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        time_limit=options.time_limit,
        solver_options=solver_options,
    )
    solve_seconds = time.perf_counter() - started

    status = _STATUS_BY_TERMINATION.get(results.termination_condition, Status.ERROR)
    has_values = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if status is Status.NO_SOLUTION and has_values:
        status = Status.FEASIBLE
    outcome = SolveResult(
        status=status,
        termination=results.termination_condition.name,
        objective=None,
        solver="highs",
        solver_version=_version(solver),
        size=built.size,
        solve_seconds=solve_seconds,
        extract_seconds=0.0,
    )
    if not status.has_plan:
        return outcome
    if not has_values:
        return replace(outcome, status=Status.ERROR)

    started = time.perf_counter()
    results.solution_loader.load_vars()
    solution = extract_solution(built)
    parts = {
        name: float(pyo.value(getattr(built.model, name)))
        for name in OBJECTIVE_PARTS
    }
    objective = results.incumbent_objective
    return replace(
        outcome,
        objective=float(objective) if objective is not None and math.isfinite(objective) else None,
        extract_seconds=time.perf_counter() - started,
        solution=solution,
        objective_parts=parts,
    )


def _version(solver: Highs) -> str:
    return ".".join(str(part) for part in solver.version())


def extract_solution(built: DeploymentModel) -> Solution:
    """Read the loaded variable values into tables aligned with the model's index."""
    m, index = built.model, built.index

    def values(variable: pyo.Var, frame: pd.DataFrame, keys: list[str], name: str) -> pd.DataFrame:
        column = [variable[key].value or 0.0 for key in variable.index_set()]
        table = frame[keys].copy()
        table[name] = column
        return table

    return Solution(
        deploy=values(m.deploy, index.deploy, ["contribution_id", *NEED_KEY], "quantity"),
        uncovered=values(m.uncovered, index.cover, [*NEED_KEY, "kind_id"], "shortfall"),
        interpret=values(m.interpret, index.interpret,
                         ["contribution_id", *NEED_KEY, "language_id"], "quantity"),
        unserved_language=values(m.unserved_language, index.language,
                                 [*NEED_KEY, "language_id"], "shortfall"),
    )
