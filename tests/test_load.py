"""The loader: every problem found, each naming its file (or sheet), row and field."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from planner.errors import ScenarioError, UsageError
from planner.scenario.read import load_scenario
from planner.scenario.schema import Scenario
from planner.scenario.write_workbook import write_workbook

from builders import problems

TINY = Path(__file__).resolve().parent.parent / "scenarios" / "tiny"


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a file; ``old`` must occur exactly once, so no edit is lost."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write_csv(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)



def set_cells(path: Path, sheet: str, cells: dict[str, Any]) -> None:
    """Overwrite cells (by reference, e.g. ``"A3"``) of one sheet of a workbook."""
    book = openpyxl.load_workbook(path)
    for reference, value in cells.items():
        book[sheet][reference] = value
    book.save(path)


# --- the shipped example loads -----------------------------------------------------------------


def test_tiny_loads(tiny: Scenario) -> None:
    assert tiny.meta.name == "tiny"
    assert [section.id for section in tiny.sections] == ["A", "B"]
    assert tiny.contributions[1].sections == ("A",)


def test_not_a_scenario_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=re.escape(f"{tmp_path}: not a scenario folder")):
        load_scenario(tmp_path)


# --- one problem each, located exactly -----------------------------------------------------


def test_unknown_section_in_forecast(tiny_folder: Path) -> None:
    edit(tiny_folder / "forecast.csv", "A,2,X,20", "Z,2,X,20")
    expected = "forecast.csv, row 3, field 'section_id': unknown section 'Z'"
    with pytest.raises(ScenarioError, match=re.escape(expected)):
        load_scenario(tiny_folder)


def test_unknown_section_in_contribution_sections(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "de-guards,Germany,3,guard,3,20,,,A,",
         "de-guards,Germany,3,guard,3,20,,,A; Z,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 3, field 'sections': unknown section 'Z'"
    ]


def test_unknown_kind_in_contribution(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "pool-car,Austria,pool,car,",
         "pool-car,Austria,pool,tank,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 5, field 'kind_id': unknown kind 'tank'"
    ]


def test_unknown_kind_in_penalties_also_leaves_its_rule_unpenalised(tiny_folder: Path) -> None:
    edit(tiny_folder / "penalties.csv", "car,200", "van,200")
    assert problems(tiny_folder) == [
        "requirement_rules.csv, row 3, field 'kind_id': kind 'car' has a requirement rule "
        "but no row in penalties",
        "penalties.csv, row 3, field 'kind_id': unknown kind 'van'",
    ]


def test_negative_quantity(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "agency-guards,Frontex,1,guard,2,",
         "agency-guards,Frontex,1,guard,-2,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 2, field 'quantity': "
        "Input should be greater than or equal to 0 (got '-2')"
    ]


@pytest.mark.parametrize("quantity", ["two", "2.5"])
def test_non_numeric_quantity(tiny_folder: Path, quantity: str) -> None:
    edit(tiny_folder / "contributions.csv", "agency-guards,Frontex,1,guard,2,",
         f"agency-guards,Frontex,1,guard,{quantity},")
    assert problems(tiny_folder) == [
        "contributions.csv, row 2, field 'quantity': Input should be a valid integer, "
        f"unable to parse string as an integer (got '{quantity}')"
    ]


def test_non_numeric_arrivals(tiny_folder: Path) -> None:
    edit(tiny_folder / "forecast.csv", "A,3,X,40", "A,3,X,many")
    assert problems(tiny_folder) == [
        "forecast.csv, row 4, field 'arrivals': "
        "Input should be a valid number, unable to parse string as a number (got 'many')"
    ]


def test_missing_column(tiny_folder: Path) -> None:
    path = tiny_folder / "forecast.csv"
    write_csv(path, read_csv(path), ["section_id", "period", "nationality_id"])
    assert problems(tiny_folder) == ["forecast.csv, row 1, field 'arrivals': missing column"]


def test_unknown_column(tiny_folder: Path) -> None:
    path = tiny_folder / "forecast.csv"
    rows = [{**row, "weather": "fog"} for row in read_csv(path)]
    write_csv(path, rows, ["section_id", "period", "nationality_id", "arrivals", "weather"])
    assert problems(tiny_folder) == [
        "forecast.csv, row 1, field 'weather': unknown column "
        "(expected: section_id, period, nationality_id, arrivals, arrivals_p10, arrivals_p90)"
    ]


def test_column_twice(tiny_folder: Path) -> None:
    edit(tiny_folder / "forecast.csv", "arrivals\n", "arrivals,period\n")
    assert problems(tiny_folder) == ["forecast.csv, row 1, field 'period': column appears twice"]


def test_duplicate_id(tiny_folder: Path) -> None:
    with (tiny_folder / "sections.csv").open("a", encoding="utf-8") as file:
        file.write("A,Another A,Examplia,sea,low,\n")
    assert problems(tiny_folder) == [
        "sections.csv, row 4, field 'id': duplicate section id 'A' (first at row 2)"
    ]


def test_period_outside_horizon(tiny_folder: Path) -> None:
    edit(tiny_folder / "forecast.csv", "A,3,X,40", "A,4,X,40")
    assert problems(tiny_folder) == [
        "forecast.csv, row 4, field 'period': period 4 is outside the horizon (1-3)"
    ]


def test_empty_csv_file(tiny_folder: Path) -> None:
    (tiny_folder / "kinds.csv").write_text("", encoding="utf-8")
    # References to kinds go unchecked: the unreadable file is the one problem to fix.
    assert problems(tiny_folder) == [
        "kinds.csv: file is empty; expected a header row: id,name,class,crew_kind,crew_size"
    ]


def test_header_only_required_table(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv",
         (TINY / "contributions.csv").read_text(encoding="utf-8").split("\n", 1)[1], "")
    assert problems(tiny_folder) == ["contributions.csv: has no rows; at least one is needed"]


def test_empty_yaml_file(tiny_folder: Path) -> None:
    (tiny_folder / "scenario.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert problems(tiny_folder) == ["scenario.yaml: file is empty"]


def test_malformed_yaml(tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", "  periods: 3", "\tperiods: 3")
    assert problems(tiny_folder) == [
        "scenario.yaml, row 10: malformed YAML: found character '\\t' that cannot start any token"
    ]


def test_a_row_that_fails_on_its_own_is_not_also_unknown_elsewhere(tiny_folder: Path) -> None:
    # Section A is invalid, but it exists: references to it are not reported as unknown.
    edit(tiny_folder / "sections.csv", "A,Green border A,Examplia,land",
         "A,Green border A,Examplia,swamp")
    assert problems(tiny_folder) == [
        "sections.csv, row 2, field 'border_type': Input should be 'land', 'sea', 'air' or "
        "'crossing_point' (got 'swamp')"
    ]


def test_infinite_cost_is_rejected(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "pool-car,Austria,pool,car,1,30",
         "pool-car,Austria,pool,car,1,inf")
    assert problems(tiny_folder) == [
        "contributions.csv, row 5, field 'daily_cost': Input should be a finite number "
        "(got 'inf')"
    ]


def test_unquoted_version_number_is_accepted(tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", 'version: "1"', "version: 2")
    assert load_scenario(tiny_folder).meta.version == "2"


def test_yaml_not_a_mapping(tiny_folder: Path) -> None:
    (tiny_folder / "scenario.yaml").write_text("- meta\n- horizon\n", encoding="utf-8")
    assert problems(tiny_folder)[0] == "scenario.yaml: expected a mapping of keys to values"


def test_malformed_csv_names_the_row_the_open_quote_is_on(tiny_folder: Path) -> None:
    edit(tiny_folder / "forecast.csv", "A,2,X,20", '"A,2,X,20')
    assert problems(tiny_folder) == ["forecast.csv, row 3: malformed CSV: unexpected end of data"]


def test_csv_row_longer_than_header(tiny_folder: Path) -> None:
    edit(tiny_folder / "forecast.csv", "A,2,X,20", "A,2,X,20,spare")
    assert problems(tiny_folder) == ["forecast.csv, row 3: has 5 cells but the header has 4"]


def test_csv_not_utf8(tiny_folder: Path) -> None:
    (tiny_folder / "nationalities.csv").write_bytes("id,name\nX,Xländ\n".encode("latin-1"))
    assert problems(tiny_folder)[0] == "nationalities.csv: not UTF-8 text"


@pytest.mark.parametrize(
    ("arabic", "english", "total"), [("0.5", "0", "0.5"), ("0.7", "0.5", "1.2")]
)
def test_language_shares_not_summing_to_one(
    tiny_folder: Path, arabic: str, english: str, total: str
) -> None:
    edit(tiny_folder / "languages.csv", "ara,Arabic,0.1\n", "ara,Arabic,0.1\neng,English,0.1\n")
    edit(tiny_folder / "language_shares.csv", "X,ara,1\n", f"X,ara,{arabic}\nX,eng,{english}\n")
    assert problems(tiny_folder) == [
        f"nationalities.csv, row 2, field 'id': language shares of nationality 'X' sum to "
        f"{total}, not 1"
    ]


def test_language_share_above_one(tiny_folder: Path) -> None:
    edit(tiny_folder / "language_shares.csv", "X,ara,1", "X,ara,1.2")
    assert problems(tiny_folder)[0] == (
        "language_shares.csv, row 2, field 'share': "
        "Input should be less than or equal to 1 (got '1.2')"
    )


def test_language_shares_within_tolerance_of_one(tiny_folder: Path) -> None:
    edit(tiny_folder / "language_shares.csv", "X,ara,1", "X,ara,0.995")
    assert load_scenario(tiny_folder).language_shares[0].share == 0.995


def test_invalid_category_for_kind_class(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "pool-car,Austria,pool,", "pool-car,Austria,3,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 5, field 'category': category '3' is not allowed for a kind of "
        "class 'vehicle' (allowed: 1, 4, host, pool)"
    ]


def test_unknown_category(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "pool-car,Austria,pool,", "pool-car,Austria,9,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 5, field 'category': Input should be '1', '2', '3', '4', "
        "'host', 'pool' or 'contract' (got '9')"
    ]


def test_interpreters_without_languages(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "interpreter,2,15,,,A,ara", "interpreter,2,15,,,A,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 6, field 'languages': interpreters must list their languages"
    ]


def test_languages_on_officers(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "guard,3,20,,,A,", "guard,3,20,,,A,ara")
    assert problems(tiny_folder) == [
        "contributions.csv, row 3, field 'languages': only interpreters list languages, "
        "not a kind of class 'officer'"
    ]


def test_missing_required_file(tiny_folder: Path) -> None:
    (tiny_folder / "contributions.csv").unlink()
    assert problems(tiny_folder) == [
        "contributions.csv: file is missing; this table is required"
    ]


def test_unknown_yaml_key(tiny_folder: Path) -> None:
    with (tiny_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write("solver: highs\n")
    assert problems(tiny_folder) == ["scenario.yaml, field 'solver': unknown key"]


def test_unknown_setting(tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", "  periods: 3", "  periods: 3\n  weeks: 1")
    assert problems(tiny_folder) == ["scenario.yaml, field 'horizon.weeks': unknown field"]


def test_invalid_setting(tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", "  period: day", "  period: month")
    assert problems(tiny_folder) == [
        "scenario.yaml, field 'horizon.period': Input should be 'day' or 'week' (got 'month')"
    ]


def test_missing_setting(tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", "language_penalty: {low: 50, medium: 100, "
         "high: 150, critical: 300}\n", "")
    assert problems(tiny_folder) == ["scenario.yaml, field 'language_penalty': missing"]


def test_problems_in_several_files_are_reported_together(tiny_folder: Path) -> None:
    edit(tiny_folder / "scenario.yaml", "  periods: 3", "  periods: 0")
    edit(tiny_folder / "forecast.csv", "A,2,X,20", "Z,2,X,20")
    edit(tiny_folder / "contributions.csv", "agency-guards,Frontex,1,guard,2,",
         "agency-guards,Frontex,1,guard,-2,")
    with (tiny_folder / "kinds.csv").open("a", encoding="utf-8") as file:
        file.write("guard,Another guard,officer,,\n")

    with pytest.raises(ScenarioError) as caught:
        load_scenario(tiny_folder)

    found = [str(problem) for problem in caught.value.problems]
    assert len(found) == 4
    assert set(found) == {
        "scenario.yaml, field 'horizon.periods': Input should be greater than 0 (got 0)",
        "forecast.csv, row 3, field 'section_id': unknown section 'Z'",
        "contributions.csv, row 2, field 'quantity': "
        "Input should be greater than or equal to 0 (got '-2')",
        "kinds.csv, row 5, field 'id': duplicate kind id 'guard' (first at row 2)",
    }
    assert str(caught.value).startswith(f"{tiny_folder}: 4 problems found\n  - ")
    assert caught.value.scenario == str(tiny_folder)


# --- tables written inline in scenario.yaml ---------------------------------------------------

INLINE_CONTRIBUTIONS = """\
contributions:
  - {id: agency-guards, contributor: Frontex, category: 1, kind_id: guard, quantity: 2,
     daily_cost: 10, sections: [A]}
  - {id: de-guards, contributor: Germany, category: 3, kind_id: guard, quantity: 3,
     daily_cost: 20, sections: [A]}
  - {id: host-guards, contributor: Examplia, category: host, kind_id: guard, quantity: 2,
     daily_cost: 5, sections: "A; B"}
  - {id: pool-car, contributor: Austria, category: pool, kind_id: car, quantity: 1,
     daily_cost: 30.0, sections: [A], available_from: null}
  - {id: interpreters, contributor: Frontex, category: 1, kind_id: interpreter, quantity: 2,
     daily_cost: 15, sections: [A], languages: [ara]}
