"""The package's shape: the public API, what starting the command line loads, its help, tables."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

import planner
from planner import cli
from planner.errors import ExitCode
from planner.report.tables import Column, numeric, print_table

from builders import invoke

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
HEAVY = ("pyomo", "highspy")


def test_every_public_name_is_exported_and_loads() -> None:
    assert sorted(planner.__all__) == sorted(planner._EXPORTS)
    assert {"build_index", "build_matrix", "build_model", "plan_scenario"} <= set(planner.__all__)
    for name in planner.__all__:
        assert getattr(planner, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = planner.nothing  # type: ignore[attr-defined]


def _loaded(*args: str) -> list[str]:
    """The top-level packages loaded by running ``planner ARGS`` in a fresh process."""
    code = (
        "import sys\n"
        f"sys.argv = ['planner', *{list(args)!r}]\n"
        "from planner.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n' + ' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    return done.stdout.strip().splitlines()[-1].split()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "runs.sqlite"
    done = subprocess.run([sys.executable, "-m", "planner", "run", str(TINY), "--store",
                           str(path), "--gap", "0"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == ExitCode.OK, done.stderr
    return path


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["run", "--help"], ["runs"],
                                  ["show", "last"], ["show", "last", "--json"]],
                         ids=" ".join)
def test_the_command_line_starts_without_pyomo_or_highs(args: list[str], store: Path) -> None:
    store_args = ["--store", str(store)] if args[0] in ("runs", "show") else []
    loaded = _loaded(*args, *store_args)
    assert "planner" in loaded
    assert [name for name in HEAVY if name in loaded] == []


def test_help_alone_loads_no_data_library() -> None:
    loaded = _loaded("--help")
    assert [name for name in ("pandas", "numpy", "pydantic", *HEAVY) if name in loaded] == []


def test_version_and_short_help(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(monkeypatch, "--version") == ExitCode.OK
    assert capsys.readouterr().out.strip() == f"planner {planner.version.planner_version()}"
    assert invoke(monkeypatch, "-h") == ExitCode.OK
    assert "Usage: planner [OPTIONS] COMMAND" in capsys.readouterr().out


def _help(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *command: str) -> str:
    monkeypatch.setenv("COLUMNS", "200")
    assert invoke(monkeypatch, *command, "--help") == ExitCode.OK
    return capsys.readouterr().out


def test_help_reads_as_words(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    commands = [[]] + [[name] for name in cli.command().commands]
    for command in commands:
        text = _help(monkeypatch, capsys, *command)
        for python in ("<bool>", "<str>", "<list", "<path>", "<int", "<float", "{path}",
                       "{PATH}", "x>=", "<=x"):
            assert python not in text, (command, python)
    run = _help(monkeypatch, capsys, "run")
    assert "Usage: planner run [OPTIONS] PATH" in run
    assert "variant file" in run
    assert re.search(r"--verbose +-v ", run) and re.search(r"--variant +-w ", run)
    assert "last-N" in _help(monkeypatch, capsys, "show")


def test_a_bad_value_is_refused_in_words(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "2", "--no-store") == (
        ExitCode.BAD_INPUT)
    assert "must be from 0 to 1" in capsys.readouterr().err


ROWS = [("#12", "2026-12-02 10:20", "western_balkans_2022", "more-officers-from-hungary",
         "optimal", "20,978,704", "97.21")]
COLUMNS = [Column("id", numeric=True), Column("created"), Column("scenario", wraps=True),
           Column("variant", wraps=True), Column("status"), *numeric("objective", "coverage %")]


@pytest.mark.parametrize(("width", "terminal"), [(40, True), (95, True), (200, True),
                                                 (40, False)])
def test_tables_never_cut_a_number_or_an_id(width: int, terminal: bool) -> None:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, color_system=None)
    print_table(console, COLUMNS, ROWS, title="runs")
    text = out.getvalue()
    assert "…" not in text
    for cell in ("#12", "2026-12-02 10:20", "20,978,704", "97.21", "optimal"):
        assert cell in text, (width, cell)
    if terminal:
        assert max(len(line) for line in text.splitlines()) <= width
    if width == 200 or not terminal:
        assert "│ #12 │" in text  # a table, whole, where there is room or no width at all


def test_show_as_json_is_the_stored_summary(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str],
                                            store: Path) -> None:
    assert invoke(monkeypatch, "show", "last", "--json", "--store", str(store)) == ExitCode.OK
    shown = json.loads(capsys.readouterr().out)
    assert shown["summary"]["status"] == "optimal"
