"""Derive the Western Balkans 2022 scenario tables from public figures and stated assumptions.

Run from anywhere with plain Python 3.11 (standard library only)::

    python scenarios/western_balkans_2022/derive.py

It rewrites scenario.yaml and every CSV table next to this file. The output is
deterministic: there is no randomness, and rounding ties are broken by a fixed order.
Every number below is either a public figure (marked PUBLIC) or an assumption made for
illustration (marked ASSUMPTION); README.md lists them all with their sources.
"""

from __future__ import annotations

import calendar
import csv
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --- horizon ---------------------------------------------------------------------------------

START = date(2022, 6, 27)  # a Monday
PERIODS = 26  # weeks: 27 June to 25 December 2022
PERIOD_DAYS = 7
TIMEZONE = "Europe/Belgrade"  # the dates are calendar days of Serbia (Central European)


def period_start(period: int) -> date:
    """First day (a Monday) of week ``period``, counted from 1."""
    return START + timedelta(days=(period - 1) * PERIOD_DAYS)


def period_end(period: int) -> date:
    """Last day (a Sunday) of week ``period``."""
    return period_start(period) + timedelta(days=PERIOD_DAYS - 1)


# --- route totals ----------------------------------------------------------------------------

MONTHLY_TOTALS: dict[tuple[int, int], int] = {
    # PUBLIC: Frontex monthly "EU external borders" releases (preliminary figures).
    (2022, 6): 14_650,
    (2022, 7): 16_000,
    (2022, 8): 15_900,
    (2022, 9): 19_160,
    (2022, 10): 22_318,
    # PUBLIC: November and December together about 17,160. November about 14,000 as
    # reported from Frontex's November release; ASSUMPTION: December is the remainder.
    (2022, 11): 14_000,
    (2022, 12): 3_160,
}

# ASSUMPTION: the forecast's 10-90 % band, as a ratio to each month's detections. These are
# the band of a forecast of the route's monthly total from the history up to May 2022,
# months ahead of the cutoff, as `planner forecast` fits it (log detections, additive
# season, no trend; ten years). Reproduce them with planner.scenario.forecast.fit_series on
# monthly_totals of history/detections.csv cut at 2022-05. Each forecast row gets the band
# of its week (the mean of its days' months), rounded outwards to whole detections.
BAND_RATIOS: dict[tuple[int, int], tuple[float, float]] = {
    (2022, 6): (0.530, 1.886),
    (2022, 7): (0.408, 2.452),
    (2022, 8): (0.333, 3.000),
    (2022, 9): (0.281, 3.555),
    (2022, 10): (0.242, 4.130),
    (2022, 11): (0.211, 4.728),
    (2022, 12): (0.187, 5.355),
}

# --- nationalities ---------------------------------------------------------------------------

NATIONALITIES: list[tuple[str, str]] = [
    ("SYR", "Syria"),
    ("AFG", "Afghanistan"),
    ("TUR", "Turkey"),
    ("TUN", "Tunisia"),
    ("IND", "India"),
    ("BDI", "Burundi"),
    ("CUB", "Cuba"),
    ("PAK", "Pakistan"),
    ("MAR", "Morocco"),
    ("OTH", "Other nationalities"),
]

# ASSUMPTION: share of the route's detections per nationality, by month (per cent).
# Syria, Afghanistan and Turkey stay the top three (PUBLIC); the visa-free group
# (Turkey, Tunisia, India, Burundi, Cuba) rises to 30% in Sep-Oct, which with a lower
# share in January-June is consistent with about 20% for 2022 as a whole (PUBLIC).
# Serbia ended visa-free entry for Burundi (late October) and Tunisia (late November)
# (PUBLIC), so those shares fall from the following month; India's only from 2023.
NATIONALITY_SHARES: dict[int, dict[str, float]] = {
    6: {"SYR": 40, "AFG": 24, "TUR": 8, "TUN": 5, "IND": 3, "BDI": 3, "CUB": 2,
        "PAK": 6, "MAR": 4, "OTH": 5},
    7: {"SYR": 38, "AFG": 23, "TUR": 8, "TUN": 6, "IND": 4, "BDI": 4, "CUB": 2,
        "PAK": 6, "MAR": 4, "OTH": 5},
    8: {"SYR": 36, "AFG": 21, "TUR": 8, "TUN": 7, "IND": 5, "BDI": 5, "CUB": 2,
        "PAK": 6, "MAR": 4, "OTH": 6},
    9: {"SYR": 34, "AFG": 19, "TUR": 9, "TUN": 7, "IND": 6, "BDI": 6, "CUB": 2,
        "PAK": 6, "MAR": 4, "OTH": 7},
    10: {"SYR": 33, "AFG": 19, "TUR": 9, "TUN": 7, "IND": 7, "BDI": 5, "CUB": 2,
         "PAK": 6, "MAR": 5, "OTH": 7},
    11: {"SYR": 38, "AFG": 23, "TUR": 9, "TUN": 3, "IND": 6, "BDI": 1, "CUB": 2,
         "PAK": 7, "MAR": 5, "OTH": 6},
    12: {"SYR": 42, "AFG": 25, "TUR": 9, "TUN": 1, "IND": 5, "BDI": 0.5, "CUB": 2,
         "PAK": 7, "MAR": 5, "OTH": 3.5},
}

# --- sections --------------------------------------------------------------------------------

# (id, name, host country, border type, impact level at the start, beds)
# ASSUMPTION: the sections, their host states, impact levels and beds (accommodation
# for deployed personnel other than host-state staff; empty = no limit).
SECTIONS: list[tuple[str, str, str, str, str, int | None]] = [
    ("SRB-HUN", "Serbia-Hungary green border (Horgos/Roszke, Subotica area)",
     "Serbia", "land", "high", 120),
    ("SRB-HRV", "Serbia-Croatia green border (Sid/Tovarnik area)",
     "Croatia", "land", "high", 60),
    ("SRB-ROU", "Serbia-Romania green border (Banat)",
     "Romania", "land", "medium", 60),
    ("BIH-HRV", "Bosnia and Herzegovina-Croatia green border (Una-Sana/Bihac area)",
     "Croatia", "land", "high", 70),
    ("MKD-GRC", "North Macedonia-Greece green border (Gevgelija area)",
     "North Macedonia", "land", "high", 50),
    ("GEV-BCP", "Gevgelija/Evzoni crossing point",
     "North Macedonia", "crossing_point", "medium", 16),
    ("SRB-MKD", "Serbia-North Macedonia green border (Presevo/Miratovac area)",
     "Serbia", "land", "medium", 30),
    ("PRE-BCP", "Presevo/Tabanovce crossing point",
     "Serbia", "crossing_point", "medium", 12),
    ("ALB-GRC", "Albania-Greece green border (Kakavije/Kapshtice)",
     "Albania", "land", "medium", 40),
    ("KAK-BCP", "Kakavije crossing point",
     "Albania", "crossing_point", "low", 10),
    ("MNE-ALB", "Montenegro-Albania green border",
     "Montenegro", "land", "medium", 25),
    ("BEG-AIR", "Belgrade Nikola Tesla Airport (visa-free arrivals)",
     "Serbia", "air", "high", None),
]

