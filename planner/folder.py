"""Writing a scenario as a folder: scenario.yaml plus one CSV file per table."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from planner.files import atomic_directory
from planner.load import SCENARIO_FILE
from planner.schema import SETTINGS_FIELDS, TABLES, Scenario
from planner.workbook import table_cells


def write_folder(path: Path, scenario: Scenario) -> None:
    """Write ``scenario`` as a folder that loads back equal; it appears only once complete.

    Empty optional tables are left out. An existing folder is replaced only if it is
    empty or itself a scenario folder.
    """
    settings = scenario.model_dump(mode="json", include=set(SETTINGS_FIELDS), by_alias=True)
    with atomic_directory(path, marker=SCENARIO_FILE) as staging:
        (staging / SCENARIO_FILE).write_text(
            yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        for spec in TABLES:
            rows = getattr(scenario, spec.name)
            if not rows and not spec.required:
                continue
            with (staging / f"{spec.name}.csv").open("w", encoding="utf-8", newline="") as file:
                writer = csv.writer(file, lineterminator="\n")
                writer.writerow(spec.columns)
                writer.writerows(table_cells(spec, row) for row in rows)
