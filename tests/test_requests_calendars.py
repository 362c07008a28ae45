"""Requests to contributors (requests.xlsx, requests/*.csv) and calendars (calendar/*.ics)."""

from __future__ import annotations

import csv
import dataclasses
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from openpyxl import load_workbook

from planner.api import run
from planner.contract.bundle import build_contract
from planner.contract.calendars import (
    PRODID,
    calendar_entries,
    section_file_names,
    write_calendars,
)
from planner.contract.requests import (
    EPOCH,
    REQUEST_COLUMNS,
    SUMMARY_COLUMNS,
    contributor_file_names,
    contributor_sheet_names,
    write_requests,
)
from planner.files.atomic import GENERATOR
from planner.files.cells import FORMULA_TRIGGERS, QUOTE
from planner.files.spreadsheets import CORE_PROPERTIES, WORKBOOK
from planner.model.options import SolveOptions
from planner.runs.records import record_plan

from builders import assert_inert

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
SAFE_STEM = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
EVIL = '=HYPERLINK("http://example.invalid/x","click")'
LONG_NAME = "Bundesministerium des Innern und fuer Heimat, Bundespolizei."
APPROVED_AT = "2026-12-02T11:00:00+01:00"
IVORY_COAST = "C\N{LATIN SMALL LETTER O WITH CIRCUMFLEX}te d\N{RIGHT SINGLE QUOTATION MARK}Ivoire"
TIMES = "\N{MULTIPLICATION SIGN}"


# --- contracts built by hand ------------------------------------------------------------------


def deployment(number: int, contributor: str, code: str | None, arrive: str, leave: str,
               quantity: int = 1, *, status: str = "planned", section: str = "SRB-HUN",
               kind_name: str = "Border surveillance officer", sequence: int = 0,
               pledge: str | None = None) -> dict[str, Any]:
    first = (date.fromisoformat(arrive) - date(2022, 3, 7)).days // 7 + 1
    last = (date.fromisoformat(leave) - date(2022, 3, 7)).days // 7 + 1
    return {"deployment_id": f"D{number:016x}", "sequence": sequence,
            "contribution_id": pledge or f"pledge-{number}", "contributor": contributor,
            "contributor_code": code, "category": "2", "kind_id": "bso",
            "kind_name": kind_name, "kind_class": "officer", "section_id": section,
            "section_name": f"Section {section}", "status": status, "quantity": quantity,
            "first_period": first, "last_period": last, "periods": last - first + 1,
            "arrive": arrive, "leave": leave}


