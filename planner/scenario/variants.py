"""What-if variants: named overrides of a base scenario, and ad-hoc ``--set`` overrides.

A variant lives under ``variants:`` in the scenario's YAML, or in a file of its own (in the
scenario folder's ``variants/`` or anywhere) whose ``base:`` names the scenario. It may

- ``scale_forecast``: multiply arrivals (and their band), optionally only for some
  nationalities, sections and an inclusive period range;
- ``remove``: rows of a table by their key (``contributions: [de-bso-1]``; patterns such
  as ``*/SRB-HUN`` allowed; keys of several columns join with ``/``);
- ``add``: whole rows to a table;
- ``set``: single values, keyed ``table.row.field`` (``contributions.de-bso-1.quantity``;
  the row may be a pattern such as ``de-*`` or ``*``; keys of several columns join with
  ``/``: ``forecast.SRB-HUN/12/SYR.arrivals``) or ``setting.field`` (``horizon.periods``).
  A value ``"*1.3"`` multiplies the current one.

Overrides apply in that order (remove, add, set, then scale) and the result is validated
like any scenario; every problem names the variant, the key and the value. Variants
compose: ``a+b`` (``--variant a,b`` on the command line) applies ``a``'s overrides, then
``b``'s to the result, and only then validates, so a later variant may build on an
earlier one's rows.
:func:`check_study` makes every check a run makes before it solves, for ``planner validate``.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveInt, ValidationError

from planner.errors import Problem, ScenarioError, UsageError
from planner.files.reading import parse_yaml, present, read_yaml
from planner.model.requirements import derive_requirements
from planner.scenario.read import SCENARIO_FILE, VARIANTS_KEY, load_scenario
from planner.scenario.records import ID_MAX, ISO_DATE, Description
from planner.scenario.schema import Scenario
from planner.scenario.tables import SCENARIO_TABLES, SETTINGS_FIELDS, TableSpec

VARIANTS_FOLDER = "variants"
BASE = "base"
COMPOSED = "+"
"""Joins the names of variants applied in turn: ``summer_surge+extra_pledge``."""


class ForecastScale(BaseModel):
    """Arrivals multiplied by ``factor``, where all the given filters match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    factor: NonNegativeFloat
    nationalities: tuple[str, ...] = ()
    """Only these nationalities (all if empty)."""
    sections: tuple[str, ...] = ()
    """Only these sections (all if empty); patterns such as ``SRB-*`` allowed."""
    periods: tuple[PositiveInt, PositiveInt] | None = None
    """Only periods from the first to the second, inclusive."""


class Variant(BaseModel):
    """A named set of overrides of a base scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=ID_MAX, pattern=r"^[A-Za-z0-9_.-]+$")
    description: Description = ""
    base: str | None = None
    """For a variant in its own file: the base scenario, relative to that file."""
    scale_forecast: tuple[ForecastScale, ...] = ()
    remove: dict[str, tuple[str, ...]] = {}
    add: dict[str, tuple[dict[str, Any], ...]] = {}
    set: dict[str, Any] = {}


@dataclass(frozen=True)
class Applied:
    """A scenario after overrides, and what they changed, one readable line each."""

    scenario: Scenario
    variant: str | None
    """The variant's name; for several applied in turn their names joined by ``+``."""
    changes: tuple[str, ...]
    description: str = ""
    """The variant's description; for several, each one's after its name, a line each."""


def _problem(variant: str, key: str, message: str) -> Problem:
    return Problem(f"variant '{variant}'", None, key, message)


def parse_sets(items: Iterable[str]) -> dict[str, Any]:
    """``--set key=value`` arguments as a mapping; values read as YAML scalars."""
    values: dict[str, Any] = {}
    for item in items:
        key, equals, text = item.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"--set {item}: expected key=value, such as "
                             "contributions.de-bso-1.quantity=40")
        values[key.strip()] = _scalar(text.strip())
    return values


