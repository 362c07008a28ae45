"""Test helpers: small scenarios built inline, and the command line run in-process."""

from __future__ import annotations

import contextlib
import csv
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from planner import cli
from planner.files.cells import FORMULA_TRIGGERS
from planner.scenario.schema import Scenario

SETTINGS: dict[str, Any] = {
    "meta": {"name": "case", "operation": "JO Test"},
    "horizon": {"start": "2024-01-01", "period": "day", "periods": 1},
    "language_penalty": {"low": 50, "medium": 100, "high": 150, "critical": 300},
}


def section(id: str, impact: str = "high", beds: int | None = None, **extra: Any) -> dict:
    return {"id": id, "name": f"Section {id}", "host_country": "Examplia",
            "border_type": extra.pop("border_type", "land"), "impact_level": impact,
            "beds": beds, **extra}


def contribution(id: str, kind: str, quantity: int, daily_cost: float, **extra: Any) -> dict:
    category = extra.pop("category", "1")
    default = "Examplia" if category == "host" else "Frontex"
    return {"id": id, "contributor": extra.pop("contributor", default),
            "category": category, "kind_id": kind, "quantity": quantity,
            "daily_cost": daily_cost, **extra}


def rule(kind: str, minimum: float = 0, per_arrival: float = 0, **extra: Any) -> dict:
    return {"kind_id": kind, "min_low": minimum, "min_medium": minimum, "min_high": minimum,
            "min_critical": minimum, "per_arrival": per_arrival, **extra}


def penalty(kind: str, value: float, **levels: float) -> dict:
    return {"kind_id": kind, **{level: levels.get(level, value)
                                for level in ("low", "medium", "high", "critical")}}


GUARD = {"id": "guard", "name": "Guard", "class": "officer"}
INTERPRETER = {"id": "interpreter", "name": "Interpreter", "class": "interpreter"}


def scenario(**tables: Any) -> Scenario:
    """A scenario from the shared settings plus the given tables (and setting overrides)."""
    document: dict[str, Any] = {key: dict(value) for key, value in SETTINGS.items()}
    for key, value in tables.items():
        if key in SETTINGS:
            document[key] = {**document[key], **value}
        else:
            document[key] = value
    document.setdefault("kinds", [GUARD])
    return Scenario.model_validate(document)


def beds_conflict() -> Scenario:
    """Four units already running where there are three beds: no plan can hold them."""
    return scenario(
        sections=[section("A", beds=3)],
        requirement_rules=[rule("guard", minimum=1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("c", "guard", 5, 10)],
        running_deployments=[{"contribution_id": "c", "section_id": "A", "quantity": 4,
                              "until": "2024-01-01"}],
    )


def capped_reserve() -> Scenario:
    """Ten days at A needing 3 guards: an agency unit of 4 days a year, then the reserve.

    The agency unit's cap makes it exhausted once spent, so the reserve's gate waits for
    the cap as well as for the unit (every family of the reserve rule has rows).
    """
    return scenario(
        horizon={"periods": 10},
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=3)],
        penalties=[penalty("guard", 1000)],
        contributions=[contribution("agency", "guard", 1, 50, annual_cap_days=4),
                       contribution("reserve", "guard", 5, 10, category="4")],
        rapid_interventions=[{"section_id": "A", "decision_date": "2024-01-01"}],
    )


def problems(path: Path, read: Callable[[Path], object] | None = None) -> list[str]:
    """Every problem reading ``path`` (with ``read``, a scenario by default) reports."""
    from planner.errors import ScenarioError
    from planner.scenario.read import load_scenario

    with pytest.raises(ScenarioError) as caught:
        (read or load_scenario)(path)
    return [str(problem) for problem in caught.value.problems]


def invoke(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """Run ``planner ARGS`` in-process and return its exit code."""
    monkeypatch.setattr("sys.argv", ["planner", *args])
    monkeypatch.setitem(cli._state, "debug", False)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    code = stopped.value.code
    return int(code) if code is not None else 0


@contextlib.contextmanager
def within(seconds: int) -> Iterator[None]:
    """Fail the block if it runs longer than ``seconds`` (it hangs)."""
    def stop(signum: int, frame: object) -> None:
        raise AssertionError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_inert(*roots: Path) -> int:
    """No CSV or workbook cell under ``roots`` is one a spreadsheet would run; cells checked."""
    checked = 0
    for root in roots:
        paths = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in paths:
            if path.suffix == ".csv":
                with path.open(encoding="utf-8", newline="") as file:
                    for number, row in enumerate(csv.reader(file), start=1):
                        live = [cell for cell in row
                                if cell.startswith(FORMULA_TRIGGERS) and not _number(cell)]
                        assert not live, f"{path.name} row {number}: {live}"
                        checked += len(row)
            elif path.suffix == ".xlsx":
                book = load_workbook(path, data_only=False)
                for sheet in book.worksheets:
                    for row in sheet.iter_rows():
                        for cell in row:
                            assert cell.data_type != "f", (
                                f"{path.name} {sheet.title}!{cell.coordinate}: {cell.value}")
                            checked += 1
    return checked


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def units_by_cohorts(deployments: pd.DataFrame) -> dict[tuple[str, str, int], int]:
    """Units of each pledge at each section and period, added up from its cohorts."""
    units: dict[tuple[str, str, int], int] = {}
    for row in deployments.itertuples():
        for period in range(row.first_period, row.last_period + 1):
            key = (row.contribution_id, row.section_id, period)
            units[key] = units.get(key, 0) + row.quantity
    return units


def units_scheduled(schedule: pd.DataFrame) -> dict[tuple[str, str, int], int]:
    """Units of each pledge at each section and period in a whole-unit schedule."""
    return {(row.contribution_id, row.section_id, row.period): round(row.quantity)
            for row in schedule.itertuples()}


def as_older_store(path: Path, version: int, *statements: str) -> bytes:
    """Turn the run store at ``path`` into one an older planner left: run ``statements``,
    set its schema ``version``, fold the WAL into the file and remove it; return the bytes.
    """
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {version}")
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path.read_bytes()


@contextlib.contextmanager
def served(store: Path, folder: Path, *arguments: str) -> Iterator[str]:
    """``planner serve`` of ``store`` on a free localhost port, run from ``folder``; yields
    its base address once it answers, and stops it (as Ctrl-C does) afterwards."""
    import httpx2 as httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", "--port", str(port), "--store", str(store),
         *arguments], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("the server did not come up in 60 s") from None
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
