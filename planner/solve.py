"""Solving a built deployment model with HiGHS, returning a small typed result."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from planner.diagnose import explain_infeasibility
from planner.index import ModelIndex
from planner.model import DEPLOY_KEY, NEED_KEY, OBJECTIVE_PARTS, DeploymentModel, ModelSize
from planner.progress import relative_gap


class Status(StrEnum):
    """How a solve ended, in planner terms."""

    OPTIMAL = "optimal"
    """Optimal; for whole units, within the requested relative gap of the proven bound."""
    FEASIBLE = "feasible"
    """Stopped (time limit) with a usable plan not proven optimal; see the gap."""
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
    """How to solve: whole units or the linear relaxation, and the solver's limits."""

    relax: bool = False
    """Solve the LP (fractional units) instead of whole units; gives marginal values."""
    time_limit: float | None = None
    """Seconds; ``None`` for no limit."""
    gap: float = 1e-3
    """Relative gap between plan and bound at which a whole-unit solve may stop."""
    threads: int | None = None
    start: bool = True
    """Whole units: build a plan from the relaxation beside HiGHS's search and hand it
    over (``planner.start``; the matrices path only)."""

    @property
    def whole_units(self) -> bool:
        """Whether deployments are integers."""
        return not self.relax


@dataclass(frozen=True)
class Solution:
    """Variable values, as tables keyed by the planner's ids."""

    deploy: pd.DataFrame
    """``contribution_id``, ``section_id``, ``period``, ``quantity``, ``running``."""
    starts: pd.DataFrame
    """``contribution_id``, ``section_id``, ``period``, ``starts``."""
    uncovered: pd.DataFrame
    """``section_id``, ``period``, ``kind_id``, ``shortfall``."""
    interpret: pd.DataFrame
    """``contribution_id``, ``section_id``, ``period``, ``language_id``, ``quantity``."""
    remote: pd.DataFrame
    """``section_id``, ``period``, ``language_id``, ``remote``."""
    unserved_language: pd.DataFrame
    """``section_id``, ``period``, ``language_id``, ``shortfall``."""
    marginal_values: pd.DataFrame | None = None
    """LP only: ``section_id``, ``period``, ``item_type``, ``item_id``, ``marginal_value``:
    what one more unit there and then would save (the dual of its cover row)."""


@dataclass(frozen=True)
class StartReport:
    """The last plan built from the relaxation that a whole-unit solve took (``planner.start``)."""

    objective: float
    bound: float
    """The best bound known at hand-over: HiGHS's, or the relaxation with rounding rows."""
    gap: float
    """The start's relative gap to that bound, at hand-over."""
    seconds: float
    """Wall seconds spent building it, beside HiGHS's search."""
    handed_at: float
    """Seconds into the solve when HiGHS took it."""
    dive_rounds: int
    """LP re-solves it took."""


@dataclass(frozen=True)
class SolveResult:
    """What a solve produced: status, objective, gap, timings, size, and values if any."""

    status: Status
    termination: str
    """The solver's own word for why it stopped."""
    objective: float | None
    bound: float | None
    """The best proven lower bound on the objective."""
    gap: float | None
    """Relative gap between objective and bound (0 for an LP)."""
    whole_units: bool
    solver: str
    solver_version: str
    size: ModelSize
    solve_seconds: float
    extract_seconds: float
    solution: Solution | None = None
    objective_parts: dict[str, float] = field(default_factory=dict)
    """The objective's named terms (see ``OBJECTIVE_PARTS``)."""
    conflicts: tuple[str, ...] = ()
    """When infeasible: the hard rules that cannot all hold, in planner terms."""
    warm_start: bool = False
    """Whether the solve started from an earlier solve of the same model (a re-solve)."""
    stopped_by: str | None = None
    """Why a solve with a plan stopped (see ``planner.progress.STOPPED_BY``): ``gap``,
    ``optimal`` (an LP), ``time_limit`` or ``interrupt``; ``None`` without a plan."""
    time_limit: float | None = None
    """The time limit it was given, in seconds."""
    target_gap: float | None = None
    """The relative gap it was asked to reach (whole units)."""
    start: StartReport | None = None
    """The plan built from the relaxation that HiGHS took, if it took one."""

    @classmethod
    def empty(cls, whole_units: bool, size: ModelSize, solver_version: str,
              warm_start: bool = False) -> SolveResult:
        """The result of a model without columns: the empty plan, optimal at no cost.

        Solves start from it and replace what they learn.
        """
        return cls(status=Status.OPTIMAL, termination="emptyModel", objective=0.0, bound=0.0,
                   gap=0.0, whole_units=whole_units, solver="highs",
                   solver_version=solver_version, size=size, solve_seconds=0.0,
                   extract_seconds=0.0, objective_parts=dict.fromkeys(OBJECTIVE_PARTS, 0.0),
                   warm_start=warm_start, stopped_by="gap" if whole_units else "optimal")


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
    duals = None
    if not built.whole_units:
        rows = [*built.model.cover.values(), *built.model.language.values()]
        duals = results.solution_loader.get_duals(rows) if rows else {}
    solution = extract_solution(built, duals)
    parts = {name: float(pyo.value(getattr(built.model, name))) for name in OBJECTIVE_PARTS}
    objective = float(results.incumbent_objective)
    return with_plan(outcome, objective,
                     results.objective_bound if built.whole_units else objective,
                     solution, parts, started)


