"""What the planner writes never loses someone's files, holds no live formula, survives kills.

Four promises, each pinned by its tests: an output replaces only an earlier output of its
own sort (a plan folder, a comparison, a scenario folder, a report, a requirements CSV, a
workbook); no CSV cell or workbook cell it writes is one a spreadsheet would run; a write
killed at any moment leaves the earlier output whole or the new one whole (or, between
the two renames of the fallback swap, the earlier one set aside, which the next write puts
back), and the next write clears what the killed one left; reading commands never change
a run store, and nothing changes a file that is not one.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import planner
from planner.errors import ExitCode, UsageError
from planner.files import atomic as files
from planner.files.atomic import FileKind, atomic_directory, atomic_file
from planner.files.cells import restore
from planner.files.spreadsheets import inert, write_csv
from planner.plan.outputs import PLAN_FOLDER
from planner.runs.records import RunRecord, record_plan
from planner.runs.store import RunStore
from planner.scenario.read import load_scenario
from planner.scenario.write_folder import write_folder

from builders import assert_inert, invoke

TINY = Path(__file__).resolve().parent.parent / "scenarios" / "tiny"
PLAN_FILES = ("plan.xlsx", "schedule.csv", "shortfalls.csv", "summary.json")
"""What the killed writers below write, a run's files of the released version."""
RUN_FILES = ("explanations.csv", *PLAN_FILES)
"""What a whole-unit run writes into its --out folder."""
RELEASED_PLAN_FILES = (*PLAN_FILES, "marginal_values.csv")
"""What a run of the released version leaves in its --out folder (an LP run)."""


# --- helpers -------------------------------------------------------------------------------------


