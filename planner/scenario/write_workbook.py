"""Writing a scenario, or an empty template to fill in, as the Excel workbook the loader reads."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from planner.errors import UsageError
from planner.files.atomic import atomic_file
from planner.files.spreadsheets import WORKBOOK, keep_as_text, sign
from planner.scenario.read import SETTINGS_MODELS, SETTINGS_SHEET
from planner.scenario.records import Record
from planner.scenario.schema import Scenario
from planner.scenario.tables import SCENARIO_TABLES, TableSpec

SETTINGS_HEADER = ("key", "value", "description")
"""Columns of the settings sheet; the loader reads only the first two."""

LIST_SEPARATOR = "; "
"""How an id list is written in one cell; the schema splits cells on semicolons."""

MIN_WIDTH, MAX_WIDTH = 8, 60
"""Bounds of a column's width, in characters."""


def write_workbook(path: Path, scenario: Scenario | None = None) -> None:
    """Write ``scenario`` as a workbook that loads back equal, or an empty template without one.

    The file appears only once complete: a failure leaves any earlier file at ``path`` alone.
    An existing file is replaced only if the planner wrote it and nobody has saved it since.
    """
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"{path}: a scenario workbook must end in .xlsx")
    book = Workbook()
    sign(book)
    settings_sheet = book.active
    settings_sheet.title = SETTINGS_SHEET
    _fill_sheet(settings_sheet, SETTINGS_HEADER, settings_rows(scenario))
    for spec in SCENARIO_TABLES:
        rows: Sequence[Record] = getattr(scenario, spec.name) if scenario is not None else ()
        sheet = book.create_sheet(spec.name)
        _fill_sheet(sheet, spec.columns, (table_cells(spec, row) for row in rows))
        _describe_columns(sheet, spec)
    with atomic_file(path, WORKBOOK) as temporary:
        book.save(temporary)


def settings_rows(scenario: Scenario | None) -> list[tuple[str, Any, str]]:
    """One ``(dotted key, value, description)`` per setting; values empty without a scenario."""
    rows = []
    for group, model in SETTINGS_MODELS.items():
        group_description = Scenario.model_fields[group].description or model.__doc__ or ""
        values = getattr(scenario, group) if scenario is not None else None
        for name, field in model.model_fields.items():
            value = getattr(values, name) if values is not None else None
            key = f"{group}.{field.alias or name}"
            rows.append((key, _cell_value(value), _plain(field.description or group_description)))
    return rows


def table_cells(spec: TableSpec, row: Record) -> list[Any]:
    """One row's cells in the order of the table's columns."""
    return [_cell_value(getattr(row, name)) for name in spec.row.model_fields]


def _cell_value(value: Any) -> Any:
    """A value as a cell holds it: enums as their values, id lists joined, nothing as empty."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(str(_cell_value(item)) for item in value) or None
    if value == "":
        return None
    if isinstance(value, int | float) and not _exact_as_number(value):
        return repr(value)
    return value


def _exact_as_number(value: float) -> bool:
    """Whether a number survives openpyxl, which writes numbers to 16 significant digits.

    The few that need 17 digits (say ``0.1 + 0.2``), or are infinite or huge, go into the
    workbook as text instead, which the loader reads back exactly.
    """
    try:
        return math.isfinite(value) and float(f"{value:.16g}") == value
    except OverflowError:
        return False


def _fill_sheet(sheet: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a bold, frozen header and the rows below it, then size the columns."""
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            keep_as_text(cell)
    for column in sheet.iter_cols():
        longest = max(len(_shown(cell.value)) for cell in column)
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(column[0].column)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if len(_shown(cell.value)) > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _describe_columns(sheet: Any, spec: TableSpec) -> None:
    """Attach each field's docstring to its header cell, for whoever fills the sheet in."""
    fields = list(spec.row.model_fields.values())
    for cell, field in zip(sheet[1], fields, strict=True):
        if field.description:
            cell.comment = Comment(_plain(field.description), "planner")


def _plain(docstring: str) -> str:
    """A field docstring as a planner reads it in a spreadsheet: no reST markup."""
    return " ".join(docstring.replace("``", "").split())


def _shown(value: Any) -> str:
    """Roughly how a cell's value reads on screen, for sizing its column."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
