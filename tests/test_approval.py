"""Approvals and revisions in the run store, and the export bundle of an approved plan."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from planner.contract.bundle import validate_contract
from planner.errors import ExitCode
from planner.runs.store import STORE_SCHEMA_VERSION, RunStore, store_path

from builders import as_older_store, invoke

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
CHEAPER_GERMANS = "contributions.de-guards.daily_cost=5"
"""German guards at 5 a day instead of 20, below the agency's 10: they take the agency
guards' places at A (one from day 1, a second on day 3), and the objective falls by 4 x 5
to 750."""


def approve(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    assert invoke(monkeypatch, "approve", *args) == ExitCode.OK


def exported(monkeypatch: pytest.MonkeyPatch, ref: str, out: Path) -> dict:
    assert invoke(monkeypatch, "export", ref, "--out", str(out)) == ExitCode.OK
    return json.loads((out / "deployments.json").read_text(encoding="utf-8"))


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_approving_makes_revisions_and_supersedes_the_last(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    approve(monkeypatch, "last", "--note", "board of 2 December")
    assert "run #1 is revision 1 of JO Example" in capsys.readouterr().out
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0", "--set",
                  CHEAPER_GERMANS) == ExitCode.OK
    approve(monkeypatch, "last")
    out = capsys.readouterr().out
    assert "run #2 is revision 2 of JO Example" in out
    assert "revision 1 is superseded" in out
    assert invoke(monkeypatch, "revisions") == ExitCode.OK
    listing = capsys.readouterr().out
    assert "superseded" in listing and "approved" in listing
    assert "board of 2 December" in listing
    assert "│ base " in listing and "nan" not in listing
    with RunStore(store_path(), create=False) as store:
        revisions = store.revisions()
    assert revisions[["revision", "status", "run_id"]].values.tolist() == [
        [1, "superseded", 1], [2, "approved", 2]]
    assert revisions["objective"].tolist()[0] == pytest.approx(770.0)


def test_a_revision_carries_its_changes_as_a_delta_with_ids_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    approve(monkeypatch, "last")
    first = exported(monkeypatch, "approved", tmp_path / "rev1")
    assert first["revision"] == 1 and first["changes_against"] is None
    assert first["approved_at"] is not None
    assert {change["change"] for change in first["changes"]} == {"added"}
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0", "--set",
                  CHEAPER_GERMANS) == ExitCode.OK
    approve(monkeypatch, "last")
    second = exported(monkeypatch, "approved", tmp_path / "rev2")
    validate_contract(second)
    assert second["revision"] == 2 and second["changes_against"] == 1
    before = {d["deployment_id"]: d for d in first["deployments"]}
    after = {d["deployment_id"]: d for d in second["deployments"]}
    changes = {change["deployment_id"]: change for change in second["changes"]}
    # The agency's guards at A (one from day 1 to 3, one more on day 3) give way to German
    # guards arriving and leaving alike.
    cancelled = [c["deployment"] for c in changes.values() if c["change"] == "cancelled"]
    added = [c["deployment"] for c in changes.values() if c["change"] == "added"]
    shape = [(d["section_id"], d["arrive"], d["leave"], d["quantity"]) for d in cancelled]
    assert {d["contribution_id"] for d in cancelled} == {"agency-guards"}
    assert {d["contribution_id"] for d in added} == {"de-guards"}
    assert shape == [(d["section_id"], d["arrive"], d["leave"], d["quantity"]) for d in added]
    assert len(shape) == 2 and {q for *_, q in shape} == {1}
    assert all(c["sequence"] == 1 for c in changes.values() if c["change"] == "cancelled")
    kept = before.keys() & after.keys()
    assert kept == before.keys() - {d["deployment_id"] for d in cancelled}
    assert all(after[i]["sequence"] == before[i]["sequence"] for i in kept
               if i not in changes)
    rows = (tmp_path / "rev2" / "changes.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == ("deployment_id,change,sequence,field,before,after,contribution_id,"
                       "contributor,section_id,arrive")
    assert len(rows) == 1 + len(second["changes"])


def test_an_approved_revision_exports_byte_identically_every_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    approve(monkeypatch, "last")
    exported(monkeypatch, "approved", tmp_path / "a")
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0", "--set",
                  CHEAPER_GERMANS) == ExitCode.OK
    approve(monkeypatch, "last")
    exported(monkeypatch, "approved-1", tmp_path / "b")
    exported(monkeypatch, "#1", tmp_path / "c")  # an approved run exports as issued
    first = files_of(tmp_path / "a")
    assert first == files_of(tmp_path / "b") == files_of(tmp_path / "c")
    assert {"deployments.json", "deployments.csv", "changes.csv", "requests.xlsx"} <= set(first)
    assert any(name.startswith("calendar/") for name in first)
    assert any(name.startswith("requests/") for name in first)


def test_only_a_new_whole_unit_run_can_be_approved(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--relax") == ExitCode.OK
    capsys.readouterr()
    assert invoke(monkeypatch, "approve", "last") == ExitCode.BAD_INPUT
    assert "run #1 is not a whole-unit plan" in capsys.readouterr().err
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    approve(monkeypatch, "last")
    capsys.readouterr()
    assert invoke(monkeypatch, "approve", "last") == ExitCode.BAD_INPUT
    assert "run #2 is already revision 1 of JO Example: nothing to approve" in \
        capsys.readouterr().err
    assert invoke(monkeypatch, "export", "approved", "--out", "x",
                  "--operation", "JO Other") == ExitCode.BAD_INPUT
    assert "no approved revision of JO Other" in capsys.readouterr().err
    assert not Path("x").exists()


def test_a_version_1_store_is_read_as_it_is_and_migrated_on_approval(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    path = store_path()
    before = as_older_store(path, 1, "DROP TABLE approvals")  # as the first release left it
    capsys.readouterr()
    assert invoke(monkeypatch, "revisions") == ExitCode.OK
    assert "no approved revisions" in capsys.readouterr().out
    assert invoke(monkeypatch, "show", "last") == ExitCode.OK
    assert invoke(monkeypatch, "export", "last", "--out", str(tmp_path / "cc")) == ExitCode.OK
    assert path.read_bytes() == before  # reading changed nothing
    approve(monkeypatch, "last")
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION
    connection.close()
    assert invoke(monkeypatch, "revisions") == ExitCode.OK
    assert "approved" in capsys.readouterr().out


def test_an_export_replaces_only_a_bundle_the_planner_wrote(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    out = tmp_path / "cc"
    exported(monkeypatch, "last", out)
    exported(monkeypatch, "last", out)  # an earlier bundle is replaced
    notes = out / "calendar" / "notes.txt"
    notes.write_text("mine", encoding="utf-8")
    before = files_of(out)
    capsys.readouterr()
    assert invoke(monkeypatch, "export", "last", "--out", str(out)) == ExitCode.BAD_INPUT
    assert "folder holds files the planner did not write there; replacing it would lose " \
           "calendar/" in capsys.readouterr().err
    assert files_of(out) == before


def test_a_deployments_json_the_planner_did_not_write_is_not_replaced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "deployments.json").write_text("{}", encoding="utf-8")
    (out / "deployments.csv").write_text("their own\n", encoding="utf-8")
    capsys.readouterr()
    assert invoke(monkeypatch, "export", "last", "--out", str(out)) == ExitCode.BAD_INPUT
    assert "folder holds a deployments.json the planner did not write" in \
        capsys.readouterr().err
    assert (out / "deployments.csv").read_text(encoding="utf-8") == "their own\n"