def _scalar(text: str) -> Any:
    """A ``--set`` value read as a YAML scalar (``2024-01-01`` a date); else the text itself.

    A date that is not one of the calendar (``2024-02-30``) stays text, for the schema to
    name as a problem of its key.
    """
    if not text:
        return ""
    value, problems = parse_yaml(text, "--set")
    if problems:
        return text
    if isinstance(value, str) and value == text and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def variant_from(name: str, document: Any, source: str) -> Variant:
    """Validate one variant's mapping; problems name the variant and the key."""
    if not isinstance(document, Mapping):
        raise ScenarioError([Problem(source, None, name, "a variant must be a mapping")])
    try:
        return Variant.model_validate({"name": name, **document})
    except ValidationError as error:
        raise ScenarioError([
            _problem(name, ".".join(str(part) for part in detail["loc"]), detail["msg"])
            for detail in error.errors()
        ], scenario=source) from None


def read_variants(path: str | Path) -> dict[str, Variant]:
    """The variants of the scenario at ``path``.

    Those under ``variants:`` in its YAML, and one per file in its ``variants/`` folder
    (named by the file's ``name:`` or stem). Raises one :class:`ScenarioError` listing the
    problems of every variant; problems of the scenario's YAML file as a file (it cannot be
    read, a key appears twice) are the loader's to report, not repeated here.
    """
    path = Path(path)
    yaml_path = path / SCENARIO_FILE if path.is_dir() else path
    found: dict[str, Variant] = {}
    problems: list[Problem] = []
    if yaml_path.suffix.lower() in {".yaml", ".yml"} and present(yaml_path):
        document, _ = read_yaml(yaml_path, yaml_path.name)
        bodies = document.get(VARIANTS_KEY) if isinstance(document, dict) else None
        if bodies is not None and not isinstance(bodies, dict):
            problems.append(Problem(yaml_path.name, None, VARIANTS_KEY,
                                    "expected a mapping of variant names to their overrides"))
        for name, body in (bodies if isinstance(bodies, dict) else {}).items():
            _collect(problems, found, str(name), body, yaml_path.name)
    folder = yaml_path.parent / VARIANTS_FOLDER
    for file in sorted(folder.glob("*.y*ml")) if folder.is_dir() else ():
        try:
            document = _yaml(file)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        name = str(document.pop("name", file.stem))
        if name in found:
            problems.append(Problem(str(file), None, "name",
                                    f"variant '{name}' is defined twice"))
            continue
        _collect(problems, found, name, document, str(file))
    if problems:
        raise ScenarioError(problems, scenario=str(path))
    return found


def _collect(problems: list[Problem], found: dict[str, Variant], name: str, body: Any,
             source: str) -> None:
    """Add the variant ``name`` to ``found``, or its problems to ``problems``."""
    try:
        found[name] = variant_from(name, body, source)
    except ScenarioError as error:
        problems.extend(error.problems)


def _yaml(path: Path) -> dict[str, Any]:
    """A variant file's mapping; raises every problem reading it."""
    document, problems = read_yaml(path, str(path))
    if problems:
        raise ScenarioError(problems, scenario=str(path))
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ScenarioError([Problem(str(path), None, None, "expected a YAML mapping")])
    return document


def variant_file(path: str | Path) -> tuple[Path, Variant] | None:
    """If ``path`` is a variant in a file of its own: its base scenario and the variant.

    A YAML file that cannot be read, or has no ``base:``, is not a variant file: the
    loader then reads it as a scenario and reports its problems.
    """
    path = Path(path)
    if path.is_dir() or path.suffix.lower() not in {".yaml", ".yml"}:
        return None
    document, problems = read_yaml(path, str(path))
    if not isinstance(document, dict) or BASE not in document:
        return None
    if problems:
        raise ScenarioError(problems, scenario=str(path))
    name = str(document.pop("name", path.stem))
    variant = variant_from(name, document, str(path))
    if variant.base is None:
        raise ScenarioError([_problem(name, BASE, "expected the path of the base scenario")],
                            scenario=str(path))
    return (path.parent / variant.base).resolve(), variant


def variant_names(given: str | Iterable[str] | None) -> tuple[str, ...]:
    """Variant names in the order they apply, from ``a,b``, ``a+b`` or several such.

    Each ``--variant`` value may list several names; blanks are dropped.
    """
    texts = [given] if isinstance(given, str) else list(given or ())
    return tuple(name.strip() for text in texts
                 for name in text.replace(COMPOSED, ",").split(",") if name.strip())


