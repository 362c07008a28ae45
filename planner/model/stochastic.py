"""Plans that hold up across demand scenarios: the two-stage extensive form, and evaluation.

The first stage is every decision made before demand is known: deployments, starts,
gates, caps and changes to a baseline. The second stage (the recourse) is what each demand
scenario then does with them: which needs stay uncovered, how interpreters split their
time, what is bought remotely and which language needs go unserved. Every model of
:mod:`planner.model.matrix` splits this way (:func:`stages`): the rows that hold a recourse
column are the scenario's rows, the others bind the first stage alone.

The extensive form (as in mpi-sppy's ``ExtensiveForm`` and PyPSA's stochastic networks)
has one copy of the first stage and, for each scenario, one copy of the recourse columns
and rows, priced by the scenario's probability::

    min  c x  +  sum_s p_s q_s y_s                 (expected)
    min  c x  +  eta + sum_s p_s z_s / (1 - a)     (CVaR at a: the mean of the worst 1 - a)
         z_s >= q_s y_s - eta,  z_s >= 0
    s.t. A x  >= b            (first-stage rows)
         T x + W y_s >= h_s   (each scenario's rows: same T and W, its own needs h_s)

All scenarios share one structure: it is built for the envelope of their forecasts (the
most arrivals any has on each row), so every need any scenario has is a row, and each
scenario's needs are laid onto it (none where it has none). Recourse is complete (a need
may always stay uncovered), so every first stage can be evaluated on every scenario:
:func:`evaluate` fixes it and solves each scenario's recourse LP, warm from the last.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sparse  # type: ignore[import-untyped]

from planner.columns import DEPLOY_KEY, KIND_ID, NEED_KEY
from planner.errors import UsageError
from planner.model.highs import HIGHS_STATUS, HIGHS_STOPPED_BY, HighsModel, watched
from planner.model.highs_load import FEASIBLE, quiet_highs
from planner.model.index import ModelIndex, build_index, priced_needs
from planner.model.keys import OUTCOME_COLUMNS
from planner.model.matrix import MatrixModel, build_matrix, refresh_matrix
from planner.model.options import SolveOptions, Status
from planner.model.progress import SolveMonitor, relative_gap
from planner.model.requirements import Requirements, derive_requirements
from planner.model.results import SolveResult
from planner.scenario.demand import DemandScenarios, with_arrivals
from planner.scenario.schema import Scenario

RECOURSE_COLUMNS = ("uncovered", "interpret", "remote", "unserved_language")
"""The column families each demand scenario decides for itself."""
RECOURSE_PARTS = ("shortfall_penalty", "language_penalty", "remote_interpretation")
"""The objective's terms the recourse columns make up; the others are the first stage's."""



@dataclass(frozen=True)
class Risk:
    """What a robust plan minimises over the scenarios' costs: their mean, or a CVaR."""

    alpha: float | None = None
    """``None`` for the expected cost; else the CVaR's level (the mean of the worst
    ``1 - alpha`` of the probability)."""

    @classmethod
    def parse(cls, text: str) -> Risk:
        """``expected`` or ``cvar:A`` with ``0 <= A < 1``."""
        text = text.strip().lower()
        if text == "expected":
            return cls()
        name, _, level = text.partition(":")
        try:
            alpha = float(level)
        except ValueError:
            alpha = math.nan
        if name != "cvar" or not 0 <= alpha < 1:
            raise UsageError(f"--risk must be 'expected' or 'cvar:A' with A at least 0 and "
                             f"below 1 (cvar:0.9 is the mean of the worst 10 %), not '{text}'")
        return cls(alpha)

    @property
    def label(self) -> str:
        """How ``--risk`` spells it."""
        return "expected" if self.alpha is None else f"cvar:{self.alpha:g}"

    def of(self, costs: np.ndarray, probabilities: np.ndarray) -> float:
        """The measure of ``costs`` with ``probabilities``."""
        if self.alpha is None:
            return float(probabilities @ costs)
        return cvar(costs, probabilities, self.alpha)


