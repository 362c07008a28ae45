"""Contributors, the operation's time zone and re-planning settings: loaded, checked, written."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import yaml

from planner.errors import ExitCode, ScenarioError
from planner.scenario.countries import ISO_3166_ALPHA3
from planner.scenario.read import load_scenario
from planner.scenario.records import DEFAULT_CHANGE_COST, Contributor, ContributorType, Replanning
from planner.scenario.schema import Scenario
from planner.scenario.variants import apply_variant, load_study, parse_sets
from planner.scenario.write_folder import write_folder
from planner.scenario.write_workbook import write_workbook

from builders import contribution, invoke, problems, scenario, section

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TINY = SCENARIOS / "tiny"
WESTERN_BALKANS = SCENARIOS / "western_balkans_2022"
SHIPPED = (TINY, WESTERN_BALKANS)

TINY_HASH_WITHOUT_CONTRIBUTORS = (
    "7344c9121abd2aed191033666a8f618a325a8a2bef831b2296179b0d273f2e21"
)
"""The hash tiny had before contributors, time zones and re-planning existed."""

BAD_CONTRIBUTORS = """\
id,name,country,type
FX,Frontex,EU,agency
DE,Germany,DEU,member_state
AT,Austria,AUT,member_state
EX,Examplia,MNE,host
DE,Deutschland,DEU,member_state
AT2,Austria,AUT,member_state
XA,Atlantis,XXX,third_country
BE,Belgium,deu,member_state
NO,Norway,NOR,efta
"""
"""Tiny's contributors with a problem in each row from row 6 on."""

EVERY_PROBLEM = [
    "scenario.yaml, field 'horizon.timezone': not an IANA time zone name, such as "
    "Europe/Belgrade or UTC (got 'Mars/Olympus')",
    "contributors.csv, row 8, field 'country': not an ISO 3166-1 alpha-3 country code (such "
    "as DEU), nor EU for the agency (got 'XXX')",
    "contributors.csv, row 9, field 'country': write country codes in upper case: 'DEU' "
    "(got 'deu')",
    "contributors.csv, row 10, field 'type': Input should be 'member_state', "
    "'schengen_associated', 'agency', 'host' or 'third_country' (got 'efta')",
    "contributors.csv, row 6, field 'id': duplicate contributor id 'DE' (first at row 3)",
    "contributors.csv, row 7, field 'name': duplicate contributor name 'Austria' "
    "(first at row 4)",
    "contributions.csv, row 3, field 'contributor': unknown contributor 'Bavaria': no row of "
    "contributors has it as its id or name",
    "contributions.csv, row 5, field 'contributor': contributor 'Austria' matches more than "
    "one row of contributors: 'AT' (name), 'AT2' (name)",
]


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a file; ``old`` must occur exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")



def set_time_zone(folder: Path, name: str) -> None:
    edit(folder / "scenario.yaml", "  periods: 3\n", f"  periods: 3\n  timezone: {name}\n")


def whole_yaml(scenario: Scenario, path: Path) -> Path:
    """``scenario`` as one YAML file, every table inline (a baseline is no file input)."""
    document = scenario.model_dump(mode="json", by_alias=True, exclude={"baseline"})
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


@pytest.fixture
def rich_folder(tiny_folder: Path) -> Path:
    """Tiny with all three inputs set otherwise than by default."""
    set_time_zone(tiny_folder, "Europe/Belgrade")
    with (tiny_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write("replanning: {change_cost: 250.5}\n")
    return tiny_folder


# --- the shipped scenarios ---------------------------------------------------------------------


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda folder: folder.name)
def test_every_contribution_of_a_shipped_scenario_has_its_contributor(folder: Path) -> None:
    loaded = load_scenario(folder)
    assert loaded.contributors
    for pledge in loaded.contributions:
        contributor = loaded.contributor_of(pledge)
        assert contributor is not None and pledge.contributor == contributor.name
    used = {pledge.contributor for pledge in loaded.contributions}
    assert {row.name for row in loaded.contributors} == used  # no row is unused


