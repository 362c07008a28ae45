"""Runs side by side: KPIs, shortfalls, deployments, utilisation, input and schedule changes.

Every table has one column per run, headed by the run's label (``#12 summer_surge``), so
the same frames serve the terminal, CSV files and JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.columns import CONTRIBUTION_ID, ITEM_ID, ITEM_TYPE, KIND_ID, PERIOD, SECTION_ID
from planner.files.atomic import FolderKind, atomic_directory
from planner.files.spreadsheets import write_csv
from planner.model.options import Status
from planner.runs.records import RunRecord
from planner.scenario.schema import Scenario
from planner.scenario.tables import SCENARIO_TABLES

DECIMALS = 6
"""Places the figures of a written comparison are rounded to."""
SCHEDULE_KEY = [PERIOD, SECTION_ID, KIND_ID, CONTRIBUTION_ID]
COMPARISON_FILE = "comparison.json"
"""Marks a folder as a comparison's, which a new comparison may replace."""

KPIS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("total cost", "objective", ()),
    ("deployment cost", "costs", ("deployment_cost",)),
    ("start cost", "costs", ("start_cost",)),
    ("shortfall penalty", "costs", ("shortfall_penalty",)),
    ("language penalty", "costs", ("language_penalty",)),
    ("remote interpretation cost", "costs", ("remote_interpretation",)),
    ("coverage per cent", "coverage", ("coverage_per_cent",)),
    ("required unit-periods", "coverage", ("required_unit_periods",)),
    ("shortfall unit-periods", "coverage", ("shortfall_unit_periods",)),
    ("language shortfall", "coverage", ("language_shortfall",)),
    ("remote interpretation", "coverage", ("language_remote",)),
    ("deployed unit-periods", "deployments", ("unit_periods",)),
    ("starts", "deployments", ("starts",)),
)
"""KPI name, and where in a run's summary it is: a top-level key, then nested keys."""


def labels(records: Sequence[RunRecord]) -> list[str]:
    """Each run's column heading, made unique where two runs share a label."""
    seen: dict[str, int] = {}
    result = []
    for record in records:
        label = record.label
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result


def _kpi(summary: dict[str, Any], top: str, path: tuple[str, ...]) -> float | None:
    value: Any = summary.get(top)
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return None if value is None else float(value)


def has_plan(record: RunRecord) -> bool:
    """Whether the run made a plan (a run without one has no figures to compare)."""
    return Status(record.status).has_plan


def kpi_table(records: Sequence[RunRecord]) -> pd.DataFrame:
    """The headline figures, one row per KPI and one column per run (empty without a plan)."""
    return pd.DataFrame(
        {label: [_kpi(record.summary, top, path) if has_plan(record) else None
                 for _, top, path in KPIS]
         for label, record in zip(labels(records), records, strict=True)},
        index=pd.Index([name for name, _, _ in KPIS], name="kpi"),
        dtype="float64",
    )


def _side_by_side(records: Sequence[RunRecord], frames: Sequence[pd.Series],
                  name: str, missing: float = 0.0) -> pd.DataFrame:
    """Series (one per run) as columns, missing entries ``missing``.

    A run without a plan has an empty column: it has no figures, not zeros.
    """
    names = labels(records)
    table = pd.concat(list(frames), axis=1, keys=names).astype("float64")
    for label, record in zip(names, records, strict=True):
        table[label] = table[label].fillna(missing) if has_plan(record) else float("nan")
    table.index.name = name
    return table.sort_index()


def shortfall_by(records: Sequence[RunRecord], by: str) -> pd.DataFrame:
    """Unit-periods short of the kind needs, by ``kind`` or ``section``."""
    column = {"kind": ITEM_ID, "section": SECTION_ID}[by]
    frames = []
    for record in records:
        kinds = record.shortfalls[record.shortfalls[ITEM_TYPE] == "kind"]
        frames.append(kinds.groupby(column)["shortfall"].sum())
    return _side_by_side(records, frames, by)


def deployed_by(records: Sequence[RunRecord], by: str) -> pd.DataFrame:
    """Unit-periods deployed, by ``contributor`` or ``category``."""
    return _side_by_side(records, [record.schedule.groupby(by)["quantity"].sum()
                                   for record in records], by)