def cvar(costs: np.ndarray, probabilities: np.ndarray, alpha: float) -> float:
    """The mean of the worst ``1 - alpha`` of the probability (the upper tail's CVaR)."""
    order = np.argsort(-np.asarray(costs, dtype=float), kind="stable")
    tail = 1.0 - alpha
    taken, total = 0.0, 0.0
    for k in order:
        share = min(float(probabilities[k]), tail - taken)
        if share <= 0:
            break
        total += share * float(costs[k])
        taken += share
    return total / taken


@dataclass(frozen=True)
class Stages:
    """One model structure split into first stage and recourse, as sparse blocks."""

    first: np.ndarray
    """Positions of the first-stage columns."""
    recourse: np.ndarray
    """Positions of the recourse columns."""
    first_rows: np.ndarray
    recourse_rows: np.ndarray
    a_first: Any
    """First-stage rows by first-stage columns (CSC)."""
    t: Any
    """Scenario rows by first-stage columns (the T of ``T x + W y >= h``)."""
    w: Any
    """Scenario rows by recourse columns (W)."""
    cover_rows: np.ndarray
    """Of the scenario rows, those of the cover rule (deployed units meet a kind's need)."""
    language_shortfall: np.ndarray
    """Of the recourse columns, the unserved language need."""
    from_plan: np.ndarray
    """Of the first-stage columns, those a plan's schedule gives (units and starts)."""


def stages(matrix: MatrixModel) -> Stages:
    """Split ``matrix`` into first stage and recourse (module docs)."""
    count = len(matrix.cost)
    recourse_mask = np.zeros(count, dtype=bool)
    for name in RECOURSE_COLUMNS:
        recourse_mask[matrix.column(name).span] = True
    if matrix.integer[recourse_mask].any():
        raise ValueError("recourse columns must be continuous")
    a = sparse.csc_matrix((matrix.value, matrix.row_index, matrix.start),
                          shape=(len(matrix.row_lower), count))
    rows = a.tocsr()
    touches = np.asarray(rows[:, recourse_mask].getnnz(axis=1)).ravel() > 0
    first, recourse = np.flatnonzero(~recourse_mask), np.flatnonzero(recourse_mask)
    first_rows, recourse_rows = np.flatnonzero(~touches), np.flatnonzero(touches)
    cover = matrix.row("cover").span
    at = np.full(len(matrix.row_lower), -1)
    at[recourse_rows] = np.arange(len(recourse_rows))
    unserved = matrix.column("unserved_language").span
    where = np.full(count, -1)
    where[recourse] = np.arange(len(recourse))
    return Stages(
        first=first, recourse=recourse, first_rows=first_rows, recourse_rows=recourse_rows,
        a_first=rows[first_rows][:, first].tocsc(),
        t=rows[recourse_rows][:, first].tocsc(),
        w=rows[recourse_rows][:, recourse].tocsc(),
        cover_rows=at[np.arange(cover.start, cover.stop)],
        language_shortfall=where[np.arange(unserved.start, unserved.stop)],
        from_plan=np.isin(first, np.r_[np.arange(matrix.column("deploy").offset,
                                                 matrix.column("deploy").stop),
                                       np.arange(matrix.column("start").offset,
                                                 matrix.column("start").stop)]),
    )


@dataclass(frozen=True)
class ScenarioModels:
    """One scenario's model on the envelope of its demand scenarios, once per forecast."""

    scenario: Scenario
    demand: DemandScenarios
    point: MatrixModel
    """The structure with the scenario's own forecast (its plan's tables are read here)."""
    point_requirements: Requirements
    matrices: tuple[MatrixModel, ...]
    """One per demand scenario, same structure, its own needs."""
    stages: Stages