def requests_of(deployments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The contract's requests, as the contract builds them: planned deployments only."""
    requests: dict[str, dict[str, Any]] = {}
    for record in deployments:
        if record["status"] != "planned":
            continue
        request = requests.setdefault(record["contributor"], {
            "contributor": record["contributor"], "contributor_code": record["contributor_code"],
            "deployments": 0, "units": 0, "unit_days": 0, "deployment_ids": []})
        days = (date.fromisoformat(record["leave"]) - date.fromisoformat(record["arrive"])).days
        request["deployments"] += 1
        request["units"] += record["quantity"]
        request["unit_days"] += record["quantity"] * (days + 1)
        request["deployment_ids"].append(record["deployment_id"])
    return [requests[name] for name in sorted(requests)]


def contract(deployments: list[dict[str, Any]], changes: list[dict[str, Any]] | None = None,
             *, approved: bool = False, operation: str = "JO Example") -> dict[str, Any]:
    return {"schema_version": "1.1.0", "operation": operation,
            "scenario": {"name": "hand", "version": "7", "hash": "0" * 64},
            "run_id": 3, "revision": 2 if approved else None,
            "approved_at": APPROVED_AT if approved else None, "timezone": "Europe/Belgrade",
            "horizon": {"start": "2022-03-07", "end": "2022-10-02", "period": "week",
                        "periods": 30},
            "deployments": deployments, "requests": requests_of(deployments),
            "changes_against": 1 if approved else None, "changes": changes or []}


def cancelled(record: dict[str, Any], sequence: int) -> dict[str, Any]:
    return {"deployment_id": record["deployment_id"], "change": "cancelled",
            "sequence": sequence, "fields": [], "deployment": record}


def awkward(*, approved: bool = False) -> dict[str, Any]:
    """Names that make bad file and sheet names, text that would run, every sort of event."""
    deployments = [
        deployment(1, "Germany", "DEU", "2022-03-07", "2022-04-03", 4, pledge="de-bso-1"),
        deployment(2, "Germany", "DEU", "2022-03-14", "2022-03-20", 2, section="srb/hun"),
        deployment(3, "Germany", "DEU", "2022-03-07", "2022-03-13", 3, status="running"),
        deployment(4, EVIL, None, "2022-03-21", "2022-03-27", 1, kind_name="+1 officer",
                   pledge="@pledge"),
        deployment(5, "Ministry / Interior: *North*", None, "2022-03-07", "2022-03-13"),
        deployment(6, "Cote d'Ivoire", None, "2022-03-07", "2022-03-13"),
        deployment(7, IVORY_COAST, None, "2022-03-14", "2022-03-20", 2),
        deployment(8, LONG_NAME, None, "2022-03-07", "2022-03-13"),
        deployment(9, "Österreich", None, "2022-03-07", "2022-03-13", sequence=1),
        deployment(10, "Zollverwaltung", "deu", "2022-03-07", "2022-03-13"),
        deployment(11, "CON", None, "2022-03-07", "2022-03-13"),
        deployment(12, "Summary", None, "2022-03-07", "2022-03-13"),
        deployment(13, "Only running", None, "2022-03-07", "2022-03-13", status="running"),
        deployment(14, "Germany", "DEU", "2022-03-07", "2022-03-13", 5, kind_name="A, B; C\\D"),
    ]
    gone = [cancelled(deployment(20, "Germany", "DEU", "2022-03-10", "2022-03-16", 2), 1),
            cancelled(deployment(21, "Only cancelled", None, "2022-03-07", "2022-03-13",
                                 section="HRV-SRB", sequence=2), 3)]
    return contract(deployments, gone, approved=approved)


# --- a real run of scenarios/tiny --------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_contract() -> dict[str, Any]:
    """The contract of a whole-unit run of scenarios/tiny, with every field this export reads."""
    options = SolveOptions(gap=0)
    record = dataclasses.replace(record_plan(run(TINY, options), options=options), id=1)
    built = build_contract(record)
    for record_ in built["deployments"]:
        record_.setdefault("contributor_code", None)
        record_.setdefault("kind_name", record_["kind_id"])
        record_.setdefault("section_name", record_["section_id"])
    for request in built["requests"]:
        request.setdefault("contributor_code", None)
    built.setdefault("changes", [])
    return built


# --- reading back -----------------------------------------------------------------------------


def sheet_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def events(path: Path) -> list[Any]:
    calendar = Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def export(contract_: dict[str, Any], folder: Path) -> list[Path]:
    folder.mkdir()
    return [*write_requests(contract_, folder), *write_calendars(contract_, folder)]


# --- requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["awkward", "tiny"])
def test_requests_add_up_to_the_planned_deployments_of_each_contributor(
    source: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    contract_ = awkward() if source == "awkward" else request.getfixturevalue("tiny_contract")
    written = write_requests(contract_, tmp_path)
    sheets, stems = contributor_sheet_names(contract_), contributor_file_names(contract_)
    rows = sheet_rows(tmp_path / "requests.xlsx")
    assert next(iter(rows)) == "Summary"
    assert list(rows)[1:] == [sheets[r["contributor"]] for r in contract_["requests"]]
    summary = rows["Summary"]
    table = summary[summary.index(tuple(SUMMARY_COLUMNS)) + 1:]
    assert [row[0] for row in table] == [
        r["contributor"] if r["contributor"] != EVIL else QUOTE + EVIL
        for r in contract_["requests"]]
    planned = [d for d in contract_["deployments"] if d["status"] == "planned"]
    for line, expected in zip(table, contract_["requests"], strict=True):
        mine = [d for d in planned if d["contributor"] == expected["contributor"]]
        assert line[2:5] == (expected["deployments"], expected["units"], expected["unit_days"])
        assert line[5].date() == date.fromisoformat(min(d["arrive"] for d in mine))
        assert line[6].date() == date.fromisoformat(max(d["leave"] for d in mine))
        sheet = rows[sheets[expected["contributor"]]]
        assert sheet[0] == tuple(REQUEST_COLUMNS)
        assert [row[2] for row in sheet[1:]] == [d["deployment_id"] for d in sorted(
            mine, key=lambda d: (d["arrive"], d["deployment_id"]))]
        assert sorted(row[2] for row in sheet[1:]) == sorted(expected["deployment_ids"])
        assert sum(row[7] for row in sheet[1:]) == expected["units"]
        assert sum(row[13] for row in sheet[1:]) == expected["unit_days"]
        assert all(row[12] == (row[11] - row[10]).days + 1 and row[13] == row[7] * row[12]
                   for row in sheet[1:])
        path = tmp_path / "requests" / f"{stems[expected['contributor']]}.csv"
        assert path in written
        text = csv_rows(path)
        assert text[0] == REQUEST_COLUMNS
        assert [row[2] for row in text[1:]] == [row[2] for row in sheet[1:]]
        assert [int(row[7]) for row in text[1:]] == [row[7] for row in sheet[1:]]
        assert [row[10] for row in text[1:]] == [row[10].date().isoformat() for row in sheet[1:]]
    assert written == [tmp_path / "requests.xlsx", *sorted(
        (tmp_path / "requests").iterdir(), key=lambda path: path.stem)]
    assert len(written) == len(contract_["requests"]) + 1


def test_the_requests_of_the_awkward_contract_are_as_worked_out_by_hand(tmp_path: Path) -> None:
    contract_ = awkward()
    write_requests(contract_, tmp_path)
    germany = sheet_rows(tmp_path / "requests.xlsx")["DEU"]
    # Running deployment 3 is on site already; 1 (28 days x 4), 14 (7 x 5), 2 (7 x 2).
    assert [(row[2], row[7], row[12], row[13]) for row in germany[1:]] == [
        ("D0000000000000001", 4, 28, 112), ("D000000000000000e", 5, 7, 35),
        ("D0000000000000002", 2, 7, 14)]
    assert {(row[0], row[1]) for row in germany[1:]} == {("Germany", "DEU")}  # says whose
    assert {path.stem for path in (tmp_path / "requests").iterdir()} == {
        "DEU", "deu-2", "Ministry-Interior-North", "Cote-d-Ivoire", "Cote-d-Ivoire-2",
        "Bundesministerium-des-Innern-und-fuer-He", "Osterreich",
        "CON_", "Summary", "HYPERLINK-http-example-invalid-x-click"}
    assert not (tmp_path / "requests" / "Only-running.csv").exists()


def test_the_workbook_has_dates_integers_a_bold_frozen_header_and_the_plan_named(
    tmp_path: Path
) -> None:
    write_requests(awkward(approved=True), tmp_path)
    book = load_workbook(tmp_path / "requests.xlsx")
    germany = book["DEU"]
    assert germany.freeze_panes == "A2"
    assert all(cell.font.bold for cell in germany[1])
    arrive, quantity = germany["K2"], germany["H2"]
    assert isinstance(arrive.value, datetime) and arrive.is_date
    assert arrive.value.date() == date(2022, 3, 7)
    assert type(quantity.value) is int and quantity.value == 4
    assert germany.column_dimensions["C"].width >= len("D0000000000000001")
    summary = book["Summary"]
    lines = {row[0]: row[1] for row in summary.iter_rows(max_row=8, values_only=True)}
    assert lines == {"operation": "JO Example", "scenario": "hand", "scenario version": "7",
                     "run_id": 3, "revision": 2, "approved_at": APPROVED_AT,
                     "timezone": "Europe/Belgrade", "schema_version": "1.1.0"}
    assert summary.freeze_panes == "A11" and summary["A10"].value == "contributor"
    assert WORKBOOK.recognise(tmp_path / "requests.xlsx")  # signed: the planner's own
    write_requests(awkward(), tmp_path)
    assert load_workbook(tmp_path / "requests.xlsx")["Summary"]["B5"].value == "not approved"


def test_no_cell_of_the_requests_can_run(tmp_path: Path) -> None:
    write_requests(awkward(), tmp_path)
    assert assert_inert(tmp_path) > 100
    rows = sheet_rows(tmp_path / "requests.xlsx")
    cells = [cell for sheet in rows.values() for row in sheet for cell in row]
    assert QUOTE + EVIL in cells and QUOTE + "+1 officer" in cells and QUOTE + "@pledge" in cells
    assert EVIL not in cells and "+1 officer" not in cells
    evil = tmp_path / "requests" / "HYPERLINK-http-example-invalid-x-click.csv"
    text = [cell for row in csv_rows(evil) for cell in row]
    assert QUOTE + "+1 officer" in text and QUOTE + "@pledge" in text
    assert all(cell.startswith(QUOTE) for cell in text
               if cell.lstrip(QUOTE).startswith(FORMULA_TRIGGERS))


@pytest.mark.parametrize("approved", [False, True])
def test_exporting_twice_gives_byte_identical_files(approved: bool, tmp_path: Path) -> None:
    first = export(awkward(approved=approved), tmp_path / "first")
    second = export(awkward(approved=approved), tmp_path / "second")
    assert [path.relative_to(tmp_path / "first") for path in first] == [
        path.relative_to(tmp_path / "second") for path in second]
    assert every_file(tmp_path / "first") == every_file(tmp_path / "second")
    assert len(every_file(tmp_path / "first")) == len(first)
    # Nothing in the workbook tells when it was written: every time is the approval's.
    moment = (datetime.fromisoformat(APPROVED_AT).astimezone(UTC) if approved else EPOCH)
    with zipfile.ZipFile(tmp_path / "first" / "requests.xlsx") as archive:
        assert {entry.date_time for entry in archive.infolist()} == {
            moment.timetuple()[:6]}
        assert {entry.external_attr >> 16 for entry in archive.infolist()} == {0o100644}
        core = ElementTree.fromstring(archive.read(CORE_PROPERTIES))
    stamps = {element.tag.split("}")[1]: element.text for element in core}
    assert stamps["created"] == stamps["modified"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stamps["creator"] == stamps["lastModifiedBy"] == GENERATOR


def test_a_contract_with_nothing_to_send_gives_a_summary_only(tmp_path: Path) -> None:
    only_running = contract([deployment(1, "Germany", "DEU", "2022-03-07", "2022-03-13",
                                        status="running")])
    assert write_requests(only_running, tmp_path) == [tmp_path / "requests.xlsx"]
    assert list(sheet_rows(tmp_path / "requests.xlsx")) == ["Summary"]
    assert not (tmp_path / "requests").exists()


# --- names --------------------------------------------------------------------------------


def test_file_and_sheet_names_are_safe_unique_and_the_same_every_time() -> None:
    contract_ = awkward()
    stems = contributor_file_names(contract_)
    assert stems == contributor_file_names(awkward())
    assert set(stems) == {d["contributor"] for d in contract_["deployments"]} | {
        "Only cancelled"}
    assert all(SAFE_STEM.match(stem) for stem in stems.values())
    assert len({stem.casefold() for stem in stems.values()}) == len(stems)
    assert stems["Germany"] == "DEU" and stems["Zollverwaltung"] == "deu-2"
    assert stems["Österreich"] == "Osterreich"
    assert stems["Ministry / Interior: *North*"] == "Ministry-Interior-North"
    assert (stems["Cote d'Ivoire"], stems[IVORY_COAST]) == ("Cote-d-Ivoire",
                                                               "Cote-d-Ivoire-2")
    assert len(LONG_NAME) == 60 and len(stems[LONG_NAME]) <= 40
    assert stems["CON"] == "CON_"  # Windows refuses CON.csv
    sheets = contributor_sheet_names(contract_)
    assert sheets == contributor_sheet_names(awkward())
    assert all(len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
               and not name.startswith("'") and not name.endswith("'")
               for name in sheets.values())
    assert len({name.casefold() for name in [*sheets.values(), "Summary"]}) == len(sheets) + 1
    assert sheets["Österreich"] == "Österreich" and sheets["Summary"] == "Summary (2)"
    assert sheets["Ministry / Interior: *North*"] == "Ministry Interior North"
    assert sheets[LONG_NAME] == LONG_NAME[:31]
    assert section_file_names(contract_) == {"SRB-HUN": "SRB-HUN", "srb/hun": "srb-hun-2",
                                             "HRV-SRB": "HRV-SRB"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=80),
                          st.one_of(st.none(), st.text(min_size=1, max_size=6))),
                min_size=1, max_size=8, unique_by=lambda contributor: contributor[0]))
