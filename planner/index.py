"""The model's sparse index: which deployments, starts and rules exist, as plain tables.

Built from the scenario and its needs before any Pyomo object, so the model, the
extraction of results and the size report all read the same tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from planner.requirements import Requirements
from planner.schema import (
    IMPACT_LEVELS,
    Category,
    Contribution,
    KindClass,
    Scenario,
)

FIRST_CATEGORIES = {
    KindClass.OFFICER: (Category.STATUTORY, Category.LONG_TERM, Category.SHORT_TERM),
    KindClass.INTERPRETER: (Category.STATUTORY, Category.LONG_TERM, Category.SHORT_TERM),
    KindClass.VEHICLE: (Category.STATUTORY, Category.POOL),
}
"""What the reserve waits for: standing-corps categories 1-3 for people; agency-owned and
technical-equipment-pool vehicles for the rapid reaction equipment pool."""


@dataclass(frozen=True)
class ModelIndex:
    """The combinations that exist in the model: one table per family of variables or rows."""

    periods: pd.DataFrame
    """``period``, ``period_start``, ``period_end``, ``days``."""
    deploy: pd.DataFrame
    """One row per deployment variable: ``contribution_id``, ``section_id``, ``period``,
    ``kind_id``, ``kind_class``, ``category``, ``available`` (upper bound), ``running``
    (lower bound: units already deployed), ``cost`` per unit in the period, ``personnel``
    (takes a bed), ``host_officer``, ``rotating``, ``crew_kind``, ``crew_size``."""
    starts: pd.DataFrame
    """One row per start variable: ``contribution_id``, ``section_id``, ``period``, ``cost``,
    ``rotating`` (a rotation's start rather than a counted arrival), ``running_before``."""
    rotation: pd.DataFrame
    """Which starts are still present: ``contribution_id``, ``section_id``, ``period``,
    ``start_period``."""
    caps: pd.DataFrame
    """Annual caps: ``contribution_id``, ``year``, ``cap``, ``section_id``, ``period``,
    ``days`` (of that period in that year)."""
    cover: pd.DataFrame
    """Kind needs with their ``penalty`` per uncovered unit in the period."""
    language: pd.DataFrame
    """Language needs with their ``penalty``, ``remote_cost`` (per day, or missing) and
    ``remote_cost_per_period``."""
    interpret: pd.DataFrame
    """``contribution_id``, ``section_id``, ``period``, ``language_id``."""
    beds: dict[str, int]
    """Beds of the sections that have a limit."""
    reserve_gates: pd.DataFrame
    """``role`` ``reserve`` rows (a category 4 deployment) and ``first`` rows (a first-line
    pledge that must be exhausted first, with its ``quantity``, the period's ``year`` and
    whether its cap can bind then, ``capped``), each with ``section_id``, ``period``,
    ``kind_id``, ``contribution_id``."""


def days_by_year(start: date, days: int) -> dict[int, int]:
    """How the days of a period from ``start`` fall into calendar years."""
    split: dict[int, int] = defaultdict(int)
    for offset in range(days):
        split[(start + timedelta(days=offset)).year] += 1
    return dict(split)


def _inside(periods: pd.DataFrame, first: date | None, last: date | None) -> set[int]:
    """Periods lying wholly between ``first`` and ``last`` (either may be open)."""
    mask = pd.Series(True, index=periods.index)
    if first is not None:
        mask &= periods["period_start"] >= first
    if last is not None:
        mask &= periods["period_end"] <= last
    return set(periods.loc[mask, "period"].tolist())


def _reserve_periods(scenario: Scenario, periods: pd.DataFrame) -> dict[tuple[str, bool], set[int]]:
    """Periods the reserve may serve, by section and whether it is equipment."""
    allowed: dict[tuple[str, bool], set[int]] = defaultdict(set)
    horizon_end = scenario.horizon.end
    for intervention in scenario.rapid_interventions:
        end = intervention.end_date or horizon_end
        for equipment, lead in ((False, intervention.officer_lead_days),
                                (True, intervention.equipment_lead_days)):
            earliest = intervention.decision_date + timedelta(days=lead)
            mask = (periods["period_start"] >= earliest) & (periods["period_end"] <= end)
            allowed[intervention.section_id, equipment] |= set(periods.loc[mask, "period"])
    return allowed


def _is_rotating(contribution: Contribution) -> bool:
    return contribution.category is Category.LONG_TERM or contribution.deployment_length is not None


def _offers(scenario: Scenario, periods: pd.DataFrame) -> pd.DataFrame:
    """Every (pledge, section, period) it could serve.

    A period must lie in the pledge's window and, except for host units, in the section's
    access window; the reserve serves only rapid interventions, after their lead time.
    """
    sections = {section.id: section for section in scenario.sections}
    kind_of = {kind.id: kind for kind in scenario.kinds}
    reserve = _reserve_periods(scenario, periods)
    rows: list[tuple[str, str, int]] = []
    for contribution in scenario.contributions:
        if contribution.quantity == 0:
            continue
        window = _inside(periods, contribution.available_from, contribution.available_to)
        is_vehicle = kind_of[contribution.kind_id].kind_class is KindClass.VEHICLE
        for section_id in contribution.sections or sections:
            section = sections[section_id]
            usable = window
            if contribution.category is not Category.HOST:
                usable = usable & _inside(periods, section.access_from, section.access_to)
            if contribution.category is Category.RESERVE:
                usable = usable & reserve.get((section_id, is_vehicle), set())
            rows.extend((contribution.id, section_id, period) for period in sorted(usable))
    return pd.DataFrame(rows, columns=["contribution_id", "section_id", "period"]).astype(
        {"period": "int64"}
    )


def _pledges(scenario: Scenario, periods: pd.DataFrame) -> pd.DataFrame:
    """One row per pledge with what the index needs to know of it."""
    kind_of = {kind.id: kind for kind in scenario.kinds}
    rows = []
    for c in scenario.contributions:
        kind = kind_of[c.kind_id]
        rows.append({
            "contribution_id": c.id,
            "kind_id": c.kind_id,
            "kind_class": kind.kind_class.value,
            "category": c.category.value,
            "quantity": c.quantity,
            "daily_cost": c.daily_cost,
            "start_cost": c.start_cost,
            "length": c.deployment_length,
            "rotating": _is_rotating(c),
            "dense": _is_rotating(c) or c.start_cost > 0,
            "personnel": (kind.kind_class is not KindClass.VEHICLE
                          and c.category is not Category.HOST),
            "host_officer": kind.kind_class is KindClass.OFFICER and c.category is Category.HOST,
            "crew_kind": kind.crew_kind,
            "crew_size": kind.crew_size,
            "window": _inside(periods, c.available_from, c.available_to),
        })
    return pd.DataFrame(rows)


def _useful(scenario: Scenario, requirements: Requirements, offers: pd.DataFrame,
            pledges: pd.DataFrame, vehicles_at: set[tuple[str, int, str]]) -> pd.Series:
    """Whether each offer could help where and when it is offered.

    It helps if its kind is needed there and then, it interprets a needed language, or it
    crews (or, as a host officer, rides aboard) a vehicle that may be there (``vehicles_at``:
    section, period and vehicle kind).
    """
    kinds = {kind.id: kind for kind in scenario.kinds}
    needed = set(requirements.kind_needs[["section_id", "period", "kind_id"]].itertuples(
        index=False, name=None))
    vehicle_present = {(s, t) for s, t, _ in vehicles_at}
    crew_needed = {(s, t, kinds[v].crew_kind) for s, t, v in vehicles_at
                   if kinds[v].crew_kind is not None and kinds[v].crew_size}
    languages_needed = defaultdict(set)
    for section_id, period, language_id in requirements.language_needs[
        ["section_id", "period", "language_id"]
    ].itertuples(index=False, name=None):
        languages_needed[section_id, period].add(language_id)
    speaks = {c.id: set(c.languages) for c in scenario.contributions}
    info = pledges.set_index("contribution_id")
    kind_id = offers["contribution_id"].map(info["kind_id"])
    host_officer = offers["contribution_id"].map(info["host_officer"])
    flags = []
    for (c, s, t), k, host in zip(offers.itertuples(index=False, name=None), kind_id,
                                  host_officer, strict=True):
        flags.append(
            (s, t, k) in needed
            or (s, t, k) in crew_needed
            or (host and (s, t) in vehicle_present)
            or bool(speaks[c] & languages_needed.get((s, t), set()))
        )
    return pd.Series(flags, index=offers.index, dtype=bool)


def _kept(offers: pd.DataFrame, useful: pd.Series, info: pd.DataFrame) -> pd.DataFrame:
    """The offers that get a variable.

    Those are the useful ones, and for pledges with rotations or start costs every period
    at a section where they are useful at all.
    """
    dense = offers["contribution_id"].map(info["dense"]).astype(bool)
    chosen = offers[useful]
    pairs = chosen[["contribution_id", "section_id"]].drop_duplicates()
    return pd.concat([
        chosen[~dense[useful]],
        offers[dense].merge(pairs, on=["contribution_id", "section_id"]),
    ])


def _vehicles_at(frame: pd.DataFrame, info: pd.DataFrame) -> set[tuple[str, int, str]]:
    """(section, period, vehicle kind) of the vehicle rows in ``frame``."""
    kinds = frame["contribution_id"].map(info["kind_id"])
    vehicles = frame["contribution_id"].map(info["kind_class"]) == KindClass.VEHICLE.value
    return set(zip(frame.loc[vehicles, "section_id"], frame.loc[vehicles, "period"],
                   kinds[vehicles], strict=True))


def _running(scenario: Scenario, periods: pd.DataFrame) -> pd.DataFrame:
    """Units already deployed, per pledge, section and period (each one starting by `until`)."""
    rows = []
    for running in scenario.running_deployments:
        for period in periods.loc[periods["period_start"] <= running.until, "period"]:
            rows.append((running.contribution_id, running.section_id, int(period),
                         running.quantity))
    frame = pd.DataFrame(rows, columns=["contribution_id", "section_id", "period", "running"])
    frame = frame.groupby(["contribution_id", "section_id", "period"], as_index=False).agg(
        running=("running", "sum")
    )
    return frame.astype({"period": "int64", "running": "int64"})


def _starts(deploy: pd.DataFrame, offers: pd.DataFrame, pledges: pd.DataFrame,
            periods: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Start variables, and for rotations which starts are still present in each period."""
    info = pledges.set_index("contribution_id")
    last_period = int(periods["period"].max())
    offered = set(offers.itertuples(index=False, name=None))
    start_rows: list[tuple[Any, ...]] = []
    rotation_rows: list[tuple[Any, ...]] = []
    dense = deploy[deploy["contribution_id"].map(info["dense"])]
    for (c, s), group in dense.groupby(["contribution_id", "section_id"], sort=False):
        pledge = info.loc[str(c)]
        periods_here = group["period"].tolist()
        if not pledge["rotating"]:
            # Units running when the horizon starts arrived before it: not a start in period 1.
            already_there = int(group.loc[group["period"] == 1, "running"].sum())
            for t in periods_here:
                start_rows.append((c, s, t, pledge["start_cost"], False,
                                   already_there if t == 1 else 0))
            continue
        window_end = max(pledge["window"]) if pledge["window"] else 0
        for tau in periods_here:
            if (c, s, tau) not in offered:
                continue
            if pd.isna(pledge["length"]):
                # Category 2 stays to the end of its window, or until the section closes.
                end = tau
                while end < window_end and (c, s, end + 1) in offered:
                    end += 1
            else:
                end = min(tau + int(pledge["length"]) - 1, last_period)
            if end < tau or any((c, s, t) not in offered for t in range(tau, end + 1)):
                continue
            start_rows.append((c, s, tau, pledge["start_cost"], True, 0))
            rotation_rows.extend((c, s, t, tau) for t in range(tau, end + 1))
    starts = pd.DataFrame(start_rows, columns=["contribution_id", "section_id", "period", "cost",
                                               "rotating", "running_before"])
    rotation = pd.DataFrame(rotation_rows, columns=["contribution_id", "section_id", "period",
                                                    "start_period"])
    return (starts.astype({"period": "int64", "cost": "float64", "rotating": "bool"}),
            rotation.astype({"period": "int64", "start_period": "int64"}))


def _caps(scenario: Scenario, deploy: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Unit-days each capped pledge's deployments count in each calendar year."""
    caps = {c.id: cap for c in scenario.contributions if (cap := c.annual_cap()) is not None}
    split = {
        int(period): days_by_year(start, int(days))
        for period, start, days in zip(periods["period"], periods["period_start"],
                                       periods["days"], strict=True)
    }
    rows = [
        (c, year, caps[c], s, t, days)
        for c, s, t in deploy.loc[deploy["contribution_id"].isin(caps),
                                  ["contribution_id", "section_id", "period"]].itertuples(
            index=False, name=None)
        for year, days in split[t].items()
    ]
    return pd.DataFrame(rows, columns=["contribution_id", "year", "cap", "section_id", "period",
                                       "days"])


def _binding_caps(caps: pd.DataFrame, quantity: pd.Series) -> set[tuple[str, int]]:
    """(pledge, year) pairs whose cap is below what the pledge could serve that year."""
    days = caps.drop_duplicates(["contribution_id", "year", "period"]).groupby(
        ["contribution_id", "year"]).agg(days=("days", "sum"), cap=("cap", "first"))
    units = quantity.to_dict()
    potential = days["days"] * [units[c] for c in days.index.get_level_values("contribution_id")]
    return {(str(c), int(y)) for c, y in days.index[days["cap"] < potential]}


def _reserve_gates(deploy: pd.DataFrame, offers: pd.DataFrame, pledges: pd.DataFrame,
                   rotation: pd.DataFrame, periods: pd.DataFrame,
                   capped: set[tuple[str, int]]) -> pd.DataFrame:
    """Reserve deployments, and the pledges each must wait for.

    Those are the first-line pledges (see ``FIRST_CATEGORIES``) of the same kind that could
    serve at the same section and period. A rotating pledge counts only in periods some
    start could cover; one whose cap can bind in a year (``capped``: pledge and year) is also
    exhausted once that cap is spent.
    """
    columns = ["role", "section_id", "period", "kind_id", "contribution_id", "quantity",
               "year", "capped"]
    reserve = deploy[deploy["category"] == Category.RESERVE.value].merge(
        offers, on=["contribution_id", "section_id", "period"])
    if reserve.empty:
        return pd.DataFrame(columns=columns)
    info = pledges.set_index("contribution_id")
    # Only pledges that have a variable there can help there; offers where they cannot
    # help (no need of theirs, no language of theirs) must not hold the reserve back.
    helping = deploy.loc[deploy["available"] > 0, ["contribution_id", "section_id", "period"]]
    first = helping.merge(offers, on=["contribution_id", "section_id", "period"])
    first = first.assign(kind_id=first["contribution_id"].map(info["kind_id"]),
                         kind_class=first["contribution_id"].map(info["kind_class"]),
                         category=first["contribution_id"].map(info["category"]),
                         quantity=first["contribution_id"].map(info["quantity"]))
    first_line = {(klass.value, category.value)
                  for klass, categories in FIRST_CATEGORIES.items() for category in categories}
    first = first[[pair in first_line for pair in zip(first["kind_class"], first["category"],
                                                       strict=True)]]
    reachable = set(zip(rotation["contribution_id"], rotation["period"], strict=True))
    reachable |= set(zip(deploy.loc[deploy["running"] > 0, "contribution_id"],
                         deploy.loc[deploy["running"] > 0, "period"], strict=True))
    rotating = first["contribution_id"].map(info["rotating"]).astype(bool)
    first = first[~rotating | pd.Series([(c, t) in reachable for c, t in zip(
        first["contribution_id"], first["period"], strict=True)], index=first.index)]
    gates = reserve[["section_id", "period", "kind_id"]].drop_duplicates()
    first = first.merge(gates, on=["section_id", "period", "kind_id"])
    year = {int(t): start.year for t, start in zip(periods["period"], periods["period_start"],
                                                    strict=True)}
    table = pd.concat([
        reserve.assign(role="reserve", quantity=reserve["available"]),
        first.assign(role="first"),
    ], ignore_index=True)
    table["year"] = table["period"].map(year)
    table["capped"] = (table["role"] == "first") & pd.Series(
        [(c, y) in capped for c, y in zip(table["contribution_id"], table["year"], strict=True)],
        index=table.index, dtype=bool)
    return table[columns]


def build_index(scenario: Scenario, requirements: Requirements) -> ModelIndex:
    """Work out which deployments, starts, shortfalls and rules can exist."""
    periods = requirements.periods
    days = periods.set_index("period")["days"]
    pledges = _pledges(scenario, periods)
    info = pledges.set_index("contribution_id")
    offers = _offers(scenario, periods)

    # Vehicles may stay where they are not needed (rotations, start costs, running units):
    # their crews and host officers must be able to be there too, hence a second pass.
    kind_class = {kind.id: kind.kind_class for kind in scenario.kinds}
    vehicles_at = {(s, t, k) for s, t, k in requirements.kind_needs[
        ["section_id", "period", "kind_id"]].itertuples(index=False, name=None)
        if kind_class[k] is KindClass.VEHICLE}
    kept = _kept(offers, _useful(scenario, requirements, offers, pledges, vehicles_at), info)
    running = _running(scenario, periods)
    present = _vehicles_at(kept, info) | _vehicles_at(running, info)
    if present - vehicles_at:
        kept = _kept(offers, _useful(scenario, requirements, offers, pledges,
                                     vehicles_at | present), info)
    deploy = kept.merge(running, on=["contribution_id", "section_id", "period"], how="outer")
    deploy["running"] = deploy["running"].fillna(0).astype("int64")
    for column in ("kind_id", "kind_class", "category", "personnel", "host_officer", "rotating",
                   "crew_kind", "crew_size"):
        deploy[column] = deploy["contribution_id"].map(info[column])
    window = dict(zip(pledges["contribution_id"], pledges["window"], strict=True))
    in_window = pd.Series([t in window[c] for c, t in zip(deploy["contribution_id"],
                                                          deploy["period"], strict=True)],
                          index=deploy.index, dtype=bool)
    deploy["available"] = deploy["contribution_id"].map(info["quantity"]).where(in_window, 0)
    deploy["cost"] = deploy["contribution_id"].map(info["daily_cost"]) * deploy["period"].map(days)
    deploy = deploy.sort_values(["contribution_id", "section_id", "period"], ignore_index=True)

    starts, rotation = _starts(deploy, offers, pledges, periods)
    caps = _caps(scenario, deploy, periods)

    penalty = {(p.kind_id, level): getattr(p, level)
               for p in scenario.penalties for level in IMPACT_LEVELS}
    needs = requirements.kind_needs
    cover = needs.assign(penalty=[
        penalty[kind_id, level] * days[period]
        for kind_id, level, period in zip(needs["kind_id"], needs["impact_level"],
                                          needs["period"], strict=True)
    ])
    remote = {language.id: language.remote_cost for language in scenario.languages}
    language_needs = requirements.language_needs
    language = language_needs.assign(
        penalty=language_needs["impact_level"].map(scenario.language_penalty.at)
        * language_needs["period"].map(days),
        remote_cost=language_needs["language_id"].map(remote).astype("float64"),
    )
    language["remote_cost_per_period"] = language["remote_cost"] * language["period"].map(days)

    speaks = pd.DataFrame(
        [(c.id, language_id) for c in scenario.contributions for language_id in c.languages],
        columns=["contribution_id", "language_id"],
    )
    interpreters = deploy.loc[deploy["kind_class"] == KindClass.INTERPRETER.value,
                              ["contribution_id", "section_id", "period"]]
    interpret = interpreters.merge(speaks).merge(
        language_needs[["section_id", "period", "language_id"]]
    ).sort_values(["contribution_id", "section_id", "period", "language_id"], ignore_index=True)

    beds = {section.id: section.beds for section in scenario.sections if section.beds is not None}
    return ModelIndex(
        periods=periods,
        deploy=deploy,
        starts=starts,
        rotation=rotation,
        caps=caps,
        cover=cover,
        language=language,
        interpret=interpret,
        beds=beds,
        reserve_gates=_reserve_gates(deploy, offers, pledges, rotation, periods,
                                     _binding_caps(caps, info["quantity"])),
    )