def _laid_on(index: ModelIndex, scenario: Scenario, requirements: Requirements) -> ModelIndex:
    """``index`` (built for the envelope) with the needs of ``scenario``; none elsewhere."""
    cover, language = priced_needs(scenario, requirements)
    tables = []
    for kept, own, key in ((index.cover, cover, [*NEED_KEY, KIND_ID]),
                           (index.language, language, [*NEED_KEY, "language_id"])):
        values = [column for column in ("arrivals", "from_arrivals", "required")
                  if column in own.columns]
        laid = kept.drop(columns=values).merge(own[key + values], on=key, how="left",
                                               validate="one_to_one")
        if len(own) > len(own.merge(kept[key], on=key)):
            raise ValueError("a demand scenario needs more than its envelope")
        tables.append(laid.fillna({column: 0.0 for column in values}))
    return replace(index, cover=tables[0], language=tables[1])


def scenario_models(scenario: Scenario, demand: DemandScenarios, *,
                    whole_units: bool) -> ScenarioModels:
    """Build the envelope's structure, then lay the forecast and each scenario's needs on."""
    envelope = with_arrivals(scenario, np.maximum(
        demand.envelope(), [row.arrivals for row in scenario.forecast]))
    index = build_index(envelope, derive_requirements(envelope))
    structure = build_matrix(index, whole_units=whole_units)

    def laid(each: Scenario) -> tuple[MatrixModel, Requirements]:
        requirements = derive_requirements(each)
        return refresh_matrix(structure, _laid_on(index, each, requirements)), requirements

    point, point_requirements = laid(scenario)
    matrices = tuple(laid(demand.scenario(scenario, k))[0] for k in range(len(demand)))
    return ScenarioModels(scenario, demand, point, point_requirements, matrices,
                          stages(point))


def first_stage_of(models: ScenarioModels, schedule: pd.DataFrame) -> np.ndarray:
    """A plan's deployments and starts (its schedule) as first-stage values.

    Deployments the structure has no column for serve no need of any scenario and are
    left out; the other first-stage columns (gates, caps) are read as 0: they hold no
    scenario's row.
    """
    point = models.point
    values = np.zeros(len(point.cost))
    for name, value in (("deploy", "quantity"), ("start", "starts")):
        keys = point.column(name).keys
        if value not in schedule.columns or schedule.empty:
            continue
        given = schedule.groupby(list(DEPLOY_KEY), as_index=False)[value].sum()
        merged = keys[list(DEPLOY_KEY)].merge(given, on=list(DEPLOY_KEY), how="left")
        values[point.column(name).span] = merged[value].fillna(0.0).to_numpy(dtype=float)
    return values[models.stages.first]


@dataclass(frozen=True)
class Outcomes:
    """A first stage evaluated on every demand scenario: one row per scenario."""

    table: pd.DataFrame
    """``OUTCOME_COLUMNS``."""
    seconds: float

    def measure(self, risk: Risk) -> float:
        """``risk``'s measure of the total costs."""
        return risk.of(self.table["total_cost"].to_numpy(dtype=float),
                       self.table["probability"].to_numpy(dtype=float))

    def summary(self, risk: Risk) -> dict[str, Any]:
        """Expected and worst cost and shortfall, the risk measure and coverage percentiles."""
        table = self.table
        p = table["probability"].to_numpy(dtype=float)
        worst = table.iloc[int(np.argmax(table["shortfall"].to_numpy()))]
        coverage = table["coverage_per_cent"].to_numpy(dtype=float)

        def rounded(value: float) -> float:
            return round(float(value), 6)

        return {
            "scenarios": len(table),
            "objective": rounded(self.measure(risk)),
            "expected_cost": rounded(p @ table["total_cost"].to_numpy(dtype=float)),
            "first_stage_cost": rounded(table["first_stage_cost"].iloc[0]),
            "expected_shortfall": rounded(p @ table["shortfall"].to_numpy(dtype=float)),
            "worst_scenario": {"scenario": str(worst["scenario"]),
                               "shortfall": rounded(worst["shortfall"]),
                               "total_cost": rounded(worst["total_cost"]),
                               "coverage_per_cent": rounded(worst["coverage_per_cent"])},
            "expected_coverage_per_cent": rounded(p @ coverage),
            "coverage_percentiles": {f"p{q}": rounded(weighted_quantile(coverage, p, q / 100))
                                     for q in (5, 10, 50, 90)},
            "cvar_90_cost": rounded(cvar(table["total_cost"].to_numpy(dtype=float), p, 0.9)),
        }


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value with at least ``q`` of the weight at or below it."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    at = int(np.searchsorted(cumulative, q * cumulative[-1] - 1e-12))
    return float(values[order][min(at, len(values) - 1)])


