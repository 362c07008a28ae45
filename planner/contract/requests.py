"""What each contributor is asked to send: requests.xlsx and one CSV file per contributor.

A contributor's request is its planned deployments (running ones are on site already),
one row each, ordered by arrival date and deployment id. ``requests.xlsx`` holds a sheet
``Summary`` (the plan it comes from, then one row per contributor) and one sheet per
contributor; ``requests/<STEM>.csv`` holds the same rows as that contributor's sheet.

Names follow from the contract alone, so the same contract always gives the same names:
a file stem (:func:`contributor_file_names`, shared with :mod:`planner.contract.calendars`) is the
contributor's code if it has one, else its name, in ASCII letters, digits, ``-`` and
``_``; a sheet name (:func:`contributor_sheet_names`) may keep any letter Excel takes.
Names that would clash, also on a file system that ignores case, get a number (``-2``,
``-3``... for files, ``(2)``, ``(3)``... for sheets), in the order of the contributors'
names.

The same contract exported twice gives byte-identical files: the workbook carries the
contract's approval time (or :data:`EPOCH` for a run not approved) as its creation and
modification time and as the time of every entry of its ZIP archive, never the time of
writing. No cell can run as a formula (see :mod:`planner.files.cells`).
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

from planner.files.spreadsheets import CORE_PROPERTIES, plan_cell, sign, write_csv

REQUESTS_WORKBOOK = "requests.xlsx"
REQUESTS_FOLDER = "requests"
"""The folder of the per-contributor CSV files, beside the workbook."""
SUMMARY_SHEET = "Summary"
REQUEST_COLUMNS = [
    "contributor", "contributor_code", "deployment_id", "sequence", "kind_id", "kind_name",
    "kind_class", "quantity",
    "section_id", "section_name", "arrive", "leave", "days", "unit_days", "contribution_id",
    "category",
]
"""The columns of a contributor's sheet and CSV file, in order (each row names its
contributor, so a file read on its own says whose it is)."""
SUMMARY_COLUMNS = [
    "contributor", "contributor_code", "deployments", "units", "unit_days", "first_arrive",
    "last_leave",
]
"""The columns of the contributors' table on the summary sheet, in order."""

EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
"""The time stamped on what is exported from a run not approved: the earliest time a ZIP
archive entry can carry."""
STEM_LENGTH = 40
"""Characters of a file stem at most, suffix included."""
SHEET_LENGTH = 31
"""Characters of a sheet name at most (Excel's limit)."""

_UNSAFE_IN_STEM = re.compile(r"[^A-Za-z0-9_-]+")
_LATIN_LETTERS = str.maketrans({
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i"})
"""Latin letters that do not decompose into an ASCII letter and an accent."""
_UNSAFE_IN_SHEET = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]+")
"""What Excel refuses in a sheet name (control characters too)."""
_RESERVED_STEMS = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)),
                             *(f"LPT{n}" for n in range(10))})
"""Names Windows refuses for a file, whatever its extension."""
_RESERVED_SHEETS = frozenset({SUMMARY_SHEET.casefold(), "history"})
"""Sheet names taken: the summary's, and the one Excel keeps for its change history."""
_BOLD = Font(bold=True)
_WIDEST = 60
"""Characters a column is sized to at most."""
_ZIP_MODE = (stat.S_IFREG | 0o644) << 16
"""Every archive entry a regular file (``rw-r--r--``), whatever the temporary files were."""
_UNIX = 3
"""ZIP's code for the system that made an entry, the same on every platform."""