def apply_variant(scenario: Scenario, variant: Variant | Sequence[Variant] | None,
                  sets: Mapping[str, Any] | None = None) -> Applied:
    """The scenario with the variant's overrides, then the ad-hoc ``sets``, applied.

    Several variants apply in turn, each to what the ones before it left, and the result
    is validated once. Raises :class:`ScenarioError` listing every override that names
    something missing, and every problem of the resulting scenario, each naming the
    variant (for a problem of the result: all of them, joined by ``+``).
    """
    variants = (() if variant is None else
                (variant,) if isinstance(variant, Variant) else tuple(variant))
    name = COMPOSED.join(each.name for each in variants) or "--set"
    document = scenario.model_dump(mode="json", by_alias=True)
    problems: list[Problem] = []
    changes: list[str] = []
    for each in variants:
        lines: list[str] = []
        for table, keys in each.remove.items():
            lines.extend(_remove(document, each.name, table, keys, problems))
        for table, rows in each.add.items():
            lines.extend(_add(document, each.name, table, rows, problems))
        for key, value in each.set.items():
            lines.extend(_set(document, each.name, key, value, problems))
        for scale in each.scale_forecast:
            lines.extend(_scale(document, each.name, scale, problems))
        changes.extend(f"{each.name}: {line}" if len(variants) > 1 else line
                       for line in lines)
    for key, value in (sets or {}).items():
        changes.extend(_set(document, name, key, value, problems))
    if problems:
        raise ScenarioError(problems, scenario=scenario.meta.name)
    try:
        changed = Scenario.model_validate(document)
    except ValidationError as error:
        raise ScenarioError([
            _problem(name, _located(document, detail["loc"]), detail["msg"])
            for detail in error.errors()
        ], scenario=scenario.meta.name) from None
    description = (variants[0].description if len(variants) == 1 else
                   "\n".join(f"{each.name}: {each.description}" for each in variants
                             if each.description))
    return Applied(changed, name if variants else None, tuple(changes), description)


def _located(document: Mapping[str, Any], loc: Sequence[Any]) -> str:
    """A problem's place as overrides name it: ``sections.A.beds``, not ``sections.0.beds``."""
    parts = [str(part) for part in loc]
    if len(loc) >= 2 and isinstance(loc[1], int):
        spec = _spec(str(loc[0]))
        rows = document.get(str(loc[0])) or []
        if spec is not None and spec.key and 0 <= loc[1] < len(rows):
            parts[1] = _row_name(spec, rows[loc[1]])
    return ".".join(parts)


def _spec(table: str) -> TableSpec | None:
    return next((spec for spec in SCENARIO_TABLES if spec.name == table), None)


def _row_name(spec: TableSpec, row: Mapping[str, Any]) -> str:
    return "/".join(str(row.get(column)) for column in spec.key)


def _remove(document: dict[str, Any], name: str, table: str, keys: Sequence[str],
            problems: list[Problem]) -> list[str]:
    spec = _spec(table)
    if spec is None or not spec.key:
        problems.append(_problem(name, f"remove.{table}", _no_table(table, keyed=True)))
        return []
    rows = document.get(table, [])
    names = [_row_name(spec, row) for row in rows]
    missing = [key for key in keys if not any(fnmatch.fnmatchcase(row, key) for row in names)]
    for key in missing:
        problems.append(_problem(name, f"remove.{table}", f"no row '{key}' in {table}"))
    if missing:
        return []
    gone = [row for row in names if any(fnmatch.fnmatchcase(row, key) for key in keys)]
    document[table] = [row for row, row_name in zip(rows, names, strict=True)
                       if row_name not in gone]
    return [f"removed {table} {', '.join(gone)}"]


def _add(document: dict[str, Any], name: str, table: str, rows: Sequence[dict[str, Any]],
         problems: list[Problem]) -> list[str]:
    spec = _spec(table)
    if spec is None:
        problems.append(_problem(name, f"add.{table}", _no_table(table)))
        return []
    document[table] = [*document.get(table, []), *rows]
    names = [_row_name(spec, row) for row in rows] if spec.key else [str(len(rows))]
    return [f"added {table} {', '.join(names)}"]


def _no_table(table: str, keyed: bool = False) -> str:
    tables = [spec.name for spec in SCENARIO_TABLES if spec.key or not keyed]
    return f"no table '{table}' (tables: {', '.join(tables)})"