"""


def forecast_inline(folder: Path) -> str:
    """forecast.csv as an inline YAML table."""
    entries = [
        f"  - {{section_id: {row['section_id']}, period: {row['period']}, "
        f"nationality_id: {row['nationality_id']}, arrivals: {row['arrivals']}}}\n"
        for row in read_csv(folder / "forecast.csv")
    ]
    return "forecast:\n" + "".join(entries)


def test_inline_tables_load_as_their_csv_form(tiny_folder: Path, tiny: Scenario) -> None:
    inline = forecast_inline(tiny_folder) + INLINE_CONTRIBUTIONS
    with (tiny_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write(inline)
    (tiny_folder / "forecast.csv").unlink()
    (tiny_folder / "contributions.csv").unlink()

    scenario = load_scenario(tiny_folder)

    assert scenario == tiny
    assert scenario.content_hash() == tiny.content_hash()


def test_inline_table_problem_names_the_entry(tiny_folder: Path) -> None:
    inline = forecast_inline(tiny_folder).replace("section_id: A, period: 2", "section_id: Z, "
                                                  "period: 2")
    with (tiny_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write(inline)
    (tiny_folder / "forecast.csv").unlink()
    assert problems(tiny_folder) == [
        "scenario.yaml, forecast, row 2, field 'section_id': unknown section 'Z'"
    ]


def test_table_both_inline_and_in_csv(tiny_folder: Path) -> None:
    with (tiny_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write(forecast_inline(tiny_folder))
    assert problems(tiny_folder) == [
        "scenario.yaml, field 'forecast': table given both here and in forecast.csv; keep one"
    ]


def test_inline_table_not_a_list(tiny_folder: Path) -> None:
    with (tiny_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write("impact_changes: {section_id: A}\n")
    assert problems(tiny_folder) == [
        "scenario.yaml, field 'impact_changes': expected a list of rows (mappings)"
    ]


# --- the same problems in a workbook name the workbook and the sheet ---------------------------


def test_workbook_unknown_section(tiny_workbook: Path) -> None:
    set_cells(tiny_workbook, "forecast", {"A3": "Z"})
    expected = "tiny.xlsx [sheet forecast], row 3, field 'section_id': unknown section 'Z'"
    with pytest.raises(ScenarioError, match=re.escape(expected)):
        load_scenario(tiny_workbook)


def test_workbook_negative_quantity(tiny_workbook: Path) -> None:
    set_cells(tiny_workbook, "contributions", {"E2": -2})
    assert problems(tiny_workbook) == [
        "tiny.xlsx [sheet contributions], row 2, field 'quantity': "
        "Input should be greater than or equal to 0 (got '-2')"
    ]


def test_workbook_period_outside_horizon(tiny_workbook: Path) -> None:
    set_cells(tiny_workbook, "forecast", {"B4": 4})
    assert problems(tiny_workbook) == [
        "tiny.xlsx [sheet forecast], row 4, field 'period': period 4 is outside the horizon (1-3)"
    ]


def test_workbook_duplicate_id(tiny_workbook: Path) -> None:
    book = openpyxl.load_workbook(tiny_workbook)
    book["sections"].append(["A", "Another A", "Examplia", "sea", "low"])
    book.save(tiny_workbook)
    assert problems(tiny_workbook) == [
        "tiny.xlsx [sheet sections], row 4, field 'id': duplicate section id 'A' (first at row 2)"
    ]


def test_workbook_invalid_setting_names_its_row(tiny_workbook: Path) -> None:
    book = openpyxl.load_workbook(tiny_workbook)
    keys = [row[0] for row in book["scenario"].iter_rows(values_only=True)]
    row = keys.index("horizon.periods") + 1
    set_cells(tiny_workbook, "scenario", {f"B{row}": 0})
    assert problems(tiny_workbook) == [
        f"tiny.xlsx [sheet scenario], row {row}, field 'horizon.periods': "
        "Input should be greater than 0 (got '0')"
    ]


def test_workbook_unknown_and_repeated_settings(tiny_workbook: Path) -> None:
    book = openpyxl.load_workbook(tiny_workbook)
    settings_sheet = book["scenario"]
    settings_sheet.append(["solver.name", "highs"])
    settings_sheet.append(["meta.name", "other"])
    last = settings_sheet.max_row
    book.save(tiny_workbook)
    assert problems(tiny_workbook) == [
        f"tiny.xlsx [sheet scenario], row {last - 1}, field 'solver.name': unknown key",
        f"tiny.xlsx [sheet scenario], row {last}, field 'meta.name': key appears twice "
        "(first at row 2)",
    ]


def test_workbook_unknown_and_missing_sheets(tiny_workbook: Path) -> None:
    book = openpyxl.load_workbook(tiny_workbook)
    book.create_sheet("notes")
    del book["contributions"]
    book.save(tiny_workbook)
    assert problems(tiny_workbook) == [
        "tiny.xlsx: unknown sheet 'notes'",
        "tiny.xlsx: missing sheet 'contributions' (required table)",
    ]


def test_workbook_unknown_column(tiny_workbook: Path) -> None:
    set_cells(tiny_workbook, "forecast", {"E1": "weather"})
    assert problems(tiny_workbook) == [
        "tiny.xlsx [sheet forecast], row 1, field 'weather': unknown column "
        "(expected: section_id, period, nationality_id, arrivals, arrivals_p10, arrivals_p90)"
    ]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xlsx"
    path.write_text("not a zip file", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"tiny\.xlsx: not a readable Excel workbook: "):
        load_scenario(path)


# --- property: numbers come back as they were written ------------------------------------------

COUNTS = st.integers(min_value=0, max_value=10**9)
AMOUNTS = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None)
@given(
    quantities=st.lists(COUNTS, min_size=5, max_size=5),
    daily_costs=st.lists(AMOUNTS, min_size=5, max_size=5),
    arrivals=st.lists(AMOUNTS, min_size=3, max_size=3),
)
# Numbers that need all 17 digits, which openpyxl alone would cut to 16.
@example(
    quantities=[0, 1, 2, 10**17 + 1, 3],
    daily_costs=[0.1 + 0.2, 0.0, 1e-05, 4.2085254990021565e-226, 1e9],
    arrivals=[0.0, 1 / 3, 123456.78901234567],
)
def test_numbers_survive_csv_and_workbook(
    tmp_path_factory: pytest.TempPathFactory,
    quantities: list[int],
    daily_costs: list[float],
    arrivals: list[float],
) -> None:
    folder = Path(shutil.copytree(TINY, tmp_path_factory.mktemp("numbers") / "tiny"))
    contributions = read_csv(folder / "contributions.csv")
    for row, quantity, cost in zip(contributions, quantities, daily_costs, strict=True):
        row["quantity"], row["daily_cost"] = str(quantity), repr(cost)
    write_csv(folder / "contributions.csv", contributions, list(contributions[0]))
    forecast = read_csv(folder / "forecast.csv")
    for row, expected in zip(forecast, arrivals, strict=True):
        row["arrivals"] = repr(expected)
    write_csv(folder / "forecast.csv", forecast, list(forecast[0]))

    from_folder = load_scenario(folder)
    workbook = folder.parent / "tiny.xlsx"
    write_workbook(workbook, from_folder)
    from_workbook = load_scenario(workbook)

    for scenario in (from_folder, from_workbook):
        assert [pledge.quantity for pledge in scenario.contributions] == quantities
        assert [pledge.daily_cost for pledge in scenario.contributions] == daily_costs
        assert [arrival.arrivals for arrival in scenario.forecast] == arrivals
    assert from_workbook == from_folder
    assert from_workbook.content_hash() == from_folder.content_hash()


def test_running_deployments_the_pledge_or_section_does_not_allow(tiny_folder: Path) -> None:
    # Section A is closed to other states' units on day 1; host units are not bound by it.
    (tiny_folder / "sections.csv").write_text(
        "id,name,host_country,border_type,impact_level,beds,access_from\n"
        "A,Green border A,Examplia,land,high,3,2024-01-02\n"
        "B,Crossing point B,Examplia,crossing_point,low,,\n", encoding="utf-8")
    (tiny_folder / "running_deployments.csv").write_text(
        "contribution_id,section_id,quantity,until\n"
        "agency-guards,A,1,2024-01-02\n"
        "host-guards,A,2,2024-01-03\n"
        "host-guards,B,1,2024-01-01\n", encoding="utf-8")
    assert problems(tiny_folder) == [
        "running_deployments.csv, row 2, field 'section_id': section 'A' admits other states' "
        "units only from 2024-01-02",
        "running_deployments.csv, row 4, field 'quantity': running units of contribution "
        "'host-guards' add up to 3, more than its quantity 2",
    ]


def test_an_id_listed_twice_in_one_cell(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "agency-guards,Frontex,1,guard,2,10,,,A,",
         "agency-guards,Frontex,1,guard,2,10,,,A; A,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 2, field 'sections': lists A more than once (got 'A; A')"
    ]


def test_a_value_under_a_column_without_header(tiny_folder: Path) -> None:
    edit(tiny_folder / "sections.csv", "impact_level,beds", "impact_level,")
    assert problems(tiny_folder) == [
        "sections.csv, row 2: has a value in column 6, which has no header"
    ]


def test_host_units_serve_only_their_own_country(tiny_folder: Path) -> None:
    edit(tiny_folder / "sections.csv", "B,Crossing point B,Examplia", "B,Crossing point B,Otheria")
    assert problems(tiny_folder) == [
        "contributions.csv, row 4, field 'sections': host-state units of 'Examplia' serve only "
        "sections in that country, not B"
    ]


def test_running_units_stay_their_whole_last_period(tiny_folder: Path) -> None:
    # Weekly periods: units running until 3 January stay to the end of that week (7 January),
    # beyond the pledge's window.
    edit(tiny_folder / "scenario.yaml", "period: day", "period: week")
    edit(tiny_folder / "contributions.csv", "agency-guards,Frontex,1,guard,2,10,,,A,",
         "agency-guards,Frontex,1,guard,2,10,,2024-01-03,A,")
    (tiny_folder / "running_deployments.csv").write_text(
        "contribution_id,section_id,quantity,until\nagency-guards,A,1,2024-01-03\n",
        encoding="utf-8")
    assert problems(tiny_folder) == [
        "running_deployments.csv, row 2, field 'until': the units stay to the end of their last "
        "period, 2024-01-07, but contribution 'agency-guards' is available only to 2024-01-03"
    ]


def test_a_forecast_without_languages_needs_no_shares(tiny_folder: Path) -> None:
    for name in ("languages.csv", "language_shares.csv"):
        (tiny_folder / name).unlink()
    edit(tiny_folder / "contributions.csv", "interpreters,Frontex,1,interpreter,2,15,,,A,ara\n",
         "")
    scenario = load_scenario(tiny_folder)
    assert scenario.language_shares == () and len(scenario.forecast) == 3


def test_running_units_of_a_pledge_not_yet_available(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "agency-guards,Frontex,1,guard,2,10,,,A,",
         "agency-guards,Frontex,1,guard,2,10,2024-01-02,,A,")
    (tiny_folder / "running_deployments.csv").write_text(
        "contribution_id,section_id,quantity,until\nagency-guards,A,1,2024-01-01\n",
        encoding="utf-8")
    assert problems(tiny_folder) == [
        "running_deployments.csv, row 2, field 'contribution_id': contribution 'agency-guards' "
        "is available only from 2024-01-02"
    ]


BANDED = ["section_id", "period", "nationality_id", "arrivals", "arrivals_p10", "arrivals_p90"]


def test_a_band_must_hold_the_point_forecast(tiny_folder: Path) -> None:
    path = tiny_folder / "forecast.csv"
    write_csv(path, [dict(zip(BANDED, row, strict=True)) for row in
                     (["A", 1, "X", 10, 12, 20], ["A", 2, "X", 20, 10, 15],
                      ["A", 3, "X", 40, "", ""])], BANDED)
    assert problems(tiny_folder) == [
        "forecast.csv, row 2: arrivals_p10 12 is above arrivals 10",
        "forecast.csv, row 3: arrivals_p90 15 is below arrivals 20",
    ]


def test_a_forecast_without_bands_keeps_its_hash(tiny_folder: Path) -> None:
    from planner import load_scenario

    before = load_scenario(tiny_folder).content_hash()
    path = tiny_folder / "forecast.csv"
    rows = read_csv(path)
    write_csv(path, [{**row, "arrivals_p10": "", "arrivals_p90": ""} for row in rows], BANDED)
    assert load_scenario(tiny_folder).content_hash() == before  # empty bands: as before
    write_csv(path, [{**row, "arrivals_p10": 0, "arrivals_p90": 100} for row in rows], BANDED)
    assert load_scenario(tiny_folder).content_hash() != before
