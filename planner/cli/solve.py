"""``planner run`` and ``planner sweep``: solve a scenario, or it and its variants, and record."""

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

from planner.cli.app import (
    Advance,
    DaskAddress,
    RiskMeasure,
    Samples,
    ScenarioPath,
    Seed,
    StorePath,
    app,
    console,
    errors,
    with_progress,
    within,
)
from planner.errors import ExitCode, InfeasibleError, SolverError, UsageError
from planner.model.options import SolveOptions, Status

if TYPE_CHECKING:
    from planner.model.progress import SolveMonitor
    from planner.model.stochastic import Risk

DEFAULT_TIME_LIMIT = 300.0
"""Seconds a whole-unit solve may take from the command line before it reports its best."""

VariantName = Annotated[list[str] | None, typer.Option(
    "--variant", "-w", help="Apply this variant (what-if) of the scenario; several "
    "(a,b or repeated) apply in that order. See `planner variants`.", metavar="NAME")]
SetOverrides = Annotated[list[str] | None, typer.Option(
    "--set", help="Override one value: table.row.field=value or setting.field=value "
    "(repeatable); a value *1.3 multiplies.", metavar="KEY=VALUE")]
Relax = Annotated[bool, typer.Option(
    "--relax", help="Fractional units (LP), with marginal values (run --out writes "
    "marginal_values.csv).")]
TimeLimit = Annotated[float, typer.Option(
    "--time-limit", help="Solver time limit in seconds (0 or more).", metavar="SECONDS",
    callback=within(0, what=" seconds"))]
Gap = Annotated[float, typer.Option(
    "--gap", help="Relative gap at which a whole-unit solve may stop, from 0 to 1 "
    "(0.001 is 0.1%).", metavar="FRACTION", callback=within(0, 1))]
NoStart = Annotated[bool, typer.Option(
    "--no-start", help="Whole units: let HiGHS search alone, without plans built from the "
    "relaxation beside it.")]


def _solve_options(relax: bool, time_limit: float, gap: float, no_start: bool
                   ) -> SolveOptions:
    return SolveOptions(relax=relax, time_limit=time_limit, gap=gap, start=not no_start)


@app.command()
def run(
    path: ScenarioPath,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for schedule, shortfalls, summary, plan.", metavar="FOLDER")
    ] = None,
    variant: VariantName = None,
    set_: SetOverrides = None,
    relax: Relax = False,
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT,
    gap: Gap = SolveOptions.gap,
    no_start: NoStart = False,
    as_json: Annotated[bool, typer.Option(
"--json", help="Print summary.json instead.")] = False,
    store: StorePath = None,
    no_store: Annotated[bool, typer.Option(
"--no-store", help="Do not record the run.")] = False,
    pyomo: Annotated[bool, typer.Option(
        "--pyomo", help="Build the Pyomo model of record instead of the matrices (slower; "
        "HiGHS gets the same problem).")] = False,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Re-plan around this recorded run: an id, 'last', or 'approved' "
        "(the operation's approved revision). Needs --freeze-until.", metavar="RUN")] = None,
    freeze_until: Annotated[str | None, typer.Option(
        "--freeze-until", help="With --baseline: up to this day the baseline's deployments "
        "stay as they are.", metavar="YYYY-MM-DD")] = None,
    change_cost: Annotated[float | None, typer.Option(
        "--change-cost", help="With --baseline: the cost of each unit-day that differs "
        "from it (default: the scenario's replanning.change_cost).", metavar="COST")] = None,
    robust: Annotated[bool, typer.Option(
        "--robust", help="One plan for every demand scenario (the scenario's "
        "demand_scenarios table, or --samples drawn from the forecast's band): shared "
        "deployments, each scenario's own shortfall.")] = False,
    risk: RiskMeasure = "expected",
    samples: Samples = None,
    seed: Seed = 0,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress line while a whole-unit run solves.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Stream the solver's log to standard error.")] = False,
) -> None:
    """Solve a scenario (or one of its variants), record the run and write its schedule.

    PATH may also be a variant file: a YAML file naming its base scenario and variants.
    """
    from planner.api import plan_and_record
    from planner.files.atomic import refuse_unless_replaceable
    from planner.plan.outputs import PLAN_FOLDER, write_outputs
    from planner.report.terminal import render_plan
    from planner.runs.store import RunStore, check_store, store_path
    from planner.scenario.variants import load_study, parse_sets

    freeze = _replanning_options(baseline, freeze_until, change_cost)
    chance = _robust_options(robust, risk, samples, pyomo)
    # Refuse an output folder or store that cannot be written before the solve, not after.
    if out is not None:
        refuse_unless_replaceable(out, PLAN_FOLDER)
    target = None if no_store else store_path(store)
    if target is not None:
        check_store(target, create=True)
    options = _solve_options(relax, time_limit, gap, no_start)
    study = load_study(path)
    applied = study.apply(study.default(variant), parse_sets(set_ or []))
    if baseline is not None and freeze is not None:
        from planner.scenario.baseline import around_baseline

        with RunStore(store_path(store), create=False) as runs:
            applied = around_baseline(applied, runs, baseline, freeze, change_cost)
    demand = None
    if chance is not None:
        from planner.scenario.demand import demand_scenarios

        demand = demand_scenarios(applied.scenario, samples, seed)
    with _watched(options, quiet=quiet or pyomo, verbose=verbose and not pyomo) as monitor:
        recorded = plan_and_record(applied, options, source=path, store=target, pyomo=pyomo,
                                   monitor=monitor, demand=demand, risk=chance)
    plan = recorded.plan
    if recorded.run is not None:
        errors.print(f"recorded run #{recorded.run.id} in {target}")
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
        return
    render_plan(plan, console, changes=applied.changes, written=written)