def evaluate(models: ScenarioModels, first: np.ndarray, first_stage_cost: float,
             chosen: list[int] | None = None) -> Outcomes:
    """``first`` (first-stage values) on each demand scenario: its best recourse and cost.

    One HiGHS model of the recourse is loaded once; each scenario changes its bounds and
    costs and re-solves from the last basis. ``chosen`` limits it to some scenarios.
    """
    started = time.perf_counter()
    split, demand = models.stages, models.demand
    chosen = list(range(len(demand))) if chosen is None else chosen
    w = split.w
    fixed = split.t @ first
    highs = quiet_highs()
    rows = []
    for number, k in enumerate(chosen):
        matrix = models.matrices[k]
        cost = matrix.cost[split.recourse]
        lower, upper = matrix.col_lower[split.recourse], matrix.col_upper[split.recourse]
        row_lower = matrix.row_lower[split.recourse_rows] - fixed
        row_upper = matrix.row_upper[split.recourse_rows] - fixed
        if number == 0:
            highs.passModel(w.shape[1], w.shape[0], w.nnz, int(highspy.MatrixFormat.kColwise),
                            int(highspy.ObjSense.kMinimize), 0.0, cost, lower, upper,
                            row_lower, row_upper, w.indptr.astype(np.int32),
                            w.indices.astype(np.int32), w.data.astype(float),
                            np.zeros(w.shape[1], dtype=np.int32))
        else:
            columns = np.arange(w.shape[1], dtype=np.int32)
            highs.changeColsCost(len(columns), columns, cost)
            highs.changeColsBounds(len(columns), columns, lower, upper)
            highs.changeRowsBounds(  # type: ignore[attr-defined]  # missing from the stubs
                len(row_lower), np.arange(len(row_lower), dtype=np.int32), row_lower,
                row_upper)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the recourse of demand scenario {demand.names[k]} ended "
                               f"{highs.getModelStatus().name}")
        y = np.asarray(highs.getSolution().col_value, dtype=float)
        need = matrix.row_lower[split.recourse_rows][split.cover_rows]
        on_site = fixed[split.cover_rows]
        required = float(need.sum())
        short = float(np.clip(need - on_site, 0.0, None).sum())
        recourse_cost = float(highs.getInfo().objective_function_value)
        rows.append({
            "scenario": demand.names[k],
            "probability": float(demand.probabilities[k]),
            "arrivals": float(demand.arrivals[k].sum()),
            "first_stage_cost": first_stage_cost,
            "recourse_cost": recourse_cost,
            "total_cost": first_stage_cost + recourse_cost,
            "required": required,
            "shortfall": short,
            "coverage_per_cent": 100.0 * (1.0 - short / required) if required else 100.0,
            "language_shortfall": float(y[split.language_shortfall].sum()),
        })
    return Outcomes(pd.DataFrame(rows, columns=OUTCOME_COLUMNS), time.perf_counter() - started)


