"""Everything the command line prints: needs, plans, runs, comparisons, revisions, benches.

Each function takes a library result and a console; tables go through
:func:`planner.report.tables.print_table`, so no number or id is ever cut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.text import Text

from planner.columns import ITEM_ID, ITEM_TYPE, PERIOD, SECTION_ID
from planner.model.options import Status
from planner.model.requirements import Requirements
from planner.model.results import ZERO
from planner.plan.explain import REASONS, reason_phrases
from planner.plan.plan import Plan
from planner.report.runs_data import EVALUATION_HEADINGS, evaluation_figures
from planner.report.tables import Column, number, number_cell, numeric, print_table
from planner.runs.compare import SCHEDULE_KEY, Comparison
from planner.scenario.schema import Scenario

if TYPE_CHECKING:
    from planner.bench import BenchRow
    from planner.runs.records import RunRecord
    from planner.runs.remedies import Remedies
    from planner.runs.service_tables import Token
    from planner.runs.store import Approval
    from planner.runs.sweep import SweepOutcome
    from planner.scenario.forecast import Backtest

TOP_SHORTFALLS = 10

_number = number


def render_requirements(scenario: Scenario, requirements: Requirements, console: Console) -> None:
    """Peak need per section and kind (and per language) over the horizon."""
    table = requirements.table()
    if table.empty:
        console.print("No needs: the forecast and requirement rules ask for nothing.")
        return
    for item_type, title in (("kind", "kind"), ("language", "language (interpreters)")):
        part = table[table[ITEM_TYPE] == item_type]
        if part.empty:
            continue
        peak = part.pivot_table(index=SECTION_ID, columns=ITEM_ID, values="required",
                                aggfunc="max", fill_value=0.0)
        print_table(console, [Column("section"), *numeric(*map(str, peak.columns))],
                    [(str(section_id), *(_number(value) for value in row))
                     for section_id, row in peak.iterrows()],
                    title=f"Peak need per period by section and {title}")
    console.print(
        f"{len(table)} needs over {scenario.horizon.periods} periods of one "
        f"{scenario.horizon.period}, {len(scenario.sections)} sections."
    )


def render_plan(plan: Plan, console: Console, *, changes: Sequence[str] = (),
                written: Sequence[Path] | None = None) -> None:
    """Status, costs, coverage by section and the largest shortfalls.

    ``changes`` are the overrides the run applied; ``written`` the files it wrote (an empty
    list says none were asked for).
    """
    for line in changes:
        console.print(f"changed: {line}", highlight=False, soft_wrap=True)
    render_run(plan.summary(), plan.shortfalls, console, plan.explanations)
    if plan.robust is not None:
        render_robust(plan.robust, console)
    if written:
        console.print(f"wrote {', '.join(str(path) for path in written)}", highlight=False,
                      soft_wrap=True)
    elif written is not None:
        console.print("No --out given: nothing written.")


def render_robust(robust: dict[str, Any], console: Console, *, label: str = "robust plan"
                  ) -> None:
    """A robust run (or an evaluation) beside the point-forecast plan, on the same scenarios."""
    demand = robust["demand"]
    mine, theirs = robust["plan"], robust.get("point_plan")
    seed = f", seed {demand['seed']}" if demand.get("seed") is not None else ""
    console.print(f"Across {demand['scenarios']} demand scenarios ({demand['source']}{seed}), "
                  f"risk {robust['risk']}:", highlight=False)
    plans = [(label, mine)] + ([("point-forecast plan", theirs)] if theirs else [])
    digits = (0, 0, 0, 1, 1, 1, 1)  # costs whole, shortfalls and coverage to a tenth
    print_table(console, [Column("plan"), *numeric(robust["risk"], *EVALUATION_HEADINGS)],
                [(name, *(_number(value, places) for value, places in zip(
                    evaluation_figures(each), digits, strict=True))) for name, each in plans],
                title="Cost and shortfall (unit-periods) across the demand scenarios")
    if "value_of_stochastic_solution" in robust:
        console.print(f"value of the stochastic solution: "
                      f"{_number(robust['value_of_stochastic_solution'], 0)} "
                      f"(the point-forecast plan's {robust['risk']} cost less the robust "
                      "plan's)", highlight=False)


def render_run(summary: dict[str, Any], shortfalls: pd.DataFrame, console: Console,
               explanations: pd.DataFrame | None = None) -> None:
    """A run from its summary and shortfalls table, as :func:`render_plan` shows a plan.

    With ``explanations``, each of the largest shortfalls says in short why it is short.
    """
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
    print_table(console, [Column("section"), *numeric("required", "covered", "coverage %",
                                                       "deployment cost")],
                [(row[SECTION_ID], _number(row["required"]), _number(row["covered"]),
                  _number(row["coverage_per_cent"]), _number(row["deployment_cost"], 0))
                 for row in summary["by_section"]],
                title="Coverage by section (unit-periods)")

    short = shortfalls[shortfalls["shortfall"] > ZERO]
    if short.empty:
        console.print("Every need is covered.")
    else:
        largest = short.sort_values(["shortfall", PERIOD], ascending=[False, True]).head(
            TOP_SHORTFALLS
        )
        why = reason_phrases(explanations) if explanations is not None else {}
        print_table(console, [Column("period start"), Column("section"), Column("need"),
                              *numeric("required", "shortfall"),
                              *([Column("why", wraps=True)] if why else [])],
                    [(str(row["period_start"]), str(row[SECTION_ID]),
                      f"{row['item_type']} {row['item_id']}", _number(row["required"]),
                      _number(row["shortfall"]),
                      *([why.get(_need_key(row), "")] if why else []))
                     for row in largest.to_dict("records")],
                    title=f"Largest shortfalls ({len(short)} in all)")
        if why:
            console.print("Why, in full: planner explain RUN (or explanations.csv).",
                          highlight=False)
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


def render_comparison(comparison: Comparison, console: Console, *,
                      show_all: bool = False) -> None:
    """Runs side by side, with each run's difference from the first.

    Tables of figures show only the rows where the runs differ, unless ``show_all``.
    """
    _print_frame(console, comparison.runs.set_index("run")[
        ["scenario", "variant", "status", "scenario_hash"]], "Runs")
    for _, row in comparison.runs.iterrows():
        if row["changes"]:
            console.print(f"{row['run']}: {row['changes']}", highlight=False)
    for title, table, decimals in (
        ("KPIs", comparison.kpis, 2),
        ("Shortfall by kind (unit-periods)", comparison.shortfall_by_kind, 1),
        ("Shortfall by section (unit-periods)", comparison.shortfall_by_section, 1),
        ("Deployed by contributor (unit-periods)", comparison.deployed_by_contributor, 1),
        ("Deployed by category (unit-periods)", comparison.deployed_by_category, 1),
        ("Utilisation of contributions (per cent of available unit-periods)",
         comparison.utilisation, 1),
    ):
        shown, same = with_differences(table, show_all=show_all)
        note = (f"; {same} the same in every run, --all shows them" if same and not show_all
                else "")
        if shown.empty and same:
            console.print(f"{title}: the same in every run.", highlight=False)
            continue
        _print_frame(console, shown, f"{title}{note}", decimals)
    inputs = comparison.input_changes
    if inputs.empty:
        console.print("Inputs: the same in every run.")
    else:
        counts = inputs.groupby(["run", "table", "field"]).size().rename("values changed")
        _print_frame(console, counts.to_frame(), "Inputs changed against the first run", 0)
    changes = comparison.schedule_changes
    if changes.empty:
        console.print("Schedules: the same in every run.")
        return
    runs = [column for column in changes.columns if column not in SCHEDULE_KEY]
    spread = changes[runs].max(axis=1) - changes[runs].min(axis=1)
    where = changes.assign(difference=spread).groupby(SECTION_ID).agg(
        rows=("difference", "size"), first_period=(PERIOD, "min"),
        last_period=(PERIOD, "max"), unit_periods=("difference", "sum"))
    _print_frame(console, where, f"Where the schedules differ ({len(changes)} rows; "
                 "unit-periods of difference by section)", 1)


SAME = 1e-9
"""Figures this close, relative to the row's largest, count as the same."""


