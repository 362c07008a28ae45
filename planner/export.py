"""Writing a plan's outputs: schedule.csv, shortfalls.csv, summary.json and plan.xlsx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from planner.errors import SolverError
from planner.files import OUTPUT_MARKER, atomic_directory
from planner.plan import Plan

OUTPUT_FILES = ("schedule.csv", "shortfalls.csv", OUTPUT_MARKER, "plan.xlsx")
MARGINAL_FILE = "marginal_values.csv"
"""Written by LP runs only."""
DECIMALS = 6
BOLD = Font(bold=True)


def write_outputs(plan: Plan, out_dir: Path) -> list[Path]:
    """Write the plan's outputs into ``out_dir``, all of them or none."""
    if not plan.status.has_plan:
        raise SolverError(f"no plan to write: the solve ended '{plan.status.value}'")
    summary = plan.summary()
    schedule = plan.schedule.round(DECIMALS)
    shortfalls = plan.shortfalls.round(DECIMALS)
    names = list(OUTPUT_FILES)
    with atomic_directory(out_dir) as staging:
        if plan.marginal_values is not None:
            plan.marginal_values.round(DECIMALS).to_csv(staging / MARGINAL_FILE, index=False)
            names.append(MARGINAL_FILE)
        schedule.to_csv(staging / "schedule.csv", index=False)
        shortfalls.to_csv(staging / "shortfalls.csv", index=False)
        (staging / OUTPUT_MARKER).write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        write_plan_workbook(staging / "plan.xlsx", summary, schedule, shortfalls)
    return [out_dir / name for name in names]


def write_plan_workbook(
    path: Path, summary: dict[str, Any], schedule: pd.DataFrame, shortfalls: pd.DataFrame
) -> None:
    """The plan as a workbook for planners: summary, schedule, shortfalls, totals."""
    # Write-only mode streams rows to disk: several times faster on large schedules.
    book = Workbook(write_only=True)
    flat = [(key, value) for key, value in _flatten(summary) if not isinstance(value, list)]
    _add_sheet(book, "summary", pd.DataFrame(flat, columns=["key", "value"]))
    _add_sheet(book, "schedule", schedule)
    _add_sheet(book, "shortfalls", shortfalls)
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
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=str(column))
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    for row in table.itertuples(index=False, name=None):
        sheet.append(row)


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