def listing(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name: content)."""
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def run_tiny(monkeypatch: pytest.MonkeyPatch, out: Path, *extra: str) -> int:
    return invoke(monkeypatch, "run", str(TINY), "--out", str(out), "--no-store", *extra)


# --- 1. nothing but the planner's own output is replaced -----------------------------------------


def test_run_refuses_a_folder_holding_a_summary_among_other_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    (out / "notes.txt").write_text("keep me")
    (out / "drafts").mkdir()
    before = snapshot(out)
    assert run_tiny(monkeypatch, out) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"{out}: folder holds files the planner did not write there" in err
    assert "replacing it would lose drafts/, notes.txt;" in err
    assert "Traceback" not in err
    assert snapshot(out) == before
    assert listing(out) == ["drafts", "notes.txt", "summary.json"]
    assert listing(tmp_path) == ["mine"]


def test_run_refuses_before_solving_and_names_ten_files_then_counts_the_rest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    for number in range(13):
        (out / f"file{number:02}.txt").write_text("x")
    monkeypatch.setattr("planner.api.plan_scenario", lambda *args, **kwargs: pytest.fail(
        "solved although the output folder is refused"))
    assert run_tiny(monkeypatch, out) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    shown = ", ".join(f"file{number:02}.txt" for number in range(10))
    assert f"folder is not empty and holds no earlier plan; replacing it would lose {shown} " \
           "and 3 more; choose another --out" in err
    assert len(listing(out)) == 13


def test_run_replaces_a_folder_the_released_version_wrote(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    for name in RELEASED_PLAN_FILES:
        (out / name).write_text("from an earlier version")
    assert run_tiny(monkeypatch, out) == ExitCode.OK
    assert listing(out) == sorted(RUN_FILES)  # a whole-unit run writes no marginal values
    assert (out / "schedule.csv").read_text().startswith("period,")
    assert listing(tmp_path) == ["plan"]


def test_run_refuses_a_plan_folder_holding_a_link(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    assert run_tiny(monkeypatch, out) == ExitCode.OK
    (tmp_path / "precious.csv").write_text("mine")
    (out / "plan.xlsx").unlink()
    (out / "plan.xlsx").symlink_to(tmp_path / "precious.csv")
    assert run_tiny(monkeypatch, out) == ExitCode.BAD_INPUT
    assert "replacing it would lose plan.xlsx;" in capsys.readouterr().err
    assert (out / "plan.xlsx").is_symlink()


def test_compare_refuses_a_folder_holding_a_comparison_among_other_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        assert invoke(monkeypatch, "run", str(TINY)) == ExitCode.OK
    out = tmp_path / "cmp"
    assert invoke(monkeypatch, "compare", "last-1", "last", "--out", str(out)) == ExitCode.OK
    written = listing(out)
    assert invoke(monkeypatch, "compare", "last-1", "last", "--out", str(out)) == ExitCode.OK
    (out / "my-analysis.xlsx").write_text("mine")
    capsys.readouterr()
    assert invoke(monkeypatch, "compare", "last-1", "last", "--out", str(out)) == (
        ExitCode.BAD_INPUT)
    assert "replacing it would lose my-analysis.xlsx;" in capsys.readouterr().err
    assert listing(out) == sorted([*written, "my-analysis.xlsx"])


def test_generate_refuses_a_scenario_folder_with_anything_else_in_it(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = snapshot(tiny_folder)
    assert invoke(monkeypatch, "generate", "--sections", "2", "--periods", "2",
                  "--out", str(tiny_folder)) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "replacing it would lose README.md;" in err
    assert snapshot(tiny_folder) == before
    generated = tmp_path / "generated"
    for seed in ("1", "2"):  # a folder generate wrote is its own to replace
        assert invoke(monkeypatch, "generate", "--sections", "2", "--periods", "2",
                      "--seed", seed, "--out", str(generated)) == ExitCode.OK
    assert "scenario.yaml" in listing(generated)


def test_generate_refuses_a_scenario_folder_someone_made_of_scenario_files_alone(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tiny_folder / "README.md").unlink()  # nothing but scenario.yaml and table CSVs left
    before = snapshot(tiny_folder)
    assert invoke(monkeypatch, "generate", "--sections", "2", "--periods", "2",
                  "--out", str(tiny_folder)) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "folder holds a scenario.yaml the planner did not write; replacing it would lose " \
           "contributions.csv, contributors.csv, forecast.csv" in err
    assert snapshot(tiny_folder) == before


def test_report_onto_a_folder_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY)) == ExitCode.OK
    assert invoke(monkeypatch, "report", "last", "--html", str(tmp_path)) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"error: {tmp_path}: is a folder; name the file to write, for instance " \
           f"{tmp_path / 'report.html'}" in err
    assert "Traceback" not in err and "internal error" not in err
    assert listing(tmp_path) == []


def test_report_replaces_only_a_report_it_wrote(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY)) == ExitCode.OK
    report = tmp_path / "report.html"
    assert invoke(monkeypatch, "report", "last", "--html", str(report)) == ExitCode.OK
    assert '<meta name="generator" content="border-planner ' in report.read_text()[:500]
    assert invoke(monkeypatch, "report", "last", "--html", str(report), "--title", "again") == (
        ExitCode.OK)
    assert "<title>again</title>" in report.read_text()
    mine = tmp_path / "notes.html"
    mine.write_text("<!DOCTYPE html><html><head><title>my notes</title></head></html>")
    before = mine.read_bytes()
    capsys.readouterr()
    assert invoke(monkeypatch, "report", "last", "--html", str(mine)) == ExitCode.BAD_INPUT
    assert f"{mine}: exists and is not an HTML report the planner wrote" in (
        capsys.readouterr().err)
    assert mine.read_bytes() == before
    assert listing(tmp_path) == ["notes.html", "report.html"]


def test_requirements_replace_only_a_csv_with_their_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    needs = tmp_path / "needs.csv"
    assert invoke(monkeypatch, "requirements", str(TINY), "--out", str(needs)) == ExitCode.OK
    assert invoke(monkeypatch, "requirements", str(TINY), "--out", str(needs)) == ExitCode.OK
    other = tmp_path / "budget.csv"
    other.write_text("line,amount\nfuel,100\n")
    capsys.readouterr()
    assert invoke(monkeypatch, "requirements", str(TINY), "--out", str(other)) == (
        ExitCode.BAD_INPUT)
    assert "is not a requirements CSV file the planner wrote" in capsys.readouterr().err
    assert other.read_text() == "line,amount\nfuel,100\n"
    assert invoke(monkeypatch, "requirements", str(TINY), "--out", str(tmp_path)) == (
        ExitCode.BAD_INPUT)
    assert "is a folder" in capsys.readouterr().err
    assert listing(tmp_path) == ["budget.csv", "needs.csv"]


def test_template_replaces_only_a_workbook_it_wrote_and_nobody_saved_since(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "scenario.xlsx"
    assert invoke(monkeypatch, "template", "--xlsx", str(book)) == ExitCode.OK
    with zipfile.ZipFile(book) as archive:
        assert b"<dc:creator>border-planner</dc:creator>" in archive.read("docProps/core.xml")
    assert invoke(monkeypatch, "template", "--xlsx", str(book), "--from", str(TINY)) == (
        ExitCode.OK)

    theirs = tmp_path / "theirs.xlsx"
    Workbook().save(theirs)  # anyone's workbook: openpyxl's creator, not the planner's
    filled = tmp_path / "filled.xlsx"
    workbook = load_workbook(book)
    workbook.properties.lastModifiedBy = "A. Planner"  # as Excel does on saving
    workbook.save(filled)
    for path in (theirs, filled):
        before = path.read_bytes()
        capsys.readouterr()
        assert invoke(monkeypatch, "template", "--xlsx", str(path)) == ExitCode.BAD_INPUT
        assert f"{path}: exists and is not a scenario workbook the planner wrote" in (
            capsys.readouterr().err)
        assert path.read_bytes() == before
    assert listing(tmp_path) == ["filled.xlsx", "scenario.xlsx", "theirs.xlsx"]


# --- 2. no cell that can run ---------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.fixture
def formula_folder(tiny_folder: Path) -> Path:
    """scenarios/tiny with a section name, ids and contributors that look like formulas."""
    sections = tiny_folder / "sections.csv"
    sections.write_text(sections.read_text()
                        .replace("Green border A", '"=HYPERLINK(""http://x"",""y"")"')
                        .replace("\nB,", "\n=B,"))
    contributions = tiny_folder / "contributions.csv"
    contributions.write_text(contributions.read_text()
                             .replace("agency-guards,Frontex", "@SUM(1),+1")
                             .replace("Germany", "-2").replace("A;B", "A;=B")
                             .replace("host-guards,", "-h,")
                             .replace("interpreters,Frontex", "interpreters,\tTab"))
    contributors = tiny_folder / "contributors.csv"
    contributors.write_text(contributors.read_text().replace("FX,Frontex", "=FX,+1")
                            .replace("Germany", "-2") + "@T,Tab,EU,agency\n")
    scenario = load_scenario(tiny_folder)
    assert scenario.sections[0].name == HYPERLINK  # the scenario holds what the test means
    assert {pledge.id for pledge in scenario.contributions} >= {"@SUM(1)"}
    return tiny_folder


def test_a_run_writes_no_live_cell(
    monkeypatch: pytest.MonkeyPatch, formula_folder: Path, tmp_path: Path
) -> None:
    whole, relaxed = tmp_path / "whole", tmp_path / "relaxed"
    assert invoke(monkeypatch, "run", str(formula_folder), "--out", str(whole)) == ExitCode.OK
    assert invoke(monkeypatch, "run", str(formula_folder), "--relax", "--out",
                  str(relaxed)) == ExitCode.OK
    assert "marginal_values.csv" in listing(relaxed)
    assert assert_inert(whole, relaxed) > 500
    schedule = pd.read_csv(whole / "schedule.csv", keep_default_na=False)
    assert {"'@SUM(1)", "'+1", "'-h"} <= {*schedule["contribution_id"], *schedule["contributor"]}
    assert "'" + HYPERLINK in set(schedule["section_name"])
    sheet = load_workbook(whole / "plan.xlsx")["schedule"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell for cell in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]
    names = {row["section_name"].value for row in rows}
    assert "'" + HYPERLINK in names
    assert all(row["quantity"].data_type == "n" for row in rows)  # numbers stay numbers


def test_numbers_stay_numbers_and_text_is_neutralised_in_every_column(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["-2", "=x", "plain", None], "value": [-2.5, 1.0, 0.0, -1e-9],
                          "+heading": ["@a", "\tb", "\rc", "line\r=SUM(1)"]},
                         index=pd.Index(["=i", "j", "-k", "l"], name="key"))
    safe = inert(frame, index=True)
    assert safe["id"].tolist()[:3] == ["'-2", "'=x", "plain"] and pd.isna(safe["id"].iloc[3])
    assert safe["value"].tolist() == [-2.5, 1.0, 0.0, -1e-9]
    assert safe.index.tolist() == ["'=i", "j", "'-k", "l"]
    assert list(safe.columns) == ["id", "value", "'+heading"]
    assert frame["id"].tolist()[:3] == ["-2", "=x", "plain"]  # the frame given is left alone
    path = tmp_path / "table.csv"
    write_csv(frame, path, index=True)
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[1] == ["'=i", "'-2", "-2.5", "'@a"]
    # A carriage return inside a cell is quoted, so it starts no row (nor a formula there).
    assert [row[3] for row in rows[2:]] == ["'\tb", "'\rc", "line\r=SUM(1)"]
    assert path.read_bytes().count(b"\n") == 5
    assert assert_inert(path) == 20


def test_compare_and_requirements_write_no_live_cell(
    monkeypatch: pytest.MonkeyPatch, formula_folder: Path, tmp_path: Path
) -> None:
    assert invoke(monkeypatch, "run", str(formula_folder)) == ExitCode.OK
    assert invoke(monkeypatch, "run", str(formula_folder), "--variant", "more_beds") == (
        ExitCode.OK)
    out = tmp_path / "cmp"
    assert invoke(monkeypatch, "compare", "last-1", "last", "--out", str(out)) == ExitCode.OK
    needs = tmp_path / "needs.csv"
    assert invoke(monkeypatch, "requirements", str(formula_folder), "--out", str(needs)) == (
        ExitCode.OK)
    assert assert_inert(out, needs) > 100
    assert "'+1" in set(pd.read_csv(out / "deployed_by_contributor.csv")["contributor"])
    assert {"'@SUM(1)", "'-h"} <= set(pd.read_csv(out / "utilisation.csv")["contribution_id"])
    assert "'=B" in set(pd.read_csv(needs)["section_id"])


def test_scenario_writers_write_no_live_cell_and_keep_the_text(
    monkeypatch: pytest.MonkeyPatch, formula_folder: Path, tmp_path: Path
) -> None:
    scenario = load_scenario(formula_folder)
    book = tmp_path / "scenario.xlsx"
    assert invoke(monkeypatch, "template", "--xlsx", str(book), "--from",
                  str(formula_folder)) == ExitCode.OK
    folder = tmp_path / "written"
    write_folder(folder, scenario)
    assert assert_inert(book, folder) > 100
    # The workbook keeps such text as text cells, which the loader reads back as they are.
    assert load_scenario(book) == scenario
    # The folder's cells carry the apostrophe, which restore (the loader's) drops again.
    restored = tmp_path / "restored"
    restored.mkdir()
    for path in folder.iterdir():
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as file:
                rows = [[restore(cell) for cell in row] for row in csv.reader(file)]
            with (restored / path.name).open("w", encoding="utf-8", newline="") as file:
                csv.writer(file, lineterminator="\n").writerows(rows)
        else:
            (restored / path.name).write_bytes(path.read_bytes())
    assert load_scenario(restored) == scenario
    with (folder / "sections.csv").open(encoding="utf-8", newline="") as file:
        assert "'" + HYPERLINK in {row[1] for row in csv.reader(file)}


# --- 3. a kill at any moment of a write ----------------------------------------------------------

KILLED = 9
"""Exit code of a child made to die at a moment of its write."""

CHILD = r"""
import os, sys, types
from pathlib import Path