# PUBLIC: status agreements between the EU and the host states outside the EU. Units other
# than the host state's may serve at a section only from the day an agreement covering it
# applies. The first agreements (Albania in force 1 May 2019, Montenegro 1 July 2020, Serbia
# 1 May 2021) covered only the regions bordering EU member states; North Macedonia had none
# until 1 April 2023 (signed 26 October 2022). Deployments at borders between Western Balkan
# partners came with the newer agreements: Montenegro's applied provisionally from 1 July
# 2023; Serbia's was signed on 25 June 2024 (concluded in 2025), used here as the date since
# only its lying after the horizon matters. Sections in EU member states need none.
ACCESS_FROM: dict[str, str] = {
    "SRB-HUN": "2021-05-01",  # Serbia, border with Hungary: first agreement
    "SRB-MKD": "2024-06-25",  # Serbia, border with North Macedonia: 2024 agreement
    "PRE-BCP": "2024-06-25",
    "BEG-AIR": "2024-06-25",  # Belgrade airport: not a region bordering the EU
    "MKD-GRC": "2023-04-01",  # North Macedonia: first agreement in force 1 April 2023
    "GEV-BCP": "2023-04-01",
    "ALB-GRC": "2019-05-01",  # Albania, border with Greece: first agreement
    "KAK-BCP": "2019-05-01",
    "MNE-ALB": "2023-07-01",  # Montenegro, border with Albania: upgraded agreement
}
EU_HOSTS = ("Croatia", "Romania")
"""Host states that are EU members: their sections need no status agreement."""

# ASSUMPTION: impact levels change with the autumn peak and the end of visa-free entry.
IMPACT_CHANGES: list[tuple[str, int, str]] = [
    ("SRB-HUN", 11, "critical"),  # from 5 Sep: autumn peak
    ("SRB-HUN", 22, "high"),      # from 21 Nov
    ("BIH-HRV", 15, "critical"),  # from 3 Oct
    ("BIH-HRV", 21, "high"),      # from 14 Nov
    ("SRB-ROU", 12, "high"),      # from 12 Sep
    ("SRB-ROU", 23, "medium"),    # from 28 Nov
    ("BEG-AIR", 23, "medium"),    # from 28 Nov: Burundi and Tunisia need visas again
    ("MKD-GRC", 24, "medium"),    # from 5 Dec: winter
]

# ASSUMPTION: how each nationality's detections split over the sections. Syrians,
# Afghans, Pakistanis, Moroccans and others mostly come overland from Greece; the
# visa-free nationalities mostly fly into Belgrade and head north; Turks are half and
# half. A BEG-AIR share stands for the route's visa-free arrivals processed at the
# airport. Each detection is put at one section (detections are not unique persons).
OVERLAND = {
    "SRB-HUN": 0.30, "SRB-HRV": 0.10, "SRB-ROU": 0.13, "BIH-HRV": 0.12,
    "MKD-GRC": 0.12, "GEV-BCP": 0.02, "SRB-MKD": 0.08, "PRE-BCP": 0.02,
    "ALB-GRC": 0.06, "KAK-BCP": 0.01, "MNE-ALB": 0.04, "BEG-AIR": 0.00,
}
VISA_FREE = {
    "SRB-HUN": 0.35, "SRB-HRV": 0.15, "SRB-ROU": 0.17, "BIH-HRV": 0.18,
    "BEG-AIR": 0.15,
}
MIXED = {
    section: (OVERLAND.get(section, 0.0) + VISA_FREE.get(section, 0.0)) / 2
    for section in OVERLAND
}
SECTION_SHARES: dict[str, dict[str, float]] = {
    "SYR": OVERLAND, "AFG": OVERLAND, "PAK": OVERLAND, "MAR": OVERLAND, "OTH": OVERLAND,
    "TUR": MIXED,
    "TUN": VISA_FREE, "IND": VISA_FREE, "BDI": VISA_FREE, "CUB": VISA_FREE,
}

# --- languages -------------------------------------------------------------------------------

# (id, name, interpreters needed per weekly arrival speaking it, remote cost per day)
# ASSUMPTION: about one interpreter per 100-125 weekly arrivals in the large languages,
# more per arrival in the small ones (fewer interviews per interpreter-week, since they
# travel between sites); English is handled by the officers themselves.
# ASSUMPTION: remote interpretation (video or phone, under the agency's framework contracts)
# per interpreter-day equivalent: a remote interpreter's hourly fee over a working day plus
# the slower remote interview, set just above the dearest on-site interpreter of the
# language so that it stays a fallback; more for rare languages. Punjabi has none (the
# remote pool covers Urdu, not the Indian Punjabi dialects), so it keeps the penalty.
LANGUAGES: list[tuple[str, str, float, float | None]] = [
    ("ara", "Arabic", 0.008, 340),
    ("kmr", "Kurdish (Kurmanji)", 0.010, 360),
    ("prs", "Dari", 0.008, 340),
    ("pus", "Pashto", 0.010, 360),
    ("tur", "Turkish", 0.008, 340),
    ("urd", "Urdu", 0.010, 380),
    ("pan", "Punjabi", 0.012, None),
    ("hin", "Hindi", 0.010, 380),
    ("run", "Kirundi", 0.015, 440),
    ("fra", "French", 0.006, 340),
    ("spa", "Spanish", 0.006, 340),
    ("eng", "English", 0.0, None),
]

# PUBLIC (languages per nationality) with ASSUMPTION (the shares).
LANGUAGE_SHARES: dict[str, dict[str, float]] = {
    "SYR": {"ara": 0.85, "kmr": 0.15},
    "AFG": {"prs": 0.65, "pus": 0.35},
    "TUR": {"tur": 0.75, "kmr": 0.25},
    "TUN": {"ara": 0.85, "fra": 0.15},
    "IND": {"pan": 0.70, "hin": 0.30},
    "BDI": {"run": 0.70, "fra": 0.30},
    "CUB": {"spa": 1.0},
    "PAK": {"urd": 0.60, "pan": 0.25, "pus": 0.15},
    "MAR": {"ara": 0.80, "fra": 0.20},
    "OTH": {"eng": 0.60, "ara": 0.20, "fra": 0.20},
}

