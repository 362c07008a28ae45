"""Commands on recorded runs: list, show, explain, compare, report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.app import (
    DaskAddress,
    RiskMeasure,
    RunRef,
    RunRefs,
    Samples,
    Seed,
    StorePath,
    app,
    console,
    within,
)

if TYPE_CHECKING:
    from planner.runs.records import RunRecord


@app.command(name="runs")
def list_runs(
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Only runs of this scenario (its name).", metavar="NAME")] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", help="Only the newest N, 1 or more.", metavar="N", callback=within(1))
    ] = None,
    store: StorePath = None,
) -> None:
    """List the recorded runs."""
    from planner.report.terminal import render_runs
    from planner.runs.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        listed = runs.runs(scenario=scenario, limit=limit)
        where = runs.path
    render_runs(listed, where, console)


def records(refs: list[str], store: Path | None) -> list[RunRecord]:
    """The recorded runs ``refs`` name, in that order."""
    from planner.runs.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        return [runs.get(runs.resolve(ref)) for ref in refs]


@app.command()
def show(
    run_ref: RunRef,
    store: StorePath = None,
    as_json: Annotated[bool, typer.Option(
"--json", help="Print the run's summary.json.")] = False,
) -> None:
    """Show one recorded run: what went in, how it was solved, what came out."""
    (record,) = records([run_ref], store)
    if as_json:
        console.print_json(json.dumps({"id": record.id, "created": record.created,
                                       "variant": record.variant, "changes": record.changes,
                                       "options": record.options, "source": record.source,
                                       "summary": record.summary}))
        return
    from planner.report.terminal import render_record

    render_record(record, console)


@app.command()
def explain(
    run_ref: RunRef,
    section: Annotated[str | None, typer.Option(
        "--section", help="Only this section (its id).", metavar="SECTION")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="Only this kind or language (its id).", metavar="KIND")] = None,
    period: Annotated[int | None, typer.Option(
        "--period", help="Only this period (numbered from 1).", metavar="N",
        callback=within(1))] = None,
    limit: Annotated[int, typer.Option(
        "--limit", help="At most N shortfalls, largest first; 0 for all.", metavar="N",
        callback=within(0))] = 10,
    remedies: Annotated[bool, typer.Option(
        "--remedies/--no-remedies", help="Also find what would cover the largest shortfalls "
        "shown, each change checked by solving the changed scenario (the linear "
        "relaxation); --no-remedies skips the solves.")] = True,
    top: Annotated[int, typer.Option(
        "--top", help="With --remedies: how many of the largest shortfalls.", metavar="N",
        callback=within(1))] = 5,
    store: StorePath = None,
) -> None:
    """Say why each shortfall of a run is short, and what would cover the largest.

    Every reason that holds, with its evidence; then, unless --no-remedies, the change that
    would cover each of the largest and what it saves, each checked by a solve.
    """
    from planner.plan.explain import select
    from planner.report.terminal import render_explanations, render_remedies
    from planner.scenario.schema import Scenario

    (record,) = records([run_ref], store)
    explanations = record.why_short()
    chosen = select(explanations, section=section, item=kind, period=period)
    render_explanations(record, chosen, console, limit=limit or None)
    if remedies and not chosen.empty:
        from planner.runs.remedies import remedies as find_remedies

        keys = chosen[["section_id", "period", "item_type", "item_id"]].drop_duplicates()
        shortfalls = record.shortfalls.merge(keys, on=list(keys.columns))
        render_remedies(find_remedies(Scenario.model_validate(record.inputs), shortfalls,
                                      explanations, top=top), console)


@app.command()
def evaluate(
    run_ref: RunRef,
    samples: Samples = None,
    seed: Seed = 0,
    risk: RiskMeasure = "expected",
    dask: DaskAddress = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", help="With --dask alone: the local cluster's workers (default: one "
        "per core).", metavar="N", callback=within(1))] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the evaluation's summary as JSON.")] = False,
    store: StorePath = None,
) -> None:
    """Evaluate a recorded plan on demand scenarios, and store the evaluation.

    The plan's deployments stay as they are; each scenario's shortfalls, remote
    interpretation and cost are solved for. Prints the distribution, which planner
    report then plots.
    """
    from planner.cli.app import with_progress
    from planner.model.stochastic import Risk
    from planner.report.terminal import render_robust
    from planner.runs.evaluation import evaluate_run
    from planner.runs.store import RunStore, check_store, store_path
    from planner.scenario.demand import demand_scenarios
    from planner.scenario.schema import Scenario

    measure = Risk.parse(risk)
    target = store_path(store)
    check_store(target, create=False)
    (record,) = records([run_ref], store)
    demand = demand_scenarios(Scenario.model_validate(record.inputs), samples, seed)
    evaluation = with_progress(len(demand), "evaluating", lambda advance: evaluate_run(
        record, demand, measure, address=dask, workers=jobs, progress=advance))
    with RunStore(target, create=False, write=True) as runs:
        stored = runs.add_evaluation(evaluation)
    if as_json:
        console.print_json(json.dumps({"id": stored.id, "run_id": stored.run_id,
                                       **stored.summary}))
        return
    console.print(f"run #{record.id}: evaluation #{stored.id} stored in {target}",
                  highlight=False)
    render_robust(stored.summary, console, label=record.label)


@app.command()
def compare(
    refs: RunRefs,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for one CSV per table and comparison.json.", metavar="FOLDER")
    ] = None,
    as_json: Annotated[bool, typer.Option(
"--json", help="Print the comparison as JSON.")] = False,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Print every row, also those the same in every run.")] = False,
    store: StorePath = None,
) -> None:
    """Compare runs side by side: KPIs, shortfalls, deployments, input and schedule changes.

    Each table gives every run's figures and their difference from the first run, and by
    default only the rows where the runs differ.
    """
    from planner.report.terminal import render_comparison
    from planner.runs.compare import compare as compare_runs

    comparison = compare_runs(records(refs, store))
    written = comparison.write(out) if out is not None else []
    if as_json:
        print(json.dumps(comparison.to_json(), indent=2))
        return
    render_comparison(comparison, console, show_all=show_all)
    if written:
        console.print(f"wrote {len(written)} files to {out}")


@app.command()
def report(
    refs: RunRefs,
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.",
                                       metavar="FILE")],
    title: Annotated[str | None, typer.Option("--title", help="The report's title.",
                                              metavar="TEXT")] = None,
    store: StorePath = None,
) -> None:
    """Write one self-contained HTML report of runs, with plots; several runs side by side."""
    from planner.report.html import write_html_report

    write_html_report(records(refs, store), html, title=title)
    console.print(f"wrote {html}")
