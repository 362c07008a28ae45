"""The plan as a contract for command centres: approved revisions, their bundle and schema.

The contract is what a command centre or a contributor's national coordinator imports:
versioned (``schema_version``, semantic versioning), validated against a published JSON
Schema (``planner contract-schema``), and with deployment ids that follow from each
cohort's content (see :mod:`planner.scenario.cohorts`), so the same plan exported twice gives
byte-identical files and a re-plan that keeps a cohort keeps its id.

:func:`approve` makes a run the next revision of its operation; its contract carries the
changes against the revision before (added, changed field by field, cancelled) and each
deployment's ``sequence``, so a command centre applies a revision as a delta. The store
keeps every issued contract (:class:`~planner.runs.store.Approval`). :func:`write_contract`
writes the bundle: ``deployments.json`` and ``.csv``, ``changes.csv``, the requests per
contributor (:mod:`planner.contract.requests`) and the calendars
(:mod:`planner.contract.calendars`).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from planner.contract.calendars import CALENDAR_FOLDER, write_calendars
from planner.contract.requests import (
    REQUESTS_FOLDER,
    REQUESTS_WORKBOOK,
    days_on_site,
    write_requests,
)
from planner.errors import UsageError
from planner.files.atomic import FolderKind, atomic_directory, holds_text
from planner.files.spreadsheets import write_csv
from planner.runs.records import RunRecord
from planner.runs.store import Approval, RunStore, approved_revision
from planner.scenario.cohorts import derive_deployments, refuse_without_deployments
from planner.scenario.schema import Scenario

CONTRACT_VERSION = "1.0.0"
"""The contract's schema version: a new field raises the minor, a changed one the major."""
CONTRACT_ID = f"https://border-planner.invalid/schemas/deployments/{CONTRACT_VERSION}"
"""The schema's ``$id``: names the schema and its version (not a place to fetch it from)."""
CONTRACT_FILE = "deployments.json"
DEPLOYMENTS_CSV = "deployments.csv"
CHANGES_CSV = "changes.csv"
CONTRACT_START = '{\n  "schema_version": "'
"""How every ``deployments.json`` the planner writes begins (see :func:`contract_text`)."""
CONTRACT_FOLDER = FolderKind(
    "exported contract", CONTRACT_FILE,
    frozenset({CONTRACT_FILE, DEPLOYMENTS_CSV, CHANGES_CSV, REQUESTS_WORKBOOK}), "contract",
    signed=holds_text(CONTRACT_START, within=len(CONTRACT_START)),
    subfolders={REQUESTS_FOLDER: ".csv", CALENDAR_FOLDER: ".ics"})
"""A folder ``planner export`` writes: a new export replaces one that holds only these."""

_FIELDS = [
    "contribution_id", "contributor", "contributor_code", "category", "kind_id", "kind_name",
    "kind_class", "section_id", "section_name", "status", "quantity", "first_period",
    "last_period", "periods", "arrive", "leave",
]
"""The fields of a deployment besides its id and sequence, in order (the cohort number is
inside the id); a change to any of them is a change of the deployment."""
_INTEGERS = frozenset({"quantity", "first_period", "last_period", "periods"})
_RECORD_COLUMNS = ["deployment_id", "sequence", *_FIELDS]
"""The columns of ``deployments.csv``."""
CHANGE_COLUMNS = ["deployment_id", "change", "sequence", "field", "before", "after",
                  "contribution_id", "contributor", "section_id", "arrive"]
"""The columns of ``changes.csv``: one row per changed field, one per added or cancelled
deployment."""
_STRING = {"type": "string", "minLength": 1}
_SCALAR = {"type": ["string", "integer", "null"]}
_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_COUNT = {"type": "integer", "minimum": 0}


