"""``planner bench``: each step of a run timed on generated scenarios, against HiGHS alone."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from planner.cli.app import app, console, within
from planner.errors import UsageError


@app.command(name="bench")
def bench_command(
    size: Annotated[str, typer.Option(
        "--size", help="Sizes to run, comma-separated: S, M, L (about 10k, 100k and 500k "
        "variables generated), WB (the shipped Western Balkans scenario).",
        metavar="SIZES")] = "S,M,L",
    relax: Annotated[bool | None, typer.Option(
        "--relax/--whole", help="Only fractional units (LP), or only whole units; both if "
        "neither is given.", show_default=False)] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Per solve, in seconds (0 or more).", metavar="SECONDS",
        callback=within(0, what=" seconds"))] = 600.0,
    as_json: Annotated[bool, typer.Option(
"--json", help="Print the figures as JSON.")] = False,
    pyomo: Annotated[bool, typer.Option(
        "--pyomo", help="Measure the Pyomo model of record's path instead (no re-solves).")
    ] = False,
    resolve: Annotated[bool, typer.Option(
        "--resolve/--no-resolve", help="Also time a what-if (demand x1.1) re-solved warm "
        "against the same what-if run cold.")] = True,
) -> None:
    """Time each step of a run on generated scenarios, against HiGHS alone on the same model."""
    from planner.bench import SHIPPED, bench
    from planner.report.terminal import render_bench
    from planner.scenario.generate import SIZES

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
    render_bench(rows, console)