DIFFERENCE = "Δ "
"""Heads a difference column: ``Δ #2 more_beds``."""


def with_differences(table: pd.DataFrame, *, show_all: bool = False
                     ) -> tuple[pd.DataFrame, int]:
    """``table`` (one column per run) with ``Δ RUN`` columns against the first run.

    Rows where every run has the same figure are left out unless ``show_all``; returns the
    table and how many rows were the same.
    """
    if table.empty or len(table.columns) < 2:
        return table, 0
    numbers = table.apply(pd.to_numeric, errors="coerce").astype("float64")
    first = numbers.iloc[:, 0]
    differences = numbers.sub(first, axis=0)
    tolerance = SAME * numbers.abs().max(axis=1).clip(lower=1.0)
    close = differences.abs().le(tolerance, axis=0) | (numbers.isna()
                                                       & first.isna().to_numpy()[:, None])
    same = close.all(axis=1)
    shown = table.copy()
    for column in table.columns[1:]:
        shown[f"{DIFFERENCE}{column}"] = differences[column].where(~close[column], 0.0)
    if not show_all:
        shown = shown[~same.to_numpy()]
    return shown, int(same.sum())


def _print_frame(console: Console, frame: pd.DataFrame, title: str, decimals: int = 2
                 ) -> None:
    """A frame as a table: its index first, numbers right-aligned, whole numbers whole."""
    names = [str(name or "") for name in frame.index.names]
    rows = []
    for key, row in frame.iterrows():
        keys = key if isinstance(key, tuple) else (key,)
        rows.append((*(str(part) for part in keys),
                     *(number_cell(value, decimals, whole=True,
                                   signed=str(column).startswith(DIFFERENCE))
                       for column, value in row.items())))
    print_table(console, [*(Column(name) for name in names),
                          *numeric(*(str(column) for column in frame.columns))], rows,
                title=title)


