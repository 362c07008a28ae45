"""Short readable terminal summaries of needs and plans."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from planner.plan import ZERO, Plan
from planner.requirements import Requirements
from planner.schema import Scenario

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
    summary = plan.summary()
    result = plan.result
    console.print(
        f"[bold]{summary['scenario']['name']}[/bold]: {result.status.value}"
        + (f", objective {_number(result.objective, 2)}" if result.objective is not None else "")
    )
    if not result.status.has_plan:
        return
    costs = summary["costs"]
    mode = ("fractional units (LP)" if not result.whole_units
            else f"whole units, gap {100 * (result.gap or 0):.2f}%")
    console.print(
        f"{mode}; deployment {_number(costs['deployment_cost'], 0)}, "
        f"starts {_number(costs['start_cost'], 0)}, "
        f"shortfall penalty {_number(costs['shortfall_penalty'], 0)}, "
        f"language penalty {_number(costs['language_penalty'], 0)}, "
        f"remote interpretation {_number(costs['remote_interpretation'], 0)}"
    )
    console.print("[bold]Coverage by section (unit-periods)[/bold]")
    coverage = Table()
    for name in ("section", "required", "covered", "coverage %", "deployment cost"):
        coverage.add_column(name, justify="left" if name == "section" else "right")
    for row in summary["by_section"]:
        coverage.add_row(row["section_id"], _number(row["required"]), _number(row["covered"]),
                         _number(row["coverage_per_cent"]), _number(row["deployment_cost"], 0))
    console.print(coverage)

    short = plan.shortfalls[plan.shortfalls["shortfall"] > ZERO]
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