def contract_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every ``deployments.json`` validates against."""
    deployment = {
        "type": "object",
        "additionalProperties": False,
        "required": _RECORD_COLUMNS,
        "properties": {
            "deployment_id": {**_STRING, "pattern": "^D[0-9a-f]{16}$",
                              "description": "Stable id of the cohort, from its content."},
            "sequence": {**_COUNT, "description": "Revision count of the cohort: 0 when "
                                                  "first issued."},
            "contribution_id": {**_STRING, "description": "The pledge the units come from."},
            "contributor": {**_STRING, "description": "Who pledged them."},
            "contributor_code": {"type": ["string", "null"],
                                 "description": "The contributor's id in the scenario's "
                                                "contributors table; null without one."},
            "category": {"enum": ["1", "2", "3", "4", "host", "pool", "contract"],
                         "description": "Standing-corps category, host, pool or contract."},
            "kind_id": {**_STRING, "description": "Officer profile, vehicle type or "
                                                  "interpreters."},
            "kind_name": _STRING,
            "kind_class": {"enum": ["officer", "vehicle", "interpreter"]},
            "section_id": {**_STRING, "description": "Where the units serve."},
            "section_name": _STRING,
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
        "required": ["contributor", "contributor_code", "deployments", "units", "unit_days",
                     "deployment_ids"],
        "properties": {
            "contributor": _STRING,
            "contributor_code": {"type": ["string", "null"]},
            "deployments": _COUNT,
            "units": {**_COUNT, "description": "Units asked for, over all its cohorts."},
            "unit_days": {**_COUNT, "description": "Unit-days on site asked for."},
            "deployment_ids": {"type": "array", "items": {"type": "string"}},
        },
    }
    change = {
        "type": "object",
        "additionalProperties": False,
        "required": ["deployment_id", "change", "sequence", "fields", "deployment"],
        "properties": {
            "deployment_id": {**_STRING, "pattern": "^D[0-9a-f]{16}$"},
            "change": {"enum": ["added", "changed", "cancelled"],
                       "description": "added: new (or issued again); changed: the same id "
                                      "with other fields; cancelled: no longer deployed."},
            "sequence": {**_COUNT, "description": "The deployment's sequence after the "
                                                  "change."},
            "fields": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["field", "before", "after"],
                "properties": {"field": {"enum": _FIELDS}, "before": _SCALAR,
                               "after": _SCALAR}},
                "description": "For changed: each field that differs; empty otherwise."},
            "deployment": {**deployment, "description": "The deployment as now; for "
                                                        "cancelled, as last issued."},
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
                     "approved_at", "timezone", "horizon", "deployments", "requests",
                     "changes_against", "changes"],
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
            "timezone": {**_STRING, "description": "IANA time zone of the dates and of "
                                                   "approved_at."},
            "horizon": {
                "type": "object", "additionalProperties": False,
                "required": ["start", "end", "period", "periods"],
                "properties": {"start": _DATE, "end": _DATE, "period": {"enum": ["day", "week"]},
                               "periods": {"type": "integer", "minimum": 1}},
            },
            "deployments": {"type": "array", "items": deployment},
            "requests": {"type": "array", "items": request},
            "changes_against": {"type": ["integer", "null"], "minimum": 1,
                                "description": "The approved revision the changes are "
                                               "against; null if there is none."},
            "changes": {"type": "array", "items": change,
                        "description": "What a command centre holding the revision "
                                       "changes_against applies to hold this one."},
        },
    }


def build_contract(record: RunRecord, *, history: Sequence[Mapping[str, Any]] = (),
                   revision: int | None = None, approved_at: str | None = None
                   ) -> dict[str, Any]:
    """The contract of a recorded whole-unit run with a plan.

    ``history`` holds the contracts of the operation's earlier approved revisions, oldest
    first: sequences follow on from them and ``changes`` are against the last one.
    ``revision`` and ``approved_at`` are set when the run is being approved; without them
    the contract is a preview of what approving the run would issue.
    """
    if record.id is None:
        raise UsageError("only a recorded run can be exported: record it first")
    refuse_without_deployments(record)
    scenario = Scenario.model_validate(record.inputs)
    deployments = _named(scenario, derive_deployments(scenario, record.schedule))
    records = [_deployment_record(row) for row in deployments.to_dict("records")]
    changes = _changes(records, history)
    horizon = scenario.horizon
    return {
        "schema_version": CONTRACT_VERSION,
        "operation": scenario.meta.operation,
        "scenario": {"name": scenario.meta.name, "version": scenario.meta.version,
                     "hash": record.scenario_hash},
        "run_id": record.id,
        "revision": revision,
        "approved_at": approved_at,
        "timezone": horizon.timezone,
        "horizon": {"start": horizon.start.isoformat(), "end": horizon.end.isoformat(),
                    "period": horizon.period, "periods": horizon.periods},
        "deployments": records,
        "requests": _requests(records),
        "changes_against": history[-1]["revision"] if history else None,
        "changes": changes,
    }


def _named(scenario: Scenario, deployments: pd.DataFrame) -> pd.DataFrame:
    """``deployments`` with the contributor's code and the kind's and section's names."""
    codes = {}
    for contribution in scenario.contributions:
        contributor = scenario.contributor_of(contribution)
        codes[contribution.id] = None if contributor is None else contributor.id
    return deployments.assign(
        contributor_code=deployments["contribution_id"].map(codes),
        kind_name=deployments["kind_id"].map({kind.id: kind.name for kind in scenario.kinds}),
        section_name=deployments["section_id"].map(
            {section.id: section.name for section in scenario.sections}),
    )