def _available_unit_periods(record: RunRecord) -> pd.Series:
    """Each pledge's units times the horizon periods wholly inside its window."""
    scenario = Scenario.model_validate(record.inputs)
    horizon = scenario.horizon
    starts = [horizon.period_start(t) for t in range(1, horizon.periods + 1)]
    ends = [horizon.period_end(t) for t in range(1, horizon.periods + 1)]
    available = {}
    for contribution in scenario.contributions:
        periods = sum(
            1 for start, end in zip(starts, ends, strict=True)
            if (contribution.available_from is None or start >= contribution.available_from)
            and (contribution.available_to is None or end <= contribution.available_to)
        )
        available[contribution.id] = float(contribution.quantity * periods)
    return pd.Series(available, dtype=float)


def utilisation(records: Sequence[RunRecord]) -> pd.DataFrame:
    """Per pledge and run: per cent of its available unit-periods deployed."""
    frames = []
    for record in records:
        available = _available_unit_periods(record)
        used = record.schedule.groupby(CONTRIBUTION_ID)["quantity"].sum()
        used = used.reindex(available.index, fill_value=0.0)
        frames.append((100 * used / available.where(available > 0)).round(2))
    # A pledge a run does not have (or that has nothing available) has no utilisation there.
    return _side_by_side(records, frames, CONTRIBUTION_ID, missing=float("nan"))


def input_changes(records: Sequence[RunRecord]) -> pd.DataFrame:
    """Every input value that differs from the first run's: setting or table, row, field."""
    rows: list[dict[str, Any]] = []
    base = records[0].inputs
    for label, record in zip(labels(records)[1:], records[1:], strict=True):
        other = record.inputs
        for name in sorted(set(base) | set(other)):
            before, after = base.get(name), other.get(name)
            if before == after:
                continue
            if isinstance(before, list) or isinstance(after, list):
                rows.extend(_table_changes(name, before or [], after or [], label))
            elif isinstance(before, dict) and isinstance(after, dict):
                rows.extend({"run": label, "table": name, "row": "", "field": key,
                             "before": before.get(key), "after": after.get(key)}
                            for key in sorted(set(before) | set(after))
                            if before.get(key) != after.get(key))
    return pd.DataFrame(rows, columns=["run", "table", "row", "field", "before", "after"])


