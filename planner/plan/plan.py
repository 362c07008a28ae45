"""The plan: a solve's values turned into the schedule, the coverage table and the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from planner.columns import CONTRIBUTION_ID, ITEM_ID, ITEM_TYPE, KIND_ID, PERIOD, SECTION_ID
from planner.model.options import Status
from planner.model.requirements import Requirements
from planner.model.results import ZERO, Solution, SolveResult
from planner.plan.explain import EXPLANATION_COLUMNS, explain
from planner.scenario.baseline import replanning_summary
from planner.scenario.records import SCHEMA_VERSION
from planner.scenario.schema import Scenario
from planner.version import planner_version

SCHEDULE_COLUMNS = [
    PERIOD, "period_start", "period_end", SECTION_ID, "section_name", KIND_ID,
    "kind_class", CONTRIBUTION_ID, "contributor", "category", "quantity", "starts",
    "running", "cost",
]
SHORTFALL_COLUMNS = [
    PERIOD, "period_start", "period_end", SECTION_ID, ITEM_TYPE, ITEM_ID,
    "impact_level", "required", "covered", "remote", "shortfall",
]
MARGINAL_COLUMNS = [
    PERIOD, "period_start", "period_end", SECTION_ID, ITEM_TYPE, ITEM_ID,
    "required", "marginal_value",
]


@dataclass(frozen=True)
class Plan:
    """A solved scenario: the tables command centres import and the summary planners read."""

    scenario: Scenario
    result: SolveResult
    schedule: pd.DataFrame
    """One row per period, section, kind and contribution with units deployed, how many of
    them start then, and how many were already running before the horizon."""
    shortfalls: pd.DataFrame
    """One row per need (kind or language) per section and period: required, covered on
    site, covered remotely (languages), shortfall."""
    timings: dict[str, float]
    marginal_values: pd.DataFrame | None = None
    """LP runs only: what one more unit at a section and period would save."""
    explanations: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=EXPLANATION_COLUMNS))
    """Why each shortfall is short: one row per shortfall and reason that holds (see
    :mod:`planner.plan.explain`)."""
    capacity_values: pd.DataFrame | None = None
    """LP runs only: what one more bed, unit of a contribution or unit-day of an annual cap
    would save, where it would save anything (``planner.model.results.CAPACITY_COLUMNS``)."""
    robust: dict[str, Any] | None = None
    """A robust run's figures across its demand scenarios (``summary.json``'s ``robust``)."""
    outcomes: pd.DataFrame | None = None
    """A robust run: the robust and the point-forecast plan on each demand scenario
    (``planner.model.stochastic.OUTCOME_COLUMNS`` and ``plan``)."""

    @property
    def status(self) -> Status:
        """How the solve ended."""
        return self.result.status

    @cached_property
    def _summary(self) -> dict[str, Any]:
        return summarise(self)

    def summary(self) -> dict[str, Any]:
        """The run in one JSON-ready mapping (the ``summary.json`` contract)."""
        return self._summary


def make_plan(
    scenario: Scenario,
    requirements: Requirements,
    result: SolveResult,
    timings: dict[str, float] | None = None,
) -> Plan:
    """Join a solve's values with the scenario's names into the plan's tables."""
    timings = dict(timings or {})
    timings.setdefault("solve", result.solve_seconds)
    timings.setdefault("extract", result.extract_seconds)
    solution = result.solution
    if solution is None:
        return Plan(scenario, result, pd.DataFrame(columns=SCHEDULE_COLUMNS),
                    pd.DataFrame(columns=SHORTFALL_COLUMNS), timings)
    marginal = None
    if solution.marginal_values is not None:
        marginal = _with_dates(
            solution.marginal_values.merge(_needs(requirements),
                                           on=[SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID]),
            requirements,
        )[MARGINAL_COLUMNS]
    schedule = _schedule(scenario, requirements, solution, whole=result.whole_units)
    shortfalls = _shortfalls(scenario, requirements, solution)
    explanations = explain(scenario, requirements, schedule, shortfalls,
                           whole_units=result.whole_units, objective=result.objective,
                           gap=result.gap)
    return Plan(scenario, result, schedule, shortfalls, timings, marginal, explanations,
                solution.capacity_values)


def _with_dates(table: pd.DataFrame, requirements: Requirements) -> pd.DataFrame:
    return table.merge(requirements.periods, on=PERIOD).sort_values(
        [PERIOD, SECTION_ID, *[c for c in (ITEM_TYPE, ITEM_ID, KIND_ID,
                                               CONTRIBUTION_ID) if c in table.columns]],
        ignore_index=True,
    )


