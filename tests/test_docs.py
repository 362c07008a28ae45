"""The README documents every table and column a scenario has, and every summary key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner import load_scenario, plan_scenario
from planner.scenario.tables import SCENARIO_TABLES, TableSpec

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", SCENARIO_TABLES, ids=lambda spec: spec.name)
def test_readme_documents_every_column(spec: TableSpec) -> None:
    assert f"### {spec.name}" in README or f", {spec.name}" in README
    missing = [column for column in spec.columns if f"`{column}`" not in README]
    assert missing == []


def test_readme_names_every_summary_key() -> None:
    summary = plan_scenario(load_scenario(ROOT / "scenarios" / "tiny")).summary()
    missing = [key for key in summary if f"`{key}`" not in README]
    assert missing == []
    json.dumps(summary)  # the contract is JSON: nothing in it may need a custom encoder


def test_quick_start_is_two_commands() -> None:
    quick_start = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(quick_start) == 2
    assert "planner run scenarios/western_balkans_2022" in quick_start[0]
    assert quick_start[1].endswith("pytest")
    assert quick_start[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_lists_every_command() -> None:
    from planner.cli import app

    names = [command.name or (command.callback.__name__ if command.callback else "")
             for command in app.registered_commands]
    missing = [name for name in names if f"`planner {name}" not in README]
    assert names and missing == []
