"""Writing a plan's outputs: schedule.csv, shortfalls.csv, summary.json and plan.xlsx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from planner.files import OUTPUT_MARKER, atomic_directory
from planner.plan import Plan

OUTPUT_FILES = ("schedule.csv", "shortfalls.csv", OUTPUT_MARKER, "plan.xlsx")
DECIMALS = 6


def write_outputs(plan: Plan, out_dir: Path) -> list[Path]:
    """Write the plan's four outputs into ``out_dir``, all of them or none."""
    summary = plan.summary()
    schedule = plan.schedule.round(DECIMALS)
    shortfalls = plan.shortfalls.round(DECIMALS)
    with atomic_directory(out_dir) as staging:
        schedule.to_csv(staging / "schedule.csv", index=False)
        shortfalls.to_csv(staging / "shortfalls.csv", index=False)
        (staging / OUTPUT_MARKER).write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        write_plan_workbook(staging / "plan.xlsx", summary, schedule, shortfalls)
    return [out_dir / name for name in OUTPUT_FILES]


def write_plan_workbook(
    path: Path, summary: dict[str, Any], schedule: pd.DataFrame, shortfalls: pd.DataFrame
) -> None:
    """The plan as a workbook for planners: summary, schedule, shortfalls, totals."""
    flat = pd.DataFrame(
        [(key, value) for key, value in _flatten(summary) if not isinstance(value, list)],
        columns=["key", "value"],
    )
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        flat.to_excel(book, sheet_name="summary", index=False)
        schedule.to_excel(book, sheet_name="schedule", index=False)
        shortfalls.to_excel(book, sheet_name="shortfalls", index=False)
        for name in ("by_kind", "by_section", "by_language"):
            pd.DataFrame(summary[name]).to_excel(book, sheet_name=name, index=False)
        for sheet in book.book.worksheets:
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(cell.value or "")) for cell in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)


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
