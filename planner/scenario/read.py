"""Loading a scenario from a folder (scenario.yaml plus CSV tables) or one Excel workbook.

Every problem found is collected and raised at once as a :class:`ScenarioError`, each
naming the file (and sheet), the row as a spreadsheet shows it and the field. Files are
read through :mod:`planner.files.reading`, which refuses what is not a regular file or passes
its limits.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from planner.errors import Problem, ScenarioError, UsageError
from planner.files.cells import restore
from planner.files.reading import (
    MAX_ROWS,
    RefusedFileError,
    WorkbookArchive,
    bounded_rows,
    open_regular,
    present,
    read_regular,
    read_yaml,
    sheet_size_problem,
)
from planner.scenario.checks import REFERENCED_KEYS, reference_problems
from planner.scenario.records import Horizon, ImpactPenalties, Meta, Record, Replanning
from planner.scenario.schema import Scenario
from planner.scenario.tables import SCENARIO_TABLES, SETTINGS_FIELDS, TableSpec

SCENARIO_FILE = "scenario.yaml"
VARIANTS_KEY = "variants"
"""Variants of the scenario (see ``planner.scenario.variants``); read there, not here."""
SETTINGS_SHEET = "scenario"
SETTINGS_MODELS: dict[str, type[BaseModel]] = {
    "meta": Meta,
    "horizon": Horizon,
    "language_penalty": ImpactPenalties,
    "replanning": Replanning,
}
OPTIONAL_SETTINGS = frozenset({"replanning"})
"""Settings a scenario may leave out: every field of theirs has a default."""


@dataclass
class RawTable:
    """A table as read from a file, before validation: cells as strings, rows with origins."""

    source: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    row_label: str = "row"


@dataclass
class RawScenario:
    """Everything read from the files, plus the problems found while reading."""

    name: str
    settings: dict[str, Any]
    settings_source: str
    settings_rows: dict[str, int]
    tables: dict[str, RawTable]
    problems: list[Problem]
    unreadable: set[str] = field(default_factory=set)
    """Tables (and ``settings``) that could not be read at all: a problem already says why."""


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and cross-check a scenario folder, YAML file or Excel workbook."""
    raw = read_scenario(Path(path))
    return validate_scenario(raw)


def read_scenario(path: Path) -> RawScenario:
    """Read the files of a scenario without judging their content beyond their form."""
    if path.is_dir():
        yaml_path = path / SCENARIO_FILE
        if not present(yaml_path):
            raise UsageError(f"{path}: not a scenario folder (no {SCENARIO_FILE} in it)")
        return _read_folder(yaml_path)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _read_folder(path)
    if path.suffix.lower() == ".xlsx":
        return _read_workbook(path)
    raise UsageError(
        f"{path}: expected a scenario folder, a {SCENARIO_FILE} or an .xlsx workbook"
    )


def validate_scenario(raw: RawScenario) -> Scenario:
    """Turn what was read into a validated :class:`Scenario`, or raise every problem at once."""
    problems = list(raw.problems)
    settings: dict[str, Any] = {}
    for key, model in SETTINGS_MODELS.items():
        if key not in raw.settings:
            if "settings" not in raw.unreadable and key not in OPTIONAL_SETTINGS:
                problems.append(Problem(raw.settings_source, None, key, "missing"))
            continue
        try:
            settings[key] = model.model_validate(raw.settings[key])
        except ValidationError as error:
            for detail in error.errors():
                dotted = ".".join(str(part) for part in (key, *detail["loc"]))
                problems.append(Problem(
                    raw.settings_source, raw.settings_rows.get(dotted), dotted, _message(detail)
                ))

    rows: dict[str, list[Record]] = {}
    row_numbers: dict[str, list[int]] = {}
    for spec in SCENARIO_TABLES:
        table = raw.tables.get(spec.name)
        if table is None:
            rows[spec.name], row_numbers[spec.name] = [], []
            continue
        valid, numbers, table_problems = _validate_rows(spec, table)
        rows[spec.name], row_numbers[spec.name] = valid, numbers
        problems.extend(table_problems)
        if spec.required and not table.rows:
            problems.append(
                Problem(table.source, None, None, "has no rows; at least one is needed")
            )

    known_keys = {
        name: None if name in raw.unreadable else _failed_keys(raw.tables.get(name),
                                                               row_numbers[name], columns)
        for name, columns in REFERENCED_KEYS.items()
    }
    for problem in reference_problems(settings.get("horizon"), rows, known_keys):
        table = raw.tables[problem.table]
        numbers = row_numbers[problem.table]
        message = problem.message
        if problem.first_index is not None:
            message += f" (first at {table.row_label} {numbers[problem.first_index]})"
        problems.append(Problem(table.source, numbers[problem.index], problem.field, message))

    if problems:
        raise ScenarioError(problems, scenario=raw.name)
    return Scenario.model_validate({**settings, **rows})