# planner.files.atomic alone, without running the package's __init__: a child then
# starts in tens of milliseconds, so that many kills take a few seconds.
package = types.ModuleType("planner")
package.__path__ = [sys.argv[1]]
sys.modules["planner"] = package
from planner.files import atomic as files

target, moment, how, content = Path(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
if how == "renames":
    files._exchange = lambda first, second: False

def reached(name):
    if name == moment:
        os._exit(9)

files._reached = reached
FOLDER = files.FolderKind("earlier plan", "summary.json",
                          frozenset(["plan.xlsx", "schedule.csv", "shortfalls.csv",
                                     "summary.json", "marginal_values.csv"]), "plan")
FILE = files.FileKind("a test file", lambda path: path.read_text().startswith("written"),
                      "file.txt")

def write(generation):
    if how == "file":
        with files.atomic_file(target, FILE) as temporary:
            temporary.write_text(f"written {generation}\n" * 1000)
        return
    with files.atomic_directory(target, FOLDER) as staging:
        for name in ("plan.xlsx", "schedule.csv", "shortfalls.csv", "summary.json"):
            (staging / name).write_text(f"written {generation}\n" * 1000)

if moment == "forever":
    generation = 0
    while True:
        write(f"{content}.{generation}")
        if generation == 0:
            print("ready", flush=True)
        generation += 1
write(content)
"""


def child(target: Path, moment: str, how: str, content: str) -> list[str]:
    return [sys.executable, "-c", CHILD, str(Path(planner.__file__).parent), str(target),
            moment, how, content]


def state(target: Path, how: str) -> str | None:
    """The output at ``target`` as one generation's text, checked whole; ``None``: missing."""
    if not target.exists():
        return None
    if how == "file":
        contents = {target.read_text()}
    else:
        assert listing(target) == sorted(PLAN_FILES)
        contents = {(target / name).read_text() for name in PLAN_FILES}
    assert len(contents) == 1, "a folder of two generations"
    lines = contents.pop().splitlines()
    assert len(lines) == 1000 and len(set(lines)) == 1, "written in part"
    return lines[0]


TEST_FILE = FileKind("a test file", lambda path: path.read_text().startswith("written"),
                     "file.txt")


def write_in_process(target: Path, how: str, content: str) -> None:
    """The next write, in this process: it recovers from whatever the killed one left."""
    if how == "file":
        with atomic_file(target, TEST_FILE) as temporary:
            temporary.write_text(f"written {content}\n" * 1000)
        return
    with atomic_directory(target, PLAN_FOLDER) as staging:
        for name in PLAN_FILES:
            (staging / name).write_text(f"written {content}\n" * 1000)


MOMENTS = [
    # (how, moment, what the target holds once the writer died there)
    ("exchange", "staging created", "old"),
    ("exchange", "staging written", "old"),
    ("exchange", "swapped", "new"),
    ("exchange", "cleaning up", "new"),
    ("renames", "staging created", "old"),
    ("renames", "staging written", "old"),
    ("renames", "old retired", "missing"),
    ("renames", "swapped", "new"),
    ("renames", "cleaning up", "new"),
    ("file", "file created", "old"),
    ("file", "file written", "old"),
    ("file", "file replaced", "new"),
]


@pytest.mark.parametrize(("how", "moment", "left"), MOMENTS,
                         ids=[f"{how}-{moment.replace(' ', '-')}" for how, moment, _ in MOMENTS])
def test_a_writer_killed_at_each_moment_leaves_a_whole_output(
    tmp_path: Path, how: str, moment: str, left: str
) -> None:
    target = tmp_path / ("plan" if how != "file" else "file.txt")
    write_in_process(target, how, "old")
    died = subprocess.run(child(target, moment, how, "new"), capture_output=True, text=True,
                          timeout=60)
    assert died.returncode == KILLED, died.stderr
    found = state(target, how)
    assert found == {"old": "written old", "new": "written new", "missing": None}[left]
    if left != "new":
        assert len(listing(tmp_path)) > (0 if found is None else 1), "nothing left to recover"
    files.recover(target)
    assert state(target, how) == ("written old" if left == "missing" else found)
    assert listing(tmp_path) == [target.name], "recovery left a leftover"
    died = subprocess.run(child(target, moment, how, "again"), capture_output=True,
                          text=True, timeout=60)
    assert died.returncode == KILLED, died.stderr  # killed again, after the recovery
    write_in_process(target, how, "next")
    assert state(target, how) == "written next"
    assert listing(tmp_path) == [target.name]


def test_the_swap_is_one_exchange_on_linux(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux's")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "one").write_text("1")
    (second / "two").write_text("2")
    assert files._exchange(first, second)
    assert listing(first) == ["two"] and listing(second) == ["one"]


def dead_pid() -> int:
    """The PID of a process that has ended."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(gone.stdout)


def test_recovery_removes_only_leftovers_of_dead_writers(tmp_path: Path) -> None:
    dead = dead_pid()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        target = tmp_path / "plan"
        write_in_process(target, "folder", "old")
        stale = [f".plan.planner-{dead}-0a1b2c3d.new", f".plan.planner-{dead}-0a1b2c3d.old"]
        kept = [
            f".plan.planner-{alive.pid}-0a1b2c3d.new",  # its writer is still at work
            f".plan.planner-{dead}-0a1b2c3d.tmp",       # a folder where a file would be
            f".other.planner-{dead}-0a1b2c3d.new",      # another target's
            f".plan.planner-{dead}-NOTHEX.new",         # not a name the planner gives
            ".plan.k3j4l5m6",                           # an older version's, unrecognisable
            "notes.txt",
        ]
        for name in [*stale, *kept]:
            if name.endswith(".txt"):
                (tmp_path / name).write_text("mine")
            else:
                (tmp_path / name).mkdir()
                (tmp_path / name / "inside.csv").write_text("x")
        link = tmp_path / f".plan.planner-{dead}-00ff00ff.old"
        link.symlink_to(tmp_path / "notes.txt")
        write_in_process(target, "folder", "new")
        assert state(target, "folder") == "written new"
        assert listing(tmp_path) == sorted(["plan", *kept, link.name])
        assert (tmp_path / "notes.txt").read_text() == "mine"
    finally:
        alive.kill()
        alive.wait()


def test_a_retired_folder_is_restored_only_while_the_target_is_missing(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    retired = tmp_path / f".plan.planner-{dead_pid()}-12345678.old"
    write_in_process(target, "folder", "old")
    target.rename(retired)  # as a writer killed between the two renames leaves it
    files.recover(target)
    assert state(target, "folder") == "written old"
    assert listing(tmp_path) == ["plan"]


def test_out_naming_the_current_folder_or_one_holding_it_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    assert run_tiny(monkeypatch, out) == ExitCode.OK
    before = snapshot(tmp_path)
    monkeypatch.chdir(out)
    for given in (".", "..", str(out)):
        capsys.readouterr()
        assert run_tiny(monkeypatch, Path(given)) == ExitCode.BAD_INPUT
        err = capsys.readouterr().err
        assert f"error: {given}: is the current folder or holds it, which the planner " \
               f"cannot replace; choose a subfolder, for instance --out " \
               f"{Path(given) / 'plan'}" in err
        assert "internal error" not in err
    assert invoke(monkeypatch, "generate", "--sections", "2", "--out", "..") == (
        ExitCode.BAD_INPUT)
    assert snapshot(tmp_path) == before
    assert listing(out) == sorted(RUN_FILES)


def test_writers_killed_at_random_leave_a_whole_output(tmp_path: Path) -> None:
    """A writer writing over and over, killed (SIGKILL) at a random moment, trial after trial."""
    chance = random.Random(20241201)
    target = tmp_path / "plan"
    began = time.monotonic()
    for trial in range(16):
        how = ("exchange", "renames")[trial % 2]
        writer = subprocess.Popen(child(target, "forever", how, f"trial{trial}"),
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
        time.sleep(chance.uniform(0, 0.05))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
        found = state(target, how)
        if found is None:
            assert how == "renames", "only the fallback's two renames leave no target"
            assert any(name.endswith(".old") for name in listing(tmp_path))
            files.recover(target)
            found = state(target, how)
        assert found is not None and found.startswith(f"written trial{trial}.")
    write_in_process(target, "folder", "last")
    assert state(target, "folder") == "written last"
    assert listing(tmp_path) == ["plan"]
    assert time.monotonic() - began < 60


# --- 4. the run store ----------------------------------------------------------------------------


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    """Another program's SQLite database, in rollback-journal mode."""
    path = tmp_path / "theirs" / "inventory.db"
    path.parent.mkdir()
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE items (name TEXT, count INTEGER)")
    connection.execute("INSERT INTO items VALUES ('radio', 3)")
    connection.commit()
    connection.close()
    return path


@pytest.mark.parametrize("command", [["runs"], ["show", "last"], ["compare", "1", "2"],
                                     ["report", "last", "--html", "REPORT"]],
                         ids=["runs", "show", "compare", "report"])
def test_reading_commands_leave_a_foreign_database_byte_identical(
    monkeypatch: pytest.MonkeyPatch, foreign: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], command: list[str],
) -> None:
    before = digest(foreign)
    args = [str(tmp_path / "report.html") if arg == "REPORT" else arg for arg in command]
    assert invoke(monkeypatch, *args, "--store", str(foreign)) == ExitCode.BAD_INPUT
    assert f"{foreign}: an SQLite database, but not a run store" in capsys.readouterr().err
    assert digest(foreign) == before
    assert listing(foreign.parent) == ["inventory.db"]  # no -wal, no -shm, no journal


def test_run_leaves_a_foreign_database_byte_identical(
    monkeypatch: pytest.MonkeyPatch, foreign: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = digest(foreign)
    out = tmp_path / "plan"
    assert invoke(monkeypatch, "run", str(TINY), "--store", str(foreign), "--out", str(out)) == (
        ExitCode.BAD_INPUT)
    assert f"{foreign}: an SQLite database, but not a run store" in capsys.readouterr().err
    assert digest(foreign) == before
    assert listing(foreign.parent) == ["inventory.db"]
    assert not out.exists()


def test_a_foreign_wal_database_and_a_file_of_other_data_are_left_byte_identical(
    monkeypatch: pytest.MonkeyPatch, foreign: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    connection = sqlite3.connect(foreign)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
    notes = foreign.parent / "notes.sqlite"
    notes.write_text("not a database at all")
    for path, message in ((foreign, "an SQLite database, but not a run store"),
                          (notes, "not a usable run store: not an SQLite database")):
        before = digest(path)
        for command in (["runs"], ["run", str(TINY)]):
            assert invoke(monkeypatch, *command, "--store", str(path)) == ExitCode.BAD_INPUT
            assert f"{path}: {message}" in capsys.readouterr().err
            assert digest(path) == before
    assert listing(foreign.parent) == ["inventory.db", "notes.sqlite"]


def test_reading_commands_never_make_an_empty_file_a_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "runs.sqlite"
    empty.touch()
    assert invoke(monkeypatch, "runs", "--store", str(empty)) == ExitCode.BAD_INPUT
    assert f"{empty}: no run store here (the file is empty" in capsys.readouterr().err
    assert empty.stat().st_size == 0
    assert listing(tmp_path) == ["runs.sqlite"]
    # Recording a run may make an empty file a store.
    assert invoke(monkeypatch, "run", str(TINY), "--store", str(empty)) == ExitCode.OK
    assert invoke(monkeypatch, "runs", "--store", str(empty)) == ExitCode.OK


def test_reading_a_store_leaves_its_file_byte_identical(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = tmp_path / "runs.sqlite"
    for _ in range(2):
        assert invoke(monkeypatch, "run", str(TINY), "--store", str(store)) == ExitCode.OK
    before = digest(store)
    for command in (["runs"], ["show", "last"], ["compare", "last-1", "last"]):
        assert invoke(monkeypatch, *command, "--store", str(store)) == ExitCode.OK
    assert digest(store) == before
    with pytest.raises(sqlite3.OperationalError, match="readonly"), \
            RunStore(store, create=False) as runs:
        runs._connection.execute("DELETE FROM runs")
    assert digest(store) == before


def record_runs(path: str, record: RunRecord, count: int) -> None:
    """Record ``count`` copies of ``record`` (in a spawned process, as another ``planner run``)."""
    with RunStore(path) as store:
        for number in range(count):
            store.record(replace(record, variant=f"copy-{number}"))
            time.sleep(0.01)  # long enough a write for readers to read while it goes on


def test_a_store_is_readable_while_another_process_writes(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    record = record_plan(planner.plan_scenario(load_scenario(TINY)))
    with RunStore(path) as store:
        store.record(record)
    writer = multiprocessing.get_context("spawn").Process(target=record_runs,
                                                          args=(str(path), record, 100))
    writer.start()
    counts = []
    deadline = time.monotonic() + 120
    while True:
        finished = not writer.is_alive()
        with RunStore(path, create=False) as store:
            runs = store.runs()
            counts.append(len(runs))
            back = store.get(int(runs["id"].iloc[-1]))
            assert len(back.schedule) == len(record.schedule)
        if finished:
            break
        assert time.monotonic() < deadline, "the writer never finished"
    writer.join(timeout=60)
    assert writer.exitcode == 0
    assert counts == sorted(counts) and counts[-1] == 101
    assert len({count for count in counts if 1 < count < 101}) > 2, "read only before or after"


def test_a_store_refusal_is_a_usage_error_not_a_change(tmp_path: Path) -> None:
    newer = tmp_path / "runs.sqlite"
    with RunStore(newer):
        pass
    connection = sqlite3.connect(newer)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    before = digest(newer)
    for create in (True, False):
        with pytest.raises(UsageError, match="schema version 99 is newer"):
            RunStore(newer, create=create)
    assert digest(newer) == before