def render_variant(name: str, description: str, changes: Sequence[str], console: Console
                   ) -> None:
    """One variant of a scenario: its name, description and the changes it makes."""
    console.print(Text.assemble((name, "bold"), f": {description}"), soft_wrap=True)
    for line in changes:
        console.print(f"    {line}", highlight=False, soft_wrap=True)


def run_name(variant: str | None, changes: Sequence[str]) -> str:
    """A run's variant (or ``base``), and how many overrides it ran with."""
    count = len(changes)
    return f"{variant or 'base'}" + (f" ({count} change{'s' * (count != 1)})" if count else "")


def render_runs(listed: pd.DataFrame, where: Path, console: Console) -> None:
    """The recorded runs, newest first, as ``planner runs`` lists them."""
    if listed.empty:
        console.print(f"{where}: no runs yet", highlight=False)
        return
    print_table(console, [Column("id", numeric=True), Column("created"),
                          Column("scenario", wraps=True), Column("variant", wraps=True),
                          Column("status"), *numeric("objective", "coverage %")],
                [(f"#{row['id']}", str(row["created"]), str(row["scenario_name"]),
                  str(row["variant"] or "base"), str(row["status"]),
                  number_cell(row["objective"], 0), number_cell(row["coverage_per_cent"], 2))
                 for row in listed.to_dict("records")], title=str(where))


def render_record(record: RunRecord, console: Console) -> None:
    """One recorded run: what went in, how it was solved, what came out."""
    console.print(Text.assemble((f"run #{record.id}", "bold"),
                                f" {record.created}: {record.scenario_name}"
                                f" ({record.variant or 'base'}), from {record.source or '?'}"),
                  soft_wrap=True)
    console.print(f"scenario hash {record.scenario_hash}; options {record.options}",
                  highlight=False, soft_wrap=True)
    for line in record.description.splitlines():
        console.print(f"variant: {line}", highlight=False, soft_wrap=True)
    for line in record.changes:
        console.print(f"changed: {line}", highlight=False, soft_wrap=True)
    render_run(record.summary, record.shortfalls, console, record.why_short())
    for evaluation in record.evaluations:
        if evaluation.kind == "evaluate":
            console.print(f"evaluation #{evaluation.id} ({evaluation.created}):",
                          highlight=False)
        render_robust(evaluation.summary, console, label=record.label)


def _need_key(row: Mapping[Any, Any]) -> tuple[str, int, str, str]:
    return (str(row[SECTION_ID]), int(row[PERIOD]), str(row[ITEM_TYPE]), str(row[ITEM_ID]))


