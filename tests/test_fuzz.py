"""Fuzzing: mutated copies of the tiny scenario never crash, hang or leave live formulas.

Every mutation (see ``fuzzing.py``) is run through ``planner validate`` and ``planner run
--out``, in this process, each under a time bound. A command ends in exit 0 (valid, a
plan), 2 (bad input, named) or, for ``run``, 3 (the hard rules conflict): never 1 (an
internal error) or 4, never a traceback. ``validate`` never passes what ``run`` then
rejects, and whatever ``run`` writes holds no cell a spreadsheet would run.

The default run tries a few dozen mutations, the same every time; the ``slow`` one draws
hundreds afresh (``pytest -m slow tests/test_fuzz.py``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from planner import cli
from planner.errors import ExitCode

from builders import assert_inert, within
from fuzzing import FOLDER_MUTATIONS, WORKBOOK_MUTATIONS, Mutation, apply, fresh_copy

SECONDS_PER_COMMAND = 60
"""A command of a tiny scenario that takes longer than this has hung."""
MEMORY_LIMIT_MB = 4096
"""Peak memory of the test process beyond which a mutation has blown it up."""
VALIDATE_CODES = {ExitCode.OK, ExitCode.BAD_INPUT}
RUN_CODES = {ExitCode.OK, ExitCode.BAD_INPUT, ExitCode.INFEASIBLE}
TALLY_VARIABLE = "PLANNER_FUZZ_TALLY"
"""If set, the file that gets one JSON line per case: the mutation and both exit codes."""


def planner(*args: str) -> tuple[int, str]:
    """Run ``planner ARGS`` in this process: its exit code and what it printed on stderr."""
    stderr = io.StringIO()
    argv, debug = sys.argv, cli._state["debug"]
    sys.argv, cli._state["debug"] = ["planner", *args], False
    try:
        with (contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr),
              within(SECONDS_PER_COMMAND), pytest.raises(SystemExit) as stopped):
            cli.main()
    finally:
        sys.argv, cli._state["debug"] = argv, debug
    code = stopped.value.code
    return (int(code) if code is not None else 0), stderr.getvalue()


def check(mutation: Mutation, as_workbook: bool) -> None:
    """Mutate a fresh copy of the tiny scenario, then validate it, run it and read the output."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        workspace = Path(folder)
        scenario = fresh_copy(workspace / "scenario", as_workbook)
        apply(mutation, scenario)
        validated, validate_errors = planner("validate", str(scenario))
        out = workspace / "out"
        ran, run_errors = planner("run", str(scenario), "--out", str(out), "--no-store",
                                  "--time-limit", "20")
        for name, code, allowed, printed in (("validate", validated, VALIDATE_CODES,
                                              validate_errors),
                                             ("run", ran, RUN_CODES, run_errors)):
            assert code in allowed, f"{mutation}: {name} ended {code}: {printed}"
            assert "internal error" not in printed and "Traceback" not in printed, printed
        _tally(mutation, validated, ran)
        if validated == ExitCode.OK:
            assert ran != ExitCode.BAD_INPUT, f"{mutation}: valid, yet run says {run_errors}"
        if ran == ExitCode.OK:
            assert_inert(out)
        else:
            assert not out.exists(), f"{mutation}: run ended {ran} but wrote {out}"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < MEMORY_LIMIT_MB, f"{mutation}: memory peaked at {peak_mb:.0f} MB"


def _tally(mutation: Mutation, validated: int, ran: int) -> None:
    """Append the case to the tally file, for figures over a whole fuzz run."""
    path = os.environ.get(TALLY_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps({"mutation": mutation.action, "target": mutation.target,
                                   "validate": validated, "run": ran}) + "\n")


FEW = settings(max_examples=40, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(FOLDER_MUTATIONS)
def test_mutated_folders_end_in_a_named_exit(mutation: Mutation) -> None:
    check(mutation, as_workbook=False)


@settings(FEW, max_examples=15)
@given(WORKBOOK_MUTATIONS)
def test_mutated_workbooks_end_in_a_named_exit(mutation: Mutation) -> None:
    check(mutation, as_workbook=True)


@pytest.mark.slow
@MANY
@given(FOLDER_MUTATIONS)
def test_many_mutated_folders_end_in_a_named_exit(mutation: Mutation) -> None:
    check(mutation, as_workbook=False)


@pytest.mark.slow
@settings(MANY, max_examples=150)
@given(WORKBOOK_MUTATIONS)
def test_many_mutated_workbooks_end_in_a_named_exit(mutation: Mutation) -> None:
    check(mutation, as_workbook=True)