def _set(document: dict[str, Any], name: str, key: str, value: Any,
         problems: list[Problem]) -> list[str]:
    parts = key.split(".")
    where = f"set {key}"
    if len(parts) == 2 and parts[0] in SETTINGS_FIELDS:
        setting, field = parts
        current = document[setting]
        if field not in current:
            problems.append(_problem(name, where, f"'{setting}' has no field '{field}' "
                                     f"(fields: {', '.join(current)})"))
            return []
        new = _new_value(current[field], value, name, where, problems)
        if new is _INVALID:
            return []
        current[field] = new
        return [f"{key}: {_shown(value, current[field])}"]
    spec = _spec(parts[0])
    if len(parts) < 3 or spec is None or not spec.key:
        problems.append(_problem(name, where, f"value {value!r}: expected table.row.field "
                                 "(such as contributions.de-bso-1.quantity) or setting.field "
                                 "(such as horizon.periods)"))
        return []
    table, row_pattern, field = parts[0], ".".join(parts[1:-1]), parts[-1]
    aliases = {attribute: info.alias or attribute
               for attribute, info in spec.row.model_fields.items()}
    column = aliases.get(field, field)
    if column not in aliases.values():
        problems.append(_problem(name, where, f"value {value!r}: {table} has no field "
                                 f"'{field}' (fields: {', '.join(spec.columns)})"))
        return []
    matched = [row for row in document.get(table, [])
               if fnmatch.fnmatchcase(_row_name(spec, row), row_pattern)]
    if not matched:
        problems.append(_problem(name, where, f"value {value!r}: no row '{row_pattern}' in "
                                 f"{table}"))
        return []
    for row in matched:
        new = _new_value(row.get(column), value, name, where, problems)
        if new is _INVALID:
            return []
        row[column] = new
    shown = (_shown(value, matched[0][column]) if len(matched) == 1
             else f"{value} on {len(matched)} rows")
    return [f"{key}: {shown}"]


_INVALID = object()


def _new_value(current: Any, value: Any, name: str, where: str,
               problems: list[Problem]) -> Any:
    """``value``, or for ``"*factor"`` the current value times the factor."""
    if isinstance(value, str) and value.startswith("*"):
        try:
            factor = float(value[1:])
        except ValueError:
            factor = None
        if factor is None or not isinstance(current, int | float) or isinstance(current, bool):
            problems.append(_problem(name, where, f"value {value!r}: '*factor' needs a number "
                                     f"and a numeric field (current value {current!r})"))
            return _INVALID
        result = current * factor
        if not math.isfinite(result):
            return result  # the schema says why: no field takes an infinite value
        if isinstance(current, int) and abs(result - round(result)) <= 1e-9 * max(1, abs(result)):
            return round(result)  # a whole number, up to floating-point noise
        return result
    if isinstance(current, str) and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a text field such as a category: 3 on the command line means "3"
    return value


def _shown(value: Any, result: Any) -> str:
    return f"{value} -> {result}" if isinstance(value, str) and value.startswith("*") else str(
        result)


SCALED_ARRIVALS = ("arrivals", "arrivals_p10", "arrivals_p90")
"""The forecast's columns ``scale_forecast`` multiplies: the point forecast and its band."""


def _scale(document: dict[str, Any], name: str, scale: ForecastScale,
           problems: list[Problem]) -> list[str]:
    nationalities = {row["id"] for row in document.get("nationalities", [])}
    unknown = [n for n in scale.nationalities if n not in nationalities]
    sections = [row["id"] for row in document.get("sections", [])]
    unmatched = [s for s in scale.sections
                 if not any(fnmatch.fnmatchcase(section, s) for section in sections)]
    for kind, missing in (("nationality", unknown), ("section", unmatched)):
        for value in missing:
            problems.append(_problem(name, "scale_forecast", f"no {kind} '{value}'"))
    if unknown or unmatched:
        return []
    first, last = scale.periods or (1, document["horizon"]["periods"])
    count = 0
    for row in document.get("forecast", []):
        if ((not scale.nationalities or row["nationality_id"] in scale.nationalities)
                and (not scale.sections or any(fnmatch.fnmatchcase(row["section_id"], s)
                                               for s in scale.sections))
                and first <= row["period"] <= last):
            for column in SCALED_ARRIVALS:  # the band moves with the forecast
                if row.get(column) is not None:
                    row[column] = row[column] * scale.factor
            count += 1
    if count == 0:
        problems.append(_problem(name, "scale_forecast", "matches no forecast row"))
    filters = [f"nationalities {', '.join(scale.nationalities)}" if scale.nationalities else "",
               f"sections {', '.join(scale.sections)}" if scale.sections else "",
               f"periods {first}-{last}" if scale.periods else ""]
    where = "; ".join(part for part in filters if part) or "everywhere"
    return [f"forecast x{scale.factor:g} ({where}: {count} rows)"]