def _deployment_record(row: Mapping[Hashable, Any]) -> dict[str, Any]:
    """One deployment as the contract holds it: plain JSON values, dates as ISO text."""
    record: dict[str, Any] = {"deployment_id": str(row["deployment_id"]), "sequence": 0}
    for column in _FIELDS:
        value = row[column]
        if pd.isna(value):
            value = None  # a contributor without a code
        elif isinstance(value, date):
            value = value.isoformat()
        elif column in _INTEGERS:
            value = int(value)
        else:
            value = str(value)
        record[column] = value
    return record


def _changes(records: list[dict[str, Any]], history: Sequence[Mapping[str, Any]]
             ) -> list[dict[str, Any]]:
    """Set each record's ``sequence`` and list the changes against the last revision.

    A kept cohort keeps its sequence; one whose fields changed (quantity, leave, ...) goes
    up by one, as does one cancelled, and one issued again after a cancellation: a
    calendar or system that saw the last issue takes the higher sequence as the newer.
    """
    issued: dict[str, int] = {}  # the last sequence of each id, over every revision
    for contract in history:
        for deployment in contract["deployments"]:
            issued[deployment["deployment_id"]] = deployment["sequence"]
        for change in contract.get("changes", ()):
            issued[change["deployment_id"]] = max(issued.get(change["deployment_id"], 0),
                                                  change["sequence"])
    before = {d["deployment_id"]: d for d in history[-1]["deployments"]} if history else {}
    changes: list[dict[str, Any]] = []
    for record in records:
        identity = record["deployment_id"]
        earlier = before.get(identity)
        if earlier is None:
            record["sequence"] = issued[identity] + 1 if identity in issued else 0
            changes.append(_change(record, "added", []))
            continue
        fields = [{"field": name, "before": earlier.get(name), "after": record[name]}
                  for name in _FIELDS if earlier.get(name) != record[name]]
        record["sequence"] = earlier["sequence"] + 1 if fields else earlier["sequence"]
        if fields:
            changes.append(_change(record, "changed", fields))
    kept = {record["deployment_id"] for record in records}
    for identity, earlier in before.items():
        if identity not in kept:
            changes.append(_change({**earlier, "sequence": issued[identity] + 1},
                                   "cancelled", []))
    return sorted(changes, key=lambda change: (change["deployment"]["arrive"],
                                               change["deployment_id"]))


def _change(record: dict[str, Any], change: str, fields: list[dict[str, Any]]
            ) -> dict[str, Any]:
    return {"deployment_id": record["deployment_id"], "change": change,
            "sequence": record["sequence"], "fields": fields, "deployment": dict(record)}


