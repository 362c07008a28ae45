"""The command line: parse, call one library function, render its result."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from planner import api
from planner.errors import ExitCode, InfeasibleError, PlannerError, SolverError, UsageError
from planner.export import PLAN_FOLDER, write_outputs
from planner.files import atomic_file, refuse_unless_replaceable
from planner.load import load_scenario
from planner.report import render_plan, render_requirements
from planner.requirements import derive_requirements
from planner.schema import MONEY_MAX, Scenario
from planner.solve import SolveOptions, Status

if TYPE_CHECKING:
    from planner.progress import SolveMonitor
    from planner.runs import RunRecord

app = typer.Typer(
    name="planner",
    help="Plan border guards, vehicles and interpreters for a joint operation, at least cost.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)

_state = {"debug": False}

ScenarioPath = Annotated[
    Path, typer.Argument(help="A scenario folder (scenario.yaml + CSVs), a scenario.yaml or .xlsx.")
]
DEFAULT_TIME_LIMIT = 300.0
"""Seconds a whole-unit solve may take from the command line before it reports its best."""


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug


StorePath = Annotated[Path | None, typer.Option(
    "--store", help="The run store (SQLite file); default $PLANNER_STORE or "
    "./planner-runs.sqlite.")]
VariantName = Annotated[str | None, typer.Option(
    "--variant", "-v", help="Apply this variant of the scenario (see `planner variants`).")]
SetOverrides = Annotated[list[str] | None, typer.Option(
    "--set", help="Override one value: table.row.field=value or setting.field=value "
    "(repeatable); a value *1.3 multiplies.")]
Relax = Annotated[bool, typer.Option(
    "--relax", help="Fractional units (LP), with marginal values (run --out writes "
    "marginal_values.csv).")]
TimeLimit = Annotated[float, typer.Option("--time-limit", help="Solver time limit in seconds.",
                                          min=0)]
Gap = Annotated[float, typer.Option("--gap", help="Relative gap at which a whole-unit solve "
                                    "may stop.", min=0, max=1)]
NoStart = Annotated[bool, typer.Option(
    "--no-start", help="Whole units: let HiGHS search alone, without plans built from the "
    "relaxation beside it.")]


@app.command()
def run(
    path: ScenarioPath,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for schedule, shortfalls, summary, plan.")
    ] = None,
    variant: VariantName = None,
    set_: SetOverrides = None,
    relax: Relax = False,
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT,
    gap: Gap = SolveOptions.gap,
    no_start: NoStart = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json instead.")] = False,
    store: StorePath = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the run.")] = False,
    pyomo: Annotated[bool, typer.Option(
        "--pyomo", help="Build the Pyomo model of record instead of the matrices (slower; "
        "HiGHS gets the same problem).")] = False,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Re-plan around this recorded run: an id, 'last', or 'approved' "
        "(the operation's approved revision). Needs --freeze-until.")] = None,
    freeze_until: Annotated[str | None, typer.Option(
        "--freeze-until", help="With --baseline: up to this day (YYYY-MM-DD) the baseline's "
        "deployments stay as they are.")] = None,
    change_cost: Annotated[float | None, typer.Option(
        "--change-cost", help="With --baseline: the cost of each unit-day that differs "
        "from it (default: the scenario's replanning.change_cost).")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", help="No progress line while a whole-unit run solves.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", help="Stream the solver's log to standard error.")] = False,
) -> None:
    """Solve a scenario (or one of its variants), record the run and write its schedule."""
    from planner.runs import record_plan
    from planner.store import RunStore, check_store, store_path
    from planner.variants import load_study, parse_sets

    freeze = _replanning_options(baseline, freeze_until, change_cost)
    # Refuse an output folder or store that cannot be written before the solve, not after.
    if out is not None:
        refuse_unless_replaceable(out, PLAN_FOLDER)
    if not no_store:
        check_store(store_path(store), create=True)
    options = SolveOptions(relax=relax, time_limit=time_limit, gap=gap, start=not no_start)
    study = load_study(path)
    applied = study.apply(study.default(variant), parse_sets(set_ or []))
    if baseline is not None and freeze is not None:
        from planner.replan import around_baseline

        with RunStore(store_path(store), create=False) as runs:
            applied = around_baseline(applied, runs, baseline, freeze, change_cost)
    with _watched(options, quiet=quiet or pyomo, verbose=verbose and not pyomo) as monitor:
        plan = api.plan_scenario(applied.scenario, options, pyomo=pyomo, monitor=monitor)
    if not no_store:
        with RunStore(store_path(store)) as runs:
            stored = runs.record(record_plan(plan, variant=applied.variant,
                                             changes=applied.changes, options=options,
                                             source=str(path)))
        errors.print(f"recorded run #{stored.id} in {runs.path}")
    if plan.status is Status.INFEASIBLE:
        raise InfeasibleError(
            "the hard rules cannot all hold; these conflict:\n"
            + "\n".join(f"  - {line}" for line in plan.result.conflicts)
        )
    if not plan.status.has_plan:
        stopped = {"time_limit": f"no plan found within the time limit ({time_limit:g} s): "
                                 "raise --time-limit",
                   "interrupt": "stopped on request (Ctrl-C) before any plan was found"}
        raise SolverError(stopped.get(
            plan.result.stopped_by or "",
            f"no plan: the solver ended with status '{plan.status.value}' "
            f"({plan.result.termination})"))
    written = write_outputs(plan, out) if out is not None else []
    if as_json:
        console.print_json(json.dumps(plan.summary()))
    else:
        for line in applied.changes:
            console.print(f"changed: {line}", highlight=False, soft_wrap=True)
        render_plan(plan, console)
        if written:
            console.print(f"wrote {', '.join(str(path) for path in written)}")
        else:
            console.print("No --out given: nothing written.")


@contextmanager
def _watched(options: SolveOptions, *, quiet: bool, verbose: bool
             ) -> Iterator[SolveMonitor]:
    """A monitor for the solve: a live line on a terminal, the solver's log if ``verbose``."""
    from rich.live import Live
    from rich.text import Text

    from planner.progress import SolveMonitor

    monitor = SolveMonitor(on_log=errors.print if verbose else None)
    if quiet or not options.whole_units or not errors.is_terminal:
        yield monitor
        return

    class Line:
        def __rich__(self) -> Text:
            return Text(monitor.line(options.gap), style="dim")

    with Live(Line(), console=errors, refresh_per_second=4, transient=True):
        yield monitor