@dataclass(frozen=True)
class RobustSolve:
    """The extensive form's solve: its status, first stage, objective and bound."""

    status: Status
    first: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    size: tuple[int, int, int]
    """Columns, rows and nonzeros of the extensive form."""
    stopped_by: str | None
    """As a run's (``planner.model.progress.STOPPED_BY``); ``None`` without a plan."""


def extensive_form(models: ScenarioModels, risk: Risk) -> dict[str, Any]:
    """The extensive form's arrays, columns ``[x, y_1 ... y_S (, eta, z_1 ... z_S)]``."""
    split, point = models.stages, models.point
    count = len(models.matrices)
    p = models.demand.probabilities
    n_first, n_rec = len(split.first), len(split.recourse)
    rows_first, rows_rec = split.a_first.shape[0], split.w.shape[0]
    blocks = [[split.a_first, None]]
    lower = [point.row_lower[split.first_rows]]
    upper = [point.row_upper[split.first_rows]]
    recourse_costs = [m.cost[split.recourse] for m in models.matrices]
    blocks.append([sparse.vstack([split.t] * count),
                   sparse.block_diag([split.w] * count)])
    for m in models.matrices:
        lower.append(m.row_lower[split.recourse_rows])
        upper.append(m.row_upper[split.recourse_rows])
    a = sparse.bmat(blocks, format="csc")
    a = sparse.csc_matrix(a, shape=(rows_first + count * rows_rec, n_first + count * n_rec))
    cost = [point.cost[split.first]]
    col_lower = [point.col_lower[split.first]]
    col_upper = [point.col_upper[split.first]]
    for m, q, prob in zip(models.matrices, recourse_costs, p, strict=True):
        cost.append(prob * q if risk.alpha is None else np.zeros(n_rec))
        col_lower.append(m.col_lower[split.recourse])
        col_upper.append(m.col_upper[split.recourse])
    integer = [point.integer[split.first], np.zeros(count * n_rec, dtype=bool)]
    if risk.alpha is not None:
        # eta + sum_s p_s z_s / (1 - a), with z_s + eta - q_s y_s >= 0.
        tail = sparse.lil_matrix((count, a.shape[1] + 1 + count))
        for s, q in enumerate(recourse_costs):
            offset = n_first + s * n_rec
            tail[s, offset:offset + n_rec] = -q
            tail[s, a.shape[1]] = 1.0
            tail[s, a.shape[1] + 1 + s] = 1.0
        a = sparse.vstack([sparse.hstack([a, sparse.csc_matrix((a.shape[0], 1 + count))]),
                           tail.tocsc()], format="csc")
        cost += [np.ones(1), p / (1.0 - risk.alpha)]
        col_lower += [np.full(1, -np.inf), np.zeros(count)]
        col_upper += [np.full(1, np.inf), np.full(count, np.inf)]
        integer.append(np.zeros(1 + count, dtype=bool))
        lower.append(np.zeros(count))
        upper.append(np.full(count, np.inf))
    a.sort_indices()
    return {"a": a, "cost": np.concatenate(cost), "col_lower": np.concatenate(col_lower),
            "col_upper": np.concatenate(col_upper), "row_lower": np.concatenate(lower),
            "row_upper": np.concatenate(upper), "integer": np.concatenate(integer)}


