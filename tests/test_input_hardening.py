"""Hostile and careless input: every case ends in a named problem (exit 2), never a crash or hang.

Each test is a case fuzzing copies of the tiny scenario once found: impossible dates,
files that are not files, absurd numbers and text, floods of rows, formulas without
values, and ``validate`` passing what ``run`` then rejects.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from planner.errors import ExitCode
from planner.files import reading
from planner.files.reading import parse_yaml
from planner.scenario.generate import SIZES, generate_scenario
from planner.scenario.read import load_scenario
from planner.scenario.records import (
    ARRIVALS_MAX,
    CAP_DAYS_MAX,
    CREW_MAX,
    DESCRIPTION_MAX,
    GATED_UNITS_MAX,
    ID_MAX,
    LEAD_DAYS_MAX,
    MONEY_MAX,
    NAME_MAX,
    PERIODS_MAX,
    RATIO_MAX,
    UNITS_MAX,
)
from planner.scenario.variants import check_study, load_study
from planner.scenario.write_folder import write_folder

from builders import contribution, invoke, problems, scenario, section, within

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a file, where ``old`` occurs exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    """Add ``text`` at the end of a file."""
    with path.open("a", encoding="utf-8") as file:
        file.write(text)



def shown(bound: float) -> str:
    """A bound as pydantic's messages show it: whole numbers without a decimal point."""
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def validate_and_run(monkeypatch: pytest.MonkeyPatch, path: Path, *extra: str) -> None:
    """Both ``validate`` and ``run`` refuse ``path`` as bad input, naming no internal error."""
    assert invoke(monkeypatch, "validate", str(path), *extra) == ExitCode.BAD_INPUT
    assert invoke(monkeypatch, "run", str(path), "--no-store", *extra) == ExitCode.BAD_INPUT


def sheet_part(workbook: Path, sheet: str) -> str:
    """The archive member holding ``sheet`` of a workbook."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    try:
        return str(book[sheet]._worksheet_path).lstrip("/")
    finally:
        book.close()


def rewrite_part(workbook: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of a workbook's archive, keeping the others as they are."""
    members = {}
    with zipfile.ZipFile(workbook) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    members[part] = change(members[part])
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


# --- A. crashes: each is now a problem naming the file, the row and the field -----------------


@pytest.mark.parametrize(("day", "reason"), [("2024-02-30", "day is out of range for month"),
                                            ("2024-13-01", "month must be in 1..12")])
def test_an_impossible_date_in_scenario_yaml_names_the_key(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path, day: str, reason: str
) -> None:
    edit(tiny_folder / "scenario.yaml", "start: 2024-01-01", f"start: {day}")
    assert problems(tiny_folder) == [
        f"scenario.yaml, field 'horizon.start': not a date of the calendar: {reason} "
        f"(got '{day}')"
    ]
    validate_and_run(monkeypatch, tiny_folder)


def test_an_impossible_date_in_an_inline_table_names_the_entry(tiny_folder: Path) -> None:
    append(tiny_folder / "scenario.yaml",
           "rapid_interventions:\n  - {section_id: A, decision_date: 2024-02-30}\n")
    assert problems(tiny_folder) == [
        "scenario.yaml, rapid_interventions, row 1, field 'decision_date': not a date of the "
        "calendar: day is out of range for month (got '2024-02-30')"
    ]


def test_a_date_tagged_as_a_timestamp_is_still_judged_by_the_schema() -> None:
    document, found = parse_yaml("when: !!timestamp 2024-13-01\nplain: 2024-01-01\n", "x.yaml")
    assert found == [] and document == {"when": "2024-13-01", "plain": "2024-01-01"}


