"""Writing a plan's outputs: schedule, shortfalls, explanations, summary and plan.xlsx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from planner.errors import SolverError
from planner.files.atomic import FolderKind, atomic_directory
from planner.files.spreadsheets import plan_cell, sign, write_csv
from planner.plan.plan import Plan

SUMMARY_FILE = "summary.json"
OUTPUT_FILES = ("schedule.csv", "shortfalls.csv", "explanations.csv", SUMMARY_FILE, "plan.xlsx")
MARGINAL_FILE = "marginal_values.csv"
"""Written by LP runs only."""
ROBUST_FILE = "robust.csv"
"""Written by robust runs only: each plan's cost and shortfall on each demand scenario."""
PLAN_FOLDER = FolderKind("earlier plan", SUMMARY_FILE,
                         frozenset({*OUTPUT_FILES, MARGINAL_FILE, ROBUST_FILE}), "plan")
"""A folder a run writes: a new run replaces one that holds only these files."""
DECIMALS = 6
BOLD = Font(bold=True)


def write_outputs(plan: Plan, out_dir: Path) -> list[Path]:
    """Write the plan's outputs into ``out_dir``, all of them or none."""
    if not plan.status.has_plan:
        raise SolverError(f"no plan to write: the solve ended '{plan.status.value}'")
    summary = plan.summary()
    schedule = plan.schedule.round(DECIMALS)
    shortfalls = plan.shortfalls.round(DECIMALS)
    explanations = plan.explanations.round(DECIMALS)
    names = list(OUTPUT_FILES)
    with atomic_directory(out_dir, PLAN_FOLDER) as staging:
        if plan.marginal_values is not None:
            write_csv(plan.marginal_values.round(DECIMALS), staging / MARGINAL_FILE)
            names.append(MARGINAL_FILE)
        if plan.outcomes is not None:
            write_csv(plan.outcomes.round(DECIMALS), staging / ROBUST_FILE)
            names.append(ROBUST_FILE)
        write_csv(schedule, staging / "schedule.csv")
        write_csv(shortfalls, staging / "shortfalls.csv")
        write_csv(explanations, staging / "explanations.csv")
        (staging / SUMMARY_FILE).write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        write_plan_workbook(staging / "plan.xlsx", summary, schedule, shortfalls, explanations)
    return [out_dir / name for name in names]


def write_plan_workbook(
    path: Path, summary: dict[str, Any], schedule: pd.DataFrame, shortfalls: pd.DataFrame,
    explanations: pd.DataFrame,
) -> None:
    """The plan as a workbook for planners: summary, schedule, shortfalls and why, totals."""
    # Write-only mode streams rows to disk: several times faster on large schedules.
    book = Workbook(write_only=True)
    sign(book)
    flat = [(key, value) for key, value in _flatten(summary) if not isinstance(value, list)]
    _add_sheet(book, "summary", pd.DataFrame(flat, columns=["key", "value"]))
    _add_sheet(book, "schedule", schedule)
    _add_sheet(book, "shortfalls", shortfalls)
    _add_sheet(book, "explanations", explanations)
    for name in ("by_kind", "by_section", "by_language"):
        _add_sheet(book, name, pd.DataFrame(summary[name]))
    book.save(path)


def _add_sheet(book: Workbook, name: str, table: pd.DataFrame) -> None:
    """One sheet: a bold frozen header, columns sized to their first rows, then the rows."""
    sheet = book.create_sheet(name)
    sheet.freeze_panes = "A2"
    sample = table.head(200).astype(str)
    for number, column in enumerate(table.columns, start=1):
        width = max([len(str(column)), *sample[column].str.len().tolist()])
        sheet.column_dimensions[get_column_letter(number)].width = min(width + 2, 60)
    sheet.append([plan_cell(sheet, str(column), font=BOLD) for column in table.columns])
    for row in table.itertuples(index=False, name=None):
        sheet.append([plan_cell(sheet, value) for value in row])


def _flatten(mapping: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``{"a": {"b": 1}}`` as ``[("a.b", 1)]``."""
    pairs: list[tuple[str, Any]] = []
    for key, value in mapping.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            pairs.extend(_flatten(value, f"{dotted}."))
        else:
            pairs.append((dotted, value))
    return pairs