def _table_changes(name: str, before: list[dict[str, Any]], after: list[dict[str, Any]],
                   label: str) -> list[dict[str, Any]]:
    key = next((list(spec.key) for spec in SCENARIO_TABLES if spec.name == name), [])

    def keyed(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if not key:
            return {str(position): row for position, row in enumerate(rows)}
        return {" / ".join(str(row.get(part)) for part in key): row for row in rows}

    old, new = keyed(before), keyed(after)
    changes = []
    for row in sorted(set(old) | set(new)):
        if row not in new:
            changes.append({"run": label, "table": name, "row": row, "field": "(row)",
                            "before": "present", "after": "removed"})
        elif row not in old:
            changes.append({"run": label, "table": name, "row": row, "field": "(row)",
                            "before": "absent", "after": "added"})
        else:
            changes.extend({"run": label, "table": name, "row": row, "field": field,
                            "before": _plain(old[row].get(field)),
                            "after": _plain(new[row].get(field))}
                           for field in sorted(set(old[row]) | set(new[row]))
                           if old[row].get(field) != new[row].get(field))
    return changes


def _plain(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | dict) else value


def schedule_changes(records: Sequence[RunRecord]) -> pd.DataFrame:
    """Where and when the schedules differ: units per run, only rows that are not all equal."""
    names = labels(records)
    planned = [label for label, record in zip(names, records, strict=True) if has_plan(record)]
    tables = [record.schedule.groupby(SCHEDULE_KEY)["quantity"].sum().rename(label)
              for label, record in zip(names, records, strict=True) if label in planned]
    merged = (pd.concat(tables, axis=1).fillna(0.0).reset_index() if tables
              else pd.DataFrame(columns=SCHEDULE_KEY))
    for label in names:
        if label not in planned:  # a run without a plan has no schedule to differ
            merged[label] = float("nan")
    differs = merged[planned].max(axis=1) - merged[planned].min(axis=1) > 1e-6
    return merged.loc[differs, [*SCHEDULE_KEY, *names]].sort_values(SCHEDULE_KEY,
                                                                    ignore_index=True)


@dataclass(frozen=True)
class Comparison:
    """Runs compared: each table has one column per run (see ``labels``)."""

    runs: pd.DataFrame
    """Which runs: label, id, scenario, variant, status, hash, created, changes, and the
    ``column`` that names the run in files (see :meth:`machine_tables`)."""
    kpis: pd.DataFrame
    shortfall_by_kind: pd.DataFrame
    shortfall_by_section: pd.DataFrame
    deployed_by_contributor: pd.DataFrame
    deployed_by_category: pd.DataFrame
    utilisation: pd.DataFrame
    input_changes: pd.DataFrame
    schedule_changes: pd.DataFrame

    TABLE_NAMES = ("runs", "kpis", "shortfall_by_kind", "shortfall_by_section",
                   "deployed_by_contributor", "deployed_by_category", "utilisation",
                   "input_changes", "schedule_changes")

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name."""
        return {name: getattr(self, name) for name in self.TABLE_NAMES}

    def machine_tables(self) -> dict[str, pd.DataFrame]:
        """Every table as files carry it: runs named by id, figures rounded.

        A stored run's column is ``run_ID`` (``run_12``), a run not stored keeps its label;
        the ``runs`` table's ``column`` says which is which. Figures are rounded to
        ``DECIMALS`` places.
        """
        names = dict(zip(self.runs["run"], self.runs["column"], strict=True))
        tables = {}
        for name, table in self.tables().items():
            table = table.rename(columns=names)
            if "run" in table.columns and name != "runs":
                table = table.assign(run=table["run"].map(names).fillna(table["run"]))
            tables[name] = table.round(DECIMALS)
        return tables

    def to_json(self) -> dict[str, Any]:
        """All tables as JSON-ready records (see :meth:`machine_tables`)."""
        return {name: json.loads(table.reset_index().to_json(orient="records", date_format="iso"))
                if name not in ("runs", "input_changes", "schedule_changes")
                else json.loads(table.to_json(orient="records", date_format="iso"))
                for name, table in self.machine_tables().items()}

    def write(self, out: Path) -> list[Path]:
        """One CSV file per table plus comparison.json, written whole or not at all."""
        names = []
        with atomic_directory(out, COMPARISON_FOLDER) as staging:
            for name, table in self.machine_tables().items():
                indexed = name not in ("runs", "input_changes", "schedule_changes")
                write_csv(table, staging / f"{name}.csv", index=indexed)
                names.append(f"{name}.csv")
            (staging / COMPARISON_FILE).write_text(json.dumps(self.to_json(), indent=2),
                                                     encoding="utf-8")
            names.append(COMPARISON_FILE)
        return [out / name for name in names]


COMPARISON_FOLDER = FolderKind(
    COMPARISON_FILE, COMPARISON_FILE,
    frozenset({COMPARISON_FILE, *(f"{name}.csv" for name in Comparison.TABLE_NAMES)}), "comparison")
"""A folder ``compare --out`` writes: a new comparison replaces one that holds only these."""


def compare(records: Sequence[RunRecord]) -> Comparison:
    """Compare runs (the first is the reference for input changes)."""
    if not records:
        raise ValueError("nothing to compare: no runs given")
    columns: list[str] = []
    for label, record in zip(labels(records), records, strict=True):
        column = f"run_{record.id}" if record.id is not None else label
        # A run named twice (compared with itself) gets a column per mention.
        repeats = sum(1 for earlier in columns if earlier == column
                      or earlier.startswith(f"{column}_"))
        columns.append(column if not repeats else f"{column}_{repeats + 1}")
    runs = pd.DataFrame([{
        "run": label, "id": record.id, "scenario": record.scenario_name,
        "variant": record.variant or "", "status": record.status,
        "scenario_hash": record.scenario_hash[:12], "created": record.created,
        "changes": "; ".join(record.changes), "column": column,
    } for label, record, column in zip(labels(records), records, columns, strict=True)])
    return Comparison(
        runs=runs,
        kpis=kpi_table(records),
        shortfall_by_kind=shortfall_by(records, "kind"),
        shortfall_by_section=shortfall_by(records, "section"),
        deployed_by_contributor=deployed_by(records, "contributor"),
        deployed_by_category=deployed_by(records, "category"),
        utilisation=utilisation(records),
        input_changes=input_changes(records),
        schedule_changes=schedule_changes(records),
    )
