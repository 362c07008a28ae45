"""The plan: a solve's values turned into the schedule, the coverage table and the summary."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pandas as pd

from planner.requirements import Requirements
from planner.schema import SCHEMA_VERSION, Scenario
from planner.solve import SolveResult, Status

ZERO = 1e-6
"""Values below this are solver noise, not deployments or shortfalls."""

SCHEDULE_COLUMNS = [
    "period", "period_start", "period_end", "section_id", "section_name", "kind_id",
    "kind_class", "contribution_id", "contributor", "category", "quantity", "cost",
]
SHORTFALL_COLUMNS = [
    "period", "period_start", "period_end", "section_id", "item_type", "item_id",
    "impact_level", "required", "covered", "shortfall",
]


@dataclass(frozen=True)
class Plan:
    """A solved scenario: the tables command centres import and the summary planners read."""

    scenario: Scenario
    result: SolveResult
    schedule: pd.DataFrame
    """One row per period, section, kind and contribution with units deployed."""
    shortfalls: pd.DataFrame
    """One row per need (kind or language) per section and period: required, covered,
    shortfall."""
    timings: dict[str, float]

    @property
    def status(self) -> Status:
        """How the solve ended."""
        return self.result.status

    def summary(self) -> dict[str, Any]:
        """The run in one JSON-ready mapping (the ``summary.json`` contract)."""
        return summarise(self)


def planner_version() -> str:
    """The installed planner's version."""
    try:
        return version("border-planner")
    except PackageNotFoundError:
        return "0+unknown"


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
    if result.solution is None:
        return Plan(scenario, result, pd.DataFrame(columns=SCHEDULE_COLUMNS),
                    pd.DataFrame(columns=SHORTFALL_COLUMNS), timings)
    return Plan(
        scenario,
        result,
        _schedule(scenario, requirements, result),
        _shortfalls(requirements, result),
        timings,
    )


def _schedule(scenario: Scenario, requirements: Requirements, result: SolveResult) -> pd.DataFrame:
    assert result.solution is not None
    deploy = result.solution.deploy
    deploy = deploy[deploy["quantity"] > ZERO]
    contributions = pd.DataFrame(
        [(c.id, c.contributor, c.category.value, c.kind_id, c.daily_cost)
         for c in scenario.contributions],
        columns=["contribution_id", "contributor", "category", "kind_id", "daily_cost"],
    )
    kinds = pd.DataFrame([(k.id, k.kind_class.value) for k in scenario.kinds],
                         columns=["kind_id", "kind_class"])
    sections = pd.DataFrame([(s.id, s.name) for s in scenario.sections],
                            columns=["section_id", "section_name"])
    schedule = (
        deploy.merge(contributions, on="contribution_id")
        .merge(kinds, on="kind_id")
        .merge(sections, on="section_id")
        .merge(requirements.periods, on="period")
    )
    schedule["cost"] = schedule["quantity"] * schedule["daily_cost"] * schedule["days"]
    return schedule[SCHEDULE_COLUMNS].sort_values(
        ["period", "section_id", "kind_id", "contribution_id"], ignore_index=True
    )


def _shortfalls(requirements: Requirements, result: SolveResult) -> pd.DataFrame:
    assert result.solution is not None
    kinds = requirements.kind_needs.merge(
        result.solution.uncovered, on=["section_id", "period", "kind_id"]
    ).rename(columns={"kind_id": "item_id"}).assign(item_type="kind")
    languages = requirements.language_needs.merge(
        result.solution.unserved_language, on=["section_id", "period", "language_id"]
    ).rename(columns={"language_id": "item_id"}).assign(item_type="language")
    columns = ["section_id", "period", "item_type", "item_id", "impact_level", "required",
               "shortfall"]
    table = pd.concat([kinds[columns], languages[columns]], ignore_index=True)
    table["shortfall"] = table["shortfall"].where(table["shortfall"] > ZERO, 0.0)
    table["covered"] = table["required"] - table["shortfall"]
    table = table.merge(requirements.periods, on="period")
    return table[SHORTFALL_COLUMNS].sort_values(
        ["period", "section_id", "item_type", "item_id"], ignore_index=True
    )


def _totals(shortfalls: pd.DataFrame, by: str) -> list[dict[str, Any]]:
    """Required, covered and short unit-periods, grouped by ``by``."""
    grouped = shortfalls.groupby(by)[["required", "covered", "shortfall"]].sum()
    grouped["coverage_per_cent"] = 100 * grouped["covered"] / grouped["required"]
    return [
        {by: str(key), **{str(name): round(float(value), 6) for name, value in row.items()}}
        for key, row in grouped.iterrows()
    ]


def summarise(plan: Plan) -> dict[str, Any]:
    """The ``summary.json`` mapping of a plan; see the README for every key."""
    result, scenario = plan.result, plan.scenario
    shortfalls = plan.shortfalls
    kinds = shortfalls[shortfalls["item_type"] == "kind"].rename(columns={"item_id": "kind_id"})
    languages = shortfalls[shortfalls["item_type"] == "language"].rename(
        columns={"item_id": "language_id"}
    )
    schedule = plan.schedule
    cost_by = {
        column: {str(key): round(float(value), 6)
                 for key, value in schedule.groupby(column)["cost"].sum().items()}
        for column in ("kind_id", "section_id", "contributor")
    }
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
        "termination": result.termination,
        "objective": result.objective,
        "costs": {name: round(value, 6) for name, value in result.objective_parts.items()},
        "coverage": {
            "required_unit_periods": round(required, 6),
            "covered_unit_periods": round(covered, 6),
            "shortfall_unit_periods": round(required - covered, 6),
            "coverage_per_cent": round(100 * covered / required, 4) if required else 100.0,
            "language_required": round(float(languages["required"].sum()), 6),
            "language_shortfall": round(float(languages["shortfall"].sum()), 6),
        },
        "by_kind": [
            {**row, "deployment_cost": cost_by["kind_id"].get(row["kind_id"], 0.0)}
            for row in _totals(kinds, "kind_id")
        ],
        "by_section": [
            {**row, "deployment_cost": cost_by["section_id"].get(row["section_id"], 0.0)}
            for row in _totals(kinds, "section_id")
        ],
        "by_language": _totals(languages, "language_id"),
        "cost_by_contributor": cost_by["contributor"],
        "model": {
            "variables": result.size.variables,
            "constraints": result.size.constraints,
            "nonzeros": result.size.nonzeros,
        },
        "solver": {"name": result.solver, "version": result.solver_version},
        "timings_seconds": {name: round(value, 4) for name, value in plan.timings.items()},
    }