def _replanning_options(baseline: str | None, freeze_until: str | None,
                        change_cost: float | None) -> date | None:
    """The freeze date of ``--baseline``; the options that need one are refused without it."""
    if baseline is None:
        given = [name for name, value in (("--freeze-until", freeze_until),
                                          ("--change-cost", change_cost)) if value is not None]
        if given:
            raise UsageError(f"{' and '.join(given)}: for re-planning around a baseline; give "
                             "--baseline RUN too (a run id, 'last' or 'approved')")
        return None
    if change_cost is not None and not 0 <= change_cost <= MONEY_MAX:
        raise UsageError(f"--change-cost {change_cost:g}: must be a number from 0 to "
                         f"{MONEY_MAX:,.0f}")
    if freeze_until is None:
        raise UsageError("--baseline needs --freeze-until DATE: up to which day the "
                         "baseline's deployments stay as they are")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", freeze_until.strip()):
            raise ValueError(freeze_until)
        return date.fromisoformat(freeze_until.strip())
    except ValueError:
        raise UsageError(f"--freeze-until {freeze_until}: not a date (YYYY-MM-DD)") from None


@app.command()
def variants(path: ScenarioPath) -> None:
    """List a scenario's variants, and check that each applies cleanly."""
    from planner.variants import load_study

    study = load_study(path)
    if not study.variants:
        console.print(f"{path}: no variants")
        return
    failed = []
    for name, body in study.variants.items():
        console.print(f"[bold]{name}[/bold]: {body.description}", highlight=False)
        try:
            changes = study.apply(name).changes
        except PlannerError as error:
            failed.append(name)
            errors.print(f"error: {name}: {error}")
            continue
        for line in changes:
            console.print(f"    {line}", highlight=False)
    if failed:
        raise UsageError(f"{len(failed)} of {len(study.variants)} variants do not apply: "
                         f"{', '.join(failed)}")


