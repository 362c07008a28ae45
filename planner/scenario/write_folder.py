"""Writing a scenario as a folder: scenario.yaml plus one CSV file per table."""

from __future__ import annotations

from pathlib import Path

import yaml

from planner.files.atomic import GENERATOR, FolderKind, atomic_directory, holds_text
from planner.files.spreadsheets import write_rows
from planner.scenario.read import SCENARIO_FILE
from planner.scenario.schema import Scenario
from planner.scenario.tables import SCENARIO_TABLES, SETTINGS_FIELDS
from planner.scenario.write_workbook import table_cells

SIGNATURE = f"# Written by {GENERATOR}: a new write replaces this folder whole.\n"
"""The first line of the scenario.yaml :func:`write_folder` writes."""
SCENARIO_FOLDER = FolderKind(
    SCENARIO_FILE, SCENARIO_FILE,
    frozenset({SCENARIO_FILE, *(f"{spec.name}.csv" for spec in SCENARIO_TABLES)}), "scenario",
    signed=holds_text(SIGNATURE.strip(), within=len(SIGNATURE.encode("utf-8"))))
"""A folder :func:`write_folder` writes: it replaces one that holds only these files and
whose scenario.yaml it signed (a scenario folder someone made, or one with anything else
in it, a README or variants, is someone's work)."""


def write_folder(path: Path, scenario: Scenario) -> None:
    """Write ``scenario`` as a folder that loads back equal; it appears only once complete.

    Empty optional tables are left out. An existing folder is replaced only if it is
    empty or one this function wrote, holding nothing but a scenario's files. Text cells
    a spreadsheet would run get a leading apostrophe, which the loader drops again.
    """
    settings = scenario.model_dump(mode="json", include=set(SETTINGS_FIELDS), by_alias=True)
    with atomic_directory(path, SCENARIO_FOLDER) as staging:
        (staging / SCENARIO_FILE).write_text(
            SIGNATURE + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        for spec in SCENARIO_TABLES:
            rows = getattr(scenario, spec.name)
            if not rows and not spec.required:
                continue
            write_rows(staging / f"{spec.name}.csv", spec.columns,
                       (table_cells(spec, row) for row in rows))
