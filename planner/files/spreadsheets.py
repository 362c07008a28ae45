"""Every CSV file and workbook cell the planner writes, none of them a cell that can run.

All CSV output goes through :func:`write_csv` or :func:`write_rows`, and every cell of
the plan workbook through :func:`plan_cell`: text a spreadsheet would read as a formula
is neutralised there (see :mod:`planner.files.cells`), numbers (negative ones too) stay numbers.
The scenario workbook is read back by the loader cell by cell, so it keeps such text as it
is, in cells typed as text (:func:`keep_as_text`). This module also signs the workbooks
and tells apart the files the planner wrote, so that only those are ever replaced.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO
from xml.etree import ElementTree

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

from planner.files.atomic import GENERATOR, FileKind
from planner.files.cells import neutralise

CORE_PROPERTIES = "docProps/core.xml"
"""The part of an ``.xlsx`` file that names who created and who last saved it."""
_CORE_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
}
_CORE_LIMIT = 1 << 16
"""Bytes of the core properties read at most: they are a few hundred."""


def inert(frame: pd.DataFrame, *, index: bool = False) -> pd.DataFrame:
    """``frame`` with every text cell and heading (and, with ``index``, label) neutralised."""
    safe = frame.rename(columns=neutralise, index=neutralise if index else None)
    for position in range(safe.shape[1]):
        values = safe.iloc[:, position]
        if not (is_numeric_dtype(values) or is_datetime64_any_dtype(values)):
            safe.isetitem(position, values.map(neutralise, na_action="ignore").array)
    return safe


class _LineFeedRows(io.TextIOBase):
    r"""A text file for a CSV writer that ends rows in ``\r\n``: they end in ``\n`` instead.

    Python's CSV writer quotes a field only for the characters of its row terminator, so
    one ending rows in ``\n`` leaves a carriage return bare, and readers start a new row
    there: the text after it would be a cell of its own (a formula, say). Ending rows in
    ``\r\n`` quotes both; this turns each terminator (a ``\r\n`` outside quotes) back
    into the ``\n`` the planner's files end their lines with.
    """

    def __init__(self, file: TextIO) -> None:
        self._file = file
        self._quoted = False

    def writable(self) -> bool:
        """It is written to."""
        return True

    def write(self, text: str) -> int:
        r"""Write ``text``, its row terminators as ``\n``."""
        parts = text.split('"')
        for number, part in enumerate(parts):
            if number:
                self._quoted = not self._quoted
            if not self._quoted:
                parts[number] = part.replace("\r\n", "\n")
        self._file.write('"'.join(parts))
        return len(text)


def write_csv(frame: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    r"""Write ``frame`` as a CSV file (UTF-8, ``\n`` line ends) in which no cell can run."""
    with path.open("w", encoding="utf-8", newline="") as file:
        inert(frame, index=index).to_csv(_LineFeedRows(file), index=index,
                                         lineterminator="\r\n")


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    r"""Write a header and rows as a CSV file (UTF-8, ``\n`` line ends) in which no cell can run."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(_LineFeedRows(file), lineterminator="\r\n")
        writer.writerow([neutralise(cell) for cell in header])
        writer.writerows([neutralise(cell) for cell in row] for row in rows)


def plan_cell(sheet: Any, value: Any, *, font: Font | None = None) -> Any:
    """``value`` as a cell of a write-only sheet (in ``font`` if given): never a formula."""
    value = neutralise(value)
    formula_like = isinstance(value, str) and value.startswith("=")
    if font is None and not formula_like:
        return value  # a plain value streams several times faster than a cell object
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl takes text starting with "=" for a formula unless the cell says it is
        # text; neutralise leaves none today, this keeps it so whatever it lets through.
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def keep_as_text(cell: Any) -> None:
    """Type a cell of an editable sheet as text if openpyxl took its text for a formula.

    For the scenario workbook, which the loader reads cell by cell: ``=x`` stays ``=x``
    (a formula cell would read back empty), but as text no spreadsheet runs.
    """
    if cell.data_type == "f":
        cell.data_type = "s"


def sign(book: Workbook) -> None:
    """Mark ``book`` as the planner's, so that a later write may replace it."""
    book.properties.creator = GENERATOR
    book.properties.lastModifiedBy = GENERATOR


def _signed_workbook(path: Path) -> bool:
    """Whether ``path`` is a workbook the planner signed and nobody has saved since.

    Excel and LibreOffice put their user in ``lastModifiedBy`` on saving: a template
    filled in and saved is someone's work, not the planner's.
    """
    try:
        with zipfile.ZipFile(path) as archive, archive.open(CORE_PROPERTIES) as part:
            document = part.read(_CORE_LIMIT)
        root = ElementTree.fromstring(document)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return False
    creator = root.findtext("dc:creator", namespaces=_CORE_NAMESPACES)
    saved_by = root.findtext("cp:lastModifiedBy", namespaces=_CORE_NAMESPACES)
    return creator == GENERATOR and saved_by in (None, GENERATOR)


WORKBOOK = FileKind("a scenario workbook", _signed_workbook, "scenario.xlsx")
"""Workbooks the planner wrote: replaced only if it signed them (see :func:`sign`)."""


def csv_with_header(columns: Sequence[str], what: str, example: str) -> FileKind:
    """CSV files whose first line is ``columns``: those the planner writes under that header."""
    expected = ",".join(str(neutralise(column)) for column in columns)

    def recognise(path: Path) -> bool:
        """Whether the first line of ``path`` is the header."""
        with path.open(encoding="utf-8", newline="") as file:
            first = file.readline(len(expected) + 3)
        return first.rstrip("\r\n") == expected

    return FileKind(what, recognise, example)
