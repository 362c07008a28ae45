"""What a solve gives: its result, the solution's tables, the start it took.

With :mod:`planner.model.options` and :mod:`planner.model.keys`, the vocabulary every
later step speaks (plans, runs, reports, the command line), kept apart from the solvers so
that none of them loads Pyomo or HiGHS to name a type.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.columns import (
    CONTRIBUTION_ID,
    DEPLOY_KEY,
    ITEM_ID,
    KIND_ID,
    NEED_KEY,
    PERIOD,
    SECTION_ID,
)
from planner.model.index import ModelIndex
from planner.model.keys import OBJECTIVE_PARTS, ModelSize
from planner.model.options import Status
from planner.model.progress import relative_gap

ZERO = 1e-6
"""Values below this are solver noise, not deployments or shortfalls."""


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
    capacity_values: pd.DataFrame | None = None
    """LP only: what one more unit of each binding capacity would save
    (:data:`CAPACITY_COLUMNS`; see :func:`capacity_values`)."""


CAPACITY_COLUMNS = ["capacity", SECTION_ID, CONTRIBUTION_ID, PERIOD, "year", "value"]
"""``capacity`` is ``beds`` (at ``section_id`` in ``period``), ``units`` (of
``contribution_id`` in ``period``) or ``cap`` (a unit-day of ``contribution_id``'s annual
cap in ``year``); ``value`` what one more would save."""


CAPACITY_ROWS = {"accommodation": "beds", "availability": "units", "annual_cap": "cap"}
"""The row families whose duals price a capacity, and the capacity each prices."""


BOUNDED_BY_UNITS = ("deploy", "start")
"""The column families whose upper bounds are a contribution's units."""


def capacity_values(rows: Mapping[str, tuple[pd.DataFrame, np.ndarray]],
                    columns: Mapping[str, tuple[pd.DataFrame, np.ndarray]]) -> pd.DataFrame:
    """What one more of each capacity would save, from an LP's duals and reduced costs.

    ``rows`` holds, for each family of :data:`CAPACITY_ROWS`, its rows' keys and duals
    (a limit row's dual is what one more of its limit would cost, so minus the saving);
    ``columns`` the ``deploy`` and ``start`` columns' keys and reduced costs. A unit of a
    contribution is priced by its availability row and, where a deployment or an arrival
    is held by its bound (a contribution that may serve at one section only has no row; a
    rotation's arrivals are bounded by the units it has), by that column's reduced cost at
    the bound: raising the contribution's units raises them all. As duals are a
    subgradient of the objective, the saving a change brings is at most these values times
    its amounts.
    First-order figures, as an LP gives them: exact for a small enough change. Only
    capacities worth something (more than :data:`ZERO`) are listed, in key order.
    """
    frames = []
    for family, (keys, duals) in rows.items():
        frames.append(keys.reset_index(drop=True).assign(capacity=CAPACITY_ROWS[family],
                                                         value=-np.asarray(duals)))
    for keys, reduced in columns.values():
        # At its upper bound a column's reduced cost is what one more would save, negated.
        frames.append(keys[[CONTRIBUTION_ID, PERIOD]].reset_index(drop=True).assign(
            capacity="units", value=np.maximum(-np.asarray(reduced, dtype=float), 0.0)))
    table = pd.concat(frames, ignore_index=True)
    for column in CAPACITY_COLUMNS:
        if column not in table.columns:
            table[column] = None
    table = (table.groupby(["capacity", SECTION_ID, CONTRIBUTION_ID, PERIOD, "year"],
                           dropna=False, sort=False)["value"].sum().reset_index())
    table = table[table["value"] > ZERO]
    for column in (SECTION_ID, CONTRIBUTION_ID):
        ids = table[column].astype(object)
        table[column] = ids.where(ids.notna(), None)
    table[PERIOD] = table[PERIOD].astype("Int64")
    table["year"] = table["year"].astype("Int64")
    return (table.sort_values(["capacity", SECTION_ID, CONTRIBUTION_ID, "year", PERIOD])
            [CAPACITY_COLUMNS].reset_index(drop=True))


@dataclass(frozen=True)
class StartReport:
    """The last plan built from the relaxation that a whole-unit solve took.

    See :mod:`planner.model.start`.
    """

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
    """Why a solve with a plan stopped (see ``planner.model.progress.STOPPED_BY``): ``gap``,
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


SOLUTION_COLUMNS = ("deploy", "start", "uncovered", "interpret", "remote", "unserved_language")
"""The variable families a plan reads."""


def solution_tables(index: ModelIndex, whole_units: bool, values: dict[str, np.ndarray],
                    duals: dict[str, np.ndarray] | None,
                    capacities: pd.DataFrame | None = None) -> Solution:
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
        cover = index.cover[[*NEED_KEY, KIND_ID]].rename(columns={KIND_ID: ITEM_ID})
        language = index.language[[*NEED_KEY, "language_id"]].rename(
            columns={"language_id": ITEM_ID}
        )
        marginal = pd.concat([
            cover.assign(item_type="kind", marginal_value=duals["cover"]),
            language.assign(item_type="language", marginal_value=duals["language"]),
        ], ignore_index=True)
    return Solution(
        deploy=deploy,
        starts=starts,
        uncovered=table(index.cover, [*NEED_KEY, KIND_ID], "uncovered", "shortfall"),
        interpret=table(index.interpret, [*DEPLOY_KEY, "language_id"], "interpret", "quantity"),
        remote=table(remote_needs, [*NEED_KEY, "language_id"], "remote", "remote"),
        unserved_language=table(index.language, [*NEED_KEY, "language_id"],
                                "unserved_language", "shortfall"),
        marginal_values=marginal,
        capacity_values=capacities,
    )
