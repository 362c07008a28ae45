"""Synthetic scenarios of controlled size, deterministic from a seed, for benchmarks and tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from planner.scenario.records import IMPACT_LEVELS
from planner.scenario.schema import Scenario

BORDER_TYPES = ("land", "land", "land", "crossing_point", "sea", "air")


@dataclass(frozen=True)
class GeneratorConfig:
    """How large a synthetic scenario is."""

    sections: int = 12
    periods: int = 26
    kinds: int = 8
    """Resource kinds in all: officer profiles, two vehicle types and interpreters."""
    contributions: int = 60
    nationalities: int = 8
    languages: int = 8
    seed: int = 1
    start: date = date(2024, 1, 1)
    period: str = "week"

    def __post_init__(self) -> None:
        for name in ("sections", "periods", "contributions", "nationalities", "languages"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.kinds < 4:
            raise ValueError("kinds must be at least 4 (an officer profile, two vehicle "
                             "types and interpreters)")


SIZES: dict[str, GeneratorConfig] = {
    "S": GeneratorConfig(sections=10, periods=26, kinds=6, contributions=60),
    "M": GeneratorConfig(sections=30, periods=52, kinds=10, contributions=180, nationalities=10,
                         languages=10),
    "L": GeneratorConfig(sections=50, periods=104, kinds=12, contributions=320,
                         nationalities=12, languages=12),
}
"""Benchmark sizes: about 10k, 100k and 500k variables in a whole-unit run."""


def generate_scenario(config: GeneratorConfig) -> Scenario:
    """A valid scenario of the configured size; the same config always gives the same one.

    Sections belong to a handful of host countries (half of them third countries with a
    status-agreement window); arrivals follow a seasonal wave with a few nationalities per
    section; pledges serve a subset of sections for part of the horizon, host pledges only
    their own country.
    """
    rng = np.random.default_rng(config.seed)
    days = 7 if config.period == "week" else 1
    horizon_end = config.start + timedelta(days=config.periods * days - 1)

    def day(period: int) -> date:
        return config.start + timedelta(days=(period - 1) * days)

    countries = [f"Country{number:02d}" for number in range(max(2, config.sections // 5))]
    third = set(countries[len(countries) // 2:])
    sections: list[dict[str, Any]] = []
    for number in range(config.sections):
        country = countries[number % len(countries)]
        section: dict[str, Any] = {
            "id": f"S{number:03d}",
            "name": f"Section {number}",
            "host_country": country,
            "border_type": BORDER_TYPES[int(rng.integers(len(BORDER_TYPES)))],
            "impact_level": IMPACT_LEVELS[int(rng.integers(4))],
            "beds": int(rng.integers(40, 160)) if rng.random() < 0.6 else None,
        }
        if country in third and rng.random() < 0.5:
            section["access_from"] = day(int(rng.integers(1, max(2, config.periods // 3))))
        sections.append(section)
    section_ids = [section["id"] for section in sections]
    by_country = {country: [s["id"] for s in sections if s["host_country"] == country]
                  for country in countries}

    languages = [{"id": f"L{number:02d}", "name": f"Language {number}",
                  "need_per_arrival": round(float(rng.uniform(0.004, 0.015)), 4),
                  "remote_cost": round(float(rng.uniform(120, 260)), 0)
                  if rng.random() < 0.7 else None}
                 for number in range(config.languages)]
    nationalities = [{"id": f"N{number:02d}", "name": f"Nationality {number}"}
                     for number in range(config.nationalities)]
    shares = []
    for nationality in nationalities:
        spoken = rng.choice(config.languages, size=min(config.languages, int(rng.integers(1, 3))),
                            replace=False)
        weights = rng.dirichlet(np.ones(len(spoken)))
        weights = np.round(weights, 3)
        weights[-1] = round(1 - weights[:-1].sum(), 3)
        shares += [{"nationality_id": nationality["id"], "language_id": f"L{int(lang):02d}",
                    "share": float(weight)} for lang, weight in zip(spoken, weights, strict=True)]

    wave = 1 + 0.6 * np.sin(np.linspace(0, 2 * np.pi, config.periods) - np.pi / 2)
    forecast = []
    for section_id in section_ids:
        base = float(rng.lognormal(4.5, 0.8))
        seen = rng.choice(config.nationalities,
                          size=min(config.nationalities, int(rng.integers(2, 5))), replace=False)
        mix = rng.dirichlet(np.ones(len(seen)))
        noise = rng.uniform(0.8, 1.2, size=(config.periods, len(seen)))
        arrivals = np.rint(base * wave[:, None] * mix[None, :] * noise)
        for period in range(config.periods):
            for column, nationality in enumerate(seen):
                if arrivals[period, column] > 0:
                    forecast.append({"section_id": section_id, "period": period + 1,
                                     "nationality_id": f"N{int(nationality):02d}",
                                     "arrivals": float(arrivals[period, column])})

    officers = [f"OFF{number}" for number in range(config.kinds - 3)]
    kinds: list[dict[str, Any]] = [
        {"id": kind, "name": f"Officer profile {number}", "class": "officer"}
        for number, kind in enumerate(officers)
    ]
    kinds += [
        {"id": "PCAR", "name": "Patrol car", "class": "vehicle", "crew_kind": officers[0],
         "crew_size": 2},
        {"id": "TVV", "name": "Thermo-vision vehicle", "class": "vehicle"},
        {"id": "INT", "name": "Interpreter", "class": "interpreter"},
    ]
    rules, penalties = [], []
    for number, kind in enumerate([*officers, "PCAR", "TVV"]):
        scale = 4.0 if number == 0 else 1.0
        minimum = [0.0, 1.0, 2.0, 3.0] if number else [2.0, 4.0, 8.0, 12.0]
        rules.append({"kind_id": kind, **{f"min_{level}": value * (scale if number else 1)
                                          for level, value in zip(IMPACT_LEVELS, minimum,
                                                                  strict=True)},
                      "per_arrival": round(float(rng.uniform(0.002, 0.01)) * scale, 4)})
        low = float(rng.uniform(350, 600))
        penalties.append({"kind_id": kind, "low": round(low), "medium": round(low * 1.4),
                          "high": round(low * 2), "critical": round(low * 2.8)})

    contributions: list[dict[str, Any]] = []
    for country, own in by_country.items():
        contributions.append({
            "id": f"host-{country}-off", "contributor": country, "category": "host",
            "kind_id": officers[0], "quantity": 6 * len(own), "daily_cost": 110,
            "sections": own,
        })
        contributions.append({
            "id": f"host-{country}-car", "contributor": country, "category": "host",
            "kind_id": "PCAR", "quantity": 2 * len(own), "daily_cost": 60, "sections": own,
        })
    members = [f"Member{number:02d}" for number in range(20)]
    language_ids = [str(language["id"]) for language in languages]
    while len(contributions) < config.contributions:
        number = len(contributions)
        kind = (officers[int(rng.integers(len(officers)))] if rng.random() < 0.75
                else ("PCAR", "TVV", "INT")[int(rng.integers(3))])
        klass = "vehicle" if kind in ("PCAR", "TVV") else ("interpreter" if kind == "INT"
                                                           else "officer")
        category = "pool" if klass == "vehicle" else str(rng.choice(["1", "2", "3", "3", "4"]))
        spread = max(1, int(config.sections * rng.uniform(0.1, 0.4)))
        contribution: dict[str, Any] = {
            "id": f"P{number:04d}",
            "contributor": "Agency" if category == "1" else members[int(rng.integers(20))],
            "category": category,
            "kind_id": kind,
            "quantity": int(rng.integers(2, 25)),
            "daily_cost": round(float(rng.uniform(150, 350)), 0),
            "sections": sorted(rng.choice(section_ids, size=spread, replace=False).tolist()),
            "start_cost": round(float(rng.uniform(300, 1500)), 0),
        }
        if klass == "interpreter":
            contribution["languages"] = sorted(rng.choice(
                language_ids, size=min(len(language_ids), int(rng.integers(1, 4))),
                replace=False).tolist())
        if category == "3":
            first = int(rng.integers(1, max(2, config.periods - 8)))
            length = int(rng.integers(8, 18))
            contribution["available_from"] = day(first)
            contribution["available_to"] = min(day(first + length) - timedelta(days=1), horizon_end)
            contribution["deployment_length"] = int(rng.integers(4, 7))
        contributions.append(contribution)

    hottest = max(section_ids, key=lambda sid: sum(
        row["arrivals"] for row in forecast if row["section_id"] == sid))
    interventions = [{"section_id": hottest, "decision_date": day(max(1, config.periods // 2))}]
    return Scenario.model_validate({
        "meta": {"name": f"generated-{config.sections}x{config.periods}-seed{config.seed}",
                 "operation": "Synthetic joint operation",
                 "description": "Generated for benchmarks: " + ", ".join(
                     f"{name}={getattr(config, name)}" for name in
                     ("sections", "periods", "kinds", "contributions", "nationalities",
                      "languages", "seed"))},
        "horizon": {"start": config.start, "period": config.period, "periods": config.periods},
        "language_penalty": {"low": 300, "medium": 450, "high": 650, "critical": 900},
        "sections": sections,
        "nationalities": nationalities,
        "languages": languages,
        "language_shares": shares,
        "forecast": forecast,
        "kinds": kinds,
        "requirement_rules": rules,
        "penalties": penalties,
        "contributions": contributions,
        "rapid_interventions": interventions,
    })