# --- resource kinds and needs ----------------------------------------------------------------

# (id, name, class, crew kind, crew size)
KINDS: list[tuple[str, str, str, str, int]] = [
    ("BSO", "Border surveillance officer", "officer", "", 0),
    ("BCO", "Border checks officer", "officer", "", 0),
    ("DOC", "Document expert", "officer", "", 0),
    ("DOG", "Dog handler", "officer", "", 0),
    ("SCR", "Screening expert", "officer", "", 0),
    ("DEB", "Debriefing expert", "officer", "", 0),
    ("FPR", "Fingerprinting and registration expert", "officer", "", 0),
    ("TL", "Team leader", "officer", "", 0),
    ("PCAR", "Patrol car", "vehicle", "BSO", 2),
    ("TVV", "Thermo-vision vehicle", "vehicle", "BSO", 2),
    ("VAN", "Transport van", "vehicle", "BSO", 1),
    ("INT", "Interpreter / cultural mediator", "interpreter", "", 0),
]

# ASSUMPTION: (kind, min low, min medium, min high, min critical, per weekly arrival,
# border types). The need is max(minimum for the impact level, per_arrival x arrivals).
REQUIREMENT_RULES: list[tuple[str, float, float, float, float, float, str]] = [
    ("BSO", 4, 8, 14, 20, 0.060, "land"),
    ("BCO", 2, 4, 8, 12, 0.050, "crossing_point;air"),
    ("DOC", 0, 1, 2, 3, 0.010, "crossing_point;air"),
    ("DOG", 0, 1, 2, 2, 0.006, "land"),
    ("SCR", 0, 1, 2, 3, 0.020, ""),
    ("DEB", 0, 0, 1, 2, 0.005, ""),
    ("FPR", 0, 1, 1, 2, 0.015, ""),
    ("TL", 1, 1, 1, 2, 0.004, ""),
    ("PCAR", 1, 2, 4, 6, 0.012, "land"),
    ("TVV", 0, 1, 1, 2, 0.0015, "land"),
    ("VAN", 0, 0, 1, 1, 0.002, "land"),
]

# ASSUMPTION: EUR per uncovered unit and day, by impact level (low, medium, high,
# critical); always well above the dearest daily cost of the same kind.
PENALTIES: dict[str, tuple[float, float, float, float]] = {
    "BSO": (450, 650, 900, 1300),
    "BCO": (450, 650, 900, 1300),
    "DOC": (500, 700, 1000, 1400),
    "DOG": (450, 650, 900, 1300),
    "SCR": (500, 700, 1000, 1400),
    "DEB": (450, 600, 850, 1200),
    "FPR": (500, 700, 1000, 1400),
    "TL": (600, 850, 1200, 1600),
    "PCAR": (300, 400, 550, 800),
    "TVV": (400, 550, 750, 1000),
    "VAN": (250, 350, 500, 700),
}
LANGUAGE_PENALTY = (450, 600, 800, 1100)

# --- contributions ---------------------------------------------------------------------------

# ASSUMPTION: daily cost per unit (EUR) by category for officers, plus a surcharge for
# specialist profiles; vehicles and interpreters have their own costs below.
OFFICER_COST = {"1": 210, "2": 240, "3": 270, "4": 320, "host": 120}
SPECIALIST_SURCHARGE = {"DOC": 30, "SCR": 30, "DEB": 30, "FPR": 20, "TL": 40, "DOG": 20}

# ASSUMPTION: cost of each unit's start at a section (EUR): return travel, the briefing on
# arrival and the handover. Officers: agency staff 900 (travel from Warsaw or the previous
# deployment), long-term secondments 1,300 (relocation, once for the whole secondment),
# short-term deployments 1,100, the reserve 1,500 (bookings at short notice). Vehicles are
# driven or shipped in: agency-owned 400, technical equipment pool 700, rapid reaction
# equipment pool 900. Interpreters as officers of their category; contracted ones 600.
# Host-state staff and assets are local: 80 per officer or interpreter (internal travel and
# briefing), 40 per vehicle.
START_COST = {
    "officer": {"1": 900, "2": 1300, "3": 1100, "4": 1500, "host": 80},
    "vehicle": {"1": 400, "pool": 700, "4": 900, "host": 40},
    "interpreter": {"1": 900, "2": 1300, "contract": 600, "host": 80},
}

# ASSUMPTION: weeks a unit stays once it starts (a rotation). Category 3: the four-week
# (30-day) deployments usual for officers in joint operations, six weeks for experts and team
# leaders (longer handovers); the reserve (category 4) four weeks. The agency's border
# surveillance teams and their team leaders (category 1) rotate every quarter (13 weeks); its
# experts are posted as needed. Category 2 stays from its start to the end of its window by
# rule; host staff, equipment and interpreters have no fixed length.
ROTATION_WEEKS: dict[str, dict[str, int]] = {
    "1": dict.fromkeys(("BSO", "TL"), 13),
    "3": {"BSO": 4, "BCO": 4, "DOG": 4, "DOC": 6, "SCR": 6, "DEB": 6, "FPR": 6, "TL": 6},
    "4": dict.fromkeys(("BSO", "FPR"), 4),
}

# Availability windows, whole weeks (Monday to Sunday). Category 3 pledges come either with
# a window of at most four months or for the whole horizon, where the annual cap of four
# months per officer (PUBLIC: up to four months a calendar year) limits them instead.
SUMMER = ("2022-06-27", "2022-10-02")      # weeks 1-14: first short-term rotation
AUTUMN = ("2022-08-29", "2022-12-18")      # weeks 10-25: second rotation (16 weeks)
LATE = ("2022-09-05", "2022-12-25")        # weeks 11-26 (16 weeks)
PEAK = ("2022-09-12", "2022-11-06")        # weeks 12-19: peak reinforcement (8 weeks)
RESERVE = ("2022-09-26", "2022-11-27")     # weeks 14-22: rapid reaction pools, on call
RBI_HOST = ("2022-09-26", "2022-11-20")    # weeks 14-21: host reinforcement in the RBI
FULL = ("", "")                            # the whole horizon


def host_sections(country: str, *only: str) -> str:
    """The sections hosted by ``country`` (or just ``only`` of them), as a cell."""
    hosted = [ident for ident, _, host, *_ in SECTIONS if host == country]
    unknown = set(only) - set(hosted)
    assert not unknown, f"{sorted(unknown)} are not hosted by {country}"
    return ";".join(ident for ident in hosted if not only or ident in only)