def test_any_contributors_get_safe_unique_file_and_sheet_names(
    contributors: list[tuple[str, str | None]]
) -> None:
    contract_ = contract([deployment(number, name, code, "2022-03-07", "2022-03-13")
                          for number, (name, code) in enumerate(contributors, start=1)])
    names = [name for name, _ in contributors]
    stems = contributor_file_names(contract_)
    assert all(SAFE_STEM.match(stem) and stem.upper() not in {"CON", "NUL", "AUX", "PRN"}
               for stem in stems.values())
    assert len({stem.casefold() for stem in stems.values()}) == len(names)
    sheets = contributor_sheet_names(contract_)
    assert all(0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
               for name in sheets.values())
    assert len({name.casefold() for name in [*sheets.values(), "summary", "history"]}) == \
        len(names) + 2


# --- calendars ----------------------------------------------------------------------------


@pytest.mark.parametrize("approved", [False, True])
def test_calendars_hold_one_event_per_deployment_of_their_contributor_or_section(
    approved: bool, tmp_path: Path
) -> None:
    contract_ = awkward(approved=approved)
    written = write_calendars(contract_, tmp_path)
    stems, sections = contributor_file_names(contract_), section_file_names(contract_)
    gone = {change["deployment_id"]: change for change in contract_["changes"]}
    every = [*contract_["deployments"], *(change["deployment"] for change in gone.values())]
    expected = {f"contributor-{stems[d['contributor']]}.ics" for d in every} | {
        f"section-{sections[d['section_id']]}.ics" for d in every}
    assert {path.name for path in written} == expected == {
        path.name for path in (tmp_path / "calendar").iterdir()}
    assert "contributor-Only-running.ics" in expected
    assert "contributor-Only-cancelled.ics" in expected
    for path in written:
        calendar = Calendar.from_ical(path.read_bytes())
        assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]) == PRODID
        assert str(calendar["CALSCALE"]) == "GREGORIAN" and str(calendar["METHOD"]) == "PUBLISH"
        assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Belgrade"
        assert str(calendar["X-WR-CALNAME"]).startswith("JO Example: ")
        kind, stem = path.stem.split("-", 1)
        mine = [d for d in every if (stems[d["contributor"]] if kind == "contributor"
                                     else sections[d["section_id"]]) == stem]
        found = list(calendar.walk("VEVENT"))
        assert [str(event["UID"]) for event in found] == [
            d["deployment_id"] for d in sorted(mine, key=lambda d: (d["arrive"],
                                                                     d["deployment_id"]))]
        for event, record in zip(found, sorted(mine, key=lambda d: (d["arrive"],
                                                                     d["deployment_id"])),
                                 strict=True):
            start, end = event.decoded("DTSTART"), event.decoded("DTEND")
            assert type(start) is date and type(end) is date
            assert event["DTSTART"].params["VALUE"] == "DATE"
            assert start == date.fromisoformat(record["arrive"])
            assert end == date.fromisoformat(record["leave"]) + timedelta(days=1)
            assert str(event["LOCATION"]) == record["section_name"]
            assert event.decoded("DTSTAMP") == (
                datetime.fromisoformat(APPROVED_AT) if approved else EPOCH)
            change = gone.get(record["deployment_id"])
            if change is not None:
                assert str(event["STATUS"]) == "CANCELLED"
                assert int(event["SEQUENCE"]) == change["sequence"]
                assert str(event["SUMMARY"]).startswith("Cancelled: ")
            else:
                assert str(event["STATUS"]) == ("CONFIRMED" if approved else "TENTATIVE")
                assert int(event["SEQUENCE"]) == record["sequence"]
            on_site = "already on site" in str(event["SUMMARY"])
            assert on_site == (record["status"] == "running")
            assert ("already on site" in str(event["DESCRIPTION"])) == on_site


