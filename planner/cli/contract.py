"""Commands for command centres: approve a run, list revisions, export the contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.app import OperationName, RunRef, StorePath, app, console


@app.command()
def export(
    run_ref: Annotated[str, typer.Argument(
        help="A run: its id (12 or #12), 'last', 'last-N', or 'approved' (the operation's "
        "approved revision; 'approved-N' for revision N).", metavar="RUN")],
    out: Annotated[Path, typer.Option(
        "--out", help="Folder for the bundle: deployments.json, deployments.csv, "
        "changes.csv, requests, calendars.", metavar="FOLDER")],
    operation: OperationName = None,
    store: StorePath = None,
) -> None:
    """Export a whole-unit run's deployments as the contract command centres import."""
    from planner.contract.bundle import contract_for, write_contract
    from planner.report.terminal import render_export
    from planner.runs.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        contract, text = contract_for(runs, run_ref, operation=operation)
    written = write_contract(contract, out, text=text)
    render_export(contract, out, written, console)


@app.command()
def approve(
    run_ref: RunRef,
    note: Annotated[str, typer.Option("--note", help="Why, or on whose decision.",
                                      metavar="TEXT")] = "",
    store: StorePath = None,
) -> None:
    """Approve a whole-unit run: the next revision of its operation, issued as a contract."""
    from planner.contract.bundle import approve as approve_run
    from planner.report.terminal import render_approval
    from planner.runs.store import RunStore, store_path

    with RunStore(store_path(store), create=False, write=True) as runs:
        approval = approve_run(runs, run_ref, note)
    render_approval(approval, console)


@app.command()
def revisions(
    operation: OperationName = None,
    store: StorePath = None,
) -> None:
    """List the approved revisions of each operation, the latest approved, the rest superseded."""
    from planner.report.terminal import render_revisions
    from planner.runs.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        listed = runs.revisions(operation)
        where = runs.path
    render_revisions(listed, where, operation, console)


@app.command(name="contract-schema")
def contract_schema_command() -> None:
    """Print the JSON Schema that every exported deployments.json validates against."""
    from planner.contract.bundle import contract_schema

    print(json.dumps(contract_schema(), indent=2))
