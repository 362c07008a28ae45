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

# (id, name, interpreters needed per weekly arrival speaking it)
# ASSUMPTION: about one interpreter per 100-125 weekly arrivals in the large languages,
# more per arrival in the small ones (fewer interviews per interpreter-week, since they
# travel between sites); English is handled by the officers themselves.
LANGUAGES: list[tuple[str, str, float]] = [
    ("ara", "Arabic", 0.008),
    ("kmr", "Kurdish (Kurmanji)", 0.010),
    ("prs", "Dari", 0.008),
    ("pus", "Pashto", 0.010),
    ("tur", "Turkish", 0.008),
    ("urd", "Urdu", 0.010),
    ("pan", "Punjabi", 0.012),
    ("hin", "Hindi", 0.010),
    ("run", "Kirundi", 0.015),
    ("fra", "French", 0.006),
    ("spa", "Spanish", 0.006),
    ("eng", "English", 0.0),
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

# Availability windows, whole weeks (Monday to Sunday). Category 3 windows stay within
# four months (PUBLIC: up to four months per officer and calendar year).
SUMMER = ("2022-06-27", "2022-10-02")      # weeks 1-14: first short-term rotation
AUTUMN = ("2022-08-29", "2022-12-18")      # weeks 10-25: second rotation (16 weeks)
LATE = ("2022-09-05", "2022-12-25")        # weeks 11-26 (16 weeks)
PEAK = ("2022-09-12", "2022-11-06")        # weeks 12-19: peak reinforcement (8 weeks)
RESERVE = ("2022-10-03", "2022-11-27")     # weeks 15-22: rapid reaction reserve (8 weeks)
FULL = ("", "")                            # the whole horizon

SERBIA = "SRB-HUN;SRB-MKD;PRE-BCP;BEG-AIR"
CROATIA = "SRB-HRV;BIH-HRV"
ROMANIA = "SRB-ROU"
NORTH_MACEDONIA = "MKD-GRC;GEV-BCP"
ALBANIA = "ALB-GRC;KAK-BCP"
MONTENEGRO = "MNE-ALB"
EU_BORDERS = "SRB-HUN;SRB-HRV;SRB-ROU;BIH-HRV;BEG-AIR"
SOUTH = "MKD-GRC;GEV-BCP;SRB-MKD;PRE-BCP;ALB-GRC;KAK-BCP;MNE-ALB"
CROSSINGS = "GEV-BCP;PRE-BCP;KAK-BCP;BEG-AIR"

# (id, contributor, category, kind, quantity, window, eligible sections; empty = all)
OFFICER_PLEDGES: list[tuple[str, str, str, str, int, tuple[str, str], str]] = [
    # Category 1: agency statutory staff, whole horizon.
    ("fx-bso", "Frontex", "1", "BSO", 45, FULL, ""),
    ("fx-bco", "Frontex", "1", "BCO", 6, FULL, CROSSINGS),
    ("fx-doc", "Frontex", "1", "DOC", 3, FULL, CROSSINGS),
    ("fx-scr", "Frontex", "1", "SCR", 32, FULL, ""),
    ("fx-deb", "Frontex", "1", "DEB", 10, FULL, ""),
    ("fx-fpr", "Frontex", "1", "FPR", 16, FULL, ""),
    ("fx-tl", "Frontex", "1", "TL", 12, FULL, ""),
    # Category 2: long-term secondments, whole horizon.
    ("de-bso-2", "Germany", "2", "BSO", 20, FULL, EU_BORDERS),
    ("at-bso-2", "Austria", "2", "BSO", 16, FULL, "SRB-HUN;SRB-ROU;SRB-MKD;MKD-GRC"),
    ("cz-bso-2", "Czechia", "2", "BSO", 10, FULL, "SRB-HUN;MKD-GRC;SRB-MKD"),
    ("ro-bso-2", "Romania", "2", "BSO", 8, FULL, SOUTH),
    ("de-dog-2", "Germany", "2", "DOG", 6, FULL, EU_BORDERS),
    ("at-dog-2", "Austria", "2", "DOG", 4, FULL, ""),
    ("nl-bco-2", "Netherlands", "2", "BCO", 3, FULL, CROSSINGS),
    ("nl-doc-2", "Netherlands", "2", "DOC", 1, FULL, CROSSINGS),
    ("it-scr-2", "Italy", "2", "SCR", 12, FULL, ""),
    ("pt-scr-2", "Portugal", "2", "SCR", 6, FULL, ""),
    ("pl-fpr-2", "Poland", "2", "FPR", 14, FULL, ""),
    ("es-deb-2", "Spain", "2", "DEB", 4, FULL, ""),
    # Category 3: short-term deployments, one rotation each.
    ("at-bso-3", "Austria", "3", "BSO", 16, SUMMER, ""),
    ("si-bso-3", "Slovenia", "3", "BSO", 8, SUMMER, CROATIA),
    ("nl-dog-3", "Netherlands", "3", "DOG", 10, SUMMER, ""),
    ("se-scr-3", "Sweden", "3", "SCR", 22, SUMMER, ""),
    ("be-fpr-3", "Belgium", "3", "FPR", 18, SUMMER, ""),
    ("fi-deb-3", "Finland", "3", "DEB", 4, SUMMER, ""),
    ("bg-tl-3", "Bulgaria", "3", "TL", 3, SUMMER, ""),
    ("de-bso-3", "Germany", "3", "BSO", 20, AUTUMN, EU_BORDERS),
    ("sk-bso-3", "Slovakia", "3", "BSO", 10, AUTUMN, "SRB-HUN;MKD-GRC;SRB-MKD"),
    ("it-bso-3", "Italy", "3", "BSO", 6, AUTUMN, "ALB-GRC;KAK-BCP;MNE-ALB"),
    ("pl-bso-3", "Poland", "3", "BSO", 12, LATE, ""),
    ("lt-bso-3", "Lithuania", "3", "BSO", 5, PEAK, ""),
    ("lv-bso-3", "Latvia", "3", "BSO", 3, PEAK, ""),
    ("ee-bso-3", "Estonia", "3", "BSO", 2, PEAK, ""),
    ("de-bco-3", "Germany", "3", "BCO", 2, AUTUMN, CROSSINGS),
    ("pt-doc-3", "Portugal", "3", "DOC", 1, AUTUMN, CROSSINGS),
    ("cz-dog-3", "Czechia", "3", "DOG", 8, AUTUMN, ""),
    ("hu-dog-3", "Hungary", "3", "DOG", 6, PEAK, "SRB-HUN;SRB-ROU"),
    ("fr-scr-3", "France", "3", "SCR", 20, AUTUMN, ""),
    ("hu-scr-3", "Hungary", "3", "SCR", 10, PEAK, ""),
    ("de-scr-3", "Germany", "3", "SCR", 8, LATE, ""),
    ("at-fpr-3", "Austria", "3", "FPR", 12, AUTUMN, ""),
    ("lv-fpr-3", "Latvia", "3", "FPR", 6, LATE, ""),
    ("cz-fpr-3", "Czechia", "3", "FPR", 6, PEAK, ""),
    ("nl-deb-3", "Netherlands", "3", "DEB", 7, AUTUMN, ""),
    ("ro-tl-3", "Romania", "3", "TL", 4, AUTUMN, ""),
    # Category 4: rapid reaction reserve, only in the autumn peak.
    ("de-bso-4", "Germany", "4", "BSO", 10, RESERVE, EU_BORDERS),
    ("at-bso-4", "Austria", "4", "BSO", 6, RESERVE, "SRB-HUN;SRB-ROU"),
    ("hr-fpr-4", "Croatia", "4", "FPR", 6, RESERVE, ""),
    # Host-state officers assigned to the operation; only in their own country.
    ("srb-bso-host", "Serbia", "host", "BSO", 30, FULL, SERBIA),
    ("srb-bco-host", "Serbia", "host", "BCO", 5, FULL, SERBIA),
    ("srb-tl-host", "Serbia", "host", "TL", 2, FULL, SERBIA),
    ("hrv-bso-host", "Croatia", "host", "BSO", 24, FULL, CROATIA),
    ("hrv-fpr-host", "Croatia", "host", "FPR", 6, FULL, CROATIA),
    ("hrv-tl-host", "Croatia", "host", "TL", 2, FULL, CROATIA),
    ("rou-bso-host", "Romania", "host", "BSO", 12, FULL, ROMANIA),
    ("mkd-bso-host", "North Macedonia", "host", "BSO", 10, FULL, NORTH_MACEDONIA),
    ("mkd-bco-host", "North Macedonia", "host", "BCO", 2, FULL, NORTH_MACEDONIA),
    ("alb-bso-host", "Albania", "host", "BSO", 8, FULL, ALBANIA),
    ("alb-bco-host", "Albania", "host", "BCO", 2, FULL, ALBANIA),
    ("mne-bso-host", "Montenegro", "host", "BSO", 6, FULL, MONTENEGRO),
]

# (id, contributor, category, kind, quantity, window, sections, daily cost)
# ASSUMPTION: patrol car 85 EUR/day from the technical equipment pool (60 host, 75
# agency-owned), thermo-vision vehicle 180 (170 agency-owned), van 110 (80 host):
# fuel, maintenance, insurance and transfer spread over the deployment.
VEHICLE_PLEDGES: list[tuple[str, str, str, str, int, tuple[str, str], str, float]] = [
    ("fx-pcar", "Frontex", "1", "PCAR", 10, FULL, "", 75),
    ("de-pcar", "Germany", "pool", "PCAR", 10, FULL, EU_BORDERS, 85),
    ("at-pcar", "Austria", "pool", "PCAR", 8, FULL, "", 85),
    ("cz-pcar", "Czechia", "pool", "PCAR", 4, AUTUMN, "", 85),
    ("pl-pcar", "Poland", "pool", "PCAR", 4, LATE, "", 85),
    ("srb-pcar-host", "Serbia", "host", "PCAR", 6, FULL, SERBIA, 60),
    ("hrv-pcar-host", "Croatia", "host", "PCAR", 5, FULL, CROATIA, 60),
    ("alb-pcar-host", "Albania", "host", "PCAR", 3, FULL, ALBANIA, 60),
    ("fx-tvv", "Frontex", "1", "TVV", 2, FULL, "", 170),
    ("de-tvv", "Germany", "pool", "TVV", 3, FULL, "", 180),
    ("at-tvv", "Austria", "pool", "TVV", 2, FULL, "", 180),
    ("sk-tvv", "Slovakia", "pool", "TVV", 1, AUTUMN, "", 180),
    ("nl-van", "Netherlands", "pool", "VAN", 3, FULL, "", 110),
    ("be-van", "Belgium", "pool", "VAN", 2, FULL, "", 110),
    ("hrv-van-host", "Croatia", "host", "VAN", 2, FULL, CROATIA, 80),
]

# (id, contributor, category, quantity, window, sections, languages, daily cost)
# ASSUMPTION: agency cultural mediators 230 EUR/day, seconded interpreters 250,
# contracted interpreters 300-320, rare languages 380 (long travel), host-state 150.
CONTRACTOR = "Frontex (framework contract)"
INTERPRETER_PLEDGES: list[tuple[str, str, str, int, tuple[str, str], str, str, float]] = [
    ("fx-int-ara", "Frontex", "1", 5, FULL, "", "ara;fra", 230),
    ("fx-int-prs", "Frontex", "1", 3, FULL, "", "prs;pus", 230),
    ("de-int-ara", "Germany", "2", 2, FULL, EU_BORDERS, "ara;kmr", 250),
    ("ct-int-ara", CONTRACTOR, "contract", 5, FULL, "", "ara", 300),
    ("ct-int-ara-peak", CONTRACTOR, "contract", 3, AUTUMN, "", "ara;fra", 300),
    ("ct-int-kmr", CONTRACTOR, "contract", 3, FULL, "", "kmr;tur", 300),
    ("ct-int-prs", CONTRACTOR, "contract", 3, FULL, "", "prs;pus;urd", 300),
    ("ct-int-prs-peak", CONTRACTOR, "contract", 2, AUTUMN, "", "prs;pus", 300),
    ("ct-int-urd", CONTRACTOR, "contract", 2, FULL, "", "urd;pan;hin", 320),
    ("ct-int-run", CONTRACTOR, "contract", 1, FULL, EU_BORDERS, "run;fra", 380),
    ("ct-int-spa", CONTRACTOR, "contract", 1, FULL, EU_BORDERS, "spa;fra", 300),
    ("srb-int-host", "Serbia", "host", 3, FULL, SERBIA, "ara;prs;tur", 150),
    ("hrv-int-host", "Croatia", "host", 2, FULL, CROATIA, "ara;prs", 150),
    ("mkd-int-host", "North Macedonia", "host", 1, FULL, NORTH_MACEDONIA, "ara;prs", 150),
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


def forecast_rows() -> list[tuple[str, int, str, int]]:
    """Weekly detections per section and nationality, whole numbers, zero rows omitted."""
    section_ids = [section[0] for section in SECTIONS]
    rows: list[tuple[str, int, str, int]] = []
    for period in range(1, PERIODS + 1):
        route = weekly_route_arrivals(period)
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
                    rows.append((section, period, nat, value))
    return rows


def officer_cost(category: str, kind: str) -> float:
    """Daily cost of one officer of ``kind`` pledged under ``category``."""
    return OFFICER_COST[category] + SPECIALIST_SURCHARGE.get(kind, 0)


def contribution_rows() -> list[list[object]]:
    """All pledges as rows of contributions.csv."""
    rows: list[list[object]] = []
    for ident, who, category, kind, quantity, (start, end), sections in OFFICER_PLEDGES:
        rows.append([ident, who, category, kind, quantity, officer_cost(category, kind),
                     start, end, sections, ""])
    for ident, who, category, kind, quantity, (start, end), sections, cost in VEHICLE_PLEDGES:
        rows.append([ident, who, category, kind, quantity, cost, start, end, sections, ""])
    for ident, who, category, quantity, (start, end), sections, langs, cost in INTERPRETER_PLEDGES:
        rows.append([ident, who, category, "INT", quantity, cost, start, end, sections, langs])
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
    totals split over sections and nationalities by stated assumptions. Detections are
    not unique persons; sectional splits, needs, costs and pledges are assumptions for
    illustration, not operational data.
  version: "1"
horizon:
  start: {start}
  period: week
  periods: {periods}
language_penalty: {{low: {p[0]}, medium: {p[1]}, high: {p[2]}, critical: {p[3]}}}
"""


def check() -> None:
    """Fail loudly if a hand-typed share table does not add up."""
    for month, shares in NATIONALITY_SHARES.items():
        assert abs(sum(shares.values()) - 100) < 1e-9, f"nationality shares of month {month}"
    for nat, shares in SECTION_SHARES.items():
        assert abs(sum(shares.values()) - 1) < 1e-9, f"section shares of {nat}"
    for nat, shares in LANGUAGE_SHARES.items():
        assert abs(sum(shares.values()) - 1) < 1e-9, f"language shares of {nat}"
    assert START.weekday() == 0, "the horizon starts on a Monday"
    for day in (period_start(1), period_end(PERIODS)):
        assert (day.year, day.month) in MONTHLY_TOTALS, f"no route total for {day}"


def main() -> None:
    """Write scenario.yaml and every table."""
    check()
    (HERE / "scenario.yaml").write_text(
        SCENARIO_YAML.format(start=START.isoformat(), periods=PERIODS, p=LANGUAGE_PENALTY),
        encoding="utf-8",
    )
    write_csv("sections", ["id", "name", "host_country", "border_type", "impact_level", "beds"],
              [[i, n, h, b, lvl, "" if beds is None else beds]
               for i, n, h, b, lvl, beds in SECTIONS])
    write_csv("impact_changes", ["section_id", "from_period", "impact_level"],
              [list(change) for change in IMPACT_CHANGES])
    write_csv("nationalities", ["id", "name"], [list(nat) for nat in NATIONALITIES])
    write_csv("languages", ["id", "name", "need_per_arrival"],
              [list(language) for language in LANGUAGES])
    write_csv("language_shares", ["nationality_id", "language_id", "share"],
              [[nat, language, share] for nat, shares in LANGUAGE_SHARES.items()
               for language, share in shares.items()])
    forecast = forecast_rows()
    write_csv("forecast", ["section_id", "period", "nationality_id", "arrivals"], forecast)
    write_csv("kinds", ["id", "name", "class", "crew_kind", "crew_size"],
              [[i, n, c, crew, size or ""] for i, n, c, crew, size in KINDS])
    write_csv("requirement_rules",
              ["kind_id", "min_low", "min_medium", "min_high", "min_critical", "per_arrival",
               "border_types"],
              [list(rule) for rule in REQUIREMENT_RULES])
    write_csv("penalties", ["kind_id", "low", "medium", "high", "critical"],
              [[kind, *values] for kind, values in PENALTIES.items()])
    contributions = contribution_rows()
    write_csv("contributions",
              ["id", "contributor", "category", "kind_id", "quantity", "daily_cost",
               "available_from", "available_to", "sections", "languages"],
              contributions)
    total = sum(row[3] for row in forecast)
    print(f"wrote {HERE.name}: {len(SECTIONS)} sections, {len(KINDS)} kinds, "
          f"{len(LANGUAGES)} languages, {len(contributions)} contributions, "
          f"{len(forecast)} forecast rows, {total} detections in {PERIODS} weeks")


if __name__ == "__main__":
    main()