def test_shipped_contributors_are_typed_by_their_role(tiny: Scenario) -> None:
    types = {row.name: (row.id, row.country, row.type) for row in tiny.contributors}
    assert types == {
        "Frontex": ("FX", "EU", ContributorType.AGENCY),
        "Germany": ("DE", "DEU", ContributorType.MEMBER_STATE),
        "Austria": ("AT", "AUT", ContributorType.MEMBER_STATE),
        "Examplia": ("EX", "MNE", ContributorType.HOST),
    }
    balkans = load_scenario(WESTERN_BALKANS)
    hosts = {row.name for row in balkans.contributors if row.type is ContributorType.HOST}
    assert hosts == {section.host_country for section in balkans.sections}
    agency = {row.name for row in balkans.contributors if row.country == "EU"}
    assert agency == {"Frontex", "Frontex (framework contract)"}


def test_time_zones_of_the_shipped_scenarios(tiny: Scenario) -> None:
    assert tiny.horizon.timezone == "UTC"
    assert tiny.horizon.zone == ZoneInfo("UTC")
    balkans = load_scenario(WESTERN_BALKANS)
    assert balkans.horizon.timezone == "Europe/Belgrade"
    start = datetime.combine(balkans.horizon.start, time(12), balkans.horizon.zone)
    end = datetime.combine(balkans.horizon.end, time(12), balkans.horizon.zone)
    assert (start.utcoffset(), end.utcoffset()) == (timedelta(hours=2), timedelta(hours=1))


def test_the_variant_files_still_apply() -> None:
    study = load_study(WESTERN_BALKANS)
    assert set(study.variants) == {"extra_pledge", "serbia_agreement_delayed", "summer_surge",
                                   "visa_alignment"}
    for name in study.variants:
        assert study.apply(name).scenario.contributors == study.base.contributors


# --- defaults: without the new inputs nothing changes -----------------------------------------


def test_defaults() -> None:
    case = scenario(sections=[section("A")],
                    contributions=[contribution("c", "guard", 1, 10, contributor="Anyone")])
    assert case.contributors == ()
    assert case.contributor_of(case.contributions[0]) is None
    assert case.horizon.timezone == "UTC"
    assert case.horizon.zone == ZoneInfo("UTC")
    assert case.replanning == Replanning()
    assert case.replanning.change_cost == DEFAULT_CHANGE_COST == 100.0


def test_without_the_table_contributors_are_free_text_and_the_hash_is_as_before(
    tiny_folder: Path,
) -> None:
    (tiny_folder / "contributors.csv").unlink()
    edit(tiny_folder / "contributions.csv", "de-guards,Germany,", "de-guards,Bavaria,")
    assert load_scenario(tiny_folder).contributions[1].contributor == "Bavaria"
    edit(tiny_folder / "contributions.csv", "de-guards,Bavaria,", "de-guards,Germany,")
    without = load_scenario(tiny_folder)
    assert without.content_hash() == TINY_HASH_WITHOUT_CONTRIBUTORS
    assert all(without.contributor_of(pledge) is None for pledge in without.contributions)


