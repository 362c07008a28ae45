"""The command line: ``planner COMMAND``, one module per group of commands.

:mod:`planner.cli.app` holds the application and the options commands share; each module
below adds its commands to it, in the order ``planner --help`` lists them. Every command
parses its options, calls one library function and hands the result to
:mod:`planner.report` to print.
"""

from __future__ import annotations

import re
import sys
from importlib import import_module
from typing import Any

import typer

from planner.cli.app import _state, app, errors
from planner.errors import ExitCode, PlannerError

COMMAND_MODULES = ("solve", "scenario", "runs", "contract", "service", "bench")
"""The modules of commands, in the order help lists them."""

for _module in COMMAND_MODULES:
    import_module(f"planner.cli.{_module}")

__all__ = ["_state", "app", "command", "main"]

OPTIONAL_VALUES = {"--dask": "local"}
"""Options whose value may be left out, with what they then stand for: ``--dask`` alone
is a cluster on this machine, ``--dask tcp://host:8786`` a running scheduler."""
ADDRESS = re.compile(r"[a-z]+://\S*|[\w.\-]+:\d+")
"""What an option of ``OPTIONAL_VALUES`` takes as its value: an address."""


def with_values(args: list[str]) -> list[str]:
    """``args`` with each option of ``OPTIONAL_VALUES`` given its value where left out.

    The value is left out where the option is last, or the next word is no address
    (``scheme://...`` or ``host:port``): ``--dask PATH`` is a local cluster and a scenario.
    """
    given: list[str] = []
    for number, word in enumerate(args):
        given.append(word)
        if word in OPTIONAL_VALUES:
            following = args[number + 1] if number + 1 < len(args) else ""
            if not ADDRESS.fullmatch(following):
                given.append(OPTIONAL_VALUES[word])
    return given



def command() -> Any:
    """The command line as one command, its help in words.

    On/off options show no type beside them (typer would print ``<bool>``), and an
    argument is its name alone: ``PATH`` in the usage line and in the list of arguments,
    not ``{PATH}`` and ``<path>``.
    """
    built = typer.main.get_command(app)
    pending: list[tuple[Any, Any]] = [(built, None)]
    while pending:
        current, parent = pending.pop()
        context = current.context_class(current, parent=parent, **current.context_settings)
        for param in current.get_params(context):
            if getattr(param, "is_flag", False) and not param.metavar:
                param.metavar = ""
            if param.param_type_name == "argument":
                shown = param.metavar or param.name.upper()
                shown = (shown if param.required else f"[{shown}]") + (
                    "..." if param.nargs != 1 and not shown.endswith("...") else "")
                param.get_usage_pieces = lambda ctx, shown=shown: [shown]
                param.display_type_rich = lambda ctx: None  # the name says it
        pending.extend((sub, context) for sub in getattr(current, "commands", {}).values())
    return built


def main() -> None:
    """Run the command line, turning planner errors into one line and an exit code."""
    try:
        command()(args=with_values(sys.argv[1:]), prog_name="planner")
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
