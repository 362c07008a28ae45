"""The plan as a contract for command centres: deployments.json, its schema, deployments.csv.

The contract is what a command centre or a contributor's national coordinator imports:
versioned (``schema_version``, semantic versioning), validated against a published JSON
Schema (``planner contract-schema``), and with deployment ids that follow from each
cohort's content (see :mod:`planner.deployments`), so the same plan exported twice gives
byte-identical files and a re-plan that keeps a cohort keeps its id.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from planner.deployments import DEPLOYMENT_COLUMNS, derive_deployments
from planner.errors import UsageError
from planner.files import FolderKind, atomic_directory
from planner.runs import RunRecord
from planner.schema import Scenario
from planner.spreadsheet import write_csv

CONTRACT_VERSION = "1.0.0"
"""The contract's schema version: a new field raises the minor, a changed one the major."""
CONTRACT_ID = f"https://border-planner.invalid/schemas/deployments/{CONTRACT_VERSION}"
"""The schema's ``$id``: names the schema and its version (not a place to fetch it from)."""
CONTRACT_FILE = "deployments.json"
DEPLOYMENTS_CSV = "deployments.csv"
CONTRACT_FOLDER = FolderKind("exported contract", CONTRACT_FILE,
                             frozenset({CONTRACT_FILE, DEPLOYMENTS_CSV}), "contract")
"""A folder ``planner export`` writes: a new export replaces one that holds only these."""
TIMEZONE = "UTC"
"""The time zone the contract's dates are local dates of."""

_CSV_COLUMNS = [column for column in DEPLOYMENT_COLUMNS if column != "cohort"]
"""The deployment fields of the contract, in order (the cohort number is inside the id)."""
_STRING = {"type": "string", "minLength": 1}
_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_COUNT = {"type": "integer", "minimum": 0}