def test_a_table_file_replaced_by_a_folder(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    (tiny_folder / "contributions.csv").unlink()
    (tiny_folder / "contributions.csv").mkdir()
    assert problems(tiny_folder) == ["contributions.csv: is a folder, not a file"]
    validate_and_run(monkeypatch, tiny_folder)


@pytest.mark.parametrize("variants", ["5", "[a, b]"])
def test_variants_that_are_not_a_mapping(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path, capsys: pytest.CaptureFixture[str],
    variants: str,
) -> None:
    path = tiny_folder / "scenario.yaml"
    path.write_text(path.read_text(encoding="utf-8").split("variants:")[0]
                    + f"variants: {variants}\n", encoding="utf-8")
    validate_and_run(monkeypatch, tiny_folder)
    assert ("scenario.yaml, field 'variants': expected a mapping of variant names to their "
            "overrides") in capsys.readouterr().err


def test_a_horizon_that_ends_past_the_calendar(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    edit(tiny_folder / "scenario.yaml", "start: 2024-01-01", "start: 9999-06-01")
    edit(tiny_folder / "scenario.yaml", "period: day", "period: week")
    edit(tiny_folder / "scenario.yaml", "periods: 3", "periods: 520")
    assert problems(tiny_folder) == [
        "scenario.yaml, field 'horizon.periods': a horizon of 520 weeks from 9999-06-01 ends "
        "after 9999-12-31, the last date the calendar has (got 520)"
    ]
    validate_and_run(monkeypatch, tiny_folder)


def test_a_lead_time_that_ends_past_the_calendar(tiny_folder: Path) -> None:
    (tiny_folder / "rapid_interventions.csv").write_text(
        "section_id,decision_date,officer_lead_days\nA,9999-12-30,5\n", encoding="utf-8")
    assert problems(tiny_folder) == [
        "rapid_interventions.csv, row 2, field 'officer_lead_days': a lead time of 5 days from "
        "9999-12-30 ends after 9999-12-31, the last date the calendar has (got '5')",
        "rapid_interventions.csv, row 2, field 'equipment_lead_days': a lead time of 10 days "
        "from 9999-12-30 ends after 9999-12-31, the last date the calendar has (got 10)",
    ]


def test_dates_at_the_end_of_the_calendar_plan(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    # Windows and running deployments only compare dates: the calendar's last day is fine.
    edit(tiny_folder / "contributions.csv", "host-guards,Examplia,host,guard,2,5,,",
         "host-guards,Examplia,host,guard,2,5,,9999-12-31")
    (tiny_folder / "running_deployments.csv").write_text(
        "contribution_id,section_id,quantity,until\nhost-guards,A,1,9999-12-31\n",
        encoding="utf-8")
    assert invoke(monkeypatch, "validate", str(tiny_folder)) == ExitCode.OK
    assert invoke(monkeypatch, "run", str(tiny_folder), "--no-store") == ExitCode.OK


@pytest.mark.parametrize(("column", "value", "bound"), [
    ("deployment_length", "1000000000000000000000000000000", PERIODS_MAX),
    ("annual_cap_days", "1e300", CAP_DAYS_MAX),
])
def test_integers_that_feed_date_and_array_arithmetic_are_bounded(
    tiny_folder: Path, column: str, value: str, bound: float
) -> None:
    path = tiny_folder / "contributions.csv"
    edit(path, "languages\n", f"languages,{column}\n")
    edit(path, "interpreter,2,15,,,A,ara\n", f"interpreter,2,15,,,A,ara,{value}\n")
    assert problems(tiny_folder) == [
        f"contributions.csv, row 6, field '{column}': Input should be less than or equal to "
        f"{shown(bound)} (got '{value}')"
    ]


def test_lead_days_are_bounded(tiny_folder: Path) -> None:
    (tiny_folder / "rapid_interventions.csv").write_text(
        "section_id,decision_date,equipment_lead_days\nA,2024-01-01,1000000\n", encoding="utf-8")
    assert problems(tiny_folder) == [
        "rapid_interventions.csv, row 2, field 'equipment_lead_days': Input should be less "
        f"than or equal to {LEAD_DAYS_MAX} (got '1000000')"
    ]


def test_a_yaml_list_nested_2000_deep(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    append(tiny_folder / "scenario.yaml", "extra: " + "[" * 2000 + "]" * 2000 + "\n")
    assert problems(tiny_folder) == [
        "scenario.yaml, row 22: lists and mappings are nested more than 50 levels deep, "
        "the limit"
    ]
    validate_and_run(monkeypatch, tiny_folder)


def test_yaml_aliases_that_expand_past_the_limit_or_contain_themselves() -> None:
    levels = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"] + [
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)
    ]
    _, found = parse_yaml("\n".join(levels) + "\n", "bomb.yaml")
    assert [str(problem) for problem in found] == [
        "bomb.yaml, row 8: holds more than 32,000,000 values once its aliases are expanded, "
        "the limit"
    ]
    _, found = parse_yaml("loop: &self [1, *self]\n", "loop.yaml")
    assert [str(problem) for problem in found] == [
        "loop.yaml, row 1: alias *self refers to a list or mapping that contains it"
    ]


def test_a_key_twice_in_scenario_yaml_names_the_key_and_both_lines(tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", "  periods: 3", "  periods: 3\n  period: week")
    append(tiny_folder / "scenario.yaml", "meta:\n  name: again\n  operation: again\n")
    assert problems(tiny_folder) == [
        "scenario.yaml, row 11, field 'horizon.period': key appears twice (first at row 9)",
        "scenario.yaml, row 23, field 'meta': key appears twice (first at row 2)",
    ]


def test_penalties_of_1e308_are_refused_with_the_bound(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(tiny_folder / "scenario.yaml",
         "language_penalty: {low: 50, medium: 100, high: 150, critical: 300}",
         "language_penalty: {low: 1.0e+308, medium: 1.0e+308, high: 1.0e+308, "
         "critical: 1.0e+308}")
    validate_and_run(monkeypatch, tiny_folder)
    assert ("scenario.yaml, field 'language_penalty.low': Input should be less than or equal "
            "to 1000000000 (got 1e+308)") in capsys.readouterr().err


@pytest.mark.parametrize(("file", "old", "new", "field", "bound"), [
    ("contributions.csv", "agency-guards,Frontex,1,guard,2,10", "agency-guards,Frontex,1,guard,2,"
     "2e9", "daily_cost", MONEY_MAX),
    ("contributions.csv", "agency-guards,Frontex,1,guard,2,", "agency-guards,Frontex,1,guard,"
     "10000000000000000000,", "quantity", UNITS_MAX),
    ("penalties.csv", "car,200", "car,1e10", "low", MONEY_MAX),
    ("forecast.csv", "A,3,X,40", "A,3,X,1e10", "arrivals", ARRIVALS_MAX),
    ("sections.csv", "high,3", "high,10000000000000000000", "beds", UNITS_MAX),
    ("languages.csv", "ara,Arabic,0.1", "ara,Arabic,5000", "need_per_arrival", RATIO_MAX),
    ("kinds.csv", "car,Patrol car,vehicle,guard,2", "car,Patrol car,vehicle,guard,5000",
     "crew_size", CREW_MAX),
])
def test_absurd_magnitudes_name_their_bound(
    tiny_folder: Path, file: str, old: str, new: str, field: str, bound: float
) -> None:
    edit(tiny_folder / file, old, new)
    (found,) = problems(tiny_folder)
    assert f"field '{field}': Input should be less than or equal to {shown(bound)} (got " in found


def test_pledges_the_reserve_waits_for_stay_within_what_the_solver_weighs(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    # The wait puts these units into the model as coefficients; HiGHS refuses 1e15 and more.
    append(tiny_folder / "contributions.csv", "reserve-guards,Poland,4,guard,2,25,,,A,\n")
    append(tiny_folder / "contributors.csv", "PL,Poland,POL,member_state\n")
    (tiny_folder / "rapid_interventions.csv").write_text(
        "section_id,decision_date\nA,2023-12-01\n", encoding="utf-8")
    edit(tiny_folder / "contributions.csv", "agency-guards,Frontex,1,guard,2,",
         "agency-guards,Frontex,1,guard,100000000000000000,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 2, field 'quantity': 100000000000000000 units is more than "
        f"{GATED_UNITS_MAX:,}, the limit where the rapid reaction reserve of kind 'guard' "
        "waits for this pledge"
    ]
    validate_and_run(monkeypatch, tiny_folder)
    edit(tiny_folder / "contributions.csv", "guard,100000000000000000,",
         f"guard,{GATED_UNITS_MAX},")
    assert invoke(monkeypatch, "run", str(tiny_folder), "--no-store") == ExitCode.OK


def test_the_shipped_and_generated_scenarios_stay_within_the_bounds(tmp_path: Path) -> None:
    load_scenario(ROOT / "scenarios" / "western_balkans_2022")
    write_folder(tmp_path / "large", generate_scenario(SIZES["L"]))
    load_scenario(tmp_path / "large")


# --- B. validate checks everything run checks ------------------------------------------------


def test_validate_reports_every_variant_that_does_not_apply(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(tiny_folder / "scenario.yaml",
           "  no_beds:\n    set:\n      sections.A.beds: -1\n"
           "  ghost:\n    remove:\n      contributions: [nobody]\n")
    assert invoke(monkeypatch, "validate", str(tiny_folder)) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "2 problems found" in err
    assert ("variant 'no_beds', field 'sections.A.beds': Input should be greater than or "
            "equal to 0") in err
    assert "variant 'ghost', field 'remove.contributions': no row 'nobody' in contributions" in (
        err)
    # What validate refused, run refuses too; the base and the good variants still run.
    assert invoke(monkeypatch, "run", str(tiny_folder), "--no-store", "--variant",
                  "no_beds") == ExitCode.BAD_INPUT
    assert invoke(monkeypatch, "run", str(tiny_folder), "--no-store") == ExitCode.OK


def test_check_study_applies_every_variant(tiny_folder: Path) -> None:
    checked = check_study(tiny_folder)
    assert checked.variants == ("more_beds", "quiet_day3")
    assert checked.scenario == load_study(tiny_folder).base


def test_validate_a_variant_file(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny_folder / "variants").mkdir()
    busy = tiny_folder / "variants" / "busy.yaml"
    busy.write_text("base: ..\nscale_forecast:\n  - factor: 2\n", encoding="utf-8")
    assert invoke(monkeypatch, "validate", str(busy)) == ExitCode.OK
    assert "variants that apply: busy" in capsys.readouterr().out
    assert check_study(busy).scenario.forecast[0].arrivals == 20

    busy.write_text("base: ..\nset:\n  horizon.start: 2024-02-30\n", encoding="utf-8")
    assert invoke(monkeypatch, "validate", str(busy)) == ExitCode.BAD_INPUT
    assert "variant 'busy', field 'horizon.start'" in capsys.readouterr().err
    assert invoke(monkeypatch, "run", str(busy), "--no-store") == ExitCode.BAD_INPUT


@pytest.mark.parametrize("override", ["horizon.start=2024-02-30",
                                      "contributions.agency-guards.quantity=*1e308",
                                      "contributions.agency-guards.quantity=*nan"])
def test_set_overrides_that_used_to_crash(
    monkeypatch: pytest.MonkeyPatch, override: str
) -> None:
    assert invoke(monkeypatch, "run", str(ROOT / "scenarios" / "tiny"), "--no-store", "--set",
                  override) == ExitCode.BAD_INPUT


# --- C. files that would block, exhaust memory or hang --------------------------------------


def test_a_fifo_table_is_refused_without_blocking(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    (tiny_folder / "forecast.csv").unlink()
    os.mkfifo(tiny_folder / "forecast.csv")
    with within(20):
        assert problems(tiny_folder) == [
            "forecast.csv: is a named pipe (FIFO), not a regular file"
        ]
        validate_and_run(monkeypatch, tiny_folder)


def test_a_link_to_dev_zero_is_refused(tiny_folder: Path) -> None:
    (tiny_folder / "forecast.csv").unlink()
    (tiny_folder / "forecast.csv").symlink_to("/dev/zero")
    with within(20):
        assert problems(tiny_folder) == [
            "forecast.csv: is a character device, not a regular file (it is a link to "
            "/dev/zero)"
        ]


def test_a_fifo_workbook_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "tiny.xlsx")
    with within(20):
        assert problems(tmp_path / "tiny.xlsx") == [
            "tiny.xlsx: is a named pipe (FIFO), not a regular file"
        ]


def test_a_file_past_the_size_limit(monkeypatch: pytest.MonkeyPatch, tiny_folder: Path) -> None:
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 200)
    size = (tiny_folder / "contributions.csv").stat().st_size
    assert problems(tiny_folder) == [
        f"contributions.csv: is {size} bytes, more than the limit of 200 bytes"
    ]


def test_a_scenario_yaml_past_its_size_limit(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    monkeypatch.setattr(reading, "MAX_YAML_BYTES", 100)
    (found,) = problems(tiny_folder)
    assert re.fullmatch(r"scenario\.yaml: is [0-9,]+ bytes, more than the limit of 100 bytes",
                        found)


def test_rows_past_the_limit_stop_the_reading(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    assert problems(tiny_folder) == [
        "forecast.csv: has more than 2 rows, the limit for one table",
        "kinds.csv: has more than 2 rows, the limit for one table",
        "contributors.csv: has more than 2 rows, the limit for one table",
        "contributions.csv: has more than 2 rows, the limit for one table",
    ]


def test_a_sheet_that_declares_every_cell_of_excel_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch, tiny_workbook: Path
) -> None:
    rewrite_part(tiny_workbook, sheet_part(tiny_workbook, "forecast"),
                 lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
                                    xml))
    with within(20):
        assert problems(tiny_workbook) == [
            "tiny.xlsx [sheet forecast]: declares 1,048,576 rows of 16,384 columns, more than "
            "the limit of 32,000,000 cells for one table"
        ]
        validate_and_run(monkeypatch, tiny_workbook)


def test_a_zip_bomb_of_ten_million_rows_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch, tiny_workbook: Path
) -> None:
    part = sheet_part(tiny_workbook, "forecast")
    rewrite_part(tiny_workbook, part,
                 lambda xml: re.sub(rb"<dimension [^>]*>", b"", xml).replace(
                     b"</sheetData>", b"<row/>" * 10_000_000 + b"</sheetData>"))
    assert tiny_workbook.stat().st_size < 4 * 1024 * 1024
    with within(30):
        assert problems(tiny_workbook) == [
            f"tiny.xlsx: has a sheet ({part}) of more than 2,000,000 rows, the limit for one "
            "table"
        ]
        validate_and_run(monkeypatch, tiny_workbook)


def test_a_workbook_part_that_unpacks_past_the_limit(
    monkeypatch: pytest.MonkeyPatch, tiny_workbook: Path
) -> None:
    part = sheet_part(tiny_workbook, "forecast")
    rewrite_part(tiny_workbook, part, lambda xml: xml + b" " * 200_000)
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100_000)
    (found,) = problems(tiny_workbook)
    assert re.fullmatch(rf"tiny\.xlsx: holds the part {re.escape(part)}, which unpacks to "
                        r"[0-9,]+ bytes, more than the limit of 100,000 bytes", found)


def test_rows_past_a_declared_size_too_small_are_read(tiny_workbook: Path) -> None:
    rewrite_part(tiny_workbook, sheet_part(tiny_workbook, "forecast"),
                 lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:D2"', xml))
    assert len(load_scenario(tiny_workbook).forecast) == 3


# --- D. text of absurd length -----------------------------------------------------------------


def test_a_100000_character_name_is_refused_with_the_bound(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(tiny_folder / "scenario.yaml", "name: tiny", "name: " + "x" * 100_000)
    with within(30):
        validate_and_run(monkeypatch, tiny_folder)
    err = capsys.readouterr().err
    assert (f"scenario.yaml, field 'meta.name': String should have at most {NAME_MAX} "
            f"characters (got '{'x' * 60}'... (100,000 characters))") in err


@pytest.mark.parametrize(("file", "old", "new", "field", "bound"), [
    ("sections.csv", "Green border A", "G" * (NAME_MAX + 1), "name", NAME_MAX),
    ("contributions.csv", "Frontex,1,guard", "F" * (NAME_MAX + 1) + ",1,guard", "contributor",
     NAME_MAX),
    ("sections.csv", "A,Green", "A" * (ID_MAX + 1) + ",Green", "id", ID_MAX),
    ("scenario.yaml", "description: Two", f"description: {'d' * DESCRIPTION_MAX} Two",
     "meta.description", DESCRIPTION_MAX),
])
def test_every_text_field_is_bounded(
    tiny_folder: Path, file: str, old: str, new: str, field: str, bound: int
) -> None:
    edit(tiny_folder / file, old, new)
    found = problems(tiny_folder)
    assert any(f"field '{field}': String should have at most {bound} characters" in problem
               for problem in found), found


# --- E. input that was silently misread ---------------------------------------------------


def test_a_number_is_not_a_date(monkeypatch: pytest.MonkeyPatch, tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", "start: 2024-01-01", "start: 0")
    assert problems(tiny_folder) == [
        "scenario.yaml, field 'horizon.start': expected a date written YYYY-MM-DD, such as "
        "2024-01-31 (got 0)"
    ]
    validate_and_run(monkeypatch, tiny_folder)


def test_a_date_cell_of_a_workbook_is_a_date(tiny_workbook: Path) -> None:
    from datetime import datetime

    book = openpyxl.load_workbook(tiny_workbook)
    keys = [row[0] for row in book["scenario"].iter_rows(values_only=True)]
    book["scenario"].cell(row=keys.index("horizon.start") + 1, column=2,
                          value=datetime(2024, 1, 1))
    book.save(tiny_workbook)
    assert str(load_scenario(tiny_workbook).horizon.start) == "2024-01-01"


@pytest.mark.parametrize(("row", "field", "character", "position"), [
    ("C\x00,Section C,Examplia,land,low,", "id", "U+0000", 2),
    ("C,Section \x1b[31mC,Examplia,land,low,", "name", "U+001B", 9),
    ("C,Section C,Exam\x7fplia,land,low,", "host_country", "U+007F", 5),
])
def test_control_characters_in_ids_and_names_name_their_place(
    tiny_folder: Path, row: str, field: str, character: str, position: int
) -> None:
    append(tiny_folder / "sections.csv", row + "\n")
    (found,) = problems(tiny_folder)
    assert found.startswith(f"sections.csv, row 4, field '{field}': contains the control "
                            f"character {character} at position {position}; ids and names are "
                            "plain text on one line")


def test_a_description_keeps_its_line_breaks_and_tabs(tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", "description: Two sections, three days,",
         'description: "Two sections,\\n\\tthree days." #')
    assert load_scenario(tiny_folder).meta.description.startswith("Two sections,\n\tthree")


def test_a_formula_without_a_saved_value_names_sheet_row_and_field(tiny_workbook: Path) -> None:
    book = openpyxl.load_workbook(tiny_workbook)
    book["sections"]["F2"] = "=1+3"  # beds of section A
    book.save(tiny_workbook)
    assert problems(tiny_workbook) == [
        "tiny.xlsx [sheet sections], row 2, field 'beds': is a formula without a saved result "
        "(the program that wrote the workbook did not compute it), so it reads as empty; "
        "enter the value itself, or open and save the workbook in a spreadsheet"
    ]


def test_a_formula_with_its_saved_value_is_read(tiny_workbook: Path) -> None:
    book = openpyxl.load_workbook(tiny_workbook)
    book["sections"]["F2"] = "=1+3"
    book.save(tiny_workbook)
    rewrite_part(tiny_workbook, sheet_part(tiny_workbook, "sections"),
                 lambda xml: xml.replace(b"<f>1+3</f><v />", b"<f>1+3</f><v>4</v>"))
    assert load_scenario(tiny_workbook).sections[0].beds == 4


def test_a_formula_in_the_settings_sheet_names_the_key(tiny_workbook: Path) -> None:
    book = openpyxl.load_workbook(tiny_workbook)
    keys = [row[0] for row in book["scenario"].iter_rows(values_only=True)]
    row = keys.index("horizon.periods") + 1
    book["scenario"].cell(row=row, column=2, value="=1+2")
    book.save(tiny_workbook)
    assert (f"tiny.xlsx [sheet scenario], row {row}, field 'horizon.periods': is a formula "
            "without a saved result") in "\n".join(problems(tiny_workbook))


def test_a_broken_link_is_named_as_such_and_blamed_on_no_other_table(
    monkeypatch: pytest.MonkeyPatch, tiny_folder: Path
) -> None:
    (tiny_folder / "languages.csv").unlink()
    (tiny_folder / "languages.csv").symlink_to("nowhere.csv")
    assert problems(tiny_folder) == ["languages.csv: is a link to nowhere.csv, which does not "
                                     "exist"]
    validate_and_run(monkeypatch, tiny_folder)


def test_a_link_loop_is_named_as_such(tiny_folder: Path) -> None:
    (tiny_folder / "contributions.csv").unlink()
    (tiny_folder / "contributions.csv").symlink_to("contributions.csv")
    assert problems(tiny_folder) == ["contributions.csv: is a symbolic link loop"]


def test_a_broken_link_for_scenario_yaml(tiny_folder: Path) -> None:
    (tiny_folder / "scenario.yaml").unlink()
    (tiny_folder / "scenario.yaml").symlink_to("gone.yaml")
    assert problems(tiny_folder) == ["scenario.yaml: is a link to gone.yaml, which does not "
                                     "exist"]


# --- F. formula-looking text written neutralised reads back as it was ----------------------


def test_a_folder_with_formula_looking_text_loads_back_equal(tmp_path: Path) -> None:
    original = scenario(sections=[section("=x")],
                        contributions=[contribution("c", "guard", 1, 10, contributor="@y",
                                                    sections=("=x",))])
    write_folder(tmp_path / "written", original)
    assert load_scenario(tmp_path / "written") == original


def test_a_neutralised_csv_cell_reads_back_without_its_apostrophe(tiny_folder: Path) -> None:
    edit(tiny_folder / "sections.csv", "B,Crossing point B", "'=B,'+Crossing point B")
    edit(tiny_folder / "contributions.csv", "A;B", "'=B;A")
    edit(tiny_folder / "contributions.csv", "de-guards,Germany", "de-guards,'@Germany")
    edit(tiny_folder / "contributors.csv", "DE,Germany", "DE,'@Germany")
    loaded = load_scenario(tiny_folder)
    assert (loaded.sections[1].id, loaded.sections[1].name) == ("=B", "+Crossing point B")
    assert loaded.contributions[1].contributor == "@Germany"
    assert loaded.contributions[2].sections == ("=B", "A")


# --- the limits are documented ------------------------------------------------------------


def test_the_readme_lists_every_limit() -> None:
    shown = [f"{int(bound):,}" for bound in (MONEY_MAX, ARRIVALS_MAX, UNITS_MAX, RATIO_MAX,
                                             CREW_MAX, PERIODS_MAX, LEAD_DAYS_MAX, ID_MAX,
                                             NAME_MAX, DESCRIPTION_MAX, GATED_UNITS_MAX,
                                             reading.MAX_ROWS, reading.MAX_CELLS,
                                             reading.MAX_YAML_DEPTH)]
    shown += [reading.size_text(size) for size in (reading.MAX_FILE_BYTES,
                                                   reading.MAX_YAML_BYTES,
                                                   reading.MAX_UNPACKED_BYTES)]
    section = README.split("## Scenario format", 1)[1]
    assert [value for value in shown if value not in section] == []