def _failed_keys(
    table: RawTable | None, valid_numbers: list[int], columns: Sequence[str]
) -> set[str]:
    """The ``columns``' values in rows that failed on their own: they exist, though invalid."""
    if table is None:
        return set()
    valid = set(valid_numbers)
    return {
        str(row[column])
        for row, number in zip(table.rows, table.row_numbers, strict=True)
        if number not in valid
        for column in columns
        if column in row
    }


def _validate_rows(
    spec: TableSpec, table: RawTable
) -> tuple[list[Record], list[int], list[Problem]]:
    """Validate a table's rows in one pass; keep the valid ones with their row numbers."""
    adapter: TypeAdapter[list[Any]] = TypeAdapter(list[spec.row])  # type: ignore[name-defined]
    try:
        return adapter.validate_python(table.rows), list(table.row_numbers), []
    except ValidationError as error:
        bad_rows: dict[int, list[Problem]] = {}
        for detail in error.errors():
            index, *rest = detail["loc"]
            assert isinstance(index, int)
            column = str(rest[0]) if rest else None
            bad_rows.setdefault(index, []).append(
                Problem(table.source, table.row_numbers[index], column, _message(detail))
            )
    good = [index for index in range(len(table.rows)) if index not in bad_rows]
    valid = adapter.validate_python([table.rows[index] for index in good])
    problems = [problem for index in sorted(bad_rows) for problem in bad_rows[index]]
    return valid, [table.row_numbers[index] for index in good], problems


SHOWN_CHARACTERS = 60
"""Longest value a problem quotes in full; longer ones are cut, with their length."""


def _message(detail: Mapping[str, Any]) -> str:
    """A pydantic error detail as one plain sentence, with the offending value."""
    kind = detail["type"]
    if kind == "missing":
        return "missing value"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(detail["msg"]).removeprefix("Value error, ")
    value = detail.get("input")
    if isinstance(value, str) and len(value) > SHOWN_CHARACTERS:
        message += f" (got {value[:SHOWN_CHARACTERS]!r}... ({len(value):,} characters))"
    elif isinstance(value, str | float) or (isinstance(value, int) and
                                            not isinstance(value, bool)):
        message += f" (got {_shown_number(value)})"
    return message


def _shown_number(value: str | int | float) -> str:
    """``repr(value)``, but an integer too long to print in full shows its digit count."""
    if isinstance(value, int) and abs(value) >= 10**SHOWN_CHARACTERS:
        # Printing it in full may cost more than the rest of the check (or be refused).
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    return repr(value)


# --- a folder: scenario.yaml plus one CSV per table -------------------------------------------