def contract_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every ``deployments.json`` validates against."""
    deployment = {
        "type": "object",
        "additionalProperties": False,
        "required": [*_CSV_COLUMNS, "sequence"],
        "properties": {
            "deployment_id": {**_STRING, "pattern": "^D[0-9a-f]{16}$",
                              "description": "Stable id of the cohort, from its content."},
            "sequence": {**_COUNT, "description": "Revision count of the cohort: 0 when "
                                                  "first issued."},
            "contribution_id": {**_STRING, "description": "The pledge the units come from."},
            "contributor": {**_STRING, "description": "Who pledged them."},
            "category": {"enum": ["1", "2", "3", "4", "host", "pool", "contract"],
                         "description": "Standing-corps category, host, pool or contract."},
            "kind_id": {**_STRING, "description": "Officer profile, vehicle type or "
                                                  "interpreters."},
            "kind_class": {"enum": ["officer", "vehicle", "interpreter"]},
            "section_id": {**_STRING, "description": "Where the units serve."},
            "status": {"enum": ["running", "planned"],
                       "description": "running: on site before the horizon starts; planned: "
                                      "sent by this plan."},
            "quantity": {"type": "integer", "minimum": 1, "description": "Units in the "
                                                                         "cohort."},
            "first_period": {"type": "integer", "minimum": 1},
            "last_period": {"type": "integer", "minimum": 1},
            "periods": {"type": "integer", "minimum": 1},
            "arrive": {**_DATE, "description": "First day on site (a local date)."},
            "leave": {**_DATE, "description": "Last day on site (a local date)."},
        },
    }
    request = {
        "type": "object",
        "additionalProperties": False,
        "required": ["contributor", "deployments", "units", "unit_days", "deployment_ids"],
        "properties": {
            "contributor": _STRING,
            "deployments": _COUNT,
            "units": {**_COUNT, "description": "Units asked for, over all its cohorts."},
            "unit_days": {**_COUNT, "description": "Unit-days on site asked for."},
            "deployment_ids": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": CONTRACT_ID,
        "title": "border-planner deployments",
        "description": "An approved plan's deployments, what each contributor is asked to "
                       "send, and the changes against the previous revision.",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "operation", "scenario", "run_id", "revision",
                     "approved_at", "timezone", "horizon", "deployments", "requests"],
        "properties": {
            "schema_version": {"const": CONTRACT_VERSION},
            "operation": _STRING,
            "scenario": {
                "type": "object", "additionalProperties": False,
                "required": ["name", "version", "hash"],
                "properties": {"name": _STRING, "version": {"type": "string"},
                               "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
            },
            "run_id": {"type": "integer", "minimum": 1},
            "revision": {"type": ["integer", "null"], "minimum": 1,
                         "description": "The approved revision; null for a run not approved."},
            "approved_at": {"type": ["string", "null"], "format": "date-time"},
            "timezone": {"type": "string", "description": "IANA time zone of the dates."},
            "horizon": {
                "type": "object", "additionalProperties": False,
                "required": ["start", "end", "period", "periods"],
                "properties": {"start": _DATE, "end": _DATE, "period": {"enum": ["day", "week"]},
                               "periods": {"type": "integer", "minimum": 1}},
            },
            "deployments": {"type": "array", "items": deployment},
            "requests": {"type": "array", "items": request},
        },
    }


def build_contract(record: RunRecord) -> dict[str, Any]:
    """The contract of a recorded whole-unit run with a plan."""
    if record.id is None:
        raise UsageError("only a recorded run can be exported: record it first")
    if record.summary.get("units") != "whole" or record.objective is None:
        raise UsageError(f"run #{record.id} is not a whole-unit plan (status {record.status}, "
                         f"{record.summary.get('units', 'no')} units): only a whole-unit run "
                         "with a plan has deployments; run it without --relax")
    scenario = Scenario.model_validate(record.inputs)
    deployments = derive_deployments(scenario, record.schedule)
    records = [_deployment_record(row) for row in deployments.to_dict("records")]
    horizon = scenario.horizon
    return {
        "schema_version": CONTRACT_VERSION,
        "operation": scenario.meta.operation,
        "scenario": {"name": scenario.meta.name, "version": scenario.meta.version,
                     "hash": record.scenario_hash},
        "run_id": record.id,
        "revision": None,
        "approved_at": None,
        "timezone": TIMEZONE,
        "horizon": {"start": horizon.start.isoformat(), "end": horizon.end.isoformat(),
                    "period": horizon.period, "periods": horizon.periods},
        "deployments": records,
        "requests": _requests(records),
    }


def _deployment_record(row: Mapping[Hashable, Any]) -> dict[str, Any]:
    """One deployment as the contract holds it: plain JSON values, dates as ISO text."""
    record: dict[str, Any] = {}
    for column in _CSV_COLUMNS:
        value = row[column]
        record[column] = value.isoformat() if hasattr(value, "isoformat") else (
            int(value) if column in ("quantity", "first_period", "last_period", "periods")
            else str(value))
    record["sequence"] = 0
    return record


def _requests(deployments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each contributor is asked to send, from the deployments of the plan."""
    requests: dict[str, dict[str, Any]] = {}
    for deployment in deployments:
        if deployment["status"] == "running":
            continue  # already on site: nothing to send
        request = requests.setdefault(deployment["contributor"], {
            "contributor": deployment["contributor"], "deployments": 0, "units": 0,
            "unit_days": 0, "deployment_ids": []})
        days = (date.fromisoformat(deployment["leave"])
                - date.fromisoformat(deployment["arrive"])).days + 1
        request["deployments"] += 1
        request["units"] += deployment["quantity"]
        request["unit_days"] += deployment["quantity"] * days
        request["deployment_ids"].append(deployment["deployment_id"])
    return [requests[name] for name in sorted(requests)]


def validate_contract(contract: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming every place where ``contract`` breaks its schema."""
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(contract_schema(), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(contract), key=lambda error: list(error.path))
    if errors:
        raise ValueError("the contract breaks its schema: " + "; ".join(
            f"{'/'.join(map(str, error.path)) or '(top)'}: {error.message}"
            for error in errors[:10]))


def contract_text(contract: dict[str, Any]) -> str:
    """``deployments.json`` as written: keys in schema order, two-space indents, UTF-8."""
    return json.dumps(contract, indent=2, ensure_ascii=False) + "\n"


def write_contract(contract: dict[str, Any], out: Path) -> list[Path]:
    """Write ``deployments.json`` and ``deployments.csv`` into ``out``, both or neither.

    The contract is checked against its schema first: a command centre never receives one
    that breaks it.
    """
    import pandas as pd

    validate_contract(contract)
    with atomic_directory(out, CONTRACT_FOLDER) as staging:
        (staging / CONTRACT_FILE).write_text(contract_text(contract), encoding="utf-8")
        table = pd.DataFrame(contract["deployments"], columns=[*_CSV_COLUMNS, "sequence"])
        write_csv(table, staging / DEPLOYMENTS_CSV)
    return [out / CONTRACT_FILE, out / DEPLOYMENTS_CSV]