def render_explanations(record: RunRecord, explanations: pd.DataFrame, console: Console, *,
                        limit: int | None) -> None:
    """Each shortfall of ``explanations``, largest first, with every reason in full."""
    title = f"run #{record.id} {record.scenario_name} ({record.variant or 'base'})"
    if explanations.empty:
        console.print(f"{title}: no shortfall here: every need is covered.", highlight=False,
                      soft_wrap=True)
        return
    needs = (explanations.drop_duplicates([SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID])
             .sort_values(["shortfall", PERIOD, SECTION_ID], ascending=[False, True, True]))
    shown = needs if limit is None else needs.head(limit)
    required = {_need_key(row): row["required"]
                for row in record.shortfalls.to_dict("records")}
    console.print(Text(f"{title}: why {len(needs)} needs are short", style="bold"),
                  soft_wrap=True)
    grouped = {key: rows for key, rows in explanations.groupby(
        [SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID], sort=False)}
    for row in shown.to_dict("records"):
        key = _need_key(row)
        of = required.get(key)
        console.print(Text.assemble(
            (f"{row[SECTION_ID]}, period {row[PERIOD]} (from {row['period_start']})", "bold"),
            f": {row[ITEM_TYPE]} {row[ITEM_ID]} short {_number(row['shortfall'])}"
            + (f" of {_number(of)}" if of is not None else "")), soft_wrap=True)
        for reason in grouped[row[SECTION_ID], row[PERIOD], row[ITEM_TYPE],
                              row[ITEM_ID]].to_dict("records"):
            console.print(Text.assemble(f"  {REASONS.get(reason['reason'], reason['reason'])}"
                                        f" [{reason['reason']}]: ", str(reason["detail"])),
                          soft_wrap=True)
    if len(shown) < len(needs):
        console.print(f"... {len(needs) - len(shown)} more (--limit 0 shows all)",
                      highlight=False)


def render_remedies(found: Remedies, console: Console) -> None:
    """The best checked change for each of the largest shortfalls, and what it saves."""
    if found.best.empty:
        console.print("No change tried covers any of these shortfalls at a saving.",
                      highlight=False)
        return
    print_table(console, [Column("section"), numeric("period")[0], Column("need"),
                          *numeric("short", "LP short", "LP after", "estimate", "saving"),
                          Column("change", wraps=True), Column("--set")],
                [(row["section_id"], row["period"], f"{row['item_type']} {row['item_id']}",
                  _number(row["shortfall"]), _number(row["relaxed_shortfall"]),
                  _number(row["shortfall_after"]), number_cell(row["estimate"], 0),
                  _number(row["saving"], 0), row["change"], row["override"])
                 for row in found.best.to_dict("records")],
                title="What would cover the largest shortfalls (each change solved in the "
                      "linear relaxation: its shortfall there before and after, the LP's "
                      "marginal values times the change as an estimate, and the fall in the "
                      "objective it saves)")


def render_sweep(outcomes: Sequence[SweepOutcome], title: str, console: Console) -> None:
    """A sweep's runs: id, status, objective, coverage, seconds, whether warm."""
    print_table(console, [Column("run", wraps=True), Column("id", numeric=True),
                          Column("status"), *numeric("objective", "coverage %", "seconds"),
                          Column("warm")],
                [(outcome.name, "" if outcome.run_id is None else f"#{outcome.run_id}",
                  outcome.status, number_cell(outcome.objective, 0),
                  number_cell(outcome.coverage_per_cent, 2), f"{outcome.seconds:.1f}",
                  "yes" if outcome.warm_start else "") for outcome in outcomes],
                title=title)


def render_revisions(listed: pd.DataFrame, where: Path, operation: str | None,
                     console: Console) -> None:
    """The approved revisions of each operation, as ``planner revisions`` lists them."""
    if listed.empty:
        console.print(f"{where}: no approved revisions"
                      + (f" of {operation}" if operation else ""), highlight=False)
        return
    for name, rows in listed.groupby("operation", sort=True):
        print_table(console, [Column("revision", numeric=True), Column("status"),
                              Column("run", numeric=True), Column("approved at"),
                              *numeric("cost", "coverage %"), Column("variant", wraps=True),
                              Column("note", wraps=True)],
                    [(str(row["revision"]), str(row["status"]), f"#{row['run_id']}",
                      f"{str(row['approved_at'])[:10]} {str(row['approved_at'])[11:16]}",
                      number_cell(row["objective"], 0), number_cell(row["coverage_per_cent"], 2),
                      run_name(row["variant"], row["changes"]), str(row["note"]))
                     for row in rows.to_dict("records")],
                    title=f"{name}: approved revisions in {where}")


def render_approval(approval: Approval, console: Console) -> None:
    """What approving a run issued: its revision, what it superseded, what changed."""
    contract = approval.contract
    superseded = approval.revision - 1
    counts = {kind: sum(change["change"] == kind for change in contract["changes"])
              for kind in ("added", "changed", "cancelled")}
    console.print(
        f"run #{approval.run_id} is revision {approval.revision} of {approval.operation}, "
        f"approved {approval.approved_at}"
        + (f"; revision {superseded} is superseded" if superseded else "")
        + f": {len(contract['deployments'])} deployments, "
        + ", ".join(f"{count} {kind}" for kind, count in counts.items()), highlight=False,
        soft_wrap=True)