def test_defaults_written_out_hash_as_left_out(tiny_folder: Path, tiny: Scenario) -> None:
    set_time_zone(tiny_folder, "UTC")
    with (tiny_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write("replanning: {change_cost: 100}\n")
    assert load_scenario(tiny_folder) == tiny
    assert load_scenario(tiny_folder).content_hash() == tiny.content_hash()


def test_each_input_changes_the_hash(rich_folder: Path, tiny: Scenario) -> None:
    rich = load_scenario(rich_folder)
    hashes = {tiny.content_hash(), rich.content_hash(),
              rich.model_copy(update={"replanning": Replanning()}).content_hash(),
              rich.model_copy(update={"contributors": ()}).content_hash()}
    assert len(hashes) == 4


def test_a_header_only_table_is_no_table(tiny_folder: Path) -> None:
    (tiny_folder / "contributors.csv").write_text("id,name,country,type\n", encoding="utf-8")
    edit(tiny_folder / "contributions.csv", "de-guards,Germany,", "de-guards,Bavaria,")
    assert load_scenario(tiny_folder).contributors == ()


# --- every form: folder, YAML, workbook --------------------------------------------------------


def test_the_inputs_load_from_a_folder(rich_folder: Path) -> None:
    loaded = load_scenario(rich_folder)
    assert loaded.horizon.timezone == "Europe/Belgrade"
    assert loaded.replanning.change_cost == 250.5
    assert [row.id for row in loaded.contributors] == ["FX", "DE", "AT", "EX"]


def test_the_inputs_load_inline_from_scenario_yaml(rich_folder: Path) -> None:
    expected = load_scenario(rich_folder)
    (rich_folder / "contributors.csv").unlink()
    with (rich_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write("contributors:\n"
                   "  - {id: FX, name: Frontex, country: EU, type: agency}\n"
                   "  - {id: DE, name: Germany, country: DEU, type: member_state}\n"
                   "  - {id: AT, name: Austria, country: AUT, type: member_state}\n"
                   "  - {id: EX, name: Examplia, country: MNE, type: host}\n")
    assert load_scenario(rich_folder) == expected


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda folder: folder.name)
def test_round_trip_through_one_yaml_file(folder: Path, tmp_path: Path) -> None:
    loaded = load_scenario(folder)
    again = load_scenario(whole_yaml(loaded, tmp_path / "whole.yaml"))
    assert again == loaded
    assert again.content_hash() == loaded.content_hash()


def test_round_trip_of_set_inputs_through_every_form(rich_folder: Path, tmp_path: Path) -> None:
    loaded = load_scenario(rich_folder)
    workbook = tmp_path / "rich.xlsx"
    write_workbook(workbook, loaded)
    folder = tmp_path / "written"
    write_folder(folder, loaded)
    for path in (workbook, folder, whole_yaml(loaded, tmp_path / "whole.yaml")):
        again = load_scenario(path)
        assert again == loaded, path.name
        assert again.content_hash() == loaded.content_hash()


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda folder: folder.name)
def test_round_trip_through_write_folder(folder: Path, tmp_path: Path) -> None:
    loaded = load_scenario(folder)
    write_folder(tmp_path / "written", loaded)
    assert (tmp_path / "written" / "contributors.csv").is_file()
    assert load_scenario(tmp_path / "written") == loaded


