"""Commands on recorded runs: list, show, compare, report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.app import RunRef, RunRefs, StorePath, app, console, within

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
def compare(
    refs: RunRefs,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for one CSV per table and comparison.json.", metavar="FOLDER")
    ] = None,
    as_json: Annotated[bool, typer.Option(
"--json", help="Print the comparison as JSON.")] = False,
    store: StorePath = None,
) -> None:
    """Compare runs side by side: KPIs, shortfalls, deployments, input and schedule changes."""
    from planner.report.terminal import render_comparison
    from planner.runs.compare import compare as compare_runs

    comparison = compare_runs(records(refs, store))
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
