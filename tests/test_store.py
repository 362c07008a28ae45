"""The run store: exact round trips, ids never reused, listing, refusals and concurrent writers."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pandas as pd
import pytest

from planner import Scenario, SolveOptions, plan_scenario
from planner.errors import UsageError
from planner.plan.plan import SCHEDULE_COLUMNS, SHORTFALL_COLUMNS
from planner.runs.records import RunRecord, record_plan
from planner.runs.store import DEFAULT_STORE, STORE_SCHEMA_VERSION, RunStore, store_path

from builders import as_older_store

WORKERS = 2
RUNS_EACH = 15


@pytest.fixture(scope="module")
def whole(tiny: Scenario) -> RunRecord:
    """The tiny scenario planned in whole units, not yet stored."""
    return record_plan(plan_scenario(tiny), source="scenarios/tiny")


@pytest.fixture(scope="module")
def lp(tiny: Scenario) -> RunRecord:
    """The tiny scenario's linear relaxation, with marginal values, as a variant."""
    options = SolveOptions(relax=True)
    return record_plan(plan_scenario(tiny, options), variant="relaxed",
                       changes=("units: fractional",), options=options)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    with RunStore(tmp_path / "runs.sqlite") as opened:
        yield opened


def assert_same_run(stored: RunRecord, original: RunRecord) -> None:
    """Everything recorded comes back equal: fields, mappings and tables with their dtypes."""
    for name in ("scenario_name", "scenario_hash", "variant", "changes", "options", "status",
                 "objective", "summary", "inputs", "created", "source"):
        assert getattr(stored, name) == getattr(original, name), name
    pd.testing.assert_frame_equal(stored.schedule, original.schedule)
    pd.testing.assert_frame_equal(stored.shortfalls, original.shortfalls)
    if original.marginal_values is None:
        assert stored.marginal_values is None
    else:
        assert stored.marginal_values is not None
        pd.testing.assert_frame_equal(stored.marginal_values, original.marginal_values)


def test_a_version_3_store_reads_without_descriptions_and_gains_the_column_when_written(
    tmp_path: Path, whole: RunRecord,
) -> None:
    path = tmp_path / "runs.sqlite"
    described = replace(whole, variant="busy", description="twice the arrivals")
    with RunStore(path) as store:
        assert store.get(store.record(described).id or 0).description == "twice the arrivals"
    # As the planner before descriptions left it.
    before = as_older_store(path, 3, "ALTER TABLE runs DROP COLUMN description")
    with RunStore(path, create=False) as store:
        old = store.get(1)
    assert (old.variant, old.description) == ("busy", "")
    assert path.read_bytes() == before  # reading changed nothing
    with RunStore(path) as store:
        again = store.record(described)
        assert store.get(again.id or 0).description == "twice the arrivals"
        assert store.get(1).description == ""
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION
    connection.close()


# --- where the store is --------------------------------------------------------------------------


def test_store_path_is_explicit_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PLANNER_STORE", raising=False)
    assert store_path() == DEFAULT_STORE == Path("planner-runs.sqlite")
    monkeypatch.setenv("PLANNER_STORE", str(tmp_path / "env.sqlite"))
    assert store_path() == tmp_path / "env.sqlite"
    assert store_path(tmp_path / "given.sqlite") == tmp_path / "given.sqlite"
    assert store_path(str(tmp_path / "given.sqlite")) == tmp_path / "given.sqlite"


def test_opening_creates_folders_a_wal_file_and_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "runs.sqlite"
    with RunStore(path) as store:
        assert store.runs().empty
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    connection.close()
    assert {"runs", "schedule", "shortfalls", "marginal_values"} <= tables
    with RunStore(path) as store:  # reopening an existing store changes nothing
        assert store.runs().empty


# --- round trips ---------------------------------------------------------------------------------


def test_a_whole_unit_run_comes_back_exactly(store: RunStore, whole: RunRecord) -> None:
    assert whole.id is None
    stored = store.record(whole)
    assert stored.id == 1
    assert stored.schedule is whole.schedule and stored.created == whole.created
    back = store.get(1)
    assert back.id == 1
    assert back.label == "#1 base"
    assert back.coverage_per_cent == whole.coverage_per_cent
    assert_same_run(back, whole)
    assert back.schedule["period_start"].iloc[0] == date(2024, 1, 1)


