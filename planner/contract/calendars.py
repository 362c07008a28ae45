"""Deployments as calendars (RFC 5545): one iCalendar file per contributor and per section.

``calendar/contributor-<STEM>.ics`` holds a contributor's deployments (``STEM`` as in
:func:`planner.contract.requests.contributor_file_names`, shared with its request files), and
``calendar/section-<STEM>.ics`` the deployments at one section (``STEM`` its id, made
safe as a file name); the prefixes keep the two sorts apart whatever the names. A
contributor or section gets a file if it has a deployment or a cancelled one.

Each deployment is one all-day event:

- ``UID`` is the deployment id (unique to its operation, pledge, section and arrival),
  so a calendar that imported an earlier export updates the event instead of adding
  another;
- ``SEQUENCE`` is the deployment's ``sequence``, the number of times it was revised;
- ``DTSTART`` is the arrival date and ``DTEND`` the day after the last day on site (an
  all-day event ends, exclusively, on the next day);
- ``STATUS`` is ``CONFIRMED`` in an approved plan and ``TENTATIVE`` in one not approved;
  a deployment the contract's changes cancel is an event with the same ``UID``, the
  change's ``SEQUENCE`` and ``STATUS:CANCELLED``, so calendars drop it.

Deployments running when the horizon starts are events too, marked as already on site.
Events are ordered by arrival date and deployment id. ``DTSTAMP`` is when the plan was
approved (:func:`planner.contract.requests.export_moment`), never the time of writing, so the same
contract always gives byte-identical files.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event, vText

from planner.contract.requests import (
    contributor_file_names,
    days_on_site,
    export_moment,
    file_stem,
    unique_file_stems,
)

CALENDAR_FOLDER = "calendar"
CONTRIBUTOR_PREFIX = "contributor-"
SECTION_PREFIX = "section-"
PRODID = "-//border-planner//deployments//EN"

_TIMES = "\N{MULTIPLICATION SIGN}"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
"""Characters a TEXT value may not hold (RFC 5545, 3.3.11), line breaks included."""


@dataclass(frozen=True)
class CalendarEntry:
    """One event: a deployment as the contract has it now, or as last issued if cancelled."""

    deployment: Mapping[str, Any]
    sequence: int
    cancelled: bool

    @property
    def arrive(self) -> date:
        """The first day on site."""
        return date.fromisoformat(self.deployment["arrive"])

    @property
    def leave(self) -> date:
        """The last day on site."""
        return date.fromisoformat(self.deployment["leave"])


def calendar_entries(contract: Mapping[str, Any]) -> list[CalendarEntry]:
    """Every deployment and every cancelled one, by arrival date and deployment id.

    Raises ``ValueError`` if a deployment is there twice (listed and cancelled, say):
    the two events would share a ``UID``.
    """
    entries = [CalendarEntry(deployment, deployment["sequence"], cancelled=False)
               for deployment in contract["deployments"]]
    entries += [CalendarEntry(change["deployment"], change["sequence"], cancelled=True)
                for change in contract["changes"] if change["change"] == "cancelled"]
    twice = [identity for identity, count in Counter(
        entry.deployment["deployment_id"] for entry in entries).items() if count > 1]
    if twice:
        raise ValueError(f"the contract lists deployment {min(twice)} more than once among "
                         "its deployments and cancellations: their events would share a UID")
    return sorted(entries, key=lambda entry: (entry.deployment["arrive"],
                                              entry.deployment["deployment_id"]))


def section_file_names(contract: Mapping[str, Any]) -> dict[str, str]:
    """Section id -> the stem of its calendar file, for every section with an event."""
    return unique_file_stems({section_id: file_stem(section_id, "section") for section_id in
                              {entry.deployment["section_id"]
                               for entry in calendar_entries(contract)}})


def write_calendars(contract: dict[str, Any], folder: Path) -> list[Path]:
    """Write ``calendar/contributor-<STEM>.ics`` and ``calendar/section-<STEM>.ics`` in ``folder``.

    ``folder`` exists (a staging folder: the caller makes the whole export appear at
    once). Returns the paths written: contributors' calendars, then sections', by stem.
    """
    entries = calendar_entries(contract)
    by_contributor: dict[str, list[CalendarEntry]] = {}
    by_section: dict[str, list[CalendarEntry]] = {}
    for entry in entries:
        by_contributor.setdefault(entry.deployment["contributor"], []).append(entry)
        by_section.setdefault(entry.deployment["section_id"], []).append(entry)
    contributor_stems = contributor_file_names(contract)
    section_stems = section_file_names(contract)
    operation = contract["operation"]

    calendars: list[tuple[str, str, list[CalendarEntry]]] = []
    for name in sorted(by_contributor, key=lambda name: contributor_stems[name]):
        calendars.append((f"{CONTRIBUTOR_PREFIX}{contributor_stems[name]}",
                          f"{operation}: {name}", by_contributor[name]))
    for section_id in sorted(by_section, key=lambda section_id: section_stems[section_id]):
        section_name = by_section[section_id][0].deployment["section_name"]
        calendars.append((f"{SECTION_PREFIX}{section_stems[section_id]}",
                          f"{operation}: {section_name} ({section_id})",
                          by_section[section_id]))

    written = []
    if calendars:
        (folder / CALENDAR_FOLDER).mkdir(exist_ok=True)
    for stem, title, mine in calendars:
        path = folder / CALENDAR_FOLDER / f"{stem}.ics"
        path.write_bytes(calendar_bytes(contract, title, mine))
        written.append(path)
    return written


def calendar_bytes(contract: Mapping[str, Any], title: str,
                   entries: Iterable[CalendarEntry]) -> bytes:
    """An iCalendar file named ``title`` with one event per entry, in their order."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Extension properties are written as given unless typed as text: typed, they are escaped.
    calendar.add("x-wr-calname", vText(_plain(title)))
    calendar.add("x-wr-timezone", vText(_plain(contract["timezone"])))
    for entry in entries:
        calendar.add_component(_event(contract, entry))
    return calendar.to_ical()