@contextmanager
def _watched(options: SolveOptions, *, quiet: bool, verbose: bool
             ) -> Iterator[SolveMonitor]:
    """A monitor for the solve: a live line on a terminal, the solver's log if ``verbose``."""
    from rich.live import Live
    from rich.text import Text

    from planner.model.progress import SolveMonitor

    monitor = SolveMonitor(on_log=errors.print if verbose else None)
    if quiet or not options.whole_units or not errors.is_terminal:
        yield monitor
        return

    class Line:
        def __rich__(self) -> Text:
            return Text(monitor.line(options.gap), style="dim")

    with Live(Line(), console=errors, refresh_per_second=4, transient=True):
        yield monitor


def _robust_options(robust: bool, risk: str, samples: int | None, pyomo: bool
                    ) -> Risk | None:
    """The risk measure of ``--robust``; the options that need it are refused without it."""
    from planner.model.stochastic import Risk

    if not robust:
        given = [name for name, value in (("--samples", samples is not None),
                                          ("--risk", risk != "expected")) if value]
        if given:
            raise UsageError(f"{' and '.join(given)}: for a robust plan; give --robust too")
        return None
    if pyomo:
        raise UsageError("--robust builds the extensive form from the matrices: leave out "
                         "--pyomo")
    return Risk.parse(risk)


def _replanning_options(baseline: str | None, freeze_until: str | None,
                        change_cost: float | None) -> date | None:
    """The freeze date of ``--baseline``; the options that need one are refused without it."""
    from planner.scenario.records import MONEY_MAX

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
def sweep(
    path: ScenarioPath,
    variant_names: Annotated[str | None, typer.Option(
        "--variants", help="Variants to run besides the base, comma-separated (default: "
        "all); a+b is one run of a then b.",
        metavar="NAMES")] = None,
    set_: SetOverrides = None,
    relax: Relax = False,
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT,
    gap: Gap = SolveOptions.gap,
    no_start: NoStart = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", help="Worker processes, 1 or more (default: one per core; with "
        "--dask alone, the local cluster's workers).", metavar="N", callback=within(1))
    ] = None,
    dask: DaskAddress = None,
    store: StorePath = None,
) -> None:
    """Solve the base scenario and its variants in parallel, recording every run.

    With --dask the solves run on Dask distributed: a cluster on this machine, or the
    scheduler at ADDRESS and its workers; every run is stored here.
    """
    from planner.report.terminal import render_sweep
    from planner.runs.store import check_store, store_path
    from planner.runs.sweep import SweepOutcome, choose
    from planner.runs.sweep import sweep as run_sweep
    from planner.scenario.variants import load_study, parse_sets

    study = load_study(path)
    wanted = None if variant_names is None else [
        name.strip() for name in variant_names.split(",") if name.strip()]
    names = choose(study.variants, wanted)
    options = _solve_options(relax, time_limit, gap, no_start)
    target = store_path(store)
    check_store(target, create=True)  # once here, rather than once per worker's run
    sets = parse_sets(set_ or [])

    def solve_all(advance: Advance) -> list[SweepOutcome]:
        def done(outcome: SweepOutcome) -> None:
            advance(1, f"{outcome.name}: {outcome.status}")

        if dask is None:
            return run_sweep(path, names, options, target, jobs=jobs, sets=sets,
                             progress=done)
        from planner.runs.sweep import sweep_on_dask

        return sweep_on_dask(path, names, options, target, address=dask, sets=sets,
                             progress=done, workers=jobs)

    outcomes = with_progress(len(names), "solving", solve_all)
    render_sweep(outcomes, f"{study.base.meta.name}: {len(names)} runs, stored in {target}",
                 console)
    failed = [outcome for outcome in outcomes if outcome.error]
    for outcome in failed:
        errors.print(f"error: {outcome.name}: {outcome.error}")
    if failed:
        sys.exit(int(ExitCode.FAILURE))
