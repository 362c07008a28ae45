"""Fixtures shared across the test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.scenario.read import load_scenario
from planner.scenario.schema import Scenario
from planner.scenario.write_workbook import write_workbook

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TINY = SCENARIOS / "tiny"


# --- the tiny scenario: loaded once, or copied for a test to edit ------------------------------


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    """scenarios/tiny, loaded (read-only: Scenario is frozen)."""
    return load_scenario(TINY)


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    """A copy of scenarios/tiny that a test may edit."""
    return Path(shutil.copytree(TINY, tmp_path / "tiny"))


@pytest.fixture
def tiny_workbook(tmp_path: Path, tiny: Scenario) -> Path:
    """scenarios/tiny written as tiny.xlsx, for a test to edit."""
    path = tmp_path / "tiny.xlsx"
    write_workbook(path, tiny)
    return path


# --- fixtures for other test modules go below this line ---------------------------------------


@pytest.fixture(autouse=True)
def _run_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test records its runs in a store of its own, never in the working folder."""
    path = tmp_path_factory.mktemp("store") / "runs.sqlite"
    monkeypatch.setenv("PLANNER_STORE", str(path))
    return path