def test_event_text_is_plain_and_comes_back_as_written(tmp_path: Path) -> None:
    write_calendars(awkward(), tmp_path)
    germany = {str(event["UID"]): event
               for event in events(tmp_path / "calendar" / "contributor-DEU.ics")}
    assert str(germany["D0000000000000001"]["SUMMARY"]) == \
        f"4 {TIMES} Border surveillance officer (de-bso-1) at SRB-HUN"
    assert str(germany["D000000000000000e"]["SUMMARY"]) == \
        f"5 {TIMES} A, B; C\\D (pledge-14) at SRB-HUN"
    assert str(germany["D0000000000000003"]["SUMMARY"]) == \
        f"3 {TIMES} Border surveillance officer (pledge-3) at SRB-HUN (already on site)"
    description = str(germany["D0000000000000001"]["DESCRIPTION"]).splitlines()
    assert description[:6] == [
        "Deployment: D0000000000000001", "Pledge: de-bso-1", "Contributor: Germany (DEU)",
        "Category: 2", "Kind: Border surveillance officer (bso, officer)", "Quantity: 4"]
    assert "Status: planned" in description
    assert "On site: 2022-03-07 to 2022-04-03 (28 days)" in description
    raw = (tmp_path / "calendar" / "contributor-DEU.ics").read_bytes()
    assert b"SUMMARY:5 \xc3\x97 A\\, B\\; C\\\\D (pledge-14) at SRB-HUN\r\n" in raw
    assert b"UID:D0000000000000001\r\n" in raw
    assert b"\r\nDTSTART;VALUE=DATE:20220307\r\n" in raw
    assert b"\r\nDTEND;VALUE=DATE:20220404\r\n" in raw
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded as RFC 5545 asks


