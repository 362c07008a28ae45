"""Mutations of the tiny scenario, as a hostile or careless user would make them.

Each mutation is a small, describable change to a copy of ``scenarios/tiny`` (its folder
or the same scenario as a workbook): a cell, a row, a whole file, a YAML value, a sheet.
Hypothesis draws them; :func:`apply` carries one out on a folder or workbook.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
TABLE_FILES = sorted(path.name for path in TINY.glob("*.csv"))
YAML_KEYS = [
    ("meta", "name"), ("meta", "operation"), ("meta", "description"), ("meta", "version"),
    ("horizon", "start"), ("horizon", "period"), ("horizon", "periods"),
    ("language_penalty", "low"), ("language_penalty", "high"),
]

NASTY_TEXT = [
    "", " ", "-1", "0", "1e308", "-1e308", "1e-320", "nan", "inf", "-inf", "99999999999999999999",
    "2024-02-30", "2024-13-01", "0000-00-00", "9999-12-31", "1970-01-01", "2024-01-01T00:00",
    "=HYPERLINK(\"http://example.invalid\",\"x\")", "=1+1", "+1", "@SUM(1)", "-2+3",
    "\x00", "a\x00b", "tab\there", "new\nline", "cr\rhere", "\x1b[31mred", "a;b", "a;;a", ";",
    ",", "\"", "'", "A", "B", "X", "ara", "guard", "car", "host", "4", "pool", "week", "true",
    "null", "~", "[1, 2]", "{a: 1}", "&anchor", "*alias", "!!python/object:os.system", "\ufeff",
    "é" * 70, "x" * 300, "x" * 20000, "😀", "\u202e", "1" * 400,
]
"""Cell texts that have broken parsers before: numbers at the edges, dates that do not
exist, formulas, control characters, separators, YAML syntax, very long text."""

NASTY_YAML = [
    0, -1, 1e308, float("nan"), True, None, "", "2024-02-30", "x" * 20000, [], {}, [1, 2],
    {"a": 1}, "2024-01-01", "week", "day", 520, 521, 10**30, "9999-12-01", "0001-01-01",
]
"""YAML values given to settings."""


@dataclass(frozen=True)
class Mutation:
    """One change to a copy of the tiny scenario; ``str`` says what it was."""

    action: str
    target: str = ""
    row: int = 0
    column: int = 0
    value: Any = None

    def __str__(self) -> str:
        return f"{self.action} {self.target} row={self.row} column={self.column} {self.value!r}"


def _cells() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=30))


FOLDER_MUTATIONS: st.SearchStrategy[Mutation] = st.one_of(
    st.builds(Mutation, st.just("cell"), st.sampled_from(TABLE_FILES),
              st.integers(0, 4), st.integers(0, 11), _cells()),
    st.builds(Mutation, st.sampled_from(["duplicate_row", "delete_row", "truncate_row",
                                          "extra_cells"]),
              st.sampled_from(TABLE_FILES), st.integers(1, 4)),
    st.builds(Mutation, st.sampled_from(["delete_file", "empty_file", "garbage", "folder",
                                          "broken_link", "link_loop", "truncate_bytes",
                                          "bom_twice", "latin1", "header_only",
                                          "many_rows"]),
              st.sampled_from([*TABLE_FILES, "scenario.yaml"]), st.integers(0, 4000)),
    st.builds(Mutation, st.just("yaml_value"),
              st.sampled_from([f"{group}.{key}" for group, key in YAML_KEYS]),
              value=st.one_of(st.sampled_from(NASTY_YAML), _cells())),
    st.builds(Mutation, st.sampled_from(["yaml_duplicate_key", "yaml_deep", "yaml_variants",
                                          "yaml_unknown_key", "yaml_inline_dates"]),
              value=st.sampled_from([5, [1, 2], "x", {"v": 5}, {"v": {"set": {"x.y": 1}}},
                                     {"v": {"set": {"sections.A.beds": -1}}},
                                     {"v": {"scale_forecast": [{"factor": 1e308}]}}])),
)
"""Changes to a scenario folder."""

WORKBOOK_MUTATIONS: st.SearchStrategy[Mutation] = st.one_of(
    st.builds(Mutation, st.just("sheet_cell"),
              st.sampled_from(["scenario", *(name[:-4] for name in TABLE_FILES)]),
              st.integers(1, 5), st.integers(1, 10),
              st.one_of(_cells(), st.sampled_from([-1, 1e308, 0, 2.5, "=1+1", "=A1"]))),
    st.builds(Mutation, st.sampled_from(["delete_sheet", "rename_sheet"]),
              st.sampled_from(["scenario", *(name[:-4] for name in TABLE_FILES)])),
    st.builds(Mutation, st.just("truncate_bytes"), st.just("tiny.xlsx"),
              st.integers(0, 20000)),
)
"""Changes to the tiny scenario as a workbook."""


def apply(mutation: Mutation, place: Path) -> None:
    """Carry out ``mutation`` on the folder or workbook at ``place``."""
    if place.suffix == ".xlsx":
        _apply_to_workbook(mutation, place)
    elif mutation.action.startswith("yaml"):
        _apply_to_yaml(mutation, place / "scenario.yaml")
    else:
        _apply_to_file(mutation, place / mutation.target)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)


def _apply_to_file(mutation: Mutation, path: Path) -> None:
    action = mutation.action
    if action in ("cell", "duplicate_row", "delete_row", "truncate_row", "extra_cells"):
        rows = _rows(path)
        index = mutation.row % len(rows)
        if action == "cell":
            row = rows[index]
            row.extend([""] * (mutation.column + 1 - len(row)))
            row[mutation.column] = mutation.value
        elif action == "duplicate_row":
            rows.insert(index, list(rows[index]))
        elif action == "delete_row":
            del rows[index]
        elif action == "truncate_row":
            rows[index] = rows[index][: max(len(rows[index]) // 2, 1)]
        else:
            rows[index] = [*rows[index], "extra", "cells"]
        _write_rows(path, rows)
        return
    if action == "delete_file":
        path.unlink()
    elif action == "empty_file":
        path.write_bytes(b"")
    elif action == "garbage":
        path.write_bytes(os.urandom(64) + b"\xff\xfe\x00")
    elif action == "folder":
        path.unlink()
        path.mkdir()
    elif action == "broken_link":
        path.unlink()
        path.symlink_to(path.parent / "nowhere.csv")
    elif action == "link_loop":
        path.unlink()
        path.symlink_to(path)
    elif action == "truncate_bytes":
        data = path.read_bytes()
        path.write_bytes(data[: mutation.row % (len(data) + 1)])
    elif action == "bom_twice":
        path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + path.read_bytes())
    elif action == "latin1":
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-8") + "é,ü\n".encode(
            "latin-1"))
    elif action == "header_only":
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n",
                        encoding="utf-8")
    elif action == "many_rows":
        rows = _rows(path)
        if len(rows) > 1:
            _write_rows(path, [rows[0], *(rows[1:] * (1 + mutation.row))])
    else:
        raise AssertionError(f"unknown file mutation {action}")


def _apply_to_yaml(mutation: Mutation, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    action = mutation.action
    if action == "yaml_value":
        group, key = mutation.target.split(".")
        lines = text.splitlines()
        value = _yaml_scalar(mutation.value)
        if group == "language_penalty":
            levels: dict[str, Any] = {"low": 50, "medium": 100, "high": 150, "critical": 300}
            levels[key] = mutation.value
            flow = ", ".join(f"{level}: {_yaml_scalar(amount)}" for level, amount in levels.items())
            lines = [f"language_penalty: {{{flow}}}" if line.startswith("language_penalty")
                     else line for line in lines]
        else:
            lines = [f"  {key}: {value}" if line.startswith(f"  {key}:") and _in(lines, i, group)
                     else line for i, line in enumerate(lines)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif action == "yaml_duplicate_key":
        path.write_text(text + "meta:\n  name: again\n  operation: again\n", encoding="utf-8")
    elif action == "yaml_deep":
        path.write_text(text + "extra: " + "[" * 2000 + "]" * 2000 + "\n", encoding="utf-8")
    elif action == "yaml_variants":
        head = text.split("variants:")[0]
        path.write_text(head + f"variants: {_yaml_scalar(mutation.value)}\n", encoding="utf-8")
    elif action == "yaml_unknown_key":
        path.write_text(text + "colour: blue\n", encoding="utf-8")
    elif action == "yaml_inline_dates":
        path.write_text(text + "rapid_interventions:\n  - {section_id: A, decision_date: "
                        "2024-02-30}\n", encoding="utf-8")
    else:
        raise AssertionError(f"unknown YAML mutation {action}")


def _in(lines: list[str], index: int, group: str) -> bool:
    """Whether line ``index`` lies under the top-level key ``group``."""
    for line in reversed(lines[:index]):
        if line and not line.startswith(" "):
            return line.startswith(f"{group}:")
    return False


def _yaml_scalar(value: Any) -> str:
    """``value`` written as YAML flow text, strings quoted so that they stay strings."""
    import json

    if isinstance(value, float) and value != value:
        return ".nan"
    return json.dumps(value)


def _apply_to_workbook(mutation: Mutation, path: Path) -> None:
    if mutation.action == "truncate_bytes":
        data = path.read_bytes()
        path.write_bytes(data[: mutation.row % (len(data) + 1)])
        return
    book = load_workbook(path)
    if mutation.target not in book.sheetnames:
        return
    sheet = book[mutation.target]
    if mutation.action == "sheet_cell":
        cell = sheet.cell(row=mutation.row, column=mutation.column)
        # Characters a workbook cannot hold at all (NUL, most controls) are left out.
        cell.value = (ILLEGAL_CHARACTERS_RE.sub("", mutation.value)
                      if isinstance(mutation.value, str) else mutation.value)
        if isinstance(cell.value, str) and not cell.value.startswith("="):
            cell.data_type = "s"
    elif mutation.action == "delete_sheet":
        del book[mutation.target]
    elif mutation.action == "rename_sheet":
        sheet.title = f"{mutation.target[:20]}_old"
    book.save(path)


def fresh_copy(workspace: Path, as_workbook: bool) -> Path:
    """A new copy of the tiny scenario in ``workspace``: its folder, or a workbook of it."""
    if workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True)
    if not as_workbook:
        return Path(shutil.copytree(TINY, workspace / "tiny"))
    from planner.scenario.read import load_scenario
    from planner.scenario.write_workbook import write_workbook

    path = workspace / "tiny.xlsx"
    write_workbook(path, load_scenario(TINY))
    return path
