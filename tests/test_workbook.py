"""The scenario workbook: it loads back equal, its template is complete, its writing atomic."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from planner.errors import ScenarioError, UsageError
from planner.scenario.read import SETTINGS_MODELS, load_scenario
from planner.scenario.schema import Scenario
from planner.scenario.tables import SCENARIO_TABLES
from planner.scenario.write_workbook import MAX_WIDTH, MIN_WIDTH, SETTINGS_HEADER, write_workbook

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIO_FOLDERS = sorted(path.parent for path in SCENARIOS.glob("*/scenario.yaml"))
SETTING_KEYS = [
    f"{group}.{name}" for group, model in SETTINGS_MODELS.items() for name in model.model_fields
]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def sheet_values(path: Path, sheet: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path)
    return list(book[sheet].iter_rows(values_only=True))


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(problem) for problem in caught.value.problems]


# --- round trip: folder -> workbook -> load ---------------------------------------------------


def test_every_scenario_folder_is_found() -> None:
    assert SCENARIOS / "tiny" in SCENARIO_FOLDERS


@pytest.mark.parametrize("folder", SCENARIO_FOLDERS, ids=lambda folder: folder.name)
def test_round_trip(folder: Path, tmp_path: Path) -> None:
    from_folder = load_scenario(folder)
    workbook = tmp_path / f"{folder.name}.xlsx"

    write_workbook(workbook, from_folder)
    from_workbook = load_scenario(workbook)

    assert from_workbook == from_folder
    assert from_workbook.content_hash() == from_folder.content_hash()


@pytest.fixture
def rich_folder(tiny_folder: Path) -> Path:
    """Tiny, plus what it leaves out: dates, id lists, optional tables, odd text."""
    edit(tiny_folder / "scenario.yaml",
         "  description: Two sections, three days, guards, one patrol car and interpreters.",
         '  description: "=SUM(1, 2); Ünïcode, a long line of text that wraps somewhere"')
    (tiny_folder / "impact_changes.csv").write_text(
        "section_id,from_period,impact_level\nB,2,critical\n", encoding="utf-8"
    )
    (tiny_folder / "running_deployments.csv").write_text(
        "contribution_id,section_id,quantity,until\nagency-guards,A,1,2024-01-02\n",
        encoding="utf-8",
    )
    (tiny_folder / "rapid_interventions.csv").write_text(
        "section_id,decision_date,end_date,officer_lead_days\nA,2023-12-20,,3\n",
        encoding="utf-8",
    )
    edit(tiny_folder / "contributions.csv", "de-guards,Germany,3,guard,3,20,,,A,",
         "de-guards,Germany,3,guard,3,20.5,2024-01-02,2024-01-03,A; B,")
    edit(tiny_folder / "contributions.csv", "pool-car,Austria,", "pool-car,=Austria,")
    edit(tiny_folder / "contributors.csv", "AT,Austria,", "AT,=Austria,")
    edit(tiny_folder / "requirement_rules.csv", "car,0,0,1,1,0,land", "car,0,0,1,1,0,land; sea")
    (tiny_folder / "languages.csv").write_text(
        "id,name,need_per_arrival,remote_cost\nara,Arabic,0.30000000000000004,45\n",
        encoding="utf-8",
    )
    return tiny_folder


def test_round_trip_of_what_tiny_leaves_out(rich_folder: Path, tmp_path: Path) -> None:
    from_folder = load_scenario(rich_folder)
    workbook = tmp_path / "rich.xlsx"

    write_workbook(workbook, from_folder)
    from_workbook = load_scenario(workbook)

    assert from_workbook == from_folder
    assert from_workbook.content_hash() == from_folder.content_hash()
    assert from_workbook.meta.description.startswith("=SUM(1, 2); Ünïcode")
    assert from_workbook.contributions[3].contributor == "=Austria"


def test_cells_hold_real_values(rich_folder: Path, tmp_path: Path) -> None:
    workbook = tmp_path / "rich.xlsx"
    write_workbook(workbook, load_scenario(rich_folder))

    de_guards = sheet_values(workbook, "contributions")[2]
    assert de_guards == ("de-guards", "Germany", "3", "guard", 3, 20.5,
                         datetime(2024, 1, 2), datetime(2024, 1, 3), "A; B", None,
                         None, None, 0)
    assert sheet_values(workbook, "requirement_rules")[2][-1] == "land; sea"
    assert sheet_values(workbook, "sections")[2][5] is None  # no bed limit at B
    settings = {row[0]: row[1] for row in sheet_values(workbook, "scenario")[1:]}
    assert settings["horizon.start"] == datetime(2024, 1, 1)
    assert settings["horizon.periods"] == 3
    assert settings["meta.version"] == "1"
    # A number openpyxl would cut to 16 digits goes in as text, to come back exactly.
    assert sheet_values(workbook, "languages")[1][2] == "0.30000000000000004"
    assert sheet_values(workbook, "running_deployments")[1] == (
        "agency-guards", "A", 1, datetime(2024, 1, 2))


# --- the template -----------------------------------------------------------------------------


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.xlsx"
    write_workbook(path)
    return path


def test_template_has_every_sheet_with_its_header(template: Path) -> None:
    book = openpyxl.load_workbook(template)

    assert book.sheetnames == ["scenario", *(spec.name for spec in SCENARIO_TABLES)]
    for spec in SCENARIO_TABLES:
        assert sheet_values(template, spec.name) == [tuple(spec.columns)]


def test_template_lists_every_setting_empty_with_its_description(template: Path) -> None:
    rows = sheet_values(template, "scenario")

    assert rows[0] == SETTINGS_HEADER
    assert [row[0] for row in rows[1:]] == SETTING_KEYS
    assert all(row[1] is None for row in rows[1:])
    descriptions = {row[0]: row[2] for row in rows[1:]}
    assert descriptions["meta.operation"] == (
        "The joint operation it plans, for instance JO Terra 2022."
    )
    assert descriptions["language_penalty.low"] == (
        "Penalty per uncovered interpreter unit and day, by the section's impact level."
    )


def test_sheets_have_a_bold_frozen_header_and_sized_columns(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        widths = [dimension.width for dimension in sheet.column_dimensions.values()]
        assert len(widths) == sheet.max_column
        assert all(MIN_WIDTH <= width <= MAX_WIDTH for width in widths)
    assert book["contributions"]["E1"].comment.text == (
        "Units available in each period of the availability window."
    )


def test_empty_template_reports_what_is_missing(template: Path) -> None:
    required_settings = [
        f"{group}.{name}"
        for group, model in SETTINGS_MODELS.items()
        for name, field in model.model_fields.items()
        if field.is_required()
    ]
    expected = [
        f"template.xlsx [sheet scenario], row {SETTING_KEYS.index(key) + 2}, field '{key}': "
        "missing value"
        for key in required_settings
    ] + [
        f"template.xlsx [sheet {spec.name}]: has no rows; at least one is needed"
        for spec in SCENARIO_TABLES
        if spec.required
    ]
    assert problems(template) == expected


def test_filled_settings_without_rows_fail_on_the_required_tables(
    tmp_path: Path, tiny: Scenario
) -> None:
    workbook = tmp_path / "tiny.xlsx"
    write_workbook(workbook, tiny)
    book = openpyxl.load_workbook(workbook)
    for spec in SCENARIO_TABLES:
        book[spec.name].delete_rows(2, book[spec.name].max_row)
    book.save(workbook)

    assert problems(workbook) == [
        "tiny.xlsx [sheet sections]: has no rows; at least one is needed",
        "tiny.xlsx [sheet kinds]: has no rows; at least one is needed",
        "tiny.xlsx [sheet contributions]: has no rows; at least one is needed",
    ]


# --- writing ----------------------------------------------------------------------------------


def save_half_then_fail(self: openpyxl.Workbook, filename: str | Path) -> None:
    Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
    raise OSError("disk full")


def test_failed_write_leaves_no_file(
    tmp_path: Path, tiny: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openpyxl.Workbook, "save", save_half_then_fail)

    with pytest.raises(OSError, match="disk full"):
        write_workbook(tmp_path / "tiny.xlsx", tiny)

    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_earlier_file(
    tmp_path: Path, tiny: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = tmp_path / "tiny.xlsx"
    write_workbook(workbook)
    earlier = workbook.read_bytes()
    monkeypatch.setattr(openpyxl.Workbook, "save", save_half_then_fail)

    with pytest.raises(OSError, match="disk full"):
        write_workbook(workbook, tiny)

    assert list(tmp_path.iterdir()) == [workbook]
    assert workbook.read_bytes() == earlier


def test_writing_replaces_an_earlier_workbook(tmp_path: Path, tiny: Scenario) -> None:
    workbook = tmp_path / "tiny.xlsx"
    write_workbook(workbook)
    write_workbook(workbook, tiny)

    assert load_scenario(workbook) == tiny
    assert list(tmp_path.iterdir()) == [workbook]


def test_workbook_must_be_xlsx(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"tiny\.xls: a scenario workbook must end in \.xlsx"):
        write_workbook(tmp_path / "tiny.xls")
    assert list(tmp_path.iterdir()) == []
