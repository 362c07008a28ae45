"""The command line end to end: outputs, exit codes, error text and the summary contract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner import cli
from planner.errors import ExitCode

from builders import invoke

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"

SUMMARY_KEYS = {
    "schema_version", "planner_version", "scenario", "status", "stopped_by", "termination",
    "conflicts", "units",
    "objective", "bound", "gap", "costs", "coverage", "deployments", "by_kind", "by_section",
    "by_language", "cost_by_contributor", "replanning", "model", "solver", "timings_seconds",
    "robust",
}


@pytest.fixture
def broken_tiny(tmp_path: Path) -> Path:
    """The tiny scenario with problems in two files."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    forecast = folder / "forecast.csv"
    forecast.write_text(forecast.read_text().replace("A,2,X,20", "Z,2,X,-20"))
    contributions = folder / "contributions.csv"
    contributions.write_text(contributions.read_text().replace("de-guards,Germany,3,guard,3",
                                                               "de-guards,Germany,3,guard,x"))
    return folder


def test_run_writes_the_five_outputs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    assert invoke(monkeypatch, "run", str(TINY), "--out", str(out)) == ExitCode.OK
    assert sorted(path.name for path in out.iterdir()) == [
        "explanations.csv", "plan.xlsx", "schedule.csv", "shortfalls.csv", "summary.json"
    ]
    printed = capsys.readouterr().out
    assert "tiny: optimal, objective 770.00" in printed
    assert "Largest shortfalls (2 in all)" in printed

    schedule = pd.read_csv(out / "schedule.csv")
    assert {"period_start", "period_end", "section_id", "kind_id", "contribution_id",
            "contributor", "quantity"} <= set(schedule.columns)
    assert schedule["quantity"].sum() == pytest.approx(5 + 6 + 6)
    shortfalls = pd.read_csv(out / "shortfalls.csv")
    assert shortfalls["shortfall"].sum() == pytest.approx(4)

    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == SUMMARY_KEYS
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(770)
    assert summary["units"] == "whole"
    assert summary["gap"] == pytest.approx(0, abs=1e-9)
    assert summary["scenario"]["hash"] == (
        "53f1e6710157655c36cc22f2d6762ed4b64f20f21b7a31a5a68a0fe33051f4ee"
    )
    assert summary["model"] == {"variables": 33, "constraints": 28, "nonzeros": 72,
                                "integers": 18}
    assert {row["section_id"]: row["coverage_per_cent"] for row in summary["by_section"]} == (
        pytest.approx({"A": 100.0, "B": 100 * 2 / 3})
    )
    assert not (out / "marginal_values.csv").exists()
    sheets = pd.read_excel(out / "plan.xlsx", sheet_name=None)
    assert {"summary", "schedule", "shortfalls", "by_kind", "by_section"} <= set(sheets)
    assert len(sheets["schedule"]) == len(schedule)


def test_rerun_replaces_an_earlier_plan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert invoke(monkeypatch, "run", str(TINY), "--out", str(out)) == ExitCode.OK
    (out / "schedule.csv").write_text("stale")
    assert invoke(monkeypatch, "run", str(TINY), "--out", str(out)) == ExitCode.OK
    assert (out / "schedule.csv").read_text().startswith("period,")
    assert [path.name for path in tmp_path.iterdir()] == ["plan"]


def test_run_refuses_a_folder_of_other_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    assert invoke(monkeypatch, "run", str(TINY), "--out", str(tmp_path)) == ExitCode.BAD_INPUT
    assert "folder is not empty and holds no earlier plan" in capsys.readouterr().err
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_bad_scenario_exits_2_naming_every_problem_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, broken_tiny: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "plan"
    assert invoke(monkeypatch, "run", str(broken_tiny), "--out", str(out)) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "2 problems found" in err
    assert "forecast.csv, row 3, field 'arrivals': Input should be greater than or equal to 0" in (
        err
    )
    assert "forecast.csv, row 3, field 'section_id'" not in err  # the row failed on its own first
    assert "contributions.csv, row 3, field 'quantity': Input should be a valid integer" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_unknown_section_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    forecast = folder / "forecast.csv"
    forecast.write_text(forecast.read_text().replace("A,2,X,20", "Z,2,X,20"))
    assert invoke(monkeypatch, "validate", str(folder)) == ExitCode.BAD_INPUT
    assert "forecast.csv, row 3, field 'section_id': unknown section 'Z'" in (
        capsys.readouterr().err
    )


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, broken_tiny: Path) -> None:
    from planner.errors import ScenarioError

    monkeypatch.setattr("sys.argv", ["planner", "--debug", "validate", str(broken_tiny)])
    with pytest.raises(ScenarioError):
        cli.main()


def test_validate_and_requirements(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "validate", str(TINY)) == ExitCode.OK
    assert "valid (2 sections" in capsys.readouterr().out
    needs = tmp_path / "needs.csv"
    assert invoke(monkeypatch, "requirements", str(TINY), "--out", str(needs)) == ExitCode.OK
    assert "Peak need per period by section and kind" in capsys.readouterr().out
    table = pd.read_csv(needs)
    assert len(table) == 12
    assert table.loc[table["item_type"] == "language", "required"].tolist() == [1, 2, 4]


def test_schema_prints_json_schema(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "schema") == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    assert {"sections", "forecast", "contributions", "kinds"} <= set(document["properties"])
    assert document["$defs"]["KindClass"]["enum"] == [
        "officer", "vehicle", "interpreter"
    ]


def test_missing_path_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(tmp_path / "nowhere")) == ExitCode.BAD_INPUT
    assert "no such file or folder" in capsys.readouterr().err


def test_json_summary(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--json") == ExitCode.OK
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) == SUMMARY_KEYS
    assert summary["costs"] == {"deployment_cost": 220, "start_cost": 0,
                                "shortfall_penalty": 100, "language_penalty": 450,
                                "remote_interpretation": 0, "change_cost": 0}


def test_relax_writes_marginal_values(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert invoke(monkeypatch, "run", str(TINY), "--relax", "--out", str(out)) == ExitCode.OK
    values = pd.read_csv(out / "marginal_values.csv")
    assert list(values.columns) == ["period", "period_start", "period_end", "section_id",
                                    "item_type", "item_id", "required", "marginal_value"]
    assert len(values) == 12
    assert json.loads((out / "summary.json").read_text())["units"] == "fractional"


def test_hard_conflict_exits_3_with_a_diagnosis_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    (folder / "running_deployments.csv").write_text(
        "contribution_id,section_id,quantity,until\nde-guards,A,3,2024-01-02\n"
        "interpreters,A,1,2024-01-01\n"
    )
    out = tmp_path / "plan"
    assert invoke(monkeypatch, "run", str(folder), "--out", str(out)) == ExitCode.INFEASIBLE
    err = capsys.readouterr().err
    assert "the hard rules cannot all hold; these conflict:" in err
    assert ("section 'A' has 3 beds for deployed personnel in period 1 (2024-01-01 to "
            "2024-01-01)") in err
    assert "running deployment: 3 units of pledge 'de-guards' stay at section 'A'" in err
    assert "Traceback" not in err
    assert not out.exists()
