"""The command centres' contract: deployments.json valid against its published schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from planner.contract.bundle import (
    CONTRACT_ID,
    CONTRACT_VERSION,
    contract_schema,
    validate_contract,
)
from planner.errors import ExitCode

from builders import invoke

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def exported(monkeypatch: pytest.MonkeyPatch, out: Path) -> dict:
    assert invoke(monkeypatch, "export", "last", "--out", str(out)) == ExitCode.OK
    return json.loads((out / "deployments.json").read_text(encoding="utf-8"))


def test_an_export_validates_against_the_published_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    capsys.readouterr()
    assert invoke(monkeypatch, "contract-schema") == ExitCode.OK
    schema = json.loads(capsys.readouterr().out)
    assert schema["$id"] == CONTRACT_ID and CONTRACT_VERSION in CONTRACT_ID
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    contract = exported(monkeypatch, tmp_path / "cc")
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(contract)
    assert contract["schema_version"] == CONTRACT_VERSION
    assert contract["operation"] == "JO Example"
    assert contract["revision"] is None and contract["approved_at"] is None
    assert contract["timezone"] == "UTC" and contract["changes_against"] is None
    assert sorted(path.name for path in (tmp_path / "cc").iterdir()) == [
        "calendar", "changes.csv", "deployments.csv", "deployments.json", "requests",
        "requests.xlsx"]
    assert sorted(path.name for path in (tmp_path / "cc" / "requests").iterdir()) == [
        "AT.csv", "EX.csv", "FX.csv"]  # Germany is not asked: its guards cost most


def test_exporting_twice_gives_byte_identical_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    exported(monkeypatch, tmp_path / "first")
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK  # a new run id
    exported(monkeypatch, tmp_path / "second")
    first, second = (json.loads((tmp_path / name / "deployments.json").read_text())
                     for name in ("first", "second"))
    assert first["run_id"] + 1 == second["run_id"]
    assert first["deployments"] == second["deployments"]  # the same plan, the same ids
    assert invoke(monkeypatch, "export", "last", "--out", str(tmp_path / "again")) == ExitCode.OK
    files = sorted(path.relative_to(tmp_path / "second")
                   for path in (tmp_path / "second").rglob("*") if path.is_file())
    assert len(files) > 5
    for name in files:
        assert (tmp_path / "second" / name).read_bytes() == \
            (tmp_path / "again" / name).read_bytes()


def test_requests_add_up_to_the_deployments_of_each_contributor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    contract = exported(monkeypatch, tmp_path / "cc")
    planned = [d for d in contract["deployments"] if d["status"] == "planned"]
    assert {r["contributor"] for r in contract["requests"]} == {d["contributor"] for d in planned}
    for request in contract["requests"]:
        mine = [d for d in planned if d["contributor"] == request["contributor"]]
        assert request["deployments"] == len(mine)
        assert request["units"] == sum(d["quantity"] for d in mine)
        assert request["deployment_ids"] == [d["deployment_id"] for d in mine]
    # tiny's optimum (its README): guards on days 1 and 2 are a host guard at A and at B
    # and an agency guard; on day 3 both host guards and two agency guards are at A.
    assert sum(d["quantity"] * d["periods"] for d in planned
               if d["kind_id"] == "guard") == 3 + 3 + 4


def test_a_fractional_run_cannot_be_exported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--relax") == ExitCode.OK
    capsys.readouterr()
    assert invoke(monkeypatch, "export", "last", "--out", str(tmp_path / "cc")) == \
        ExitCode.BAD_INPUT
    assert "is not a whole-unit plan (status optimal, fractional units): only a whole-unit " \
           "run with a plan has deployments; run it without --relax" in capsys.readouterr().err
    assert not (tmp_path / "cc").exists()


def test_a_contract_that_breaks_its_schema_is_never_written() -> None:
    with pytest.raises(ValueError, match=r"the contract breaks its schema: .*'operation' is a "
                                         r"required property"):
        validate_contract({"schema_version": CONTRACT_VERSION})
    assert contract_schema()["properties"]["schema_version"] == {"const": CONTRACT_VERSION}