CROATIA = host_sections("Croatia")
ROMANIA = host_sections("Romania")
NORTH_MACEDONIA = host_sections("North Macedonia")
ALBANIA = host_sections("Albania")
MONTENEGRO = host_sections("Montenegro")
SERBIA_NORTH = host_sections("Serbia", "SRB-HUN")
SERBIA_SOUTH = host_sections("Serbia", "SRB-MKD", "PRE-BCP")
SERBIA_CHECKS = host_sections("Serbia", "PRE-BCP", "BEG-AIR")
SERBIA_INLAND = host_sections("Serbia", "SRB-MKD", "PRE-BCP", "BEG-AIR")
SERBIA = host_sections("Serbia")
EU_BORDERS = "SRB-HUN;SRB-HRV;SRB-ROU;BIH-HRV"
NORTH = "SRB-HUN;SRB-ROU"
CROSSINGS = "GEV-BCP;PRE-BCP;KAK-BCP;BEG-AIR"

# --- contributors ----------------------------------------------------------------------------

# (id, name, ISO 3166-1 alpha-3 country code or EU for the agency, type)
# PUBLIC: the countries' codes. The agency pledges its statutory staff and, as a separate
# contributor, the interpreters of its framework contract. The states that host sections
# of this scenario are typed host, Croatia and Romania too, though as EU member states they
# also pledge standing-corps officers.
CONTRACTOR = "Frontex (framework contract)"
CONTRIBUTORS: list[tuple[str, str, str, str]] = [
    ("FX", "Frontex", "EU", "agency"),
    ("FX-CONTRACT", CONTRACTOR, "EU", "agency"),
    ("AT", "Austria", "AUT", "member_state"),
    ("BE", "Belgium", "BEL", "member_state"),
    ("BG", "Bulgaria", "BGR", "member_state"),
    ("CZ", "Czechia", "CZE", "member_state"),
    ("DE", "Germany", "DEU", "member_state"),
    ("EE", "Estonia", "EST", "member_state"),
    ("ES", "Spain", "ESP", "member_state"),
    ("FI", "Finland", "FIN", "member_state"),
    ("FR", "France", "FRA", "member_state"),
    ("HU", "Hungary", "HUN", "member_state"),
    ("IT", "Italy", "ITA", "member_state"),
    ("LT", "Lithuania", "LTU", "member_state"),
    ("LV", "Latvia", "LVA", "member_state"),
    ("NL", "Netherlands", "NLD", "member_state"),
    ("PL", "Poland", "POL", "member_state"),
    ("PT", "Portugal", "PRT", "member_state"),
    ("SE", "Sweden", "SWE", "member_state"),
    ("SI", "Slovenia", "SVN", "member_state"),
    ("SK", "Slovakia", "SVK", "member_state"),
    ("HR", "Croatia", "HRV", "host"),
    ("RO", "Romania", "ROU", "host"),
    ("RS", "Serbia", "SRB", "host"),
    ("MK", "North Macedonia", "MKD", "host"),
    ("AL", "Albania", "ALB", "host"),
    ("ME", "Montenegro", "MNE", "host"),
]

