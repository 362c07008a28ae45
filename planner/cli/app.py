"""The command line's application, consoles and the options its commands share.

Each command module parses its options, calls one library function and hands the result
to :mod:`planner.report` for the terminal. Nothing here imports the model or a solver:
``planner --help`` starts without Pyomo, HiGHS or pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

app = typer.Typer(
    name="planner",
    help="Plan border guards, vehicles and interpreters for a joint operation, at least cost.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
errors = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)

_state = {"debug": False}


def _show_version(shown: bool) -> None:
    if shown:
        from planner.version import planner_version

        console.print(f"planner {planner_version()}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", help="Print the planner's version and exit.",
        callback=_show_version, is_eager=True)] = False,
) -> None:
    _state["debug"] = debug


def within(low: float, high: float | None = None, *, what: str = "") -> Callable[[Any], Any]:
    """An option check, in words: the value lies from ``low`` to ``high``."""
    def check(value: Any) -> Any:
        if value is not None and (value < low or (high is not None and value > high)):
            bounds = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
            raise typer.BadParameter(f"must be {bounds}{what}")
        return value
    return check


Samples = Annotated[int | None, typer.Option(
    "--samples", help="Draw N demand scenarios from the forecast's 10-90 % band (default: "
    "the scenario's demand_scenarios table).", metavar="N",
    callback=within(1, 1000))]
Seed = Annotated[int, typer.Option(
    "--seed", help="With --samples: the seed (the same seed, the same samples).",
    metavar="K", callback=within(0))]
DaskAddress = Annotated[str | None, typer.Option(
    "--dask", help="Solve on Dask distributed: alone, a cluster on this machine; with "
    "ADDRESS (tcp://host:8786), that scheduler's workers.", metavar="[ADDRESS]",
    show_default=False)]
RiskMeasure = Annotated[str, typer.Option(
    "--risk", help="What to minimise (run --robust) or report (evaluate) over the "
    "scenarios' costs: expected, or cvar:A, the mean of the worst 1-A.",
    metavar="expected|cvar:A")]
ScenarioPath = Annotated[Path, typer.Argument(
    help="A scenario folder (scenario.yaml + CSVs), a scenario.yaml, a workbook (.xlsx), "
    "or a variant file (a YAML file with base: and variants:).", metavar="PATH",
    show_default=False)]
StorePath = Annotated[Path | None, typer.Option(
    "--store", help="The run store (SQLite file); default $PLANNER_STORE or "
    "./planner-runs.sqlite.", metavar="FILE")]
RunRef = Annotated[str, typer.Argument(
    help="A run: its id (12 or #12), 'last', or 'last-N' for the Nth before the last.",
    metavar="RUN")]
RunRefs = Annotated[list[str], typer.Argument(
    help="Runs: ids (12 or #12), 'last', or 'last-N' for the Nth before the last.",
    metavar="RUN...")]
OperationName = Annotated[str | None, typer.Option(
    "--operation", help="The operation (meta.operation), where the store holds several.",
    metavar="NAME")]


Done = TypeVar("Done")


Advance = Callable[..., None]
"""``advance(steps, description=None)``: move a progress bar on, and say what is doing."""


def with_progress(total: int, what: str, work: Callable[[Advance], Done]) -> Done:
    """Run ``work(advance)`` under a progress bar on standard error of ``total`` steps."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task(what, total=total)

        def advance(steps: int, description: str | None = None) -> None:
            progress.update(task, advance=steps, description=description or what)

        return work(advance)