def test_an_lp_run_keeps_its_marginal_values(store: RunStore, lp: RunRecord) -> None:
    assert lp.marginal_values is not None and not lp.marginal_values.empty
    run_id = store.record(lp).id
    assert run_id is not None
    back = store.get(run_id)
    assert back.label == f"#{run_id} relaxed"
    assert back.changes == ("units: fractional",)
    assert back.options["relax"] is True
    assert_same_run(back, lp)


def test_a_run_without_a_plan_keeps_its_empty_tables(store: RunStore, whole: RunRecord) -> None:
    failed = replace(whole, status="infeasible", objective=None,
                     schedule=pd.DataFrame(columns=SCHEDULE_COLUMNS),
                     shortfalls=pd.DataFrame(columns=SHORTFALL_COLUMNS))
    run_id = store.record(failed).id
    assert run_id is not None
    back = store.get(run_id)
    assert back.objective is None
    assert_same_run(back, failed)


def test_tables_with_other_columns_are_refused(store: RunStore, whole: RunRecord) -> None:
    with pytest.raises(ValueError, match="schedule: columns"):
        store.record(replace(whole, schedule=whole.schedule.drop(columns="cost")))
    assert store.runs().empty  # nothing half-written


def test_result_tables_are_plain_sql(tmp_path: Path, whole: RunRecord) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run_id = store.record(whole).id
    connection = sqlite3.connect(path)
    try:
        rows, cost, first = connection.execute(
            "SELECT COUNT(*), SUM(cost), MIN(period_start) FROM schedule WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        status, coverage = connection.execute(
            "SELECT status, coverage_per_cent FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
    finally:
        connection.close()
    assert rows == len(whole.schedule)
    assert cost == pytest.approx(whole.schedule["cost"].sum())
    assert first == "2024-01-01"
    assert (status, coverage) == ("optimal", whole.coverage_per_cent)


# --- ids and listing -----------------------------------------------------------------------------


def test_ids_increase_and_nothing_is_overwritten(tmp_path: Path, whole: RunRecord,
                                                 lp: RunRecord) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        first, second = store.record(whole), store.record(lp)
        again = store.record(first)  # recording a stored run adds a copy under a new id
        assert (first.id, second.id, again.id) == (1, 2, 3)
        assert_same_run(store.get(1), whole)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("DELETE FROM runs WHERE id = 3")
    connection.close()
    with RunStore(path) as store:
        assert store.record(whole).id == 4  # a deleted run's id is not reused
        assert list(store.runs()["id"]) == [1, 2, 4]
        assert_same_run(store.get(2), lp)


def test_runs_lists_newest_last(store: RunStore, whole: RunRecord, lp: RunRecord) -> None:
    other = replace(whole, scenario_name="other")
    for record in (whole, lp, other, whole):
        store.record(record)
    listing = store.runs()
    assert list(listing.columns) == ["id", "created", "scenario_name", "variant", "status",
                                     "objective", "coverage_per_cent", "scenario_hash"]
    assert list(listing["id"]) == [1, 2, 3, 4]
    assert list(listing["scenario_name"]) == ["tiny", "tiny", "other", "tiny"]
    assert listing["variant"].tolist() == [None, "relaxed", None, None]
    assert listing["objective"].iloc[0] == whole.objective
    assert listing["scenario_hash"].iloc[0] == whole.scenario_hash
    assert listing["coverage_per_cent"].iloc[1] == lp.coverage_per_cent
    assert list(store.runs(scenario="tiny")["id"]) == [1, 2, 4]
    assert list(store.runs(limit=2)["id"]) == [3, 4]
    assert list(store.runs(scenario="tiny", limit=2)["id"]) == [2, 4]
    assert store.runs(scenario="nowhere").empty


def test_resolve_takes_numbers_and_last(store: RunStore, whole: RunRecord) -> None:
    with pytest.raises(UsageError, match=r"no runs in .*runs\.sqlite yet"):
        store.resolve("last")
    for _ in range(3):
        store.record(whole)
    assert store.resolve("2") == 2
    assert store.resolve("#2") == 2
    assert store.resolve(" last ") == 3
    assert store.resolve("latest") == 3
    assert store.resolve("last-2") == 1
    with pytest.raises(UsageError, match="holds 3 runs: there is no 'last-3'"):
        store.resolve("last-3")
    with pytest.raises(UsageError, match="run 7 is not in"):
        store.resolve("#7")
    for ref in ("", "first", "1.5", "-1", "last+1"):
        with pytest.raises(UsageError, match="does not name a run"):
            store.resolve(ref)


def test_an_unknown_run_names_the_id_and_the_store(tmp_path: Path, whole: RunRecord) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        store.record(whole)
        with pytest.raises(UsageError) as caught:
            store.get(42)
    assert str(caught.value) == f"run 42 is not in {path}"


# --- refusals ------------------------------------------------------------------------------------


def test_a_newer_store_is_refused(tmp_path: Path, whole: RunRecord) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        store.record(whole)
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(UsageError, match=rf"{re.escape(path.name)}: run store schema version "
                                         rf"{STORE_SCHEMA_VERSION + 1} is newer"):
        RunStore(path)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all, " * 100)
    with pytest.raises(UsageError, match=r"notes\.sqlite: not a usable run store"):
        RunStore(text)
    other = tmp_path / "other.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE runs (name TEXT)")
    connection.close()
    with pytest.raises(UsageError, match=r"other\.sqlite: an SQLite database, but not a run"):
        RunStore(other)
    with pytest.raises(UsageError, match="cannot open the run store"):
        RunStore(tmp_path)  # a folder