@app.command()
def validate(path: ScenarioPath) -> None:
    """Check a scenario (or a variant file) as a run would, and report every problem at once."""
    from planner.variants import check_study

    checked = check_study(path)
    scenario = checked.scenario
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in scenario.tables().items())
    console.print(f"{path}: valid ({counts}); hash {scenario.content_hash()[:12]}")
    if checked.variants:
        console.print(f"variants that apply: {', '.join(checked.variants)}", highlight=False)


@app.command()
def requirements(
    path: ScenarioPath,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write every need as a CSV file.")
    ] = None,
) -> None:
    """Show the needs the forecast implies, before optimising."""
    scenario = load_scenario(path)
    needs = derive_requirements(scenario)
    render_requirements(scenario, needs, console)
    if out is not None:
        from planner.spreadsheet import csv_with_header, write_csv

        table = needs.table()
        kind = csv_with_header(list(table.columns), "a requirements CSV file", "needs.csv")
        with atomic_file(out, kind) as staging:
            write_csv(table, staging)
        console.print(f"wrote {out}")


@app.command()
def schema() -> None:
    """Print the scenario's JSON Schema."""
    print(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


@app.command()
def template(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="The workbook to write.")],
    source: Annotated[
        Path | None,
        typer.Option("--from", help="Fill the workbook with this scenario instead of leaving it "
                     "empty."),
    ] = None,
) -> None:
    """Write a scenario workbook: empty with the right sheets and headers, or filled."""
    from planner.workbook import write_workbook

    scenario = load_scenario(source) if source is not None else None
    write_workbook(xlsx, scenario)
    console.print(f"wrote {xlsx}")


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the scenario into.")],
    size: Annotated[
        str | None, typer.Option("--size", help="A preset: S, M or L (about 10k, 100k and 500k "
                                 "variables); the options below override it.")
    ] = None,
    sections: Annotated[int | None, typer.Option(min=1)] = None,
    periods: Annotated[int | None, typer.Option(min=1, help="Weekly periods.")] = None,
    kinds: Annotated[int | None, typer.Option(min=4)] = None,
    contributions: Annotated[int | None, typer.Option(min=1)] = None,
    nationalities: Annotated[int | None, typer.Option(min=1)] = None,
    languages: Annotated[int | None, typer.Option(min=1)] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same scenario.")] = 1,
) -> None:
    """Write a synthetic scenario of controlled size, deterministic from its seed."""
    from dataclasses import replace

    from planner.folder import write_folder
    from planner.generate import SIZES, GeneratorConfig, generate_scenario

    if size is not None and size.upper() not in SIZES:
        raise UsageError(f"--size {size}: choose one of {', '.join(SIZES)}")
    config = SIZES[size.upper()] if size is not None else GeneratorConfig()
    chosen = {"sections": sections, "periods": periods, "kinds": kinds,
              "contributions": contributions, "nationalities": nationalities,
              "languages": languages}
    for name, value in chosen.items():
        if value is not None:
            config = replace(config, **{name: value})  # type: ignore[arg-type]
    config = replace(config, seed=seed)
    scenario = generate_scenario(config)
    write_folder(out, scenario)
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in scenario.tables().items() if rows)
    console.print(f"wrote {out} ({counts})")