# (id, contributor, category, kind, quantity, window, eligible sections; empty = all)
OFFICER_PLEDGES: list[tuple[str, str, str, str, int, tuple[str, str], str]] = [
    # Category 1: agency statutory staff, whole horizon, quarterly team rotations.
    ("fx-bso", "Frontex", "1", "BSO", 36, FULL, ""),
    ("fx-bco", "Frontex", "1", "BCO", 2, FULL, CROSSINGS),
    ("fx-doc", "Frontex", "1", "DOC", 1, FULL, CROSSINGS),
    ("fx-scr", "Frontex", "1", "SCR", 26, FULL, ""),
    ("fx-deb", "Frontex", "1", "DEB", 8, FULL, ""),
    ("fx-fpr", "Frontex", "1", "FPR", 12, FULL, ""),
    ("fx-tl", "Frontex", "1", "TL", 8, FULL, ""),
    # Category 2: long-term secondments, whole horizon.
    ("de-bso-2", "Germany", "2", "BSO", 16, FULL, EU_BORDERS),
    ("at-bso-2", "Austria", "2", "BSO", 10, FULL, NORTH),
    ("cz-bso-2", "Czechia", "2", "BSO", 6, FULL, NORTH),
    ("ro-bso-2", "Romania", "2", "BSO", 6, FULL, ALBANIA),
    ("de-dog-2", "Germany", "2", "DOG", 6, FULL, EU_BORDERS),
    ("at-dog-2", "Austria", "2", "DOG", 4, FULL, ""),
    ("it-scr-2", "Italy", "2", "SCR", 10, FULL, ""),
    ("pt-scr-2", "Portugal", "2", "SCR", 5, FULL, ""),
    ("pl-fpr-2", "Poland", "2", "FPR", 10, FULL, ""),
    ("es-deb-2", "Spain", "2", "DEB", 3, FULL, ""),
    # Category 3: short-term deployments in rotations (ROTATION_WEEKS) within a window.
    ("at-bso-3", "Austria", "3", "BSO", 16, SUMMER, ""),
    ("si-bso-3", "Slovenia", "3", "BSO", 8, SUMMER, CROATIA),
    ("nl-dog-3", "Netherlands", "3", "DOG", 8, SUMMER, ""),
    ("se-scr-3", "Sweden", "3", "SCR", 16, SUMMER, ""),
    ("be-fpr-3", "Belgium", "3", "FPR", 12, SUMMER, ""),
    ("fi-deb-3", "Finland", "3", "DEB", 3, SUMMER, ""),
    ("bg-tl-3", "Bulgaria", "3", "TL", 2, SUMMER, ""),
    ("de-bso-3", "Germany", "3", "BSO", 20, AUTUMN, EU_BORDERS),
    ("sk-bso-3", "Slovakia", "3", "BSO", 8, AUTUMN, NORTH),
    ("it-bso-3", "Italy", "3", "BSO", 6, AUTUMN, ""),
    ("pl-bso-3", "Poland", "3", "BSO", 12, FULL, ""),
    ("lt-bso-3", "Lithuania", "3", "BSO", 5, PEAK, ""),
    ("lv-bso-3", "Latvia", "3", "BSO", 3, PEAK, ""),
    ("ee-bso-3", "Estonia", "3", "BSO", 2, PEAK, ""),
    ("cz-dog-3", "Czechia", "3", "DOG", 6, AUTUMN, ""),
    ("hu-dog-3", "Hungary", "3", "DOG", 4, PEAK, NORTH),
    ("fr-scr-3", "France", "3", "SCR", 16, FULL, ""),
    ("hu-scr-3", "Hungary", "3", "SCR", 8, PEAK, ""),
    ("de-scr-3", "Germany", "3", "SCR", 6, LATE, ""),
    ("at-fpr-3", "Austria", "3", "FPR", 10, AUTUMN, ""),
    ("lv-fpr-3", "Latvia", "3", "FPR", 4, LATE, ""),
    ("cz-fpr-3", "Czechia", "3", "FPR", 4, PEAK, ""),
    ("nl-deb-3", "Netherlands", "3", "DEB", 6, AUTUMN, ""),
    ("ro-tl-3", "Romania", "3", "TL", 3, AUTUMN, ""),
    # Category 4: rapid reaction reserve, on call in the autumn; serves only in the rapid
    # border intervention (RAPID_INTERVENTIONS).
    ("de-bso-4", "Germany", "4", "BSO", 10, RESERVE, EU_BORDERS),
    ("at-bso-4", "Austria", "4", "BSO", 6, RESERVE, NORTH),
    ("hr-fpr-4", "Croatia", "4", "FPR", 6, RESERVE, ""),
    # Host-state officers assigned to the operation; only in their own country.
    ("srb-bso-host", "Serbia", "host", "BSO", 18, FULL, SERBIA_NORTH),
    ("srb-fpr-host", "Serbia", "host", "FPR", 2, FULL, SERBIA_NORTH),
    ("srb-bso-host-rbi", "Serbia", "host", "BSO", 6, RBI_HOST, SERBIA_NORTH),
    ("srb-bso-host-south", "Serbia", "host", "BSO", 15, FULL, SERBIA_SOUTH),
    ("srb-bco-host", "Serbia", "host", "BCO", 13, FULL, SERBIA_CHECKS),
    ("srb-doc-host", "Serbia", "host", "DOC", 3, FULL, SERBIA_CHECKS),
    ("srb-scr-host", "Serbia", "host", "SCR", 8, FULL, SERBIA_INLAND),
    ("srb-fpr-host-south", "Serbia", "host", "FPR", 7, FULL, SERBIA_INLAND),
    ("srb-deb-host", "Serbia", "host", "DEB", 2, FULL, SERBIA_INLAND),
    ("srb-dog-host", "Serbia", "host", "DOG", 1, FULL, SERBIA_SOUTH),
    ("srb-tl-host", "Serbia", "host", "TL", 4, FULL, SERBIA_INLAND),
    ("hrv-bso-host", "Croatia", "host", "BSO", 24, FULL, CROATIA),
    ("hrv-fpr-host", "Croatia", "host", "FPR", 6, FULL, CROATIA),
    ("hrv-tl-host", "Croatia", "host", "TL", 2, FULL, CROATIA),
    ("rou-bso-host", "Romania", "host", "BSO", 9, FULL, ROMANIA),
    ("rou-tl-host", "Romania", "host", "TL", 1, FULL, ROMANIA),
    ("mkd-bso-host", "North Macedonia", "host", "BSO", 22, FULL, NORTH_MACEDONIA),
    ("mkd-bco-host", "North Macedonia", "host", "BCO", 4, FULL, NORTH_MACEDONIA),
    ("mkd-doc-host", "North Macedonia", "host", "DOC", 1, FULL, NORTH_MACEDONIA),
    ("mkd-dog-host", "North Macedonia", "host", "DOG", 2, FULL, NORTH_MACEDONIA),
    ("mkd-scr-host", "North Macedonia", "host", "SCR", 7, FULL, NORTH_MACEDONIA),
    ("mkd-fpr-host", "North Macedonia", "host", "FPR", 6, FULL, NORTH_MACEDONIA),
    ("mkd-deb-host", "North Macedonia", "host", "DEB", 2, FULL, NORTH_MACEDONIA),
    ("mkd-tl-host", "North Macedonia", "host", "TL", 3, FULL, NORTH_MACEDONIA),
    ("alb-bso-host", "Albania", "host", "BSO", 8, FULL, ALBANIA),
    ("alb-bco-host", "Albania", "host", "BCO", 2, FULL, ALBANIA),
    ("alb-tl-host", "Albania", "host", "TL", 2, FULL, ALBANIA),
    ("mne-bso-host", "Montenegro", "host", "BSO", 8, FULL, MONTENEGRO),
    ("mne-dog-host", "Montenegro", "host", "DOG", 1, FULL, MONTENEGRO),
    ("mne-scr-host", "Montenegro", "host", "SCR", 2, FULL, MONTENEGRO),
    ("mne-fpr-host", "Montenegro", "host", "FPR", 2, FULL, MONTENEGRO),
    ("mne-tl-host", "Montenegro", "host", "TL", 1, FULL, MONTENEGRO),
]

# ASSUMPTION: unit-days a pledge may serve in 2022 where it differs from the default (four
# months per officer for categories 3 and 4): Austria's short-term officers already served
# in other operations in the first half of the year and have 70 days each left.
ANNUAL_CAP_DAYS: dict[str, float] = {"at-bso-3": 16 * 70}

# (id, contributor, category, kind, quantity, window, sections, daily cost)
# ASSUMPTION: patrol car 85 EUR/day from the technical equipment pool (60 host, 75
# agency-owned, 95 from the rapid reaction equipment pool), thermo-vision vehicle 180 (170
# agency-owned, 190 rapid reaction, 120 host), van 110 (80 host): fuel, maintenance,
# insurance and transfer spread over the deployment.
VEHICLE_PLEDGES: list[tuple[str, str, str, str, int, tuple[str, str], str, float]] = [
    ("fx-pcar", "Frontex", "1", "PCAR", 8, FULL, "", 75),
    ("de-pcar", "Germany", "pool", "PCAR", 8, FULL, EU_BORDERS, 85),
    ("at-pcar", "Austria", "pool", "PCAR", 8, FULL, "", 85),
    ("cz-pcar", "Czechia", "pool", "PCAR", 4, AUTUMN, "", 85),
    ("pl-pcar", "Poland", "pool", "PCAR", 4, LATE, "", 85),
    ("at-pcar-4", "Austria", "4", "PCAR", 3, RESERVE, NORTH, 95),
    ("srb-pcar-host", "Serbia", "host", "PCAR", 6, FULL, SERBIA_NORTH, 60),
    ("srb-pcar-host-south", "Serbia", "host", "PCAR", 3, FULL, SERBIA_SOUTH, 60),
    ("hrv-pcar-host", "Croatia", "host", "PCAR", 5, FULL, CROATIA, 60),
    ("mkd-pcar-host", "North Macedonia", "host", "PCAR", 4, FULL, NORTH_MACEDONIA, 60),
    ("alb-pcar-host", "Albania", "host", "PCAR", 3, FULL, ALBANIA, 60),
    ("mne-pcar-host", "Montenegro", "host", "PCAR", 2, FULL, MONTENEGRO, 60),
    ("fx-tvv", "Frontex", "1", "TVV", 2, FULL, "", 170),
    ("de-tvv", "Germany", "pool", "TVV", 2, FULL, "", 180),
    ("at-tvv", "Austria", "pool", "TVV", 1, FULL, "", 180),
    ("sk-tvv", "Slovakia", "pool", "TVV", 1, AUTUMN, "", 180),
    ("de-tvv-4", "Germany", "4", "TVV", 1, RESERVE, EU_BORDERS, 190),
    ("mkd-tvv-host", "North Macedonia", "host", "TVV", 1, FULL, NORTH_MACEDONIA, 120),
    ("nl-van", "Netherlands", "pool", "VAN", 3, FULL, "", 110),
    ("be-van", "Belgium", "pool", "VAN", 2, FULL, "", 110),
    ("hrv-van-host", "Croatia", "host", "VAN", 2, FULL, CROATIA, 80),
    ("mkd-van-host", "North Macedonia", "host", "VAN", 1, FULL, NORTH_MACEDONIA, 80),
]