# --- several processes at once -------------------------------------------------------------------


def record_many(path: str, record: RunRecord, worker: int, start: Barrier) -> None:
    """Record RUNS_EACH copies of ``record``, each named by worker and number, as fast as it can.

    Runs in a spawned process: it opens the store itself (as a second ``planner run``
    would) and waits at ``start`` so that every worker writes at the same time.
    """
    with RunStore(path) as store:
        start.wait(timeout=60)
        for number in range(RUNS_EACH):
            store.record(replace(record, variant=f"w{worker}-{number}"))
            store.runs(limit=1)  # and read while the others write


def test_processes_writing_at_once_lose_nothing(tmp_path: Path, whole: RunRecord) -> None:
    path = tmp_path / "shared" / "runs.sqlite"
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    workers = [context.Process(target=record_many, args=(str(path), whole, worker, start))
               for worker in range(WORKERS)]
    began = time.monotonic()
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0] * WORKERS, "a worker failed"
    assert time.monotonic() - began < 120

    with RunStore(path) as store:
        listing = store.runs()
        assert len(listing) == WORKERS * RUNS_EACH
        assert listing["id"].is_unique
        assert set(listing["variant"]) == {f"w{worker}-{number}" for worker in range(WORKERS)
                                           for number in range(RUNS_EACH)}
        for run_id in listing["id"]:
            back = store.get(int(run_id))
            assert len(back.schedule) == len(whole.schedule)
            assert len(back.shortfalls) == len(whole.shortfalls)
        assert_same_run(store.get(int(listing["id"].iloc[-1])),
                        replace(whole, variant=listing["variant"].iloc[-1]))


def test_looking_at_a_store_keeps_the_locks_this_process_holds(tmp_path: Path) -> None:
    # POSIX locks belong to a process: closing any handle on the file drops them all. Were
    # the store looked at as a plain file while a connection here has it open, another
    # process closing its connection would think itself the last, checkpoint and delete
    # the write-ahead log under that connection, and the file would be corrupted (as a
    # server's requests once did to its workers' store). It is only looked at through
    # SQLite.
    import subprocess
    import sys

    from planner.runs.store import check_store

    path = tmp_path / "runs.sqlite"
    with RunStore(path) as holder:
        holder.add_job({"scenario": "x"})
        assert check_store(path, create=False)
        with RunStore(path, create=False) as reader:
            assert reader.job(1) is not None
        subprocess.run([sys.executable, "-c",
                        f"import sqlite3; c = sqlite3.connect({str(path)!r}); "
                        "c.execute('SELECT COUNT(*) FROM jobs').fetchall(); c.close()"],
                       check=True, timeout=60)
        assert Path(f"{path}-wal").exists()  # still ours: nobody took it away
        holder.add_job({"scenario": "y"})
    with RunStore(path, create=False) as store:
        assert [job.request["scenario"] for job in store.jobs()] == ["y", "x"]
