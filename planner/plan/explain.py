"""Why a need is short: every reason that holds for each shortfall, with its evidence.

For each shortfall row of a plan (a kind or a language at a section and period) the
explanation lists every reason from a closed list (``REASONS``) that holds, each with a
sentence in planner terms and the figures it rests on. Every reason is read from the
scenario and the plan's own tables (its schedule and shortfalls), never from the solver,
so anyone can check it against the files:

``none_may_serve``
    No contribution of the kind (or, for a language, none that speaks it) may serve at the
    section in the period; ``detail`` names the rule that shuts each out: its eligible
    sections, its window, the section's access window, or the reserve's release (the
    reserve serves only at a rapid intervention, after its lead time).
``busy_elsewhere``
    Every contribution that may serve there then has all its units deployed; ``detail``
    says where, and what one of its units is weighed at there against here.
``first_line_not_exhausted``
    A reserve contribution may serve there then, but first-line contributions of the kind
    that could serve there still have units (or cap) left, and the reserve waits for them.
``beds_full``
    The section's beds are all taken by deployed personnel.
``cap_spent``
    Contributions that may serve there then have spent their annual cap for the year.
``rotation``
    A rotating contribution may serve there then, but no stay of one of its units that
    covers the period fits: it would have to start before its window or the section's
    access opens or stay past their end, or stay through a period where its units are all
    deployed or the section's beds are full.
``crew_lacking``
    Vehicles: no officers of the crew kind are left at the section to crew another vehicle.
``host_officer_lacking``
    Vehicles: every host-state officer at the section is already aboard a vehicle.
``no_speaker``
    Interpreters: no contribution speaks the language (remote interpretation, where the
    language has it, is what covers any of it).
``not_worth_it``
    The penalty one more unit would save is less than what that unit costs (the cheapest
    that could come, with both figures).
``within_gap``
    One more unit would save more than it costs, but less than the solve's stopping gap
    allows a whole-unit plan to leave: a closer gap may cover it.

Evidence columns: ``contribution_ids`` (the contributions the reason is about,
``;``-separated), ``measure`` and ``bound`` (the figure the reason measured and the bound it
meets: units deployed elsewhere and units held, personnel and beds, unit-days served and
the cap, crew officers free and the crew size, vehicles and host officers, the penalty
saved and the cost, the net saving and the gap allowance).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planner.columns import CONTRIBUTION_ID, ITEM_ID, ITEM_TYPE, KIND_ID, PERIOD, SECTION_ID
from planner.model.index import (
    FIRST_CATEGORIES,
    days_by_year,
    priced_needs,
    reserve_periods,
    within_periods,
)
from planner.model.requirements import Requirements
from planner.model.results import ZERO
from planner.scenario.records import Category, Contribution, KindClass
from planner.scenario.schema import Scenario

REASONS: dict[str, str] = {
    "none_may_serve": "no contribution may serve here then",
    "busy_elsewhere": "every contribution that may serve here is deployed in full",
    "first_line_not_exhausted": "the reserve waits for first-line units left",
    "beds_full": "the section's beds are full",
    "cap_spent": "annual caps spent",
    "rotation": "no rotation covering it fits",
    "crew_lacking": "no crew left for another vehicle",
    "host_officer_lacking": "no host officer left to ride aboard",
    "no_speaker": "no contribution speaks the language",
    "not_worth_it": "the penalty is below the cost of a unit",
    "within_gap": "left within the solve's gap",
}
"""Every reason a shortfall can have, by code, with the short phrase tables show."""

EXPLANATION_COLUMNS = [
    PERIOD, "period_start", "period_end", SECTION_ID, ITEM_TYPE, ITEM_ID, "shortfall",
    "reason", "detail", "contribution_ids", "measure", "bound",
]

@dataclass(frozen=True)
class _Reason:
    code: str
    detail: str
    contributions: tuple[str, ...] = ()
    measure: float | None = None
    bound: float | None = None


def explain(scenario: Scenario, requirements: Requirements, schedule: pd.DataFrame,
            shortfalls: pd.DataFrame, *, whole_units: bool, objective: float | None = None,
            gap: float | None = None) -> pd.DataFrame:
    """One row per shortfall and reason that holds for it (``EXPLANATION_COLUMNS``).

    ``schedule`` and ``shortfalls`` are the plan's tables; ``objective`` and ``gap`` the
    solve's, for ``within_gap``.
    """
    short = shortfalls[shortfalls["shortfall"] > ZERO] if not shortfalls.empty else shortfalls
    if short.empty:
        return pd.DataFrame(columns=EXPLANATION_COLUMNS)
    facts = _Facts(scenario, requirements, schedule, shortfalls, whole_units=whole_units,
                   allowance=(gap or 0.0) * abs(objective or 0.0) if whole_units else 0.0)
    rows = []
    for section, period, item_type, item, starts, ends, amount in _rows(
            short, SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID, "period_start", "period_end",
            "shortfall"):
        key = (str(section), int(period), str(item_type), str(item))
        for reason in facts.reasons(*key):
            rows.append((key[1], starts, ends, key[0], key[2], key[3], float(amount),
                         reason.code, reason.detail, ";".join(reason.contributions),
                         reason.measure, reason.bound))
    return pd.DataFrame(rows, columns=EXPLANATION_COLUMNS)


def _rows(frame: pd.DataFrame, *columns: str) -> Iterable[tuple[Any, ...]]:
    """The values of ``columns``, row by row."""
    return frame[list(columns)].itertuples(index=False, name=None)


def _units(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < ZERO else f"{value:,.2f}"


def _money(value: float) -> str:
    return f"{value:,.0f}"


class _Facts:
    """What the scenario and the plan say, indexed for the reasons' questions."""

    def __init__(self, scenario: Scenario, requirements: Requirements, schedule: pd.DataFrame,
                 shortfalls: pd.DataFrame, *, whole_units: bool, allowance: float) -> None:
        self.scenario = scenario
        self._offered: dict[tuple[str, str], set[int]] = {}
        self.whole_units = whole_units
        self.allowance = allowance
        periods = requirements.periods
        self.periods = periods
        self.last = int(periods[PERIOD].max())
        self.days = dict(zip(periods[PERIOD].astype(int), periods["days"].astype(int),
                             strict=True))
        self.starts = dict(zip(periods[PERIOD].astype(int), periods["period_start"],
                               strict=True))
        self.years = {t: days_by_year(self.starts[t], self.days[t]) for t in self.days}
        self.kind = {kind.id: kind for kind in scenario.kinds}
        self.section = {section.id: section for section in scenario.sections}
        self.contributions = [c for c in scenario.contributions if c.quantity > 0]
        numbers = periods[PERIOD].to_numpy()
        self.window = {c.id: set(numbers[within_periods(periods, c.available_from,
                                                        c.available_to)].tolist())
                       for c in self.contributions}
        self.access = {s.id: set(numbers[within_periods(periods, s.access_from,
                                                        s.access_to)].tolist())
                       for s in scenario.sections}
        self.released = {key: set(numbers[mask].tolist())
                         for key, mask in reserve_periods(scenario, periods).items()}
        cover, language = priced_needs(scenario, requirements)
        self.penalty = {("kind", s, int(t), k): float(p) for s, t, k, p in zip(
            cover[SECTION_ID], cover[PERIOD], cover[KIND_ID], cover["penalty"], strict=True)}
        self.penalty.update({("language", s, int(t), lang): float(p) for s, t, lang, p in zip(
            language[SECTION_ID], language[PERIOD], language["language_id"],
            language["penalty"], strict=True)})
        self.remote_cost = {(s, int(t), lang): float(cost) for s, t, lang, cost in zip(
            language[SECTION_ID], language[PERIOD], language["language_id"],
            language["remote_cost_per_period"], strict=True) if cost == cost}
        needs = list(_rows(shortfalls, ITEM_TYPE, SECTION_ID, PERIOD, ITEM_ID, "shortfall",
                           "remote"))
        self.short = {(str(kind), str(s), int(t), str(i)): float(amount)
                      for kind, s, t, i, amount, _ in needs}
        self.remote = {(str(s), int(t), str(i)): float(remote)
                       for kind, s, t, i, _, remote in needs if kind == "language"}
        # What the schedule deploys: per contribution and period, and per place.
        self.deployed: dict[tuple[str, int], float] = defaultdict(float)
        self.at: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
        self.on_site: dict[tuple[str, int, str], float] = defaultdict(float)
        self.personnel_at: dict[tuple[str, int], float] = defaultdict(float)
        self.host_officers_at: dict[tuple[str, int], float] = defaultdict(float)
        self.vehicles_at: dict[tuple[str, int], float] = defaultdict(float)
        self.served_days: dict[tuple[str, int], float] = defaultdict(float)
        by_id = {c.id: c for c in scenario.contributions}
        for c_id, s, t, quantity in zip(schedule[CONTRIBUTION_ID], schedule[SECTION_ID],
                                        schedule[PERIOD], schedule["quantity"], strict=True):
            c, t, quantity = by_id[str(c_id)], int(t), float(quantity)
            self.deployed[c.id, t] += quantity
            self.at[c.id, t][str(s)] = self.at[c.id, t].get(str(s), 0.0) + quantity
            self.on_site[str(s), t, c.kind_id] += quantity
            kind_class = self.kind[c.kind_id].kind_class
            if self._personnel(c):
                self.personnel_at[str(s), t] += quantity
            if kind_class is KindClass.OFFICER and c.category is Category.HOST:
                self.host_officers_at[str(s), t] += quantity
            if kind_class is KindClass.VEHICLE:
                self.vehicles_at[str(s), t] += quantity
            for year, days in self.years[t].items():
                self.served_days[c.id, year] += quantity * days

    # Facts about one contribution.

    def _personnel(self, c: Contribution) -> bool:
        return (self.kind[c.kind_id].kind_class is not KindClass.VEHICLE
                and c.category is not Category.HOST)

    def shut_out(self, c: Contribution, section: str, period: int) -> str | None:
        """The rule that keeps ``c`` from ``section`` in ``period``, if one does."""
        if c.sections and section not in c.sections:
            return f"{c.id}: serves only at {', '.join(c.sections)}"
        if period not in self.window[c.id]:
            return f"{c.id}: not available then ({_window(c.available_from, c.available_to)})"
        target = self.section[section]
        if c.category is not Category.HOST and period not in self.access[section]:
            return (f"{c.id}: section {section} admits other states' units only "
                    f"{_window(target.access_from, target.access_to)}")
        if c.category is Category.RESERVE:
            vehicle = self.kind[c.kind_id].kind_class is KindClass.VEHICLE
            if period not in self.released.get((section, vehicle), set()):
                return (f"{c.id}: the reserve serves only at a rapid intervention, after its "
                        "lead time")
        return None

    def spare(self, c: Contribution, period: int) -> float:
        """Units of ``c`` not deployed in ``period``."""
        return c.quantity - self.deployed.get((c.id, period), 0.0)

    def has_spare(self, c: Contribution, period: int) -> bool:
        spare = self.spare(c, period)
        return spare >= 1 - ZERO if self.whole_units else spare > ZERO

    def cap_left(self, c: Contribution, period: int) -> tuple[int, float] | None:
        """The year and unit-days served, where ``c``'s cap leaves no room in ``period``."""
        if c.annual_cap_days is None:
            return None
        for year, days in self.years[period].items():
            served = self.served_days.get((c.id, year), 0.0)
            if c.annual_cap_days - served < days - ZERO:
                return year, served
        return None

    def offered(self, c: Contribution, section: str) -> set[int]:
        """The periods ``c`` may serve at ``section`` (worked out once per pair)."""
        key = (c.id, section)
        if key not in self._offered:
            self._offered[key] = {t for t in self.days if self.shut_out(c, section, t) is None}
        return self._offered[key]

    def stays(self, c: Contribution, section: str, period: int) -> list[list[int]]:
        """Every stay a unit of ``c`` covering ``period`` at ``section`` could make.

        One period for a unit that does not rotate. A rotation of fixed length starts where
        it stays offered throughout (cut at the horizon's end); category 2 without a length
        stays from its start to the end of the offered run, as the model has them.
        """
        if not (c.category is Category.LONG_TERM or c.deployment_length is not None):
            return [[period]]
        offered = self.offered(c, section)
        first = period
        while first - 1 in offered:
            first -= 1
        run_end = period
        while run_end + 1 in offered:
            run_end += 1
        if c.deployment_length is None:
            return [list(range(start, run_end + 1)) for start in range(first, period + 1)]
        ends = ((start, min(start + c.deployment_length - 1, self.last))
                for start in range(max(first, period - c.deployment_length + 1), period + 1))
        return [list(range(start, end + 1)) for start, end in ends if end <= run_end]

    def stay_blocked(self, c: Contribution, section: str, stay: list[int]) -> str | None:
        """Why one more unit of ``c`` cannot make ``stay``, if something stops it."""
        for t in stay:
            if not self.has_spare(c, t):
                return f"all its units are deployed in period {t}"
            if self._personnel(c) and not self.bed_free(section, t):
                return f"{section}'s beds are full in period {t}"
        return None

    def bed_free(self, section: str, period: int) -> bool:
        beds = self.section[section].beds
        if beds is None:
            return True
        room = beds - self.personnel_at.get((section, period), 0.0)
        return room >= 1 - ZERO if self.whole_units else room > ZERO

    def _weight(self, section: str, period: int, c: Contribution) -> float:
        """What one unit of ``c`` at ``section`` is weighed at: the penalty it averts there."""
        return self.penalty.get(("kind", section, period, c.kind_id), 0.0)

    def unit_cost(self, c: Contribution, stay: Iterable[int]) -> float:
        return c.daily_cost * sum(self.days[t] for t in stay) + c.start_cost

    # The reasons.

    def reasons(self, section: str, period: int, item_type: str, item: str) -> list[_Reason]:
        if item_type == "kind":
            candidates = [c for c in self.contributions if c.kind_id == item]
        else:
            candidates = [c for c in self.contributions if item in c.languages]
            if not candidates:
                remote = self.remote.get((section, period, item), 0.0)
                how = (f"remote interpretation covers {_units(remote)}"
                       if (section, period, item) in self.remote_cost
                       else "the language has no remote interpretation")
                return [_Reason("no_speaker", f"no contribution speaks {item}; {how}",
                                measure=remote)]
        closed = {c.id: self.shut_out(c, section, period) for c in candidates}
        open_ = [c for c in candidates if closed[c.id] is None]
        if not open_:
            shut = "; ".join(rule for rule in closed.values() if rule)
            what = f"of kind {item}" if item_type == "kind" else f"speaking {item}"
            detail = (f"no contribution {what} may serve at {section} then: {shut}"
                      if shut else f"no contribution {what} is pledged")
            return [_Reason("none_may_serve", detail, tuple(closed), measure=0.0)]
        found: list[_Reason] = []
        found.extend(self._busy(open_, section, period, item_type, item))
        found.extend(self._reserve_waits(open_, section, period))
        found.extend(self._beds(open_, section, period))
        found.extend(self._caps(open_, period))
        found.extend(self._rotations(open_, section, period))
        if item_type == "kind" and self.kind[item].kind_class is KindClass.VEHICLE:
            found.extend(self._crews(section, period, item))
        found.extend(self._worth(open_, section, period, item_type, item, found))
        return found

    def _busy(self, open_: list[Contribution], section: str, period: int, item_type: str,
              item: str) -> Iterable[_Reason]:
        if any(self.has_spare(c, period) for c in open_):
            return
        places: dict[str, float] = defaultdict(float)
        weights: dict[str, float] = {}
        for c in open_:
            for where, units in self.at.get((c.id, period), {}).items():
                places[where] += units
                weights[where] = max(weights.get(where, 0.0), self._weight(where, period, c))
        here = self.penalty.get((item_type, section, period, item), 0.0)
        where = ", ".join(
            f"{_units(units)} here" if place == section
            else f"{_units(units)} at {place} ({_money(weights[place])} a unit there)"
            for place, units in sorted(places.items(), key=lambda pair: (-pair[1], pair[0])))
        held = float(sum(c.quantity for c in open_))
        count = (f"the {len(open_)} contributions that may serve here" if len(open_) > 1
                 else f"{open_[0].id} (the one contribution that may serve here)")
        yield _Reason("busy_elsewhere",
                      f"all {_units(held)} units of {count} are deployed"
                      + (f": {where}" if where else "")
                      + f"; a unit here is weighed at {_money(here)}",
                      tuple(c.id for c in open_), sum(places.values()), held)

    def _reserve_waits(self, open_: list[Contribution], section: str,
                       period: int) -> Iterable[_Reason]:
        reserve = [c for c in open_ if c.category is Category.RESERVE]
        if not reserve:
            return
        kinds = {c.kind_id for c in reserve}
        waiting = [c for c in self.contributions
                   if c.kind_id in kinds
                   and c.category in FIRST_CATEGORIES[self.kind[c.kind_id].kind_class]
                   and self.shut_out(c, section, period) is None
                   and self.has_spare(c, period) and self.cap_left(c, period) is None]
        if waiting:
            spare = sum(self.spare(c, period) for c in waiting)
            yield _Reason("first_line_not_exhausted",
                          f"the reserve ({', '.join(c.id for c in reserve)}) waits for "
                          f"{', '.join(c.id for c in waiting)} to be deployed in full "
                          f"({_units(spare)} units left)",
                          tuple(c.id for c in waiting), spare, 0.0)

    def _beds(self, open_: list[Contribution], section: str, period: int) -> Iterable[_Reason]:
        beds = self.section[section].beds
        if beds is None or not any(self._personnel(c) for c in open_):
            return
        if not self.bed_free(section, period):
            lodged = self.personnel_at.get((section, period), 0.0)
            yield _Reason("beds_full", f"{section}'s {beds} beds hold {_units(lodged)} deployed "
                          "personnel", (), lodged, float(beds))

    def _caps(self, open_: list[Contribution], period: int) -> Iterable[_Reason]:
        spent = [(c, left) for c in open_ if (left := self.cap_left(c, period)) is not None]
        if spent:
            yield _Reason("cap_spent", "; ".join(
                f"{c.id} has served {_units(served)} of its {c.annual_cap_days:g} unit-days "
                f"in {year}" for c, (year, served) in spent),
                tuple(c.id for c, _ in spent), sum(served for _, (_, served) in spent),
                sum(float(c.annual_cap_days or 0) for c, _ in spent))

    def _rotations(self, open_: list[Contribution], section: str,
                   period: int) -> Iterable[_Reason]:
        rotating = [c for c in open_ if self.has_spare(c, period)
                    and (c.category is Category.LONG_TERM or c.deployment_length is not None)]
        parts, ids = [], []
        for c in rotating:
            stays = self.stays(c, section, period)
            length = (f"stays of {c.deployment_length} periods" if c.deployment_length
                      else "stays to the end of its window")
            if not stays:
                parts.append(f"{c.id} rotates in {length}, and none covering this period "
                             f"fits its window and {section}'s access")
            else:
                blocked = [self.stay_blocked(c, section, stay) for stay in stays]
                if all(blocked):
                    parts.append(f"{c.id} rotates in {length}, and every one covering this "
                                 f"period is stopped: {blocked[-1]}")
                else:
                    continue
            ids.append(c.id)
        if parts:
            yield _Reason("rotation", "; ".join(parts), tuple(ids), None, None)

    def could_come(self, section: str, period: int, *, kind: str | None = None,
                   host_officer: bool = False) -> float:
        """Spare units that may serve at ``section`` then: of ``kind``, or host officers."""
        total = 0.0
        for c in self.contributions:
            if kind is not None and c.kind_id != kind:
                continue
            if host_officer and not (self.kind[c.kind_id].kind_class is KindClass.OFFICER
                                     and c.category is Category.HOST):
                continue
            if (self.shut_out(c, section, period) is None and self.cap_left(c, period) is None
                    and (not self._personnel(c) or self.bed_free(section, period))):
                total += max(self.spare(c, period), 0.0)
        return total

    def _crews(self, section: str, period: int, vehicle: str) -> Iterable[_Reason]:
        kind = self.kind[vehicle]
        enough = 1 - ZERO if self.whole_units else ZERO
        vehicles = self.vehicles_at.get((section, period), 0.0)
        if kind.crew_kind is not None and kind.crew_size:
            crewed = [k.id for k in self.scenario.kinds if k.crew_kind == kind.crew_kind
                      and k.crew_size]
            crewing = sum(self.on_site.get((section, period, v), 0.0) * self.kind[v].crew_size
                          for v in crewed)
            free = self.on_site.get((section, period, kind.crew_kind), 0.0) - crewing
            coming = self.could_come(section, period, kind=kind.crew_kind)
            if free + coming < kind.crew_size * enough:
                yield _Reason("crew_lacking",
                              f"{_units(free)} {kind.crew_kind} officers free at {section} and "
                              f"{_units(coming)} more that could come, to crew another "
                              f"{vehicle}, which needs {kind.crew_size}",
                              (), free + coming, float(kind.crew_size))
        hosts = self.host_officers_at.get((section, period), 0.0)
        coming = self.could_come(section, period, host_officer=True)
        if hosts - vehicles + coming < enough:
            yield _Reason("host_officer_lacking",
                          f"{_units(hosts)} host officers at {section} ride aboard "
                          f"{_units(vehicles)} vehicles, and no other host officer may come",
                          (), vehicles, hosts)

    def _worth(self, open_: list[Contribution], section: str, period: int, item_type: str,
               item: str, found: list[_Reason]) -> Iterable[_Reason]:
        """``not_worth_it`` or ``within_gap``, where one more unit could still come."""
        if any(reason.code in ("beds_full", "crew_lacking", "host_officer_lacking",
                               "busy_elsewhere") for reason in found):
            return
        spent = {c_id for reason in found if reason.code == "cap_spent"
                 for c_id in reason.contributions}
        offers = []
        for c in open_:
            if c.id in spent or c.category is Category.RESERVE:
                continue
            for stay in self.stays(c, section, period):
                if self.stay_blocked(c, section, stay) is not None:
                    continue
                saved = sum(self.penalty.get((item_type, section, t, item), 0.0)
                            * min(1.0, self.short.get((item_type, section, t, item), 0.0))
                            for t in stay)
                cost = self.unit_cost(c, stay)
                offers.append((cost - saved, c.id, saved, cost, len(stay)))
        if not offers:
            return
        net, c_id, saved, cost, length = min(offers)
        span = f"for {length} periods" if length > 1 else "for the period"
        if net > -ZERO:
            yield _Reason("not_worth_it",
                          f"one more unit of {c_id} {span} costs {_money(cost)}, more than "
                          f"the {_money(saved)} of penalty it would save",
                          (c_id,), saved, cost)
        elif -net <= self.allowance + ZERO:
            yield _Reason("within_gap",
                          f"one more unit of {c_id} {span} would save {_money(-net)} net, "
                          f"within the {_money(self.allowance)} the solve's gap allows",
                          (c_id,), -net, self.allowance)


def _window(first: Any, last: Any) -> str:
    if first is None:
        return f"to {last}"
    if last is None:
        return f"from {first}"
    return f"{first} to {last}"


def reason_phrases(explanations: pd.DataFrame) -> dict[tuple[Any, ...], str]:
    """The short phrases of each shortfall's reasons, by (section, period, type, item)."""
    phrases: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for section, period, item_type, item, reason in _rows(
            explanations, SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID, "reason"):
        phrases[str(section), int(period), str(item_type), str(item)].append(
            REASONS.get(str(reason), str(reason)))
    return {key: "; ".join(values) for key, values in phrases.items()}


def select(explanations: pd.DataFrame, *, section: str | None = None,
           item: str | None = None, period: int | None = None) -> pd.DataFrame:
    """The explanations of one section, kind or language, or period (``None``: any)."""
    chosen = explanations
    if section is not None:
        chosen = chosen[chosen[SECTION_ID].astype(str) == section]
    if item is not None:
        chosen = chosen[chosen[ITEM_ID].astype(str) == item]
    if period is not None:
        chosen = chosen[chosen[PERIOD].astype(int) == period]
    return chosen