# (id, contributor, category, quantity, window, sections, languages, daily cost)
# ASSUMPTION: agency cultural mediators 230 EUR/day, seconded interpreters 250,
# contracted interpreters 300-320, rare languages 380 (long travel), host-state 150.
INTERPRETER_PLEDGES: list[tuple[str, str, str, int, tuple[str, str], str, str, float]] = [
    ("fx-int-ara", "Frontex", "1", 5, FULL, "", "ara;fra", 230),
    ("fx-int-prs", "Frontex", "1", 3, FULL, "", "prs;pus", 230),
    ("de-int-ara", "Germany", "2", 2, FULL, EU_BORDERS, "ara;kmr", 250),
    ("ct-int-ara", CONTRACTOR, "contract", 4, FULL, "", "ara", 300),
    ("ct-int-ara-peak", CONTRACTOR, "contract", 2, AUTUMN, "", "ara;fra", 300),
    ("ct-int-kmr", CONTRACTOR, "contract", 3, FULL, "", "kmr;tur", 300),
    ("ct-int-prs", CONTRACTOR, "contract", 3, FULL, "", "prs;pus;urd", 300),
    ("ct-int-prs-peak", CONTRACTOR, "contract", 2, AUTUMN, "", "prs;pus", 300),
    ("ct-int-urd", CONTRACTOR, "contract", 2, FULL, "", "urd;pan;hin", 320),
    ("ct-int-run", CONTRACTOR, "contract", 1, FULL, EU_BORDERS, "run;fra", 380),
    ("ct-int-spa", CONTRACTOR, "contract", 1, FULL, EU_BORDERS, "spa;fra", 300),
    ("srb-int-host", "Serbia", "host", 3, FULL, SERBIA, "ara;prs;tur", 150),
    ("hrv-int-host", "Croatia", "host", 2, FULL, CROATIA, "ara;prs", 150),
    ("mkd-int-host", "North Macedonia", "host", 2, FULL, NORTH_MACEDONIA, "ara;prs", 150),
]

# ASSUMPTION: units already deployed on Monday 27 June 2022, as (pledge, section, units, last
# day). Agency teams and the first short-term rotation at the borders with the EU and in
# Albania hand over during the summer; long-term secondments stay to the end of the year or
# beyond; equipment and interpreters of the running operations stay.
RUNNING_DEPLOYMENTS: list[tuple[str, str, int, str]] = [
    ("fx-bso", "SRB-HUN", 12, "2022-08-28"),
    ("fx-bso", "BIH-HRV", 6, "2022-09-11"),
    ("fx-bso", "ALB-GRC", 4, "2022-08-07"),
    ("fx-bso", "SRB-ROU", 4, "2022-07-24"),
    ("fx-bco", "KAK-BCP", 2, "2022-08-28"),
    ("fx-scr", "SRB-HUN", 6, "2022-09-04"),
    ("fx-scr", "BIH-HRV", 4, "2022-08-14"),
    ("fx-scr", "SRB-HRV", 3, "2022-07-31"),
    ("fx-fpr", "SRB-HUN", 4, "2022-08-21"),
    ("fx-deb", "SRB-HUN", 2, "2022-07-31"),
    ("fx-tl", "SRB-HUN", 2, "2022-09-18"),
    ("fx-tl", "ALB-GRC", 1, "2022-08-07"),
    ("de-bso-2", "SRB-HUN", 10, "2022-12-31"),
    ("de-bso-2", "SRB-HRV", 4, "2023-03-31"),
    ("at-bso-2", "SRB-HUN", 8, "2023-01-31"),
    ("cz-bso-2", "SRB-HUN", 6, "2022-12-31"),
    ("ro-bso-2", "ALB-GRC", 6, "2022-12-31"),
    ("de-dog-2", "SRB-HUN", 3, "2022-12-31"),
    ("it-scr-2", "BIH-HRV", 4, "2023-01-15"),
    ("pl-fpr-2", "SRB-HUN", 6, "2022-12-31"),
    ("es-deb-2", "BIH-HRV", 2, "2022-12-31"),
    ("at-bso-3", "SRB-HUN", 8, "2022-07-03"),
    ("si-bso-3", "SRB-HRV", 4, "2022-07-10"),
    ("se-scr-3", "SRB-ROU", 4, "2022-07-17"),
    ("nl-dog-3", "BIH-HRV", 2, "2022-07-10"),
    ("fx-pcar", "ALB-GRC", 2, "2022-12-25"),
    ("at-pcar", "SRB-HUN", 4, "2022-12-25"),
    ("de-tvv", "SRB-HUN", 1, "2022-12-25"),
    ("nl-van", "BIH-HRV", 1, "2022-10-30"),
    ("fx-int-ara", "SRB-HUN", 2, "2022-12-25"),
    ("fx-int-ara", "BIH-HRV", 1, "2022-12-25"),
    ("de-int-ara", "SRB-HUN", 1, "2022-12-31"),
]

# ASSUMPTION: a rapid border intervention at the Serbia-Hungary border, decided on Wednesday
# 21 September 2022 as detections rise towards the October peak and ended on 20 November,
# when the section is back to a high impact level. PUBLIC: the rapid reaction pools have
# five days to deploy officers and ten days to deploy equipment.
# (section, decision date, end date, officer lead days, equipment lead days)
RAPID_INTERVENTIONS: list[tuple[str, str, str, int, int]] = [
    ("SRB-HUN", "2022-09-21", "2022-11-20", 5, 10),
]

# --- derivation ------------------------------------------------------------------------------