def _requests(deployments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each contributor is asked to send, from the deployments of the plan."""
    requests: dict[str, dict[str, Any]] = {}
    for deployment in deployments:
        if deployment["status"] == "running":
            continue  # already on site: nothing to send
        request = requests.setdefault(deployment["contributor"], {
            "contributor": deployment["contributor"],
            "contributor_code": deployment["contributor_code"], "deployments": 0, "units": 0,
            "unit_days": 0, "deployment_ids": []})
        request["deployments"] += 1
        request["units"] += deployment["quantity"]
        request["unit_days"] += deployment["quantity"] * days_on_site(deployment)
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


def write_contract(contract: dict[str, Any], out: Path, *, text: str | None = None
                   ) -> list[Path]:
    """Write the export bundle of ``contract`` into ``out``, whole or not at all.

    ``deployments.json`` (``text`` if given: an approved revision as it was issued),
    ``deployments.csv``, ``changes.csv``, ``requests.xlsx`` and ``requests/``, and
    ``calendar/``. The contract is checked against its schema first: a command centre
    never receives one that breaks it.
    """
    validate_contract(contract)
    with atomic_directory(out, CONTRACT_FOLDER) as staging:
        (staging / CONTRACT_FILE).write_text(text or contract_text(contract), encoding="utf-8")
        write_csv(pd.DataFrame(contract["deployments"], columns=_RECORD_COLUMNS),
                  staging / DEPLOYMENTS_CSV)
        write_csv(pd.DataFrame(_change_rows(contract["changes"]), columns=CHANGE_COLUMNS),
                  staging / CHANGES_CSV)
        written = [staging / CONTRACT_FILE, staging / DEPLOYMENTS_CSV, staging / CHANGES_CSV,
                   *write_requests(contract, staging), *write_calendars(contract, staging)]
    return [out / path.relative_to(staging) for path in written]


def _change_rows(changes: list[dict[str, Any]]) -> list[list[Any]]:
    """``changes.csv``: a row per changed field, one per added or cancelled deployment."""
    rows = []
    for change in changes:
        record = change["deployment"]
        context = [record["contribution_id"], record["contributor"], record["section_id"],
                   record["arrive"]]
        for field in change["fields"] or [{"field": None, "before": None, "after": None}]:
            rows.append([change["deployment_id"], change["change"], change["sequence"],
                         field["field"], field["before"], field["after"], *context])
    return rows


def approve(store: RunStore, ref: str, note: str = "", *,
            now: datetime | None = None) -> Approval:
    """Make the run ``ref`` the next approved revision of its operation, and record it.

    Only a whole-unit run with a plan can be approved, and not the run the operation's
    latest revision already is. The contract issued (sequences and changes against the
    previous revision) is kept with the approval.
    """
    record = store.get(store.resolve(ref))
    scenario = Scenario.model_validate(record.inputs)
    operation = scenario.meta.operation
    earlier = store.approvals(operation, contracts=True)
    if earlier and earlier[-1].run_id == record.id:
        raise UsageError(f"run #{record.id} is already revision {earlier[-1].revision} of "
                         f"{operation}: nothing to approve")
    revision = len(earlier) + 1
    moment = (now or datetime.now(UTC)).astimezone(scenario.horizon.zone).isoformat(
        timespec="seconds")
    contract = build_contract(record, history=[approval.contract for approval in earlier],
                              revision=revision, approved_at=moment)
    validate_contract(contract)
    return store.add_approval(Approval(operation, revision, record.id or 0, moment, note,
                                       contract_text(contract)))


def contract_for(store: RunStore, ref: str, *, operation: str | None = None
                 ) -> tuple[dict[str, Any], str | None]:
    """The contract to export for ``ref``, and its text as issued if it was approved.

    ``approved`` (or ``approved-N`` for revision N) names the operation's approved
    revision, ``operation`` telling which where the store holds several. A run approved
    before is exported as it was issued (its latest revision); any other run as a preview
    against the latest revision of its operation.
    """
    revision = approved_revision(ref)
    if revision is not False:
        approval = store.approval(operation, revision)
        return approval.contract, approval.contract_text
    record = store.get(store.resolve(ref))
    mine = store.approvals(run_id=record.id, contracts=True)
    if mine:
        return mine[-1].contract, mine[-1].contract_text
    own = Scenario.model_validate(record.inputs).meta.operation
    history = [approval.contract for approval in store.approvals(own, contracts=True)]
    return build_contract(record, history=history), None