def test_template_from_a_scenario_round_trips(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    book = tmp_path / "balkans.xlsx"
    assert invoke(monkeypatch, "template", "--xlsx", str(book), "--from",
                  str(WESTERN_BALKANS)) == ExitCode.OK
    assert load_scenario(book) == load_scenario(WESTERN_BALKANS)
    sheet = openpyxl.load_workbook(book)["contributors"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[:2] == [("id", "name", "country", "type"), ("FX", "Frontex", "EU", "agency")]
    settings = {row[0]: row[1]
                for row in openpyxl.load_workbook(book)["scenario"].iter_rows(values_only=True)}
    assert settings["horizon.timezone"] == "Europe/Belgrade"
    assert settings["replanning.change_cost"] == 100


def test_an_empty_template_has_the_inputs_and_needs_none_of_them(tmp_path: Path) -> None:
    book = tmp_path / "template.xlsx"
    write_workbook(book)
    workbook = openpyxl.load_workbook(book)
    assert [cell.value for cell in workbook["contributors"][1]] == ["id", "name", "country",
                                                                   "type"]
    keys = [row[0] for row in workbook["scenario"].iter_rows(values_only=True)]
    assert {"horizon.timezone", "replanning.change_cost"} <= set(keys)
    assert not any("timezone" in line or "replanning" in line or "contributors" in line
                   for line in problems(book))


def test_settings_left_empty_in_a_workbook_take_their_defaults(
    tiny_workbook: Path, tiny: Scenario
) -> None:
    book = openpyxl.load_workbook(tiny_workbook)
    sheet = book["scenario"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in ("horizon.timezone", "replanning.change_cost"):
            row[1].value = None
    book.save(tiny_workbook)
    assert load_scenario(tiny_workbook) == tiny


# --- problems, all at once, each naming file, row and field -----------------------------------


@pytest.fixture
def broken_folder(tiny_folder: Path) -> Path:
    """Tiny with every problem of the new inputs at once."""
    (tiny_folder / "contributors.csv").write_text(BAD_CONTRIBUTORS, encoding="utf-8")
    edit(tiny_folder / "contributions.csv", "de-guards,Germany,", "de-guards,Bavaria,")
    set_time_zone(tiny_folder, "Mars/Olympus")
    return tiny_folder


def test_every_problem_is_reported_at_once(broken_folder: Path) -> None:
    assert problems(broken_folder) == EVERY_PROBLEM


def test_validate_exits_2_naming_every_problem(
    monkeypatch: pytest.MonkeyPatch, broken_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "validate", str(broken_folder)) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"{len(EVERY_PROBLEM)} problems found" in err
    for line in EVERY_PROBLEM:
        assert line in " ".join(err.split()), line  # the console may wrap long lines


def test_the_same_problems_in_a_workbook_name_the_sheet(
    broken_folder: Path, tmp_path: Path
) -> None:
    # Written from a valid scenario, then broken cell by cell as a planner would.
    valid = tmp_path / "valid"
    shutil.copytree(TINY, valid)
    path = tmp_path / "tiny.xlsx"
    write_workbook(path, load_scenario(valid))
    book = openpyxl.load_workbook(path)
    contributors = book["contributors"]
    contributors.delete_rows(2, contributors.max_row)
    for line in BAD_CONTRIBUTORS.splitlines()[1:]:
        contributors.append(line.split(","))
    book["contributions"]["B3"] = "Bavaria"
    settings = book["scenario"]
    row = next(cells for cells in settings.iter_rows() if cells[0].value == "horizon.timezone")
    row[1].value = "Mars/Olympus"
    book.save(path)
    zone_row = row[0].row

    found = problems(path)

    expected = [line.replace("contributors.csv", "tiny.xlsx [sheet contributors]")
                .replace("contributions.csv", "tiny.xlsx [sheet contributions]")
                .replace("scenario.yaml", f"tiny.xlsx [sheet scenario], row {zone_row}")
                for line in EVERY_PROBLEM]
    assert found == expected


def test_an_inline_table_names_its_entry(tiny_folder: Path) -> None:
    (tiny_folder / "contributors.csv").unlink()
    with (tiny_folder / "scenario.yaml").open("a", encoding="utf-8") as file:
        file.write("contributors:\n"
                   "  - {id: FX, name: Frontex, country: EU, type: agency}\n"
                   "  - {id: DE, name: Germany, country: deu, type: member_state}\n"
                   "  - {id: AT, name: Austria, country: AUT, type: member_state}\n"
                   "  - {id: EX, name: Examplia, country: MNE, type: host}\n")
    assert problems(tiny_folder) == [
        "scenario.yaml, contributors, row 2, field 'country': write country codes in upper "
        "case: 'DEU' (got 'deu')",
    ]


def test_a_pledge_of_a_failed_row_is_not_also_unknown(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributors.csv", "DE,Germany,DEU,", "DE,Germany,XXX,")
    assert problems(tiny_folder) == [
        "contributors.csv, row 3, field 'country': not an ISO 3166-1 alpha-3 country code "
        "(such as DEU), nor EU for the agency (got 'XXX')",
    ]


def test_an_unreadable_table_leaves_contributors_unchecked(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributors.csv", "id,name,country,type", "id,name,nation,type")
    edit(tiny_folder / "contributions.csv", "de-guards,Germany,", "de-guards,Bavaria,")
    assert problems(tiny_folder) == [
        "contributors.csv, row 1, field 'nation': unknown column (expected: id, name, country, "
        "type)",
        "contributors.csv, row 1, field 'country': missing column",
    ]


def test_only_the_agency_has_country_eu(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributors.csv", "FX,Frontex,EU,agency", "FX,Frontex,BEL,agency")
    edit(tiny_folder / "contributors.csv", "DE,Germany,DEU,", "DE,Germany,EU,")
    assert problems(tiny_folder) == [
        "contributors.csv, row 2, field 'type': the agency's country is EU, not BEL "
        "(got 'agency')",
        "contributors.csv, row 3, field 'type': only the agency has country EU; a contributor "
        "of type 'member_state' has its state's code (got 'member_state')",
    ]


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe", "../etc/passwd", "zone.tab", "utc"])
def test_a_wrong_time_zone_names_horizon_timezone(tiny_folder: Path, name: str) -> None:
    set_time_zone(tiny_folder, name)
    assert problems(tiny_folder) == [
        "scenario.yaml, field 'horizon.timezone': not an IANA time zone name, such as "
        f"Europe/Belgrade or UTC (got '{name}')"
    ]


def test_a_contributor_may_be_named_by_its_id(tiny_folder: Path) -> None:
    edit(tiny_folder / "contributions.csv", "host-guards,Examplia,", "host-guards,EX,")
    loaded = load_scenario(tiny_folder)
    host = loaded.contributor_of(loaded.contributions[2])
    assert host == Contributor(id="EX", name="Examplia", country="MNE", type="host")
    # Host units serve their own country, which the section names by the contributor's name.
    edit(tiny_folder / "sections.csv", "B,Crossing point B,Examplia,", "B,Crossing point B,Xland,")
    assert problems(tiny_folder) == [
        "contributions.csv, row 4, field 'sections': host-state units of 'EX' serve only "
        "sections in that country, not B",
    ]


def test_an_id_that_is_another_rows_name_is_ambiguous(tiny_folder: Path) -> None:
    with (tiny_folder / "contributors.csv").open("a", encoding="utf-8") as file:
        file.write("Germany,German customs,DEU,member_state\n")
    assert problems(tiny_folder) == [
        "contributions.csv, row 3, field 'contributor': contributor 'Germany' matches more "
        "than one row of contributors: 'DE' (name), 'Germany' (id)",
    ]


def test_the_list_of_country_codes() -> None:
    assert len(ISO_3166_ALPHA3) == 249
    assert {"DEU", "SRB", "MKD", "GRC", "NOR", "CHE", "ISL", "LIE"} <= ISO_3166_ALPHA3
    assert all(re.fullmatch("[A-Z]{3}", code) for code in ISO_3166_ALPHA3)
    assert not {"XKX", "XXX", "EU", "EUE", "UK"} & ISO_3166_ALPHA3


# --- overrides ---------------------------------------------------------------------------------


def test_set_replanning_change_cost(tiny: Scenario) -> None:
    applied = apply_variant(tiny, None, parse_sets(["replanning.change_cost=250"]))
    assert applied.scenario.replanning.change_cost == 250
    assert applied.changes == ("replanning.change_cost: 250",)
    doubled = apply_variant(tiny, None, parse_sets(["replanning.change_cost=*2"]))
    assert doubled.scenario.replanning.change_cost == 200


def test_set_time_zone_and_contributor(tiny: Scenario) -> None:
    applied = apply_variant(tiny, None, parse_sets(["horizon.timezone=Europe/Vienna",
                                                    "contributors.DE.country=AUT"]))
    assert applied.scenario.horizon.timezone == "Europe/Vienna"
    assert applied.scenario.contributors[1].country == "AUT"


def test_a_bad_override_names_its_key(tiny: Scenario) -> None:
    with pytest.raises(ScenarioError) as caught:
        apply_variant(tiny, None, parse_sets(["replanning.change_cost=-1",
                                              "horizon.timezone=Mars/Olympus",
                                              "replanning.speed=2"]))
    assert [str(problem) for problem in caught.value.problems] == [
        "variant '--set', field 'set replanning.speed': 'replanning' has no field 'speed' "
        "(fields: change_cost)",
    ]
    with pytest.raises(ScenarioError) as caught:
        apply_variant(tiny, None, parse_sets(["replanning.change_cost=-1",
                                              "horizon.timezone=Mars/Olympus"]))
    assert [str(problem) for problem in caught.value.problems] == [
        "variant '--set', field 'horizon.timezone': Value error, not an IANA time zone name, "
        "such as Europe/Belgrade or UTC",
        "variant '--set', field 'replanning.change_cost': Input should be greater than or "
        "equal to 0",
    ]


# --- the JSON Schema ---------------------------------------------------------------------------


def test_schema_describes_the_inputs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "schema") == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    definitions = document["$defs"]
    assert {"contributors", "replanning"} <= set(document["properties"])
    assert document["properties"]["replanning"]["default"] == {"change_cost": 100.0}
    contributor = definitions["Contributor"]
    assert contributor["required"] == ["id", "name", "country", "type"]
    assert contributor["additionalProperties"] is False
    assert set(contributor["properties"]["country"]["enum"]) == {*ISO_3166_ALPHA3, "EU"}
    assert definitions["ContributorType"]["enum"] == [
        "member_state", "schengen_associated", "agency", "host", "third_country"
    ]
    timezone = definitions["Horizon"]["properties"]["timezone"]
    assert timezone["default"] == "UTC" and timezone["type"] == "string"
    assert definitions["Replanning"]["properties"]["change_cost"]["default"] == 100.0