@app.command()
def sweep(
    path: ScenarioPath,
    variant_names: Annotated[str | None, typer.Option(
        "--variants", help="Variants to run besides the base, comma-separated (default: all).")
    ] = None,
    set_: SetOverrides = None,
    relax: Relax = False,
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT,
    gap: Gap = SolveOptions.gap,
    no_start: NoStart = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes (default: one per core).")] = None,
    store: StorePath = None,
) -> None:
    """Solve the base scenario and its variants in parallel, recording every run."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
    from rich.table import Table

    from planner.store import check_store, store_path
    from planner.sweep import SweepOutcome, choose
    from planner.sweep import sweep as run_sweep
    from planner.variants import load_study, parse_sets

    study = load_study(path)
    wanted = None if variant_names is None else [
        name.strip() for name in variant_names.split(",") if name.strip()]
    names = choose(study.variants, wanted)
    options = SolveOptions(relax=relax, time_limit=time_limit, gap=gap, start=not no_start)
    target = store_path(store)
    check_store(target, create=True)  # once here, rather than once per worker's run
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task("solving", total=len(names))

        def advance(outcome: SweepOutcome) -> None:
            progress.update(task, advance=1, description=f"{outcome.name}: {outcome.status}")

        outcomes = run_sweep(path, names, options, target, jobs=jobs,
                             sets=parse_sets(set_ or []), progress=advance)
    table = Table(title=f"{study.base.meta.name}: {len(names)} runs, stored in {target}")
    for column in ("run", "id", "status", "objective", "coverage %", "seconds", "warm"):
        table.add_column(column, justify="left" if column in ("run", "status") else "right")
    for outcome in outcomes:
        table.add_row(outcome.name, "" if outcome.run_id is None else f"#{outcome.run_id}",
                      outcome.status,
                      "" if outcome.objective is None else f"{outcome.objective:,.0f}",
                      "" if outcome.coverage_per_cent is None
                      else f"{outcome.coverage_per_cent:.2f}",
                      f"{outcome.seconds:.1f}", "yes" if outcome.warm_start else "")
    console.print(table)
    failed = [outcome for outcome in outcomes if outcome.error]
    for outcome in failed:
        errors.print(f"error: {outcome.name}: {outcome.error}")
    if failed:
        sys.exit(int(ExitCode.FAILURE))


RunRefs = Annotated[list[str], typer.Argument(help="Run ids (12 or #12) or 'last'.")]


@app.command(name="runs")
def list_runs(
    scenario: Annotated[str | None, typer.Option("--scenario", help="Only this scenario.")
                        ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the newest N.")
                     ] = None,
    store: StorePath = None,
) -> None:
    """List the recorded runs."""
    from rich.table import Table

    from planner.report import number_cell
    from planner.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        listed = runs.runs(scenario=scenario, limit=limit)
        where = runs.path
    if listed.empty:
        console.print(f"{where}: no runs yet")
        return
    table = Table(title=str(where))
    for column in ("id", "created", "scenario", "variant", "status", "objective", "coverage %"):
        table.add_column(column, justify="right" if column in ("id", "objective", "coverage %")
                         else "left")
    for row in listed.to_dict("records"):
        table.add_row(f"#{row['id']}", str(row["created"]), str(row["scenario_name"]),
                      str(row["variant"] or "base"), str(row["status"]),
                      number_cell(row["objective"], 0), number_cell(row["coverage_per_cent"], 2))
    console.print(table)


def _records(refs: list[str], store: Path | None) -> list[RunRecord]:
    """The recorded runs ``refs`` name, in that order."""
    from planner.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        return [runs.get(runs.resolve(ref)) for ref in refs]


@app.command()
def show(
    run_ref: Annotated[str, typer.Argument(help="A run id (12 or #12) or 'last'.")],
    store: StorePath = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run's summary.json.")
                       ] = False,
) -> None:
    """Show one recorded run: what went in, how it was solved, what came out."""
    (record,) = _records([run_ref], store)
    if as_json:
        console.print_json(json.dumps({"id": record.id, "created": record.created,
                                       "variant": record.variant, "changes": record.changes,
                                       "options": record.options, "source": record.source,
                                       "summary": record.summary}))
        return
    console.print(f"[bold]run #{record.id}[/bold] {record.created}: {record.scenario_name}"
                  f" ({record.variant or 'base'}), from {record.source or '?'}", highlight=False)
    console.print(f"scenario hash {record.scenario_hash}; options {record.options}",
                  highlight=False)
    for line in record.changes:
        console.print(f"changed: {line}", highlight=False, soft_wrap=True)
    from planner.report import render_run

    render_run(record.summary, record.shortfalls, console)


@app.command()
def compare(
    refs: RunRefs,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for one CSV per table and comparison.json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")
                       ] = False,
    store: StorePath = None,
) -> None:
    """Compare runs side by side: KPIs, shortfalls, deployments, input and schedule changes."""
    from planner.compare import compare as compare_runs
    from planner.report import render_comparison

    comparison = compare_runs(_records(refs, store))
    written = comparison.write(out) if out is not None else []
    if as_json:
        print(json.dumps(comparison.to_json(), indent=2))
        return
    render_comparison(comparison, console)
    if written:
        console.print(f"wrote {len(written)} files to {out}")


@app.command()
def report(
    refs: RunRefs,
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.")],
    title: Annotated[str | None, typer.Option("--title", help="The report's title.")] = None,
    store: StorePath = None,
) -> None:
    """Write one self-contained HTML report of runs, with plots; several runs side by side."""
    from planner.htmlreport import write_html_report

    write_html_report(_records(refs, store), html, title=title)
    console.print(f"wrote {html}")


OperationName = Annotated[str | None, typer.Option(
    "--operation", help="The operation (meta.operation), where the store holds several.")]


@app.command()
def export(
    run_ref: Annotated[str, typer.Argument(
        help="A run id (12 or #12), 'last', or 'approved' (the operation's approved revision; "
        "'approved-N' for revision N).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the bundle: deployments.json, "
                                      "deployments.csv, changes.csv, requests, calendars.")],
    operation: OperationName = None,
    store: StorePath = None,
) -> None:
    """Export a whole-unit run's deployments as the contract command centres import."""
    from planner.contract import contract_for, write_contract
    from planner.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        contract, text = contract_for(runs, run_ref, operation=operation)
    written = write_contract(contract, out, text=text)
    revision = (f"revision {contract['revision']} of {contract['operation']}"
                if contract["revision"] is not None else "not approved")
    changes = contract["changes"]
    against = (f"{len(changes)} changes against revision {contract['changes_against']}"
               if contract["changes_against"] is not None else "no earlier revision")
    console.print(f"wrote {out}: {len(written)} files; {len(contract['deployments'])} "
                  f"deployments of run #{contract['run_id']} ({revision}; {against}), "
                  f"{len(contract['requests'])} contributors asked", highlight=False,
                  soft_wrap=True)