def daily_arrivals(day: date) -> dict[str, float]:
    """Expected route detections per nationality on ``day``: the month's total split evenly."""
    total = MONTHLY_TOTALS[(day.year, day.month)]
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    shares = NATIONALITY_SHARES[day.month]
    return {nat: total * shares[nat] / 100 / days_in_month for nat in shares}


def weekly_route_arrivals(period: int) -> dict[str, float]:
    """Expected route detections per nationality in week ``period`` (sum over its days)."""
    totals: dict[str, float] = defaultdict(float)
    for offset in range(PERIOD_DAYS):
        for nat, value in daily_arrivals(period_start(period) + timedelta(days=offset)).items():
            totals[nat] += value
    return totals


def round_preserving_total(
    values: list[tuple[tuple[str, str], float]],
) -> dict[tuple[str, str], int]:
    """Round to whole numbers keeping the rounded sum (largest remainder, ties by order)."""
    target = round(sum(value for _, value in values))
    floors = {key: math.floor(value) for key, value in values}
    missing = target - sum(floors.values())
    order = sorted(
        range(len(values)),
        key=lambda index: (-(values[index][1] - math.floor(values[index][1])), index),
    )
    for index in order[:max(missing, 0)]:
        floors[values[index][0]] += 1
    return floors


def week_band(period: int) -> tuple[float, float]:
    """The band ratios of week ``period``: the mean over its days of their months' ratios."""
    days = [period_start(period) + timedelta(days=offset) for offset in range(PERIOD_DAYS)]
    ratios = [BAND_RATIOS[(day.year, day.month)] for day in days]
    return (sum(low for low, _ in ratios) / len(ratios),
            sum(high for _, high in ratios) / len(ratios))


def forecast_rows() -> list[tuple[str, int, str, int, int, int]]:
    """Weekly detections per section and nationality with their band, zero rows omitted."""
    section_ids = [section[0] for section in SECTIONS]
    rows: list[tuple[str, int, str, int, int, int]] = []
    for period in range(1, PERIODS + 1):
        route = weekly_route_arrivals(period)
        low, high = week_band(period)
        cells: dict[tuple[str, str], int] = {}
        for nat, _ in NATIONALITIES:
            shares = SECTION_SHARES[nat]
            parts = [((section, nat), route[nat] * shares.get(section, 0.0))
                     for section in section_ids]
            cells.update(round_preserving_total(parts))
        for section in section_ids:
            for nat, _ in NATIONALITIES:
                value = cells[(section, nat)]
                if value > 0:
                    rows.append((section, period, nat, value, math.floor(value * low),
                                 math.ceil(value * high)))
    return rows


def officer_cost(category: str, kind: str) -> float:
    """Daily cost of one officer of ``kind`` pledged under ``category``."""
    return OFFICER_COST[category] + SPECIALIST_SURCHARGE.get(kind, 0)


KIND_CLASS = {ident: kind_class for ident, _, kind_class, _, _ in KINDS}


def pledge_terms(ident: str, category: str, kind: str) -> list[object]:
    """A pledge's rotation length, annual cap and start cost, as contributions.csv cells."""
    length = ROTATION_WEEKS.get(category, {}).get(kind)
    cap = ANNUAL_CAP_DAYS.get(ident)
    return ["" if length is None else length, "" if cap is None else cap,
            START_COST[KIND_CLASS[kind]][category]]


def contribution_rows() -> list[list[object]]:
    """All pledges as rows of contributions.csv."""
    rows: list[list[object]] = []
    for ident, who, category, kind, quantity, (start, end), sections in OFFICER_PLEDGES:
        rows.append([ident, who, category, kind, quantity, officer_cost(category, kind),
                     start, end, sections, "", *pledge_terms(ident, category, kind)])
    for ident, who, category, kind, quantity, (start, end), sections, cost in VEHICLE_PLEDGES:
        rows.append([ident, who, category, kind, quantity, cost, start, end, sections, "",
                     *pledge_terms(ident, category, kind)])
    for ident, who, category, quantity, (start, end), sections, langs, cost in INTERPRETER_PLEDGES:
        rows.append([ident, who, category, "INT", quantity, cost, start, end, sections, langs,
                     *pledge_terms(ident, category, "INT")])
    return rows


def cell(value: object) -> str:
    """A value as a CSV cell: whole floats without decimals, others as short as exact."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def write_csv(name: str, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    """Write one table next to this script."""
    with (HERE / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[cell(value) for value in row] for row in rows])


SCENARIO_YAML = """\
# Western Balkan route, second half of 2022: an illustrative planning scenario.
# Written by derive.py from public figures and the assumptions listed in README.md.
meta:
  name: western_balkans_2022
  operation: Western Balkans joint operations 2022 (illustrative)
  description: >-
    Weekly needs for officers, vehicles and interpreters at twelve border sections of
    the Western Balkan route, 27 June to 25 December 2022, from Frontex's monthly route
    totals split over sections and nationalities by stated assumptions, with the status
    agreements in force at the time, units already deployed, rotations and a rapid border
    intervention in the autumn. Detections are not unique persons; sectional splits,
    needs, costs and pledges are assumptions for illustration, not operational data.
  version: "2"
horizon:
  start: {start}
  period: week
  periods: {periods}
  timezone: {timezone}