@dataclass(frozen=True)
class Study:
    """A base scenario with its variants, as loaded from one path."""

    path: str
    base: Scenario
    variants: dict[str, Variant]
    chosen: str | None = None
    """The variant a variant file names itself (``None`` for a scenario)."""

    def apply(self, variant: str | Sequence[str] | None = None,
              sets: Mapping[str, Any] | None = None) -> Applied:
        """The base with ``variant`` (none: the base itself) and then ``sets`` applied.

        ``variant`` may name several variants (``a+b``, ``a,b`` or a sequence): they apply
        in that order.
        """
        names = variant_names(variant)
        unknown = [name for name in names if name not in self.variants]
        if unknown:
            known = ", ".join(sorted(self.variants)) or "none"
            listed = ", ".join(f"'{name}'" for name in unknown)
            raise UsageError(f"{self.path}: no variant {listed} (variants: {known})")
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise UsageError(f"{self.path}: variant {', '.join(twice)} named twice: each "
                             "variant applies once")
        if not names and not sets:
            return Applied(self.base, None, ())
        return apply_variant(self.base, [self.variants[name] for name in names], sets)

    def default(self, variant: str | Sequence[str] | None) -> str | None:
        """The variant a run means: ``variant``, or the one a variant file names itself.

        Several variants come back joined by ``+``.
        """
        names = variant_names(variant)
        if self.chosen is not None and names and self.chosen not in names:
            raise UsageError(f"{self.path} is the variant '{self.chosen}'; --variant "
                             f"{','.join(names)} does not apply (run its base for other "
                             "variants)")
        return COMPOSED.join(names) or self.chosen


def load_study(path: str | Path) -> Study:
    """Load the scenario at ``path`` with its variants; a variant file loads its base.

    Raises one :class:`ScenarioError` with the problems of the scenario and of its
    variants together.
    """
    own = variant_file(path)
    base_path = Path(path) if own is None else own[0]
    problems: list[Problem] = []
    name = str(path)
    base: Scenario | None = None
    variants: dict[str, Variant] = {}
    try:
        base = load_scenario(base_path)
    except ScenarioError as error:
        problems.extend(error.problems)
        name = error.scenario
    try:
        variants = read_variants(base_path)
    except ScenarioError as error:
        problems.extend(error.problems)
    if problems or base is None:
        raise ScenarioError(problems, scenario=name)
    if own is None:
        return Study(str(path), base, variants)
    chosen = own[1]
    return Study(str(path), base, {**variants, chosen.name: chosen}, chosen.name)


@dataclass(frozen=True)
class Checked:
    """A study that passed every check a run of it makes before solving."""

    study: Study
    scenario: Scenario
    """What a run plans without ``--variant``: the base, or a variant file's own variant."""
    variants: tuple[str, ...]
    """The variants applied: every one of a scenario, or a variant file's own."""


def check_study(path: str | Path) -> Checked:
    """Make every check a run of the study at ``path`` makes, and report all problems at once.

    Loads the scenario and its variants, applies each variant (a variant file: its own,
    the only one it runs) and derives the needs of every scenario so obtained, so that
    nothing a run reaches before the solver can fail on input that passed here. Raises one
    :class:`ScenarioError` listing every problem, each naming its file or variant and key.
    """
    study = load_study(path)
    names = (study.chosen,) if study.chosen is not None else tuple(study.variants)
    problems: list[Problem] = []
    planned: dict[str | None, Scenario] = {} if study.chosen else {None: study.base}
    for name in names:
        try:
            planned[name] = study.apply(name).scenario
        except ScenarioError as error:
            problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems, scenario=study.path)
    for scenario in planned.values():
        derive_requirements(scenario)
    return Checked(study, planned[study.default(None)], names)