@app.command()
def approve(
    run_ref: Annotated[str, typer.Argument(help="A run id (12 or #12) or 'last'.")],
    note: Annotated[str, typer.Option("--note", help="Why, or on whose decision.")] = "",
    store: StorePath = None,
) -> None:
    """Approve a whole-unit run: the next revision of its operation, issued as a contract."""
    from planner.contract import approve as approve_run
    from planner.store import RunStore, store_path

    with RunStore(store_path(store), create=False, write=True) as runs:
        approval = approve_run(runs, run_ref, note)
        superseded = approval.revision - 1
    contract = approval.contract
    counts = {kind: sum(change["change"] == kind for change in contract["changes"])
              for kind in ("added", "changed", "cancelled")}
    console.print(
        f"run #{approval.run_id} is revision {approval.revision} of {approval.operation}, "
        f"approved {approval.approved_at}"
        + (f"; revision {superseded} is superseded" if superseded else "")
        + f": {len(contract['deployments'])} deployments, "
        + ", ".join(f"{count} {kind}" for kind, count in counts.items()), highlight=False,
        soft_wrap=True)


def _run_name(variant: str | None, changes: tuple[str, ...]) -> str:
    """A run's variant (or ``base``), and how many overrides it ran with."""
    count = len(changes)
    return f"{variant or 'base'}" + (f" ({count} change{'s' * (count != 1)})" if count else "")


@app.command()
def revisions(
    operation: OperationName = None,
    store: StorePath = None,
) -> None:
    """List the approved revisions of each operation, the latest approved, the rest superseded."""
    from rich.table import Table
    from rich.text import Text

    from planner.report import number_cell
    from planner.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        listed = runs.revisions(operation)
        where = runs.path
    if listed.empty:
        console.print(f"{where}: no approved revisions"
                      + (f" of {operation}" if operation else ""), highlight=False)
        return
    for name, rows in listed.groupby("operation", sort=True):
        table = Table(title=f"{name}: approved revisions in {where}")
        for column in ("revision", "status", "run", "approved at", "cost", "coverage %",
                       "variant", "note"):
            table.add_column(column, justify="right" if column in (
                "revision", "run", "cost", "coverage %") else "left",
                no_wrap=column not in ("variant", "note"))
        for row in rows.to_dict("records"):
            approved_at = str(row["approved_at"])
            table.add_row(str(row["revision"]), str(row["status"]), f"#{row['run_id']}",
                          f"{approved_at[:10]} {approved_at[11:16]}",
                          number_cell(row["objective"], 0),
                          number_cell(row["coverage_per_cent"], 2),
                          Text(_run_name(row["variant"], row["changes"])),
                          Text(str(row["note"])))
        Console(width=max(console.width, 120)).print(table)


