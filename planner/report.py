"""Short readable terminal summaries of needs and plans."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from planner.compare import SCHEDULE_KEY, Comparison
from planner.plan import ZERO, Plan
from planner.requirements import Requirements
from planner.schema import Scenario
from planner.solve import Status

TOP_SHORTFALLS = 10


def _number(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}"


def render_requirements(scenario: Scenario, requirements: Requirements, console: Console) -> None:
    """Peak need per section and kind (and per language) over the horizon."""
    table = requirements.table()
    if table.empty:
        console.print("No needs: the forecast and requirement rules ask for nothing.")
        return
    for item_type, title in (("kind", "kind"), ("language", "language (interpreters)")):
        part = table[table["item_type"] == item_type]
        if part.empty:
            continue
        peak = part.pivot_table(index="section_id", columns="item_id", values="required",
                                aggfunc="max", fill_value=0.0)
        console.print(f"[bold]Peak need per period by section and {title}[/bold]")
        grid = Table()
        grid.add_column("section")
        for column in peak.columns:
            grid.add_column(str(column), justify="right")
        for section_id, row in peak.iterrows():
            grid.add_row(str(section_id), *(_number(value) for value in row))
        console.print(grid)
    console.print(
        f"{len(table)} needs over {scenario.horizon.periods} periods of one "
        f"{scenario.horizon.period}, {len(scenario.sections)} sections."
    )


def render_plan(plan: Plan, console: Console) -> None:
    """Status, costs, coverage by section and the largest shortfalls."""
    render_run(plan.summary(), plan.shortfalls, console)


def render_run(summary: dict[str, Any], shortfalls: pd.DataFrame, console: Console) -> None:
    """A run from its summary and shortfalls table, as :func:`render_plan` shows a plan."""
    objective = summary["objective"]
    console.print(
        f"[bold]{summary['scenario']['name']}[/bold]: {summary['status']}"
        + (f", objective {_number(objective, 2)}" if objective is not None else "")
        + stop_reason(summary), highlight=False, soft_wrap=True
    )
    if not Status(summary["status"]).has_plan:
        for line in summary.get("conflicts", []):
            console.print(f"  conflict: {line}", highlight=False)
        return
    costs = summary["costs"]
    target = summary.get("solver", {}).get("target_gap")
    mode = ("fractional units (LP)" if summary["units"] == "fractional"
            else f"whole units, gap {100 * (summary['gap'] or 0):.2f}%"
            + (f" (target {100 * target:.2f}%)" if target is not None else ""))
    console.print(
        f"{mode}; deployment {_number(costs['deployment_cost'], 0)}, "
        f"starts {_number(costs['start_cost'], 0)}, "
        f"shortfall penalty {_number(costs['shortfall_penalty'], 0)}, "
        f"language penalty {_number(costs['language_penalty'], 0)}, "
        f"remote interpretation {_number(costs['remote_interpretation'], 0)}"
        + (f", change cost {_number(costs['change_cost'], 0)}"
           if costs.get("change_cost") else "")
    )
    _render_replanning(summary.get("replanning"), console)
    console.print("[bold]Coverage by section (unit-periods)[/bold]")
    coverage = Table()
    for name in ("section", "required", "covered", "coverage %", "deployment cost"):
        coverage.add_column(name, justify="left" if name == "section" else "right")
    for row in summary["by_section"]:
        coverage.add_row(row["section_id"], _number(row["required"]), _number(row["covered"]),
                         _number(row["coverage_per_cent"]), _number(row["deployment_cost"], 0))
    console.print(coverage)

    short = shortfalls[shortfalls["shortfall"] > ZERO]
    if short.empty:
        console.print("Every need is covered.")
    else:
        largest = short.sort_values(["shortfall", "period"], ascending=[False, True]).head(
            TOP_SHORTFALLS
        )
        console.print(f"[bold]Largest shortfalls ({len(short)} in all)[/bold]")
        table = Table()
        for name in ("period start", "section", "need", "required", "shortfall"):
            table.add_column(name, justify="right" if name in ("required", "shortfall") else "left")
        for row in largest.to_dict("records"):
            table.add_row(str(row["period_start"]), str(row["section_id"]),
                          f"{row['item_type']} {row['item_id']}",
                          _number(row["required"]), _number(row["shortfall"]))
        console.print(table)
    model = summary["model"]
    timings = summary["timings_seconds"]
    console.print(
        f"model: {model['variables']:,} variables, {model['constraints']:,} constraints, "
        f"{model['nonzeros']:,} nonzeros; solve {timings.get('solve', 0):.2f} s, "
        f"total {sum(timings.values()):.2f} s"
    )


def stop_reason(summary: dict[str, Any]) -> str:
    """How a whole-unit solve stopped, for the headline: ``""`` when it reached its target."""
    stopped_by = summary.get("stopped_by")
    solver = summary.get("solver", {})
    gap, target = summary.get("gap"), solver.get("target_gap")
    reached = f"gap {100 * gap:.2f}%" if gap is not None else "no bound"
    wanted = f", target {100 * target:.2f}%" if target is not None else ""
    if stopped_by == "time_limit":
        limit = solver.get("time_limit")
        return (f"; stopped at the time limit ({limit:g} s) with {reached}{wanted}: the best "
                "plan found by then; raise --time-limit (or --gap) to go on")
    if stopped_by == "interrupt":
        return (f"; stopped on request (Ctrl-C) with {reached}{wanted}: the best plan found "
                "by then")
    return ""


def _render_replanning(replanning: dict[str, Any] | None, console: Console) -> None:
    """What a re-plan kept and changed against its baseline."""
    if not replanning:
        return
    revision = replanning["baseline_revision"]
    frozen = replanning["frozen_periods"]
    console.print(
        f"[bold]Re-planned[/bold] around run #{replanning['baseline_run']}"
        + (f" (revision {revision})" if revision else "")
        + f", frozen until {replanning['freeze_until']} ({frozen} period"
        + ("" if frozen == 1 else "s")
        + f"), change cost {_number(replanning['change_cost'], 2)} per unit-day",
        highlight=False, soft_wrap=True)
    changes = replanning["changes"]
    if changes is None:
        return
    console.print(
        f"of {replanning['baseline_cohorts']} baseline cohorts: {changes['kept']} kept "
        f"({changes['frozen_kept']} held by the freeze or running), {changes['changed']} "
        f"changed, {changes['cancelled']} cancelled; {changes['added']} added; "
        f"{_number(changes['unit_days_moved'], 0)} unit-days moved", highlight=False,
        soft_wrap=True)


def render_comparison(comparison: Comparison, console: Console) -> None:
    """Runs side by side: KPIs, shortfalls, deployments, and what changed where."""
    console.print(_frame_table(
        comparison.runs.set_index("run")[["scenario", "variant", "status", "scenario_hash"]],
        "Runs"))
    for _, row in comparison.runs.iterrows():
        if row["changes"]:
            console.print(f"{row['run']}: {row['changes']}", highlight=False)
    for title, table, decimals in (
        ("KPIs", comparison.kpis, 2),
        ("Shortfall by kind (unit-periods)", comparison.shortfall_by_kind, 1),
        ("Shortfall by section (unit-periods)", comparison.shortfall_by_section, 1),
        ("Deployed by contributor (unit-periods)", comparison.deployed_by_contributor, 1),
        ("Deployed by category (unit-periods)", comparison.deployed_by_category, 1),
    ):
        console.print(_frame_table(table, title, decimals))
    changed = comparison.utilisation[
        comparison.utilisation.max(axis=1) - comparison.utilisation.min(axis=1) > 0.005]
    same = len(comparison.utilisation) - len(changed)
    console.print(_frame_table(changed, "Utilisation of pledges that differ (per cent of "
                               f"available unit-periods; {same} the same in every run)", 1))
    inputs = comparison.input_changes
    if inputs.empty:
        console.print("Inputs: the same in every run.")
    else:
        counts = inputs.groupby(["run", "table", "field"]).size().rename("values changed")
        console.print(_frame_table(counts.to_frame(), "Inputs changed against the first run",
                                   0))
    changes = comparison.schedule_changes
    if changes.empty:
        console.print("Schedules: the same in every run.")
        return
    runs = [column for column in changes.columns if column not in SCHEDULE_KEY]
    spread = changes[runs].max(axis=1) - changes[runs].min(axis=1)
    where = changes.assign(difference=spread).groupby("section_id").agg(
        rows=("difference", "size"), first_period=("period", "min"),
        last_period=("period", "max"), unit_periods=("difference", "sum"))
    console.print(_frame_table(where, f"Where the schedules differ ({len(changes)} rows; "
                               "unit-periods of difference by section)", 1))


def _frame_table(frame: pd.DataFrame, title: str, decimals: int = 2) -> Table:
    """A frame as a rich table: its index first, numbers right-aligned."""
    table = Table(title=title, title_justify="left")
    names = [str(name or "") for name in frame.index.names]
    for name in names:
        table.add_column(name)
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for key, row in frame.iterrows():
        keys = key if isinstance(key, tuple) else (key,)
        table.add_row(*(str(part) for part in keys), *(
            number_cell(value, decimals) for value in row))
    return table


def number_cell(value: Any, decimals: int) -> str:
    """A table cell: numbers with thousands separators, nothing for missing values."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if value != value:  # NaN
        return ""
    return _number(float(value), decimals)