def _needs(requirements: Requirements) -> pd.DataFrame:
    """Kind and language needs in one table keyed by ``item_type`` and ``item_id``."""
    return requirements.table()[[SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID, "impact_level",
                                 "required"]]


def _arrivals(solution: Solution) -> pd.Series:
    """Units starting at each deployment.

    The start variables where the model has them; elsewhere every rise in units present
    over the period before (or, in period 1, over the units already running).
    """
    deploy = solution.deploy
    key = [CONTRIBUTION_ID, SECTION_ID]
    previous = deploy.groupby(key)["quantity"].shift(1)
    contiguous = deploy.groupby(key)[PERIOD].diff() == 1
    before = previous.where(contiguous, 0.0)
    before = before.where(deploy[PERIOD] != 1, deploy["running"])
    rises = (deploy["quantity"] - before).clip(lower=0.0)
    modelled = deploy[[*key, PERIOD]].merge(solution.starts, how="left",
                                              on=[*key, PERIOD])["starts"]
    return modelled.fillna(rises).set_axis(deploy.index)


def _schedule(scenario: Scenario, requirements: Requirements, solution: Solution, *,
              whole: bool) -> pd.DataFrame:
    """One row per deployment with units; a whole-unit plan's units are integers."""
    deploy = solution.deploy.assign(starts=_arrivals(solution))
    deploy = deploy[deploy["quantity"] > ZERO]
    deploy = deploy.assign(starts=deploy["starts"].where(deploy["starts"] > ZERO, 0.0))
    if whole:
        deploy = deploy.assign(quantity=deploy["quantity"].round().astype("int64"),
                               starts=deploy["starts"].round().astype("int64"))
    contributions = pd.DataFrame(
        [(c.id, c.contributor, c.category.value, c.kind_id, c.daily_cost)
         for c in scenario.contributions],
        columns=[CONTRIBUTION_ID, "contributor", "category", KIND_ID, "daily_cost"],
    )
    kinds = pd.DataFrame([(k.id, k.kind_class.value) for k in scenario.kinds],
                         columns=[KIND_ID, "kind_class"])
    sections = pd.DataFrame([(s.id, s.name) for s in scenario.sections],
                            columns=[SECTION_ID, "section_name"])
    schedule = (
        deploy.merge(contributions, on=CONTRIBUTION_ID)
        .merge(kinds, on=KIND_ID)
        .merge(sections, on=SECTION_ID)
    )
    schedule = _with_dates(schedule, requirements)
    schedule["cost"] = schedule["quantity"] * schedule["daily_cost"] * schedule["days"]
    return schedule[SCHEDULE_COLUMNS]


def _shortfalls(scenario: Scenario, requirements: Requirements, solution: Solution
                ) -> pd.DataFrame:
    """Each need with what the schedule covers, on site and remotely, and what is short.

    Coverage is read from the deployments themselves, not from the shortfall variables, so
    the table agrees with the schedule even where a shortfall costs nothing.
    """
    key = [SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID]
    kind_of = {c.id: c.kind_id for c in scenario.contributions}
    deployed = solution.deploy.assign(kind_id=solution.deploy[CONTRIBUTION_ID].map(kind_of))
    on_site = pd.concat([
        deployed.groupby([SECTION_ID, PERIOD, KIND_ID], as_index=False)
        .agg(on_site=("quantity", "sum")).rename(columns={KIND_ID: ITEM_ID})
        .assign(item_type="kind"),
        solution.interpret.groupby([SECTION_ID, PERIOD, "language_id"], as_index=False)
        .agg(on_site=("quantity", "sum")).rename(columns={"language_id": ITEM_ID})
        .assign(item_type="language"),
    ], ignore_index=True)
    remote = solution.remote.rename(columns={"language_id": ITEM_ID}).assign(
        item_type="language"
    )
    table = _needs(requirements).merge(on_site, on=key, how="left").merge(remote, on=key,
                                                                          how="left")
    table[["on_site", "remote"]] = table[["on_site", "remote"]].fillna(0.0)
    table["covered"] = table[["required", "on_site"]].min(axis=1)
    table["remote"] = pd.concat([table["required"] - table["covered"], table["remote"]],
                                axis=1).min(axis=1)
    table["shortfall"] = table["required"] - table["covered"] - table["remote"]
    for column in ("covered", "remote", "shortfall"):
        table[column] = table[column].where(table[column] > ZERO, 0.0)
    return _with_dates(table, requirements)[SHORTFALL_COLUMNS]