def _event(contract: Mapping[str, Any], entry: CalendarEntry) -> Event:
    """The all-day event of one deployment (see the module's description)."""
    deployment = entry.deployment
    if entry.cancelled:
        status = "CANCELLED"
    else:
        status = "TENTATIVE" if contract["revision"] is None else "CONFIRMED"
    event = Event()
    event.add("uid", deployment["deployment_id"])
    event.add("dtstamp", export_moment(contract))
    event.add("sequence", entry.sequence)
    event.add("dtstart", entry.arrive)
    event.add("dtend", entry.leave + timedelta(days=1))
    event.add("summary", _summary(entry))
    event.add("description", _description(contract, entry))
    event.add("location", _plain(deployment["section_name"]))
    event.add("status", status)
    return event


def _summary(entry: CalendarEntry) -> str:
    """The event's title, as ``4 x Border surveillance officer (de-bso-1) at SRB-HUN``.

    The ``x`` is a multiplication sign. A running deployment is marked as already on site,
    a cancelled one as cancelled.
    """
    deployment = entry.deployment
    text = (f"{deployment['quantity']} {_TIMES} {_plain(deployment['kind_name'])} "
            f"({_plain(deployment['contribution_id'])}) at {_plain(deployment['section_id'])}")
    if deployment["status"] == "running":
        text += " (already on site)"
    return f"Cancelled: {text}" if entry.cancelled else text


def _description(contract: Mapping[str, Any], entry: CalendarEntry) -> str:
    """The deployment in full, one fact a line."""
    deployment = entry.deployment
    contributor = deployment["contributor"]
    if deployment.get("contributor_code"):
        contributor += f" ({deployment['contributor_code']})"
    status = deployment["status"]
    if status == "running":
        status += ": already on site when the horizon starts"
    if entry.cancelled:
        status = f"cancelled (issued as {status})"
    revision = contract["revision"]
    plan = f"run {contract['run_id']}, " + (
        "not approved" if revision is None
        else f"revision {revision}, approved {contract['approved_at']}")
    days = days_on_site(deployment)
    lines = [
        f"Deployment: {deployment['deployment_id']}",
        f"Pledge: {deployment['contribution_id']}",
        f"Contributor: {contributor}",
        f"Category: {deployment['category']}",
        f"Kind: {deployment['kind_name']} ({deployment['kind_id']}, "
        f"{deployment['kind_class']})",
        f"Quantity: {deployment['quantity']}",
        f"Section: {deployment['section_name']} ({deployment['section_id']})",
        f"On site: {deployment['arrive']} to {deployment['leave']} "
        f"({days} day{'' if days == 1 else 's'})",
        f"Status: {status}",
        f"Plan: {contract['operation']}, {plan}",
    ]
    return "\n".join(_plain(line) for line in lines)


def _plain(text: Any) -> str:
    """``text`` on one line with no control characters (each run of them a space)."""
    return _CONTROL.sub(" ", str(text))