def _read_folder(yaml_path: Path) -> RawScenario:
    folder = yaml_path.parent
    problems: list[Problem] = []
    unreadable: set[str] = set()
    document = _read_yaml(yaml_path, problems)
    if problems:
        unreadable.add("settings")
    settings = {key: value for key, value in document.items() if key in SETTINGS_FIELDS}
    table_names = {spec.name for spec in SCENARIO_TABLES}
    for key in document:
        if key not in SETTINGS_FIELDS and key not in table_names and key != VARIANTS_KEY:
            problems.append(Problem(yaml_path.name, None, str(key), "unknown key"))

    tables: dict[str, RawTable] = {}
    for spec in SCENARIO_TABLES:
        csv_path = folder / f"{spec.name}.csv"
        # Present even as a broken link or a folder: the reader then says what it is, rather
        # than the table counting as absent and its ids as unknown everywhere else.
        if spec.name in document:
            if present(csv_path):
                problems.append(Problem(
                    yaml_path.name, None, spec.name,
                    f"table given both here and in {csv_path.name}; keep one",
                ))
            table = _inline_table(yaml_path.name, spec, document[spec.name], problems)
        elif present(csv_path):
            table = _read_csv(csv_path, spec, problems)
        elif spec.required:
            problems.append(Problem(csv_path.name, None, None,
                                    "file is missing; this table is required"))
            table = None
        else:
            continue
        if table is None:
            unreadable.add(spec.name)
        else:
            tables[spec.name] = table
    return RawScenario(
        name=str(folder if yaml_path.name == SCENARIO_FILE else yaml_path),
        settings=settings,
        settings_source=yaml_path.name,
        settings_rows={},
        tables=tables,
        problems=problems,
        unreadable=unreadable,
    )


def _read_yaml(path: Path, problems: list[Problem]) -> dict[str, Any]:
    document, found = read_yaml(path, path.name)
    problems.extend(found)
    if found and document is None:
        return {}
    if document is None:
        problems.append(Problem(path.name, None, None, "file is empty"))
        return {}
    if not isinstance(document, dict):
        problems.append(Problem(path.name, None, None, "expected a mapping of keys to values"))
        return {}
    return document


def _inline_table(
    source: str, spec: TableSpec, entries: Any, problems: list[Problem]
) -> RawTable | None:
    """A table written as a YAML list of mappings inside scenario.yaml."""
    where = f"{source}, {spec.name}"
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        problems.append(Problem(source, None, spec.name, "expected a list of rows (mappings)"))
        return None
    if len(entries) > MAX_ROWS:
        problems.append(Problem(source, None, spec.name,
                                f"has more than {MAX_ROWS:,} rows, the limit for one table"))
        return None
    rows = [
        {str(key): _cell_from_yaml(value) for key, value in entry.items() if value is not None}
        for entry in entries
    ]
    return RawTable(where, rows, list(range(1, len(rows) + 1)), row_label="entry")


def _cell_from_yaml(value: Any) -> Any:
    """YAML values as the CSV path would see them; lists stay lists."""
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value) if isinstance(value, int | float) else value