def _totals(shortfalls: pd.DataFrame, by: str) -> list[dict[str, Any]]:
    """Required, covered and short unit-periods, grouped by ``by``."""
    grouped = shortfalls.groupby(by)[["required", "covered", "remote", "shortfall"]].sum()
    grouped["coverage_per_cent"] = 100 * grouped["covered"] / grouped["required"]
    return [
        {by: str(key), **{str(name): round(float(value), 6) for name, value in row.items()}}
        for key, row in grouped.iterrows()
    ]


def summarise(plan: Plan) -> dict[str, Any]:
    """The ``summary.json`` mapping of a plan; see the README for every key."""
    result, scenario = plan.result, plan.scenario
    shortfalls = plan.shortfalls
    kinds = shortfalls[shortfalls[ITEM_TYPE] == "kind"].rename(columns={ITEM_ID: KIND_ID})
    languages = shortfalls[shortfalls[ITEM_TYPE] == "language"].rename(
        columns={ITEM_ID: "language_id"}
    )
    schedule = plan.schedule
    def sums(value: str, by: str) -> dict[str, float]:
        return {str(key): round(float(total), 6)
                for key, total in schedule.groupby(by)[value].sum().items()}

    cost_by = {column: sums("cost", column) for column in (KIND_ID, SECTION_ID, "contributor")}
    required = float(kinds["required"].sum())
    covered = float(kinds["covered"].sum())
    return {
        "schema_version": SCHEMA_VERSION,
        "planner_version": planner_version(),
        "scenario": {
            "name": scenario.meta.name,
            "operation": scenario.meta.operation,
            "version": scenario.meta.version,
            "hash": scenario.content_hash(),
            "horizon": {
                "start": scenario.horizon.start.isoformat(),
                "end": scenario.horizon.end.isoformat(),
                "period": scenario.horizon.period,
                "periods": scenario.horizon.periods,
            },
        },
        "status": result.status.value,
        "stopped_by": result.stopped_by if result.status.has_plan else None,
        "termination": result.termination,
        "conflicts": list(result.conflicts),
        "units": "whole" if result.whole_units else "fractional",
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "costs": {name: round(value, 6) for name, value in result.objective_parts.items()},
        "coverage": {
            "required_unit_periods": round(required, 6),
            "covered_unit_periods": round(covered, 6),
            "shortfall_unit_periods": round(required - covered, 6),
            "coverage_per_cent": (round(100 * covered / required, 4) if required
                                  else 100.0 if result.status.has_plan else None),
            "language_required": round(float(languages["required"].sum()), 6),
            "language_remote": round(float(languages["remote"].sum()), 6),
            "language_shortfall": round(float(languages["shortfall"].sum()), 6),
        },
        "deployments": {
            "unit_periods": round(float(schedule["quantity"].sum()), 6),
            "starts": round(float(schedule["starts"].sum()), 6),
            "unit_periods_by_category": sums("quantity", "category"),
            "unit_periods_by_contributor": sums("quantity", "contributor"),
        },
        "by_kind": [
            {**row, "deployment_cost": cost_by[KIND_ID].get(row[KIND_ID], 0.0)}
            for row in _totals(kinds, KIND_ID)
        ],
        "by_section": [
            {**row, "deployment_cost": cost_by[SECTION_ID].get(row[SECTION_ID], 0.0)}
            for row in _totals(kinds, SECTION_ID)
        ],
        "by_language": _totals(languages, "language_id"),
        "cost_by_contributor": cost_by["contributor"],
        "replanning": replanning_summary(scenario, schedule, whole=result.whole_units,
                                         has_plan=result.status.has_plan),
        "model": {
            "variables": result.size.variables,
            "constraints": result.size.constraints,
            "nonzeros": result.size.nonzeros,
            "integers": result.size.integers,
        },
        "solver": {"name": result.solver, "version": result.solver_version,
                   "warm_start": result.warm_start, "time_limit": result.time_limit,
                   "target_gap": result.target_gap,
                   "start": None if result.start is None else {
                       "objective": result.start.objective, "bound": result.start.bound,
                       "gap": result.start.gap, "seconds": round(result.start.seconds, 4),
                       "handed_at": round(result.start.handed_at, 4),
                       "dive_rounds": result.start.dive_rounds}},
        "timings_seconds": {name: round(value, 4) for name, value in plan.timings.items()},
        "robust": plan.robust,
    }