def test_the_tiny_run_has_an_event_per_deployment(
    tiny_contract: dict[str, Any], tmp_path: Path
) -> None:
    written = write_calendars(tiny_contract, tmp_path)
    contributors = {d["contributor"] for d in tiny_contract["deployments"]}
    sections = {d["section_id"] for d in tiny_contract["deployments"]}
    assert len(written) == len(contributors) + len(sections)
    ids = [str(event["UID"])
           for path in written if path.name.startswith("contributor-") for event in events(path)]
    assert sorted(ids) == sorted(d["deployment_id"] for d in tiny_contract["deployments"])
    assert [entry.deployment["deployment_id"] for entry in calendar_entries(tiny_contract)] \
        == [d["deployment_id"] for d in sorted(tiny_contract["deployments"],
                                               key=lambda d: (d["arrive"], d["deployment_id"]))]


def test_a_contract_that_cancels_a_deployment_it_lists_is_refused(tmp_path: Path) -> None:
    kept = deployment(1, "Germany", "DEU", "2022-03-07", "2022-03-13")
    with pytest.raises(ValueError, match="the contract lists deployment D0000000000000001 more "
                                         "than once among its deployments and cancellations: "
                                         "their events would share a UID"):
        write_calendars(contract([kept], [cancelled(kept, 1)]), tmp_path)
    assert not (tmp_path / "calendar").exists()
