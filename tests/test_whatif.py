"""What-if runs end to end: comparing runs, sweeping variants, and the commands for both."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planner import SolveOptions, plan_scenario
from planner.errors import UsageError
from planner.runs.compare import compare
from planner.runs.records import RunRecord, record_plan
from planner.runs.store import RunStore
from planner.runs.sweep import choose, lanes, sweep
from planner.scenario.schema import Scenario
from planner.scenario.variants import Variant, load_study

from builders import beds_conflict, invoke

EXACT = SolveOptions(gap=0.0)


@pytest.fixture(scope="module")
def tiny_runs() -> tuple[RunRecord, RunRecord]:
    """scenarios/tiny and its variant more_beds, planned (not stored)."""
    study = load_study(Path(__file__).resolve().parents[1] / "scenarios" / "tiny")
    base = record_plan(plan_scenario(study.base, EXACT))
    applied = study.apply("more_beds")
    more = record_plan(plan_scenario(applied.scenario, EXACT), variant="more_beds",
                       changes=applied.changes)
    return base, more


def test_comparing_a_run_with_itself_shows_no_differences(
    tiny_runs: tuple[RunRecord, RunRecord],
) -> None:
    base, _ = tiny_runs
    comparison = compare([base, base])
    assert list(comparison.kpis.columns) == ["base", "base (2)"]
    assert comparison.input_changes.empty
    assert comparison.schedule_changes.empty
    for table in (comparison.kpis, comparison.shortfall_by_kind, comparison.utilisation,
                  comparison.deployed_by_contributor):
        pd.testing.assert_series_equal(table.iloc[:, 0], table.iloc[:, 1], check_names=False)


def test_comparison_shows_what_the_variant_changed_and_where(
    tiny_runs: tuple[RunRecord, RunRecord],
) -> None:
    comparison = compare(list(tiny_runs))
    kpis = comparison.kpis
    assert kpis.loc["total cost"].tolist() == [770.0, 635.0]
    assert kpis.loc["language shortfall"].tolist() == [3.0, 2.0]
    assert comparison.shortfall_by_kind.loc["guard"].tolist() == [1.0, 1.0]
    # The fourth bed goes to the second interpreter on day 3: 4 then 5 of 6 unit-days.
    assert comparison.utilisation.loc["interpreters"].tolist() == [66.67, 83.33]
    changes = comparison.input_changes
    assert changes[["run", "table", "row", "field", "before", "after"]].values.tolist() == [
        ["more_beds", "sections", "A", "beds", 3, 4]]
    schedule = comparison.schedule_changes
    assert set(schedule["period"]) == {3}
    assert schedule.set_index("contribution_id").loc["interpreters", "more_beds"] == 2.0
    assert comparison.runs["changes"].tolist() == ["", "sections.A.beds: 4"]


def test_a_run_without_a_plan_has_no_figures_in_a_comparison(
    tiny_runs: tuple[RunRecord, RunRecord], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], _run_store: Path,
) -> None:
    base, _ = tiny_runs
    failed = record_plan(plan_scenario(beds_conflict()), variant="conflict")
    assert failed.summary["conflicts"] and failed.status == "infeasible"
    comparison = compare([base, failed])
    for table in (comparison.kpis, comparison.shortfall_by_kind, comparison.utilisation,
                  comparison.deployed_by_contributor):
        assert table["conflict"].isna().all() and table["base"].notna().any()
    assert comparison.schedule_changes.empty  # nothing to differ from
    with RunStore(_run_store) as runs:
        stored = runs.record(failed)
    assert invoke(monkeypatch, "show", str(stored.id)) == 0
    assert "conflict: section 'A' has 3 beds for deployed personnel" in capsys.readouterr().out


def test_a_comparison_is_written_as_csv_and_json(tiny_runs: tuple[RunRecord, RunRecord],
                                                 tmp_path: Path) -> None:
    written = compare(list(tiny_runs)).write(tmp_path / "cmp")
    assert sorted(path.name for path in written) == sorted(
        [f"{name}.csv" for name in ("runs", "kpis", "shortfall_by_kind", "shortfall_by_section",
                                    "deployed_by_contributor", "deployed_by_category",
                                    "utilisation", "input_changes", "schedule_changes")]
        + ["comparison.json"])
    kpis = pd.read_csv(tmp_path / "cmp" / "kpis.csv", index_col="kpi")
    assert kpis.loc["total cost"].tolist() == [770.0, 635.0]
    document = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert document["kpis"][0] == {"kpi": "total cost", "base": 770.0, "more_beds": 635.0}


def test_a_comparison_folder_is_rewritten_but_a_plan_folder_is_not(
    tiny_runs: tuple[RunRecord, RunRecord], tmp_path: Path,
) -> None:
    comparison = compare(list(tiny_runs))
    comparison.write(tmp_path / "cmp")
    comparison.write(tmp_path / "cmp")  # an earlier comparison may be replaced
    plan_folder = tmp_path / "plan"
    plan_folder.mkdir()
    (plan_folder / "summary.json").write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError, match=r"holds no comparison\.json"):
        comparison.write(plan_folder)
    assert (plan_folder / "summary.json").read_text(encoding="utf-8") == "{}"


def test_a_sweep_names_each_run_once() -> None:
    assert choose({"a": Variant(name="a"), "b": Variant(name="b")}, ["b", "base", "b"]) == [
        "base", "b"]


def _broken_variant(folder: Path) -> None:
    (folder / "variants").mkdir(exist_ok=True)
    (folder / "variants" / "broken.yaml").write_text(
        "base: ..\nset:\n  contributions.nobody.quantity: 40\n", encoding="utf-8")


def test_a_sweep_stores_every_run_and_survives_a_broken_variant(tiny_folder: Path,
                                                                tmp_path: Path) -> None:
    _broken_variant(tiny_folder)
    store = tmp_path / "runs.sqlite"
    seen: list[str] = []
    outcomes = sweep(tiny_folder, ["base", "more_beds", "broken", "quiet_day3"], EXACT, store,
                     jobs=2, progress=lambda outcome: seen.append(outcome.name))
    assert [o.name for o in outcomes] == ["base", "more_beds", "broken", "quiet_day3"]
    assert sorted(seen) == sorted(o.name for o in outcomes)
    by_name = {o.name: o for o in outcomes}
    assert by_name["broken"].status == "failed"
    assert by_name["broken"].error is not None
    assert "variant 'broken', field 'set contributions.nobody.quantity': value 40: no row " \
           "'nobody' in contributions" in by_name["broken"].error
    assert [by_name[name].objective for name in ("base", "more_beds", "quiet_day3")] == [
        770.0, 635.0, 225.0]
    with RunStore(store) as runs:
        listed = runs.runs()
    assert sorted(listed["variant"].fillna("base")) == ["base", "more_beds", "quiet_day3"]
    assert sorted(listed["id"]) == sorted(o.run_id for o in outcomes if o.run_id is not None)


def test_an_infeasible_variant_is_stored_and_reported(tiny_folder: Path, tmp_path: Path
                                                     ) -> None:
    # Two units already running at A, which a variant cuts to one bed.
    (tiny_folder / "running_deployments.csv").write_text(
        "contribution_id,section_id,quantity,until\nagency-guards,A,2,2024-01-01\n",
        encoding="utf-8")
    (tiny_folder / "variants").mkdir()
    (tiny_folder / "variants" / "one_bed.yaml").write_text(
        "base: ..\nset:\n  sections.A.beds: 1\n", encoding="utf-8")
    base, one_bed = sweep(tiny_folder, ["base", "one_bed"], EXACT, tmp_path / "runs.sqlite",
                          jobs=1)
    assert base.error is None and base.status == "optimal"
    assert one_bed.status == "infeasible" and one_bed.run_id is not None
    assert one_bed.error is not None and one_bed.error.startswith(
        "no plan: the solve ended 'infeasible' (")
    assert "section 'A' has 1 beds" in one_bed.error


def test_a_parallel_sweep_keeps_runs_of_one_shape_in_one_worker(tiny_folder: Path,
                                                               tmp_path: Path) -> None:
    # quiet_day3 changes only demand: the base's shape. more_beds changes beds: another.
    names = ["base", "more_beds", "quiet_day3"]
    assert lanes(tiny_folder, names, 2) == [["base", "quiet_day3"], ["more_beds"]]
    outcomes = sweep(tiny_folder, names, EXACT, tmp_path / "runs.sqlite", jobs=2)
    assert [o.warm_start for o in outcomes] == [False, False, True]
    assert [o.objective for o in outcomes] == [770.0, 635.0, 225.0]
    _broken_variant(tiny_folder)
    assert lanes(tiny_folder, ["base", "broken", *names[1:]], 2) == [
        ["base", "quiet_day3"], ["more_beds", "broken"]]


def test_a_shape_with_more_runs_than_a_fair_share_is_split(tiny_folder: Path) -> None:
    (tiny_folder / "variants").mkdir()
    for number in range(1, 5):
        (tiny_folder / "variants" / f"busy{number}.yaml").write_text(
            f"base: ..\nscale_forecast:\n  - factor: 1.{number}\n", encoding="utf-8")
    names = ["base", "busy1", "busy2", "busy3", "busy4", "more_beds"]
    assert lanes(tiny_folder, names, 2) == [["base", "busy1", "busy2"],
                                            ["busy3", "busy4", "more_beds"]]
    assert lanes(tiny_folder, names, 1) == [["base", "busy1", "busy2", "busy3", "busy4",
                                             "more_beds"]]


def test_a_sweep_in_one_process_re_solves_warm(tiny_folder: Path, tmp_path: Path) -> None:
    outcomes = sweep(tiny_folder, ["base", "more_beds", "quiet_day3"], EXACT,
                     tmp_path / "runs.sqlite", jobs=1)
    # Each variant changes only data: after the base, the loaded model is reused.
    assert [o.warm_start for o in outcomes] == [False, True, True]
    assert [o.objective for o in outcomes] == [770.0, 635.0, 225.0]


# --- the commands -------------------------------------------------------------------------------


def test_run_variant_runs_show_and_compare_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_folder: Path,
    tmp_path: Path,
) -> None:
    folder = str(tiny_folder)
    assert invoke(monkeypatch, "run", folder) == 0
    assert "recorded run #1" in capsys.readouterr().err
    assert invoke(monkeypatch, "run", folder, "--variant", "more_beds",
                  "--set", "language_penalty.high=150") == 0
    captured = capsys.readouterr()
    assert "recorded run #2" in captured.err
    assert "changed: sections.A.beds: 4" in captured.out
    assert "objective 635.00" in captured.out

    assert invoke(monkeypatch, "runs") == 0
    listing = capsys.readouterr().out
    assert "#1" in listing and "#2" in listing and "more_beds" in listing

    assert invoke(monkeypatch, "show", "last") == 0
    shown = capsys.readouterr().out
    assert "run #2" in shown and "changed: language_penalty.high: 150" in shown

    out = tmp_path / "cmp"
    assert invoke(monkeypatch, "compare", "1", "#2", "--out", str(out)) == 0
    compared = capsys.readouterr().out
    # Whole numbers print whole; the difference from the first run stands beside them.
    kpis = next(line for line in compared.splitlines() if "total cost" in line)
    assert [cell.strip() for cell in kpis.split("│")[1:-1]] == ["total cost", "770", "635",
                                                                 "-135"]
    # README.md: the fourth bed lets a second interpreter in on day 3 (220 -> 235).
    deployed = next(line for line in compared.splitlines() if "deployment cost" in line)
    assert [cell.strip() for cell in deployed.split("│")[1:-1]] == [
        "deployment cost", "220", "235", "+15"]
    assert "Δ #2 more_beds" in compared
    assert "the same in every run, --all shows them" in compared
    assert (out / "kpis.csv").is_file() and (out / "comparison.json").is_file()
    assert list(pd.read_csv(out / "kpis.csv").columns) == ["kpi", "run_1", "run_2"]
    runs = pd.read_csv(out / "runs.csv")
    assert runs["column"].tolist() == ["run_1", "run_2"]
    assert invoke(monkeypatch, "compare", "1", "#2", "--all") == 0
    assert "the same in every run" not in capsys.readouterr().out

    assert invoke(monkeypatch, "compare", "1", "1") == 0
    same = capsys.readouterr().out
    assert "Inputs: the same in every run." in same
    assert "Schedules: the same in every run." in same


def test_show_names_a_missing_run_and_a_missing_store(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _run_store: Path,
    tiny_runs: tuple[RunRecord, RunRecord],
) -> None:
    for command in (["show", "7"], ["runs"], ["compare", "1", "2"]):
        assert invoke(monkeypatch, *command) == 2
        assert f"{_run_store}: no run store here" in capsys.readouterr().err
    assert not _run_store.exists()  # reading never creates a store
    with RunStore(_run_store) as runs:
        runs.record(tiny_runs[0])
    assert invoke(monkeypatch, "show", "7") == 2
    assert "run 7 is not in" in capsys.readouterr().err


def test_sweep_command_reports_a_failed_variant_and_stores_the_rest(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_folder: Path,
    _run_store: Path,
) -> None:
    _broken_variant(tiny_folder)
    assert invoke(monkeypatch, "sweep", str(tiny_folder), "--jobs", "1") == 1
    captured = capsys.readouterr()
    assert "error: broken: tiny: 1 problem found\n  - variant 'broken', field 'set " \
           "contributions.nobody.quantity': value 40: no row 'nobody' in contributions" \
           in captured.err
    for name in ("base", "more_beds", "quiet_day3"):
        assert name in captured.out
    with RunStore(_run_store) as runs:
        assert len(runs.runs()) == 3


def test_variants_lists_every_variant_and_says_which_do_not_apply(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_folder: Path,
) -> None:
    _broken_variant(tiny_folder)
    assert invoke(monkeypatch, "variants", str(tiny_folder / "variants" / "broken.yaml")) == 2
    captured = capsys.readouterr()
    for name in ("more_beds", "quiet_day3", "broken"):
        assert name in captured.out
    assert "sections.A.beds: 4" in captured.out
    assert "error: broken: tiny: 1 problem found" in captured.err
    assert "1 of 3 variants do not apply: broken" in captured.err


def test_a_bad_variant_on_the_command_line_is_an_input_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny: Scenario,
    tiny_folder: Path,
) -> None:
    assert invoke(monkeypatch, "run", str(tiny_folder), "--set",
                  "contributions.nobody.quantity=3") == 2
    assert "variant '--set', field 'set contributions.nobody.quantity': value 3: no row " \
           "'nobody' in contributions" in capsys.readouterr().err
    assert invoke(monkeypatch, "run", str(tiny_folder), "--variant", "nope") == 2
    assert "no variant 'nope' (variants: more_beds, quiet_day3)" in capsys.readouterr().err


def test_variants_compose_on_the_command_line_and_in_a_sweep(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_folder: Path,
    _run_store: Path,
) -> None:
    folder = str(tiny_folder)
    # Repeated or comma-separated: either way quiet_day3 then more_beds (225, worked out
    # in tests/test_variants.py).
    for arguments in (["-w", "quiet_day3", "-w", "more_beds"],
                      ["--variant", "quiet_day3,more_beds"]):
        assert invoke(monkeypatch, "run", folder, *arguments) == 0
        out = capsys.readouterr().out
        assert "objective 225.00" in out
        assert "quiet_day3: forecast x0.5 (periods 3-3: 1 rows)" in out
        assert "more_beds: sections.A.beds: 4" in out
    assert invoke(monkeypatch, "sweep", folder, "--variants", "more_beds+quiet_day3",
                  "--jobs", "1") == 0
    capsys.readouterr()
    with RunStore(_run_store, create=False) as runs:
        listed = runs.runs()
        assert listed["variant"].tolist() == ["quiet_day3+more_beds"] * 2 + [
            None, "more_beds+quiet_day3"]
        assert listed["objective"].tolist() == [225.0, 225.0, 770.0, 225.0]
        composed = runs.get(int(listed["id"].iloc[-1]))
    assert composed.description == (
        "more_beds: A fourth bed at A (README.md works out the optimum, 635).\n"
        "quiet_day3: Half the arrivals on day 3 (README.md works out the optimum, 225).")
    assert invoke(monkeypatch, "show", "last") == 0
    shown = capsys.readouterr().out
    assert "variant: more_beds: A fourth bed at A" in shown
    assert "variant: quiet_day3: Half the arrivals" in shown
