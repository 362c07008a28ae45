"""What would cover a shortfall: changes to the scenario, each checked by solving it.

For the largest shortfalls of a run, the reasons (see :mod:`planner.plan.explain`) name
what holds them short, and each reason suggests changes that would lift it:

- ``busy_elsewhere``: more units of a contribution that may serve there
  (``contributions.ID.quantity``);
- ``beds_full``: more beds at the section (``sections.ID.beds``);
- ``cap_spent``: a higher annual cap (``contributions.ID.annual_cap_days``);
- ``none_may_serve``: a contribution opened to the section (``contributions.ID.sections``),
  its window opened earlier or later (``available_from``/``available_to``), or the
  section's access window opened earlier (``sections.ID.access_from``, a status agreement
  brought forward);
- ``host_officer_lacking`` and ``crew_lacking``: more units of a host-officer or crew
  contribution that may serve there;
- ``rotation``: more units of the rotating contribution, stays one period shorter
  (``contributions.ID.deployment_length``), its window widened by a stay, and more beds
  where the section has a limit;
- ``no_speaker``: the language added to an interpreter contribution that may serve there
  (``contributions.ID.languages``).

Each change is sized to cover the shortfall (whole units, beds, unit-days). Where the
linear relaxation prices what the change adds (beds, units of a contribution, unit-days
of a cap: ``Plan.capacity_values``, its duals and reduced costs), the ``estimate`` is that
first-order figure: the marginal value times the amount, summed over the periods it adds
to (none for a reserve's units, which also weigh the reserve's gate, a coefficient no
dual prices). Every change is then checked by solving the changed scenario as a what-if run, in the
linear relaxation beside the relaxation of the run's own scenario, so that the saving is
exact and quick: the saving is the fall in the objective (penalties avoided less what the
change costs to use). An estimate is an upper bound of the saving, and a loose one where
the change is larger than the range over which its marginal value holds. The best change
for each shortfall is the one that leaves least of it short and, of those, saves most;
changes that save nothing are left out. Every change is a ``--set`` override, so
``planner run PATH --set ...`` runs it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pandas as pd

from planner.columns import CONTRIBUTION_ID, ITEM_ID, ITEM_TYPE, PERIOD, SECTION_ID
from planner.errors import ScenarioError
from planner.model.options import SolveOptions
from planner.model.results import ZERO
from planner.scenario.records import Category, KindClass
from planner.scenario.schema import Scenario
from planner.scenario.variants import apply_variant, parse_sets

if TYPE_CHECKING:
    from planner.api import Planner
    from planner.plan.plan import Plan

TOP_SHORTFALLS = 5
"""How many of the largest shortfalls get remedies, unless asked otherwise."""

REMEDY_COLUMNS = [
    "rank", PERIOD, SECTION_ID, ITEM_TYPE, ITEM_ID, "shortfall", "reason", "change",
    "override", "estimate", "saving", "relaxed_shortfall", "shortfall_after", "checked",
]
"""``estimate`` is the LP's first-order saving (empty where it prices nothing the change
adds), ``saving`` the re-solved one; ``checked`` is false where the estimate alone proves
the change saves nothing (it is then not solved, and ``shortfall_after`` is empty)."""


@dataclass(frozen=True)
class Candidate:
    """One change that might cover a shortfall."""

    reason: str
    change: str
    """The change in planner terms."""
    override: str
    """The change as a ``--set`` override: ``table.row.field=value``."""
    adds: tuple[str, str, float] | None = None
    """What capacity it adds, for the LP's estimate: (``beds``, section), (``units``,
    contribution) or (``cap``, contribution), and how much."""

    def estimate(self, values: pd.DataFrame | None) -> float | None:
        """The LP's first-order saving: each marginal value of what it adds times the amount.

        ``None`` where the change adds nothing the LP prices (a window, a section opened).
        """
        if self.adds is None or values is None:
            return None
        capacity, target, amount = self.adds
        column = SECTION_ID if capacity == "beds" else CONTRIBUTION_ID
        priced = values[(values["capacity"] == capacity) & (values[column] == target)]
        return amount * float(priced["value"].sum())


def candidates(scenario: Scenario, explanations: pd.DataFrame, section: str, period: int,
               item_type: str, item: str, shortfall: float) -> list[Candidate]:
    """Every change the reasons of one shortfall suggest, sized to cover it."""
    rows = explanations[(explanations[SECTION_ID] == section)
                        & (explanations[PERIOD] == period)
                        & (explanations[ITEM_TYPE] == item_type)
                        & (explanations[ITEM_ID] == item)]
    units = max(1, math.ceil(shortfall - 1e-6))
    by_id = {c.id: c for c in scenario.contributions}
    sections = {s.id: s for s in scenario.sections}
    kinds = {k.id: k for k in scenario.kinds}
    start = scenario.horizon.period_start(period)
    end = scenario.horizon.period_end(period)
    found: list[Candidate] = []

    def more_units(reason: str, ids: Sequence[str]) -> None:
        for c_id in ids:
            c = by_id[c_id]
            # A reserve's units also weigh its gate (a coefficient, which no dual prices).
            priced = None if c.category is Category.RESERVE else ("units", c_id, units)
            found.append(Candidate(reason, f"{units} more units of {c_id} ({c.contributor})",
                                   f"contributions.{c_id}.quantity={c.quantity + units}",
                                   priced))

    def more_beds(reason: str) -> None:
        beds = sections[section].beds
        if beds is not None:
            found.append(Candidate(reason, f"{units} more beds at {section}",
                                   f"sections.{section}.beds={beds + units}",
                                   ("beds", section, units)))

    for row in rows.to_dict("records"):
        reason = str(row["reason"])
        ids = [c for c in str(row["contribution_ids"]).split(";") if c in by_id]
        if reason == "busy_elsewhere":
            cheapest = sorted(ids, key=lambda c_id: by_id[c_id].daily_cost)[:2]
            more_units(reason, cheapest)
        elif reason == "beds_full":
            more_beds(reason)
        elif reason == "cap_spent":
            for c_id in ids:
                cap = by_id[c_id].annual_cap_days or 0
                days = units * scenario.horizon.days_per_period
                found.append(Candidate(reason, f"{days} more unit-days a year for {c_id}",
                                       f"contributions.{c_id}.annual_cap_days={cap + days:g}",
                                       ("cap", c_id, days)))
        elif reason == "rotation":
            for c_id in ids:
                c = by_id[c_id]
                more_units(reason, [c_id])
                length = c.deployment_length
                if length is not None and length > 1:
                    found.append(Candidate(reason, f"{c_id} in stays of {length - 1} periods "
                                           f"(not {length})",
                                           f"contributions.{c_id}.deployment_length="
                                           f"{length - 1}"))
                stay = scenario.horizon.days_per_period * max((length or 1) - 1, 1)
                if c.available_to is not None:
                    later = c.available_to + timedelta(days=stay)
                    found.append(Candidate(reason, f"{c_id} available to {later}",
                                           f"contributions.{c_id}.available_to={later}"))
                if c.available_from is not None:
                    earlier = c.available_from - timedelta(days=stay)
                    found.append(Candidate(reason, f"{c_id} available from {earlier}",
                                           f"contributions.{c_id}.available_from={earlier}"))
            more_beds(reason)
        elif reason == "no_speaker":
            speakers = [c for c in scenario.contributions
                        if kinds[c.kind_id].kind_class is KindClass.INTERPRETER
                        and c.quantity > 0 and (not c.sections or section in c.sections)]
            for c in sorted(speakers, key=lambda c: c.daily_cost)[:2]:
                found.append(Candidate(reason, f"{c.id} ({c.contributor}) interpreting {item}",
                                       f"contributions.{c.id}.languages="
                                       f"{';'.join((*c.languages, item))}"))
        elif reason == "none_may_serve":
            for c_id in ids:
                c = by_id[c_id]
                if c.sections and section not in c.sections:
                    found.append(Candidate(reason, f"{c_id} opened to {section}",
                                           f"contributions.{c_id}.sections="
                                           f"{';'.join((*c.sections, section))}"))
                elif c.available_from is not None and c.available_from > start:
                    found.append(Candidate(reason, f"{c_id} available from {start}",
                                           f"contributions.{c_id}.available_from={start}"))
                elif c.available_to is not None and c.available_to < end:
                    found.append(Candidate(reason, f"{c_id} available to {end}",
                                           f"contributions.{c_id}.available_to={end}"))
            target = sections[section]
            if target.access_from is not None and target.access_from > start:
                found.append(Candidate(reason, f"{section} open to other states' units from "
                                       f"{start} (the status agreement brought forward)",
                                       f"sections.{section}.access_from={start}"))
        elif reason in ("host_officer_lacking", "crew_lacking"):
            crew = kinds[item].crew_kind if item in kinds else None
            helpers = [c for c in scenario.contributions if c.quantity > 0 and (
                (reason == "host_officer_lacking" and c.category is Category.HOST
                 and kinds[c.kind_id].kind_class is KindClass.OFFICER)
                or (reason == "crew_lacking" and c.kind_id == crew))
                and (not c.sections or section in c.sections)]
            more_units(reason, [c.id for c in sorted(helpers, key=lambda c: c.daily_cost)[:2]])
    unique = {candidate.override: candidate for candidate in found}
    return list(unique.values())


@dataclass(frozen=True)
class Remedies:
    """The best checked change for each of the largest shortfalls, and every one tried."""

    best: pd.DataFrame
    """One row per shortfall with a change that saves (``REMEDY_COLUMNS``), best first.

    ``shortfall`` is the run's; ``relaxed_shortfall`` and ``shortfall_after`` the need's
    shortfall in the linear relaxation before and after the change."""
    tried: pd.DataFrame
    """Every change tried, with its saving (``REMEDY_COLUMNS``)."""
    base_objective: float
    """The objective of the run's scenario in the linear relaxation, the savings' base."""


def remedies(scenario: Scenario, shortfalls: pd.DataFrame, explanations: pd.DataFrame, *,
             top: int = TOP_SHORTFALLS, time_limit: float = 60.0) -> Remedies:
    """The best change for each of the ``top`` largest shortfalls, each checked by a solve."""
    from planner.api import Planner

    planner = Planner(SolveOptions(relax=True, time_limit=time_limit))
    base = planner.plan(scenario)
    if base.result.objective is None:
        empty = pd.DataFrame(columns=REMEDY_COLUMNS)
        return Remedies(empty, empty, math.nan)
    short = shortfalls[shortfalls["shortfall"] > 1e-6].sort_values(
        ["shortfall", PERIOD, SECTION_ID], ascending=[False, True, True]).head(top)
    tried = []
    solved: dict[str, Plan | None] = {}
    for rank, need in enumerate(short.to_dict("records"), start=1):
        key = (str(need[SECTION_ID]), int(need[PERIOD]), str(need[ITEM_TYPE]),
               str(need[ITEM_ID]))
        for candidate in candidates(scenario, explanations, *key, float(need["shortfall"])):
            estimate = candidate.estimate(base.capacity_values)
            row = (rank, key[1], key[0], key[2], key[3], float(need["shortfall"]),
                   candidate.reason, candidate.change, candidate.override, estimate)
            if estimate is not None and estimate <= ZERO:
                # More capacity never costs an LP more, and saves at most the estimate:
                # nothing, without solving.
                tried.append((*row, 0.0, _short(base.shortfalls, key), math.nan, False))
                continue
            if candidate.override not in solved:
                solved[candidate.override] = _what_if(planner, scenario, candidate.override)
            plan = solved[candidate.override]
            if plan is None or plan.result.objective is None:
                continue
            tried.append((*row, base.result.objective - plan.result.objective,
                          _short(base.shortfalls, key), _short(plan.shortfalls, key), True))
    table = pd.DataFrame(tried, columns=REMEDY_COLUMNS)
    saving = table[table["saving"] > ZERO]
    best = (saving.sort_values(["rank", "shortfall_after", "saving"],
                               ascending=[True, True, False])
            .drop_duplicates("rank").reset_index(drop=True))
    return Remedies(best, table, float(base.result.objective))


def _what_if(planner: Planner, scenario: Scenario, override: str) -> Plan | None:
    """The scenario with one override, planned.

    ``None`` for a change the scenario's rules refuse, such as a window past a limit.
    """
    try:
        changed = apply_variant(scenario, None, parse_sets([override])).scenario
    except ScenarioError:
        return None
    return planner.plan(changed)


def _short(shortfalls: pd.DataFrame, key: tuple[str, int, str, str]) -> float:
    """The shortfall at one need of a plan's shortfalls table."""
    at = shortfalls[(shortfalls[SECTION_ID] == key[0]) & (shortfalls[PERIOD] == key[1])
                    & (shortfalls[ITEM_TYPE] == key[2]) & (shortfalls[ITEM_ID] == key[3])]
    return float(at["shortfall"].sum())