def with_plan(outcome: SolveResult, objective: float, bound: float | None, solution: Solution,
              parts: dict[str, float], extract_started: float) -> SolveResult:
    """``outcome`` with the plan found: objective, bound (if finite), gap and values."""
    bound = float(bound) if bound is not None and math.isfinite(bound) else None
    gap = None if bound is None else relative_gap(objective, bound)
    return replace(
        outcome,
        objective=objective,
        bound=bound,
        gap=gap,
        extract_seconds=time.perf_counter() - extract_started,
        solution=solution,
        objective_parts=parts,
    )


def _values(variable: pyo.Var) -> np.ndarray:
    """A variable's values in the order of its Set (missing values as 0)."""
    return np.array([variable[key].value or 0.0 for key in variable.index_set()], dtype=float)


def extract_solution(built: DeploymentModel, duals: dict[Any, float] | None) -> Solution:
    """Read the Pyomo model's loaded values (and LP duals) into tables aligned with the index."""
    m = built.model
    values = {name: _values(getattr(m, name)) for name in SOLUTION_COLUMNS}
    row_duals = None if duals is None else {
        name: np.array([duals.get(row, 0.0) for row in getattr(m, name).values()], dtype=float)
        for name in ("cover", "language")
    }
    return solution_tables(built.index, built.whole_units, values, row_duals)


SOLUTION_COLUMNS = ("deploy", "start", "uncovered", "interpret", "remote", "unserved_language")
"""The variable families a plan reads."""


def solution_tables(index: ModelIndex, whole_units: bool, values: dict[str, np.ndarray],
                    duals: dict[str, np.ndarray] | None) -> Solution:
    """The solution's tables from values in the order of each family's index table.

    ``values`` holds each variable family's values; ``duals`` (an LP's) the cover and
    language rows' duals.
    """
    remote_needs = index.language[index.language["remote_cost"].notna()]

    def table(frame: pd.DataFrame, keys: list[str], family: str, name: str) -> pd.DataFrame:
        result = frame[keys].reset_index(drop=True)
        result[name] = values[family]
        return result

    deploy = table(index.deploy, DEPLOY_KEY, "deploy", "quantity")
    deploy["running"] = index.deploy["running"].to_numpy()
    starts = table(index.starts, DEPLOY_KEY, "start", "starts")
    if whole_units:
        # Integers within the solver's tolerance: report them as the whole units they are.
        deploy["quantity"] = deploy["quantity"].round()
        starts["starts"] = starts["starts"].round()
    marginal = None
    if duals is not None:
        cover = index.cover[[*NEED_KEY, "kind_id"]].rename(columns={"kind_id": "item_id"})
        language = index.language[[*NEED_KEY, "language_id"]].rename(
            columns={"language_id": "item_id"}
        )
        marginal = pd.concat([
            cover.assign(item_type="kind", marginal_value=duals["cover"]),
            language.assign(item_type="language", marginal_value=duals["language"]),
        ], ignore_index=True)
    return Solution(
        deploy=deploy,
        starts=starts,
        uncovered=table(index.cover, [*NEED_KEY, "kind_id"], "uncovered", "shortfall"),
        interpret=table(index.interpret, [*DEPLOY_KEY, "language_id"], "interpret", "quantity"),
        remote=table(remote_needs, [*NEED_KEY, "language_id"], "remote", "remote"),
        unserved_language=table(index.language, [*NEED_KEY, "language_id"],
                                "unserved_language", "shortfall"),
        marginal_values=marginal,
    )