@app.command(name="contract-schema")
def contract_schema_command() -> None:
    """Print the JSON Schema that every exported deployments.json validates against."""
    from planner.contract import contract_schema

    print(json.dumps(contract_schema(), indent=2))


@app.command(name="bench")
def bench_command(
    size: Annotated[str, typer.Option("--size", help="Sizes to run, comma-separated: S, M, L "
                                      "(about 10k, 100k and 500k variables generated), WB "
                                      "(the shipped Western Balkans scenario).")] = "S,M,L",
    relax: Annotated[bool | None, typer.Option(
        "--relax/--whole", help="Only fractional units (LP), or only whole units; both if "
        "neither is given.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0,
                                              help="Per solve, in seconds.")] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    pyomo: Annotated[bool, typer.Option(
        "--pyomo", help="Measure the Pyomo model of record's path instead (no re-solves).")
    ] = False,
    resolve: Annotated[bool, typer.Option(
        "--resolve/--no-resolve", help="Also time a what-if (demand x1.1) re-solved warm "
        "against the same what-if run cold.")] = True,
) -> None:
    """Time each step of a run on generated scenarios, against HiGHS alone on the same model."""
    from rich.table import Table

    from planner.bench import SHIPPED, STEPS, bench
    from planner.generate import SIZES

    sizes = [name.strip().upper() for name in size.split(",") if name.strip()]
    unknown = [name for name in sizes if name not in SIZES and name != SHIPPED]
    if unknown or not sizes:
        raise UsageError(f"--size {size}: choose from {', '.join(SIZES)}, {SHIPPED}")
    modes = [True, False] if relax is None else [relax]
    rows = []
    for name in sizes:
        for mode in modes:
            rows.append(bench(name, mode, time_limit=time_limit, pyomo=pyomo, resolve=resolve))
            if not as_json:
                console.print(f"measured {name} {rows[-1].units}", style="dim")
    if as_json:
        print(json.dumps([row.as_json() for row in rows], indent=2))
        return
    table = Table()
    for column in ("size", "units", "model", "variables", "nonzeros", *STEPS, "total",
                   "peak MB", "HiGHS alone", "HiGHS MB", "ratio time", "ratio memory",
                   "what-if cold", "what-if warm", "ratio re-solve", "to 1%", "to gap",
                   "HiGHS to 1%", "HiGHS to gap", "ratio to gap"):
        table.add_column(column, justify="left" if column in ("size", "units", "model")
                         else "right")

    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    for row in rows:
        table.add_row(row.size, row.units, row.model, f"{row.variables:,}", f"{row.nonzeros:,}",
                      *(f"{row.seconds[step]:.2f}" for step in STEPS),
                      f"{row.seconds['total']:.2f}", f"{row.peak_mb:.0f}",
                      f"{row.highs_seconds:.2f}", f"{row.highs_peak_mb:.0f}",
                      f"{row.ratio_time:.2f}", f"{row.ratio_memory:.2f}",
                      seconds(row.resolve_cold_seconds), seconds(row.resolve_warm_seconds),
                      seconds(row.ratio_resolve),
                      *(seconds((times or {}).get(key)) for times in (row.to_gap, row.highs_to_gap)
                        for key in ("wall_1pct", "wall")),
                      seconds(row.ratio_time_to_gap))
    Console(width=max(console.width, 290)).print(table)


def main() -> None:
    """Run the command line, turning planner errors into one line and an exit code."""
    try:
        app()
    except PlannerError as error:
        if _state["debug"]:
            raise
        errors.print(f"error: {error}")
        sys.exit(int(error.exit_code))

    except Exception as error:
        if _state["debug"]:
            raise
        errors.print(f"internal error: {type(error).__name__}: {error} (run with --debug for "
                     "the traceback)")
        sys.exit(int(ExitCode.FAILURE))


if __name__ == "__main__":
    main()