def export_moment(contract: Mapping[str, Any]) -> datetime:
    """When the contract's plan was approved (UTC), or :data:`EPOCH` if it was not.

    Everything exported carries this time rather than the time of writing, so the same
    contract always gives the same bytes.
    """
    approved_at = contract["approved_at"]
    if approved_at is None:
        return EPOCH
    moment = datetime.fromisoformat(approved_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(moment.astimezone(UTC), EPOCH)


def contributor_codes(contract: Mapping[str, Any]) -> dict[str, str | None]:
    """Every contributor the contract names (deployments, requests, changes) and its code.

    The code is the first one a record of the contributor gives; ``None`` if none does.
    """
    records: list[Mapping[str, Any]] = [*contract["deployments"], *contract["requests"],
                                        *(change["deployment"] for change in contract["changes"])]
    codes: dict[str, str | None] = {}
    for record in records:
        name = record["contributor"]
        if codes.get(name) is None:
            codes[name] = record.get("contributor_code") or None
    return {name: codes[name] for name in sorted(codes)}


def file_stem(text: str, fallback: str) -> str:
    """``text`` as a file stem safe on every system: ASCII letters, digits, ``-``, ``_``.

    Accents are dropped (``Österreich``: ``Osterreich``), letters such as ``ß`` and ``ø``
    spelled in ASCII (``ss``, ``o``), and each run of anything else becomes ``-``.
    Text with nothing left (a name in another script) gives ``fallback`` and a short hash
    of the text, so that it is still the same stem every time and differs from others'.
    """
    letters = unicodedata.normalize("NFKD", text.translate(_LATIN_LETTERS))
    bare = "".join(character for character in letters if not unicodedata.combining(character))
    stem = _UNSAFE_IN_STEM.sub("-", bare).strip("-_")[:STEM_LENGTH].rstrip("-_")
    if not stem:
        return f"{fallback}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    if stem.upper() in _RESERVED_STEMS:
        return f"{stem}_"
    return stem


def unique_file_stems(wanted: Mapping[str, str]) -> dict[str, str]:
    """Each key's wanted stem, made unique (ignoring case) with ``-2``, ``-3``... in key order."""
    return _unique(wanted, STEM_LENGTH, "-{}", frozenset())


def contributor_file_names(contract: Mapping[str, Any]) -> dict[str, str]:
    """Contributor name -> the stem of its files: its code if it has one, else its name."""
    return unique_file_stems({name: file_stem(code or name, "contributor")
                              for name, code in contributor_codes(contract).items()})


def contributor_sheet_names(contract: Mapping[str, Any]) -> dict[str, str]:
    r"""Contributor name -> its sheet in ``requests.xlsx``: its code if it has one, else its name.

    Excel's rules: at most 31 characters, none of ``[]:*?/\`` (each run of them and of
    spaces is one space), no ``'`` first or last, unique ignoring case, and neither
    ``Summary`` nor ``History``.
    """
    wanted = {}
    for name, code in contributor_codes(contract).items():
        cleaned = " ".join(_UNSAFE_IN_SHEET.sub(" ", code or name).split()).strip("'")
        wanted[name] = cleaned[:SHEET_LENGTH].strip().strip("'") or "contributor"
    return _unique(wanted, SHEET_LENGTH, " ({})", _RESERVED_SHEETS)


def _unique(wanted: Mapping[str, str], length: int, suffix: str,
            taken: frozenset[str]) -> dict[str, str]:
    """Each key's wanted name, or the first with a numbered ``suffix`` no earlier key has."""
    used = set(taken)
    names = {}
    for key in sorted(wanted):
        name, number = wanted[key], 1
        while name.casefold() in used:
            number += 1
            ending = suffix.format(number)
            name = wanted[key][:length - len(ending)] + ending
        used.add(name.casefold())
        names[key] = name
    return names


def days_on_site(deployment: Mapping[str, Any]) -> int:
    """Days a deployment is on site, its first and last included."""
    return (date.fromisoformat(deployment["leave"])
            - date.fromisoformat(deployment["arrive"])).days + 1


def contributor_requests(contract: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Contributor name -> the rows of what it is asked to send (its planned deployments).

    Every contributor with a request or a planned deployment, by name; its rows have the
    :data:`REQUEST_COLUMNS`, dates as dates, ordered by arrival and deployment id.
    """
    requests: dict[str, list[dict[str, Any]]] = {
        request["contributor"]: [] for request in contract["requests"]}
    planned = [deployment for deployment in contract["deployments"]
               if deployment["status"] == "planned"]
    for deployment in sorted(planned, key=lambda d: (d["arrive"], d["deployment_id"])):
        days = days_on_site(deployment)
        derived = {"arrive": date.fromisoformat(deployment["arrive"]),
                   "leave": date.fromisoformat(deployment["leave"]), "days": days,
                   "unit_days": deployment["quantity"] * days}
        requests.setdefault(deployment["contributor"], []).append(
            {column: derived[column] if column in derived else deployment[column]
             for column in REQUEST_COLUMNS})
    return {name: requests[name] for name in sorted(requests)}


def _summary_row(contributor: str, code: str | None,
                 rows: list[dict[str, Any]]) -> list[Any]:
    """One contributor's line of the summary: counts, and its first arrival and last leave."""
    return [contributor, code, len(rows), sum(row["quantity"] for row in rows),
            sum(row["unit_days"] for row in rows),
            min((row["arrive"] for row in rows), default=None),
            max((row["leave"] for row in rows), default=None)]


def _plan_lines(contract: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The lines heading the summary: which plan, which revision, how to read the dates."""
    scenario = contract["scenario"]
    revision = contract["revision"]
    return [
        ("operation", contract["operation"]),
        ("scenario", scenario["name"]),
        ("scenario version", scenario["version"]),
        ("run_id", contract["run_id"]),
        ("revision", "not approved" if revision is None else revision),
        ("approved_at", contract["approved_at"]),
        ("timezone", contract["timezone"]),
        ("schema_version", contract["schema_version"]),
    ]


def write_requests(contract: dict[str, Any], folder: Path) -> list[Path]:
    """Write ``requests.xlsx`` and ``requests/<STEM>.csv`` per contributor into ``folder``.

    ``folder`` exists (a staging folder: the caller makes the whole export appear at
    once). Returns the paths written, the workbook first, then the CSV files by stem.
    """
    requests = contributor_requests(contract)
    codes = contributor_codes(contract)
    sheets = contributor_sheet_names(contract)
    stems = contributor_file_names(contract)

    book = Workbook(write_only=True)
    sign(book)
    _add_summary_sheet(book, contract, [_summary_row(name, codes[name], rows)
                                        for name, rows in requests.items()])
    for name, rows in requests.items():
        _add_sheet(book, sheets[name], REQUEST_COLUMNS,
                   [[row[column] for column in REQUEST_COLUMNS] for row in rows])
    workbook = folder / REQUESTS_WORKBOOK
    _save_as_of(book, workbook, export_moment(contract))

    written = [workbook]
    if requests:
        (folder / REQUESTS_FOLDER).mkdir(exist_ok=True)
    for name in sorted(requests, key=lambda name: stems[name]):
        path = folder / REQUESTS_FOLDER / f"{stems[name]}.csv"
        table = pd.DataFrame(requests[name], columns=REQUEST_COLUMNS)
        write_csv(table.astype({"sequence": "int64", "quantity": "int64", "days": "int64",
                                "unit_days": "int64"}), path)
        written.append(path)
    return written


def _add_summary_sheet(book: Workbook, contract: Mapping[str, Any],
                       rows: list[list[Any]]) -> None:
    """The first sheet: the plan's lines, a blank line, then one row per contributor."""
    lines = [list(line) for line in _plan_lines(contract)]
    _add_sheet(book, SUMMARY_SHEET, SUMMARY_COLUMNS, rows, above=[*lines, []])


def _add_sheet(book: Workbook, name: str, columns: list[str], rows: list[list[Any]],
               above: Iterable[list[Any]] = ()) -> None:
    """One sheet: lines ``above`` (first cells bold), a bold frozen header, then the rows."""
    sheet = book.create_sheet(name)
    above = list(above)
    sheet.freeze_panes = f"A{len(above) + 2}"
    for number, width in enumerate(_widths([columns, *above, *rows]), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    for line in above:
        sheet.append([plan_cell(sheet, value, font=_BOLD if position == 0 else None)
                      for position, value in enumerate(line)])
    sheet.append([plan_cell(sheet, column, font=_BOLD) for column in columns])
    for row in rows:
        sheet.append([plan_cell(sheet, value) for value in row])


def _widths(lines: list[list[Any]]) -> list[int]:
    """Column widths that fit the longest cell of each column (up to :data:`_WIDEST`)."""
    widths: list[int] = []
    for line in lines:
        for position, value in enumerate(line):
            text = "" if value is None else str(value)
            if position == len(widths):
                widths.append(0)
            widths[position] = max(widths[position], len(text))
    return [min(width + 2, _WIDEST) for width in widths]


def _save_as_of(book: Workbook, path: Path, moment: datetime) -> None:
    """Save ``book`` at ``path`` as if at ``moment``: the same workbook, the same bytes.

    openpyxl stamps the time of saving into the core properties and each archive entry
    gets the time its part was written; here both are ``moment`` instead, and every
    entry the same permissions.
    """
    stamp = moment.astimezone(UTC).replace(tzinfo=None)
    book.properties.created = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    book.properties.modified = stamp  # save set it to now
    with zipfile.ZipFile(buffer) as saved, zipfile.ZipFile(path, "w") as archive:
        for entry in saved.infolist():
            part = (tostring(book.properties.to_tree()) if entry.filename == CORE_PROPERTIES
                    else saved.read(entry))
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = _ZIP_MODE
            fixed.create_system = _UNIX
            archive.writestr(fixed, part)