def render_export(contract: dict[str, Any], out: Path, written: Sequence[Path],
                  console: Console) -> None:
    """What an export wrote: how many files, deployments and requests, of which revision."""
    revision = (f"revision {contract['revision']} of {contract['operation']}"
                if contract["revision"] is not None else "not approved")
    changes = contract["changes"]
    against = (f"{len(changes)} changes against revision {contract['changes_against']}"
               if contract["changes_against"] is not None else "no earlier revision")
    console.print(f"wrote {out}: {len(written)} files; {len(contract['deployments'])} "
                  f"deployments of run #{contract['run_id']} ({revision}; {against}), "
                  f"{len(contract['requests'])} contributors asked", highlight=False,
                  soft_wrap=True)


def render_bench(rows: Sequence[BenchRow], console: Console) -> None:
    """Benchmark figures, one row per size and units, the planner against HiGHS alone."""
    from planner.bench import STEPS

    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    headers = ("variables", "nonzeros", *STEPS, "total", "peak MB", "HiGHS alone", "HiGHS MB",
               "ratio time", "ratio memory", "what-if cold", "what-if warm", "ratio re-solve",
               "to 1%", "to gap", "HiGHS to 1%", "HiGHS to gap", "ratio to gap")
    print_table(console, [Column("size"), Column("units"), Column("model"), *numeric(*headers)],
                [(row.size, row.units, row.model, f"{row.variables:,}", f"{row.nonzeros:,}",
                  *(f"{row.seconds[step]:.2f}" for step in STEPS),
                  f"{row.seconds['total']:.2f}", f"{row.peak_mb:.0f}",
                  f"{row.highs_seconds:.2f}", f"{row.highs_peak_mb:.0f}",
                  f"{row.ratio_time:.2f}", f"{row.ratio_memory:.2f}",
                  seconds(row.resolve_cold_seconds), seconds(row.resolve_warm_seconds),
                  seconds(row.ratio_resolve),
                  *(seconds((times or {}).get(key)) for times in (row.to_gap, row.highs_to_gap)
                    for key in ("wall_1pct", "wall")),
                  seconds(row.ratio_time_to_gap)) for row in rows])


def render_tokens(tokens: Sequence[Token], console: Console) -> None:
    """The service's tokens, as ``planner token list`` lists them (never the tokens)."""
    if not tokens:
        console.print("no tokens yet (planner token create --role ROLE)")
        return
    print_table(console, [Column("id", numeric=True), Column("role"), Column("note", wraps=True),
                          Column("created"), Column("revoked")],
                [(f"#{token.id}", token.role, token.note, token.created, token.revoked or "")
                 for token in tokens], title="Tokens")


def render_forecast(forecast: pd.DataFrame, tests: Sequence[Backtest], written: Sequence[Path],
                    console: Console) -> None:
    """A forecast's totals by period and each back-test's months and error."""
    totals = forecast.groupby("period")[["arrivals", "arrivals_p10", "arrivals_p90"]].sum()
    print_table(console, [Column("period", numeric=True),
                          *numeric("arrivals", "p10", "p90")],
                [(str(period), _number(row["arrivals"], 0), _number(row["arrivals_p10"], 0),
                  _number(row["arrivals_p90"], 0)) for period, row in totals.iterrows()],
                title="Forecast arrivals, all sections and nationalities (median and the "
                      "10-90 % band, each series' band summed)")
    for test in tests:
        print_table(console, [Column("month"), *numeric("actual", "forecast", "p10", "p90",
                                                        "error %")],
                    [(row["month"], _number(row["actual"], 0), _number(row["forecast"], 0),
                      _number(row["forecast_p10"], 0), _number(row["forecast_p90"], 0),
                      _number(row["error_per_cent"], 1))
                     for row in test.months.to_dict("records")],
                    title=f"Back-test from {test.cutoff}: route total MAPE {test.mape:.1f} %; "
                          f"{test.coverage:.1f} % of {test.series} series' months within "
                          "their 80 % band")
    console.print(f"wrote {', '.join(str(path) for path in written)}", highlight=False,
                  soft_wrap=True)