language_penalty: {{low: {p[0]}, medium: {p[1]}, high: {p[2]}, critical: {p[3]}}}
"""


def periods_within(first: str, last: str) -> set[int]:
    """Weeks lying wholly between two ISO dates (either may be empty for open)."""
    return {
        period for period in range(1, PERIODS + 1)
        if (not first or period_start(period) >= date.fromisoformat(first))
        and (not last or period_end(period) <= date.fromisoformat(last))
    }


def check_pledges() -> None:
    """Host pledges stay in their own country; sections that need one have an access date."""
    hosts = {ident: host for ident, _, host, *_ in SECTIONS}
    for ident in hosts:
        needs_agreement = hosts[ident] not in EU_HOSTS
        assert (ident in ACCESS_FROM) == needs_agreement, f"access window of {ident}"
    pledges = [(p[0], p[1], p[2], p[6]) for p in OFFICER_PLEDGES + VEHICLE_PLEDGES]
    pledges += [(p[0], p[1], p[2], p[5]) for p in INTERPRETER_PLEDGES]
    assert len({p[0] for p in pledges}) == len(pledges), "duplicate pledge ids"
    for ident, who, category, sections in pledges:
        if category == "host":
            assert sections, f"host pledge {ident} lists no sections"
            for section in sections.split(";"):
                assert hosts[section] == who, f"{ident}: {section} is not in {who}"
    for ident in ANNUAL_CAP_DAYS:
        assert ident in {p[0] for p in pledges}, f"annual cap for unknown pledge {ident}"
    check_contributors({who for _, who, _, _ in pledges}, set(hosts.values()))


def check_contributors(pledging: set[str], hosting: set[str]) -> None:
    """Every contributor that pledges has one row, every row pledges, hosts are typed host."""
    names = [name for _, name, _, _ in CONTRIBUTORS]
    assert len(set(names)) == len(names), "duplicate contributor names"
    assert len({row[0] for row in CONTRIBUTORS}) == len(CONTRIBUTORS), "duplicate contributor ids"
    unmatched = set(names) ^ pledging
    assert not unmatched, f"contributors without a row or without a pledge: {unmatched}"
    for _, name, country, kind in CONTRIBUTORS:
        assert (kind == "host") == (name in hosting), f"{name}: type {kind}"
        assert (kind == "agency") == (country == "EU"), f"{name}: country {country}"


def check_running() -> None:
    """Units already deployed fit their pledges, windows, access windows and beds."""
    pledges = {p[0]: (p[2], p[3], p[4], p[5], p[6]) for p in OFFICER_PLEDGES + VEHICLE_PLEDGES}
    pledges.update({p[0]: (p[2], "INT", p[3], p[4], p[5]) for p in INTERPRETER_PLEDGES})
    beds = {ident: bed for ident, *_, bed in SECTIONS}
    used: dict[tuple[str, int], int] = defaultdict(int)
    in_beds: dict[tuple[str, int], int] = defaultdict(int)
    for ident, section, quantity, until in RUNNING_DEPLOYMENTS:
        category, kind, pledged, (first, last), sections = pledges[ident]
        assert category != "4", f"{ident}: the reserve is not already deployed"
        assert not sections or section in sections.split(";"), f"{ident} at {section}"
        weeks = {p for p in range(1, PERIODS + 1) if period_start(p) <= date.fromisoformat(until)}
        assert weeks <= periods_within(first, last), f"{ident}: outside its window"
        if category != "host":
            access = periods_within(ACCESS_FROM.get(section, ""), "")
            assert weeks <= access, f"{ident}: {section} is closed to it"
        for period in weeks:
            used[ident, period] += quantity
            assert used[ident, period] <= pledged, f"{ident}: more than pledged in {period}"
            if KIND_CLASS[kind] != "vehicle" and category != "host":
                in_beds[section, period] += quantity
                bed = beds[section]
                assert bed is None or in_beds[section, period] <= bed, f"beds at {section}"


def check() -> None:
    """Fail loudly if a hand-typed table does not add up or contradicts another."""
    for month, shares in NATIONALITY_SHARES.items():
        assert abs(sum(shares.values()) - 100) < 1e-9, f"nationality shares of month {month}"
    for nat, shares in SECTION_SHARES.items():
        assert abs(sum(shares.values()) - 1) < 1e-9, f"section shares of {nat}"
    for nat, shares in LANGUAGE_SHARES.items():
        assert abs(sum(shares.values()) - 1) < 1e-9, f"language shares of {nat}"
    assert START.weekday() == 0, "the horizon starts on a Monday"
    for day in (period_start(1), period_end(PERIODS)):
        assert (day.year, day.month) in MONTHLY_TOTALS, f"no route total for {day}"
        assert (day.year, day.month) in BAND_RATIOS, f"no band for {day}"
    check_pledges()
    check_running()


def main() -> None:
    """Write scenario.yaml and every table."""
    check()
    (HERE / "scenario.yaml").write_text(
        SCENARIO_YAML.format(start=START.isoformat(), periods=PERIODS, timezone=TIMEZONE,
                             p=LANGUAGE_PENALTY),
        encoding="utf-8",
    )
    write_csv("sections",
              ["id", "name", "host_country", "border_type", "impact_level", "beds",
               "access_from", "access_to"],
              [[i, n, h, b, lvl, "" if beds is None else beds, ACCESS_FROM.get(i, ""), ""]
               for i, n, h, b, lvl, beds in SECTIONS])
    write_csv("impact_changes", ["section_id", "from_period", "impact_level"],
              [list(change) for change in IMPACT_CHANGES])
    write_csv("nationalities", ["id", "name"], [list(nat) for nat in NATIONALITIES])
    write_csv("languages", ["id", "name", "need_per_arrival", "remote_cost"],
              [[i, n, need, "" if remote is None else remote]
               for i, n, need, remote in LANGUAGES])
    write_csv("language_shares", ["nationality_id", "language_id", "share"],
              [[nat, language, share] for nat, shares in LANGUAGE_SHARES.items()
               for language, share in shares.items()])
    forecast = forecast_rows()
    write_csv("forecast", ["section_id", "period", "nationality_id", "arrivals", "arrivals_p10",
                          "arrivals_p90"], forecast)
    write_csv("kinds", ["id", "name", "class", "crew_kind", "crew_size"],
              [[i, n, c, crew, size or ""] for i, n, c, crew, size in KINDS])
    write_csv("requirement_rules",
              ["kind_id", "min_low", "min_medium", "min_high", "min_critical", "per_arrival",
               "border_types"],
              [list(rule) for rule in REQUIREMENT_RULES])
    write_csv("penalties", ["kind_id", "low", "medium", "high", "critical"],
              [[kind, *values] for kind, values in PENALTIES.items()])
    write_csv("contributors", ["id", "name", "country", "type"],
              [list(contributor) for contributor in CONTRIBUTORS])
    contributions = contribution_rows()
    write_csv("contributions",
              ["id", "contributor", "category", "kind_id", "quantity", "daily_cost",
               "available_from", "available_to", "sections", "languages",
               "deployment_length", "annual_cap_days", "start_cost"],
              contributions)
    write_csv("running_deployments", ["contribution_id", "section_id", "quantity", "until"],
              [list(running) for running in RUNNING_DEPLOYMENTS])
    write_csv("rapid_interventions",
              ["section_id", "decision_date", "end_date", "officer_lead_days",
               "equipment_lead_days"],
              [list(intervention) for intervention in RAPID_INTERVENTIONS])
    total = sum(row[3] for row in forecast)
    print(f"wrote {HERE.name}: {len(SECTIONS)} sections, {len(KINDS)} kinds, "
          f"{len(LANGUAGES)} languages, {len(CONTRIBUTORS)} contributors, "
          f"{len(contributions)} contributions, "
          f"{len(RUNNING_DEPLOYMENTS)} running deployments, "
          f"{len(RAPID_INTERVENTIONS)} rapid interventions, "
          f"{len(forecast)} forecast rows, {total} detections in {PERIODS} weeks")


if __name__ == "__main__":
    main()