def solve_robust(models: ScenarioModels, risk: Risk, options: SolveOptions, *,
                 start: np.ndarray | None = None,
                 monitor: SolveMonitor | None = None) -> RobustSolve:
    """Solve the extensive form with HiGHS; ``start``: first-stage values to start from.

    A start is completed by HiGHS (each scenario's recourse is an LP), so a whole-unit
    solve never ends above the plan it started from.
    """
    form = extensive_form(models, risk)
    a = form["a"]
    highs = quiet_highs()
    highs.setOptionValue("mip_rel_gap", float(options.gap))
    if options.time_limit is not None:
        highs.setOptionValue("time_limit", float(options.time_limit))
    if options.threads is not None:
        highs.setOptionValue("threads", int(options.threads))
    whole = form["integer"] if options.whole_units else np.zeros_like(form["integer"])
    highs.passModel(a.shape[1], a.shape[0], a.nnz, int(highspy.MatrixFormat.kColwise),
                    int(highspy.ObjSense.kMinimize), 0.0, form["cost"], form["col_lower"],
                    form["col_upper"], form["row_lower"], form["row_upper"],
                    a.indptr.astype(np.int32), a.indices.astype(np.int32),
                    a.data.astype(float), whole.astype(np.int32))
    n_first = len(models.stages.first)
    if start is not None and whole.any():
        # The plan's units and starts; HiGHS completes the gates and caps they imply.
        given = np.flatnonzero(whole[:n_first] & models.stages.from_plan)
        highs.setSolution(len(given), given.astype(np.int32), np.round(start[given]))
    started = time.perf_counter()
    if monitor is None:
        highs.run()
    else:
        with watched(highs, monitor):
            monitor.run(highs.run)
    seconds = time.perf_counter() - started
    info = highs.getInfo()
    model_status = highs.getModelStatus()
    size = (a.shape[1], a.shape[0], a.nnz)
    status = HIGHS_STATUS.get(model_status, Status.ERROR)
    if info.primal_solution_status != FEASIBLE:
        return RobustSolve(Status.ERROR if status.has_plan else status, None, None, None,
                           None, seconds, size, None)
    if status is Status.NO_SOLUTION:
        status = Status.FEASIBLE  # stopped with a plan
    stopped_by = HIGHS_STOPPED_BY.get(model_status)
    if stopped_by == "gap" and not whole.any():
        stopped_by = "optimal"
    values = np.asarray(highs.getSolution().col_value, dtype=float)
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if whole.any() else objective
    first = values[:n_first]
    if whole.any():
        first = np.where(whole[:n_first], np.round(first), first)
    return RobustSolve(status, first, objective, bound,
                       relative_gap(objective, bound) if math.isfinite(bound) else None,
                       seconds, size, stopped_by)


def guided_matrix(models: ScenarioModels, first: np.ndarray) -> MatrixModel:
    """The ordinary model with each kind's need set to what ``first`` deploys there.

    ``first`` is the extensive form's relaxation: solving this model in whole units gives
    a whole-unit plan near it (a start for the whole-unit extensive form), with all the
    ordinary model's means of finding one.
    """
    split, point = models.stages, models.point
    on_site = (split.t @ first)[split.cover_rows]
    index = replace(point.index, cover=point.index.cover.assign(
        required=np.clip(on_site, 0.0, None)))
    return refresh_matrix(point, index)


def first_stage_values(models: ScenarioModels, result: SolveResult) -> np.ndarray:
    """The first-stage values of an ordinary solve of one of ``models``' structure."""
    solution = result.solution
    if solution is None:
        raise ValueError("the solve has no plan")
    schedule = solution.deploy.merge(solution.starts, on=list(DEPLOY_KEY), how="left")
    return first_stage_of(models, schedule.fillna({"starts": 0.0}))


def fixed_result(models: ScenarioModels, first: np.ndarray,
                 options: SolveOptions) -> SolveResult:
    """The first stage ``first`` with the scenario's own forecast, as an ordinary solve.

    Its tables (schedule, shortfalls) are the plan's, read as for any other run.
    """
    split, point = models.stages, models.point
    lower, upper = point.col_lower.copy(), point.col_upper.copy()
    lower[split.first] = first
    upper[split.first] = first
    matrix = replace(point, col_lower=lower, col_upper=upper)
    return HighsModel(matrix, replace(options, start=False)).solve()


def first_stage_cost(parts: dict[str, float]) -> float:
    """The first stage's share of an objective's named terms."""
    return float(sum(value for part, value in parts.items() if part not in RECOURSE_PARTS))