def _read_csv(path: Path, spec: TableSpec, problems: list[Problem]) -> RawTable | None:
    try:
        text = read_regular(path).decode("utf-8-sig")
    except RefusedFileError as refused:
        problems.append(Problem(path.name, None, None, refused.reason))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(path.name, None, None, "not UTF-8 text"))
        return None
    if not text.strip():
        problems.append(Problem(path.name, None, None,
                                f"file is empty; expected a header row: {','.join(spec.columns)}"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    # The reader's line count has run on to the end of the file by the time an unclosed
    # quote fails; the line the broken row starts on is the one to show.
    row_start = 1

    def lines_read() -> Iterator[list[str]]:
        nonlocal row_start
        for line in reader:
            yield line
            row_start = reader.line_num + 1

    try:
        lines = bounded_rows(lines_read())
    except csv.Error as error:
        problems.append(Problem(path.name, row_start, None, f"malformed CSV: {error}"))
        return None
    except RefusedFileError as refused:
        problems.append(Problem(path.name, None, None, refused.reason))
        return None
    header = [_cell_text(name) for name in lines[0]]
    rows = lines[1:]
    row_numbers = list(range(2, len(rows) + 2))
    return _table_from_cells(path.name, spec, header, rows, row_numbers, problems)


def _table_from_cells(
    source: str,
    spec: TableSpec,
    header: list[str],
    cells: Iterable[Sequence[Any]],
    row_numbers: list[int],
    problems: list[Problem],
) -> RawTable | None:
    """Check a header against the table's columns, then turn cell rows into dicts."""
    known = set(spec.columns)
    required = {
        field.alias or name
        for name, field in spec.row.model_fields.items()
        if field.is_required()
    }
    bad_header = False
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if name not in known:
            problems.append(Problem(source, 1, name,
                                    f"unknown column (expected: {', '.join(spec.columns)})"))
            bad_header = True
        elif name in seen:
            problems.append(Problem(source, 1, name, "column appears twice"))
            bad_header = True
        seen.add(name)
    for name in spec.columns:
        if name in required and name not in seen:
            problems.append(Problem(source, 1, name, "missing column"))
            bad_header = True
    if bad_header:
        return None

    table = RawTable(source)
    width = len(header)
    for number, row in zip(row_numbers, cells, strict=True):
        values = [_cell_text(value) for value in row]
        if not any(values):
            continue
        # Rows with stray cells are reported, yet kept: their ids exist for other tables.
        if len(values) > width and any(values[width:]):
            problems.append(Problem(source, number, None,
                                    f"has {len(values)} cells but the header has {width}"))
        unnamed = [position + 1 for position, (name, value)
                   in enumerate(zip(header, values, strict=False)) if value and not name]
        if unnamed:
            problems.append(Problem(source, number, None,
                                    f"has a value in column {unnamed[0]}, which has no header"))
        table.rows.append({
            name: value for name, value in zip(header, values, strict=False) if name and value
        })
        table.row_numbers.append(number)
    return table


def _cell_text(value: Any) -> str:
    """A cell as text, the way it reads in a CSV file.

    Text the planner neutralised when writing it (``'=x``, so that no spreadsheet runs it
    as a formula) reads back as it was (``=x``).
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restore(str(value)).strip()


# --- one Excel workbook: a settings sheet plus a sheet per table -----------------------------


FORMULA_WITHOUT_VALUE = ("is a formula without a saved result (the program that wrote the "
                         "workbook did not compute it), so it reads as empty; enter the "
                         "value itself, or open and save the workbook in a spreadsheet")


def _read_workbook(path: Path) -> RawScenario:
    from openpyxl import load_workbook  # deferred: only workbook users pay for the import

    try:
        file = open_regular(path)
    except RefusedFileError as refused:
        raise _unreadable_workbook(path, refused.reason) from None
    with file:
        try:
            archive = WorkbookArchive(file)
        except RefusedFileError as refused:
            raise _unreadable_workbook(path, refused.reason) from None
        except Exception as error:  # a damaged archive raises many unrelated types
            raise _unreadable_workbook(path, f"not a readable Excel workbook: {error}") from None
        try:
            book = load_workbook(file, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many unrelated types for a damaged file
            archive.close()
            raise _unreadable_workbook(path, f"not a readable Excel workbook: {error}") from None
        try:
            return _read_book(path, book, archive)
        finally:
            book.close()
            archive.close()


def _unreadable_workbook(path: Path, reason: str) -> ScenarioError:
    """The error for a workbook that cannot be read at all."""
    return ScenarioError([Problem(path.name, None, None, reason)], scenario=str(path))


def _read_book(path: Path, book: Any, archive: WorkbookArchive) -> RawScenario:
    """Read the settings sheet and one sheet per table of an open workbook."""
    problems: list[Problem] = []
    unreadable: set[str] = set()
    settings: dict[str, Any] = {}
    settings_rows: dict[str, int] = {}
    settings_source = f"{path.name} [sheet {SETTINGS_SHEET}]"
    sheet_rows = (_sheet_rows(book[SETTINGS_SHEET], settings_source, archive, problems,
                              keyed=True)
                  if SETTINGS_SHEET in book.sheetnames else None)
    if sheet_rows is None:
        if SETTINGS_SHEET not in book.sheetnames:
            problems.append(Problem(path.name, None, None, f"missing sheet '{SETTINGS_SHEET}'"))
        unreadable.add("settings")
    for number, row in enumerate(sheet_rows or (), start=1):
        key = _cell_text(row[0]) if row else ""
        if number == 1 or not key:
            continue
        if key.split(".")[0] not in SETTINGS_FIELDS:
            problems.append(Problem(settings_source, number, key, "unknown key"))
            continue
        if key in settings_rows:
            problems.append(Problem(settings_source, number, key,
                                    f"key appears twice (first at row {settings_rows[key]})"))
            continue
        value = _cell_text(row[1]) if len(row) > 1 else ""
        _set_dotted(settings, key, value or None)
        settings_rows[key] = number

    tables: dict[str, RawTable] = {}
    expected = {SETTINGS_SHEET, *(spec.name for spec in SCENARIO_TABLES)}
    for name in book.sheetnames:
        if name not in expected:
            problems.append(Problem(path.name, None, None, f"unknown sheet '{name}'"))
    for spec in SCENARIO_TABLES:
        source = f"{path.name} [sheet {spec.name}]"
        if spec.name not in book.sheetnames:
            if spec.required:
                problems.append(Problem(path.name, None, None,
                                        f"missing sheet '{spec.name}' (required table)"))
                unreadable.add(spec.name)
            continue
        rows = _sheet_rows(book[spec.name], source, archive, problems)
        header_row = rows[0] if rows else ()
        table = None
        if rows is not None and not any(_cell_text(value) for value in header_row):
            problems.append(Problem(source, None, None,
                                    f"sheet is empty; expected a header row: "
                                    f"{', '.join(spec.columns)}"))
        elif rows is not None:
            header = [_cell_text(value) for value in header_row]
            table = _table_from_cells(source, spec, header, rows[1:],
                                      list(range(2, len(rows) + 1)), problems)
        if table is None:
            unreadable.add(spec.name)
        else:
            tables[spec.name] = table
    return RawScenario(str(path), settings, settings_source, settings_rows, tables, problems,
                       unreadable)


def _sheet_rows(sheet: Any, source: str, archive: WorkbookArchive, problems: list[Problem],
                keyed: bool = False) -> list[Sequence[Any]] | None:
    """A sheet's rows within the limits, or ``None`` (and a problem) if it passes one.

    Formula cells without a saved result are problems too, each naming its row and its
    column's header (or, with ``keyed``, the key in the row's first cell).
    """
    # openpyxl keeps where each sheet lives in the archive only privately.
    part = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
    try:
        refusal = sheet_size_problem(sheet.max_row, sheet.max_column)
        if refusal is not None:
            raise RefusedFileError(refusal)
        # Read every row there is, each as wide as its last cell: the declared size may be
        # wrong, and rows past it would otherwise be dropped without a word.
        sheet.reset_dimensions()
        rows = bounded_rows(sheet.iter_rows(values_only=True))
        uncomputed = (archive.uncomputed_formulas(part) if part in archive.formula_parts
                      else [])
    except RefusedFileError as refused:
        problems.append(Problem(source, None, None, refused.reason))
        return None
    except Exception as error:  # a damaged sheet raises many unrelated types
        problems.append(Problem(source, None, None, f"sheet cannot be read: {error}"))
        return None
    # The settings sheet reads only its first two columns: keys and values.
    names = ([_cell_text(row[0]) if row else "" for row in rows] if keyed
             else [_cell_text(value) for value in rows[0]] if rows else [])
    for row, column in uncomputed:
        if keyed and column > 2:
            continue
        index = row - 1 if keyed else column - 1
        field = names[index] if 0 <= index < len(names) and names[index] else None
        problems.append(Problem(source, row, field, FORMULA_WITHOUT_VALUE))
    return rows


def _set_dotted(target: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``target["a"]["b"] = value`` for the key ``a.b``."""
    *parents, last = dotted.split(".")
    for part in parents:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    if value is not None:
        target[last] = value
