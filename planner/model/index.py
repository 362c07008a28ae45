"""The model's sparse index: which deployments, starts and rules exist, as plain tables.

Built from the scenario and its needs before any Pyomo object, so the model, the
extraction of results and the size report all read the same tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from planner.columns import CONTRIBUTION_ID, KIND_ID, PERIOD, SECTION_ID
from planner.errors import UsageError
from planner.model.requirements import Requirements
from planner.scenario.cohorts import kept_cohorts
from planner.scenario.records import IMPACT_LEVELS, Category, Contribution, KindClass
from planner.scenario.schema import Scenario

KEY = [CONTRIBUTION_ID, SECTION_ID, PERIOD]
"""The columns naming one deployment: pledge, section and period."""

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
    ``kind_id``, ``kind_class``, ``category``, ``available`` (the pledge's quantity there),
    ``running`` (units already deployed), ``least`` and ``most`` (the variable's bounds:
    ``running`` and ``available``, unless a baseline fixes them), ``cost`` per unit in the
    period, ``change_cost`` per unit in the period (re-planning, after the freeze, where the
    baseline had none), ``baseline`` (its units there, 0 without one), ``personnel`` (takes
    a bed), ``host_officer``, ``rotating``, ``crew_kind``, ``crew_size``."""
    starts: pd.DataFrame
    """One row per start variable: ``contribution_id``, ``section_id``, ``period``, ``cost``,
    ``rotating`` (a rotation's start rather than a counted arrival), ``running_before``,
    ``least`` and ``most`` (bounds: fixed where a baseline freezes a rotation's start),
    ``baseline`` (the baseline's starts there)."""
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
    moves: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {CONTRIBUTION_ID: [], SECTION_ID: [], PERIOD: [], "baseline": [], "cost": []}))
    """Where a re-plan may differ from its baseline's units after the freeze (one row per
    deployment the baseline has there): ``baseline`` units and the ``cost`` of each unit
    more or fewer. Where the baseline has none, each unit is a change: ``deploy``'s
    ``change_cost``."""


def days_by_year(start: date, days: int) -> dict[int, int]:
    """How the days of a period from ``start`` fall into calendar years."""
    split: dict[int, int] = defaultdict(int)
    for offset in range(days):
        split[(start + timedelta(days=offset)).year] += 1
    return dict(split)


def within_periods(periods: pd.DataFrame, first: date | None, last: date | None) -> np.ndarray:
    """Which periods lie wholly between ``first`` and ``last`` (either may be open)."""
    mask = np.ones(len(periods), dtype=bool)
    if first is not None:
        mask &= (periods["period_start"] >= first).to_numpy(dtype=bool)
    if last is not None:
        mask &= (periods["period_end"] <= last).to_numpy(dtype=bool)
    return mask


def _inside(periods: pd.DataFrame, first: date | None, last: date | None) -> set[int]:
    """Periods lying wholly between ``first`` and ``last`` (either may be open)."""
    return set(periods.loc[within_periods(periods, first, last), PERIOD].tolist())


def reserve_periods(scenario: Scenario,
                    periods: pd.DataFrame) -> dict[tuple[str, bool], np.ndarray]:
    """Which periods the reserve may serve, by section and whether it is equipment."""
    allowed: dict[tuple[str, bool], np.ndarray] = defaultdict(
        lambda: np.zeros(len(periods), dtype=bool))
    horizon_end = scenario.horizon.end
    for intervention in scenario.rapid_interventions:
        end = intervention.end_date or horizon_end
        for equipment, lead in ((False, intervention.officer_lead_days),
                                (True, intervention.equipment_lead_days)):
            earliest = intervention.decision_date + timedelta(days=lead)
            allowed[intervention.section_id, equipment] |= within_periods(periods, earliest, end)
    return allowed


def _isin(frame: pd.DataFrame, keys: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Whether each row of ``frame`` matches some row of ``keys`` on ``columns``."""
    if frame.empty or keys.empty:
        return np.zeros(len(frame), dtype=bool)
    rows = pd.MultiIndex.from_frame(frame[columns])
    return rows.isin(pd.MultiIndex.from_frame(keys[columns]))


def _as_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` typed as a table built from a list of rows would be.

    Each column's type is inferred from its values (text as ``str``); without rows, every
    column is ``object``.
    """
    return frame.astype(object) if frame.empty else frame.infer_objects()


def _is_rotating(contribution: Contribution) -> bool:
    return contribution.category is Category.LONG_TERM or contribution.deployment_length is not None


def _offers(scenario: Scenario, periods: pd.DataFrame) -> pd.DataFrame:
    """Every (pledge, section, period) it could serve.

    A period must lie in the pledge's window and, except for host units, in the section's
    access window; the reserve serves only rapid interventions, after their lead time.
    Rows come pledge by pledge, section by section, each pair's periods in order.
    """
    access = {section.id: within_periods(periods, section.access_from, section.access_to)
              for section in scenario.sections}
    kind_of = {kind.id: kind for kind in scenario.kinds}
    reserve = reserve_periods(scenario, periods)
    never = np.zeros(len(periods), dtype=bool)
    pairs: list[tuple[str, str]] = []
    usable: list[np.ndarray] = []  # one mask over the periods per (pledge, section) pair
    for contribution in scenario.contributions:
        if contribution.quantity == 0:
            continue
        window = within_periods(periods, contribution.available_from, contribution.available_to)
        is_vehicle = kind_of[contribution.kind_id].kind_class is KindClass.VEHICLE
        for section_id in contribution.sections or access:
            mask = window
            if contribution.category is not Category.HOST:
                mask = mask & access[section_id]
            if contribution.category is Category.RESERVE:
                mask = mask & reserve.get((section_id, is_vehicle), never)
            pairs.append((contribution.id, section_id))
            usable.append(mask)
    grid = np.vstack(usable) if usable else np.zeros((0, len(periods)), dtype=bool)
    pair, column = np.nonzero(grid)  # row-major: pair by pair, periods in order
    pair_ids = np.array(pairs, dtype=object).reshape(len(pairs), 2)
    return pd.DataFrame({
        CONTRIBUTION_ID: pair_ids[pair, 0],
        SECTION_ID: pair_ids[pair, 1],
        PERIOD: periods[PERIOD].to_numpy()[column],
    }).astype({PERIOD: "int64"})


def _contributions(scenario: Scenario, periods: pd.DataFrame) -> pd.DataFrame:
    """One row per pledge with what the index needs to know of it."""
    kind_of = {kind.id: kind for kind in scenario.kinds}
    rows = []
    for c in scenario.contributions:
        kind = kind_of[c.kind_id]
        rows.append({
            CONTRIBUTION_ID: c.id,
            KIND_ID: c.kind_id,
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


def _speaks(scenario: Scenario) -> pd.DataFrame:
    """``contribution_id`` and ``language_id`` of each language a pledge interprets."""
    return pd.DataFrame(
        [(c.id, language_id) for c in scenario.contributions for language_id in c.languages],
        columns=[CONTRIBUTION_ID, "language_id"],
    )


def _useful(scenario: Scenario, requirements: Requirements, offers: pd.DataFrame,
            contributions: pd.DataFrame, vehicles_at: pd.DataFrame) -> pd.Series:
    """Whether each offer could help where and when it is offered.

    It helps if its kind is needed there and then, it interprets a needed language, or it
    crews (or, as a host officer, rides aboard) a vehicle that may be there (``vehicles_at``:
    ``section_id``, ``period`` and the vehicle's ``kind_id``).
    """
    crews = {kind.id: kind.crew_kind for kind in scenario.kinds
             if kind.crew_kind is not None and kind.crew_size}
    crewed = vehicles_at[vehicles_at[KIND_ID].isin(crews)]
    crew_needed = crewed.assign(kind_id=crewed[KIND_ID].map(crews))
    info = contributions.set_index(CONTRIBUTION_ID)
    offered = offers.assign(kind_id=offers[CONTRIBUTION_ID].map(info[KIND_ID]))
    host_officer = offers[CONTRIBUTION_ID].map(info["host_officer"]).to_numpy(dtype=bool)
    # Each offer of an interpreter, once per needed language it speaks there and then.
    interpreting = offers.assign(row=np.arange(len(offers))).merge(
        _speaks(scenario), on=CONTRIBUTION_ID
    ).merge(requirements.language_needs[[SECTION_ID, PERIOD, "language_id"]],
            on=[SECTION_ID, PERIOD, "language_id"])
    interprets = np.zeros(len(offers), dtype=bool)
    interprets[interpreting["row"].to_numpy(dtype="int64")] = True
    where = [SECTION_ID, PERIOD, KIND_ID]
    flags = (
        _isin(offered, requirements.kind_needs, where)
        | _isin(offered, crew_needed, where)
        | (host_officer & _isin(offered, vehicles_at, [SECTION_ID, PERIOD]))
        | interprets
    )
    return pd.Series(flags, index=offers.index, dtype=bool)


def _kept(offers: pd.DataFrame, useful: pd.Series, info: pd.DataFrame) -> pd.DataFrame:
    """The offers that get a variable.

    Those are the useful ones, and for pledges with rotations or start costs every period
    at a section where they are useful at all.
    """
    dense = offers[CONTRIBUTION_ID].map(info["dense"]).astype(bool)
    chosen = offers[useful]
    pairs = chosen[[CONTRIBUTION_ID, SECTION_ID]].drop_duplicates()
    return pd.concat([
        chosen[~dense[useful]],
        offers[dense].merge(pairs, on=[CONTRIBUTION_ID, SECTION_ID]),
    ])


def _vehicles_at(frame: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    """``section_id``, ``period`` and vehicle ``kind_id`` of the vehicle rows in ``frame``."""
    vehicles = frame[CONTRIBUTION_ID].map(info["kind_class"]) == KindClass.VEHICLE.value
    chosen = frame.loc[vehicles, [SECTION_ID, PERIOD, CONTRIBUTION_ID]]
    return pd.DataFrame({SECTION_ID: chosen[SECTION_ID], PERIOD: chosen[PERIOD],
                         KIND_ID: chosen[CONTRIBUTION_ID].map(info[KIND_ID])})


def _running(scenario: Scenario, periods: pd.DataFrame) -> pd.DataFrame:
    """Units already deployed, per pledge, section and period (each one starting by `until`)."""
    rows = []
    for running in scenario.running_deployments:
        for period in periods.loc[periods["period_start"] <= running.until, PERIOD]:
            rows.append((running.contribution_id, running.section_id, int(period),
                         running.quantity))
    frame = pd.DataFrame(rows, columns=[CONTRIBUTION_ID, SECTION_ID, PERIOD, "running"])
    frame = frame.groupby([CONTRIBUTION_ID, SECTION_ID, PERIOD], as_index=False).agg(
        running=("running", "sum")
    )
    return frame.astype({PERIOD: "int64", "running": "int64"})


def _run_ends(offers: pd.DataFrame) -> pd.Series:
    """For each offer, the last period of the unbroken run of offered periods it lies in.

    Runs are per pledge and section; ``offers`` come pair by pair, periods in order.
    """
    contribution = offers[CONTRIBUTION_ID].to_numpy()
    section = offers[SECTION_ID].to_numpy()
    period = offers[PERIOD].to_numpy()
    continues = np.zeros(len(offers), dtype=bool)
    continues[1:] = ((contribution[1:] == contribution[:-1]) & (section[1:] == section[:-1])
                     & (period[1:] == period[:-1] + 1))
    run = np.cumsum(~continues)
    return offers[PERIOD].groupby(run).transform("max")


def _starts(deploy: pd.DataFrame, offers: pd.DataFrame, contributions: pd.DataFrame,
            periods: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Start variables, and for rotations which starts are still present in each period.

    Pledges with start costs but no rotation may start wherever they have a variable. A
    rotation starts only where it is offered, and only if it stays offered throughout its
    length (cut at the horizon's end); category 2 without a length stays as long as it is
    offered, to the end of its window or until the section closes.
    """
    info = contributions.set_index(CONTRIBUTION_ID)
    last_period = int(periods[PERIOD].max())
    dense = deploy[deploy[CONTRIBUTION_ID].map(info["dense"])]
    rotating = dense[CONTRIBUTION_ID].map(info["rotating"]).astype(bool)

    # Units running when the horizon starts arrived before it: not a start in period 1.
    fixed = dense.loc[~rotating, [*KEY, "running"]]
    fixed = fixed.assign(rotating=False,
                         running_before=fixed["running"].where(fixed[PERIOD] == 1, 0))

    # A rotation can start only where it is offered; kept in deploy order.
    offered = offers.assign(run_end=_run_ends(offers))
    tenures = (dense.loc[rotating, KEY].reset_index(names="position")
               .merge(offered, on=KEY).set_index("position").sort_index())
    start = tenures[PERIOD]
    window_end = info["window"].map(lambda window: max(window, default=0))
    length = tenures[CONTRIBUTION_ID].map(info["length"]).astype("float64")
    # A fixed length, cut at the horizon's end; without one (category 2), as long as it is
    # offered there, up to the end of its window.
    while_offered = tenures["run_end"].clip(upper=tenures[CONTRIBUTION_ID].map(window_end))
    end = (start + length - 1).clip(upper=last_period).fillna(while_offered).astype("int64")
    offered_throughout = (end >= start) & (end <= tenures["run_end"])
    tenures, end = tenures[offered_throughout], end[offered_throughout]
    stay = (end - tenures[PERIOD] + 1).to_numpy()

    rotations = tenures[KEY].assign(rotating=True, running_before=0)
    starts = pd.concat([fixed, rotations]).sort_index()
    starts = starts.assign(cost=_start_cost(starts, info["start_cost"]))
    starts = starts[[*KEY, "cost", "rotating", "running_before"]].reset_index(drop=True)

    # Each rotation start is present from its period to its end, start by start.
    row = np.repeat(np.arange(len(rotations)), stay)
    step = np.arange(len(row)) - np.repeat(np.cumsum(stay) - stay, stay)
    start_period = rotations[PERIOD].to_numpy()[row]
    rotation = rotations[[CONTRIBUTION_ID, SECTION_ID]].iloc[row].reset_index(drop=True)
    rotation = rotation.assign(period=start_period + step, start_period=start_period)
    return (_as_rows(starts).astype({PERIOD: "int64", "cost": "float64", "rotating": "bool"}),
            _as_rows(rotation).astype({PERIOD: "int64", "start_period": "int64"}))


def _caps(scenario: Scenario, deploy: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Unit-days each capped pledge's deployments count in each calendar year."""
    caps = {c.id: cap for c in scenario.contributions if (cap := c.annual_cap()) is not None}
    split = pd.DataFrame(
        [(int(period), year, days)
         for period, start, period_days in zip(periods[PERIOD], periods["period_start"],
                                               periods["days"], strict=True)
         for year, days in days_by_year(start, int(period_days)).items()],
        columns=[PERIOD, "year", "days"],
    )
    capped = deploy.loc[deploy[CONTRIBUTION_ID].isin(caps), KEY]
    # Deployment by deployment, and each one's years in order.
    rows = capped.reset_index(drop=True).reset_index(names="row").merge(split, on=PERIOD)
    rows = rows.sort_values(["row", "year"], kind="stable", ignore_index=True)
    rows["cap"] = rows[CONTRIBUTION_ID].map(caps)
    return _as_rows(rows[[CONTRIBUTION_ID, "year", "cap", SECTION_ID, PERIOD, "days"]])


def _binding_caps(caps: pd.DataFrame, quantity: pd.Series) -> set[tuple[str, int]]:
    """(pledge, year) pairs whose cap is below what the pledge could serve that year."""
    days = caps.drop_duplicates([CONTRIBUTION_ID, "year", PERIOD]).groupby(
        [CONTRIBUTION_ID, "year"]).agg(days=("days", "sum"), cap=("cap", "first"))
    units = quantity.to_dict()
    potential = days["days"] * [units[c] for c in days.index.get_level_values(CONTRIBUTION_ID)]
    return {(str(c), int(y)) for c, y in days.index[days["cap"] < potential]}


def _reserve_gates(deploy: pd.DataFrame, offers: pd.DataFrame, contributions: pd.DataFrame,
                   rotation: pd.DataFrame, periods: pd.DataFrame,
                   capped: set[tuple[str, int]]) -> pd.DataFrame:
    """Reserve deployments, and the pledges each must wait for.

    Those are the first-line pledges (see ``FIRST_CATEGORIES``) of the same kind that could
    serve at the same section and period. A rotating pledge counts only in periods some
    start could cover; one whose cap can bind in a year (``capped``: pledge and year) is also
    exhausted once that cap is spent.
    """
    columns = ["role", SECTION_ID, PERIOD, KIND_ID, CONTRIBUTION_ID, "quantity",
               "year", "capped"]
    reserve = deploy[deploy["category"] == Category.RESERVE.value].merge(
        offers, on=[CONTRIBUTION_ID, SECTION_ID, PERIOD])
    if reserve.empty:
        return pd.DataFrame(columns=columns)
    info = contributions.set_index(CONTRIBUTION_ID)
    # Only pledges that have a variable there can help there; offers where they cannot
    # help (no need of theirs, no language of theirs) must not hold the reserve back.
    helping = deploy.loc[deploy["available"] > 0, [CONTRIBUTION_ID, SECTION_ID, PERIOD]]
    first = helping.merge(offers, on=[CONTRIBUTION_ID, SECTION_ID, PERIOD])
    first = first.assign(kind_id=first[CONTRIBUTION_ID].map(info[KIND_ID]),
                         kind_class=first[CONTRIBUTION_ID].map(info["kind_class"]),
                         category=first[CONTRIBUTION_ID].map(info["category"]),
                         quantity=first[CONTRIBUTION_ID].map(info["quantity"]))
    gates = reserve[[SECTION_ID, PERIOD, KIND_ID]].drop_duplicates()
    first = first.merge(gates, on=[SECTION_ID, PERIOD, KIND_ID])
    first_line = pd.DataFrame(
        [(klass.value, category.value)
         for klass, categories in FIRST_CATEGORIES.items() for category in categories],
        columns=["kind_class", "category"])
    first = first[_isin(first, first_line, ["kind_class", "category"])]
    rotating = first[CONTRIBUTION_ID].map(info["rotating"]).to_numpy(dtype=bool)
    candidates = rotation[CONTRIBUTION_ID].isin(first.loc[rotating, CONTRIBUTION_ID])
    reachable = pd.concat([rotation.loc[candidates, [CONTRIBUTION_ID, PERIOD]],
                           deploy.loc[deploy["running"] > 0, [CONTRIBUTION_ID, PERIOD]]])
    first = first[~rotating | _isin(first, reachable, [CONTRIBUTION_ID, PERIOD])]
    year = {int(t): start.year for t, start in zip(periods[PERIOD], periods["period_start"],
                                                    strict=True)}
    table = pd.concat([
        reserve.assign(role="reserve", quantity=reserve["available"]),
        first.assign(role="first"),
    ], ignore_index=True)
    table["year"] = table[PERIOD].map(year)
    capped_years = pd.DataFrame(list(capped), columns=[CONTRIBUTION_ID, "year"])
    table["capped"] = (table["role"] == "first") & _isin(table, capped_years,
                                                         [CONTRIBUTION_ID, "year"])
    return table[columns]


def _baseline(scenario: Scenario, periods: pd.DataFrame) -> pd.DataFrame:
    """The baseline's units per pledge, section and period.

    ``baseline`` (all of them), ``baseline_starts``, and ``pinned``: those of its cohorts
    that arrived by the freeze date, which stay to their last day.
    """
    columns = [*KEY, "baseline", "baseline_starts", "pinned"]
    if scenario.baseline is None:
        return pd.DataFrame(columns=columns)
    units = pd.DataFrame([(u.contribution_id, u.section_id, u.period, u.quantity, u.starts)
                          for u in scenario.baseline.units],
                         columns=[*KEY, "baseline", "baseline_starts"])
    pinned = pd.DataFrame(
        [(c.contribution_id, c.section_id, t, c.quantity) for c in kept_cohorts(scenario)
         for t in range(c.first_period, c.last_period + 1)], columns=[*KEY, "pinned"],
    ).groupby(KEY, as_index=False).agg(pinned=("pinned", "sum"))
    table = units.merge(pinned, on=KEY, how="outer").fillna(0)
    return table.astype({PERIOD: "int64", "baseline": "int64", "baseline_starts": "int64",
                         "pinned": "int64"})[columns]


def _deploy_bounds(deploy: pd.DataFrame, baseline: pd.DataFrame, scenario: Scenario,
                   days: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bounds of the deployments, and the change costs of a re-plan around a baseline.

    Up to the freeze, every deployment is what the baseline has (none where it has none);
    after it, the cohorts that arrived by then stay (as running units do), and each unit
    more or fewer than the baseline costs ``replanning.change_cost`` per day.
    """
    deploy = deploy.assign(least=deploy["running"], most=deploy["available"], change_cost=0.0,
                           baseline=0)
    empty = pd.DataFrame({CONTRIBUTION_ID: pd.Series(dtype=object),
                          SECTION_ID: pd.Series(dtype=object),
                          PERIOD: pd.Series(dtype="int64"),
                          "baseline": pd.Series(dtype="int64"),
                          "cost": pd.Series(dtype="float64")})
    if scenario.baseline is None:
        return deploy, empty
    merged = deploy[KEY].merge(baseline, on=KEY, how="left").fillna(0)
    held = merged["baseline"].to_numpy(dtype=np.int64)
    pinned = merged["pinned"].to_numpy(dtype=np.int64)
    frozen = (deploy[PERIOD] <= scenario.frozen_periods()).to_numpy()
    least = np.where(frozen, held, deploy["running"].to_numpy() + pinned)
    most = np.where(frozen, held, deploy["available"].to_numpy())
    _refuse_unkeepable(deploy, least, deploy["available"].to_numpy())
    per_unit = scenario.replanning.change_cost * deploy[PERIOD].map(days).to_numpy(dtype=float)
    fresh = ~frozen & (held == 0)
    change_cost = np.where(fresh, per_unit, 0.0)
    deploy = deploy.assign(least=least, most=most, change_cost=change_cost, baseline=held)
    moved = ~frozen & (held > 0)
    moves = deploy.loc[moved, KEY].assign(baseline=held[moved], cost=per_unit[moved])
    return deploy, moves.reset_index(drop=True)


def _refuse_unkeepable(deploy: pd.DataFrame, least: np.ndarray, available: np.ndarray) -> None:
    """Raise ``UsageError`` where the baseline keeps more of a pledge than it now offers.

    At one section (outside its window, say), or over all its sections in a period.
    """
    kept = deploy[[CONTRIBUTION_ID, SECTION_ID, PERIOD]].assign(
        least=least, available=available)
    totals = kept.groupby([CONTRIBUTION_ID, PERIOD], as_index=False, sort=True).agg(
        least=("least", "sum"), available=("available", "max"), sections=(SECTION_ID, "nunique"))
    lines = [f"{row.contribution_id} at {row.section_id} in period {row.period}: the baseline "
             f"keeps {row.least}, the pledge offers {row.available} there"
             for row in kept[kept["least"] > kept["available"]].itertuples()]
    lines += [f"{row.contribution_id} in period {row.period}: the baseline keeps {row.least} "
              f"over {row.sections} sections, the pledge offers {row.available}"
              for row in totals[(totals["least"] > totals["available"])
                                & (totals["sections"] > 1)].itertuples()]
    if lines:
        more = f" (and {len(lines) - 5} more)" if len(lines) > 5 else ""
        raise UsageError("the baseline's deployments cannot be kept in this scenario: "
                         + "; ".join(lines[:5]) + more)


def _start_bounds(starts: pd.DataFrame, baseline: pd.DataFrame, scenario: Scenario
                  ) -> pd.DataFrame:
    """Bounds of the starts: up to the freeze, a rotation starts as in the baseline."""
    starts = starts.assign(least=0.0, most=np.inf, baseline=0)
    if scenario.baseline is None:
        return starts
    frozen = scenario.frozen_periods()
    held = starts[KEY].merge(baseline, on=KEY, how="left")["baseline_starts"].fillna(0)
    fixed = (starts["rotating"] & (starts[PERIOD] <= frozen)).to_numpy()
    value = held.to_numpy(dtype=float)
    missing = baseline[(baseline["baseline_starts"] > 0)
                       & (baseline[PERIOD] <= frozen)]
    missing = missing[~_isin(missing, starts[starts["rotating"]], KEY)]
    rotating = {c.id for c in scenario.contributions if _is_rotating(c)}
    missing = missing[missing[CONTRIBUTION_ID].isin(rotating)]
    if not missing.empty:
        row = missing.iloc[0]
        raise UsageError(
            f"the baseline's deployments cannot be kept in this scenario: a rotation of "
            f"{row['contribution_id']} starts at {row['section_id']} in period "
            f"{row['period']}, where this scenario cannot start one (and "
            f"{len(missing) - 1} more)")
    return starts.assign(least=np.where(fixed, value, 0.0),
                         most=np.where(fixed, value, np.inf), baseline=value.astype(np.int64))


def _deploy_cost(deploy: pd.DataFrame, scenario: Scenario, days: pd.Series) -> pd.Series:
    """Each deployment's cost per unit for its period."""
    daily = {c.id: c.daily_cost for c in scenario.contributions}
    return deploy[CONTRIBUTION_ID].map(daily) * deploy[PERIOD].map(days)


def _start_cost(starts: pd.DataFrame, start_cost: pd.Series) -> pd.Series:
    """Each start's cost per unit (``start_cost``: by pledge)."""
    return starts[CONTRIBUTION_ID].map(start_cost)


def priced_needs(scenario: Scenario, requirements: Requirements
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Needs with what leaving them uncovered costs.

    Kind needs with their penalty per unit and period; language needs with theirs and the
    remote interpretation cost.
    """
    days = requirements.periods.set_index(PERIOD)["days"]
    needs = requirements.kind_needs
    penalty = pd.Series({(p.kind_id, level): getattr(p, level)
                         for p in scenario.penalties for level in IMPACT_LEVELS}, dtype="float64")
    per_day = penalty.loc[pd.MultiIndex.from_frame(needs[[KIND_ID, "impact_level"]])]
    cover = needs.assign(penalty=per_day.to_numpy() * needs[PERIOD].map(days).to_numpy())
    remote = {language.id: language.remote_cost for language in scenario.languages}
    language_needs = requirements.language_needs
    language = language_needs.assign(
        penalty=language_needs["impact_level"].map(scenario.language_penalty.at)
        * language_needs[PERIOD].map(days),
        remote_cost=language_needs["language_id"].map(remote).astype("float64"),
    )
    language["remote_cost_per_period"] = language["remote_cost"] * language[PERIOD].map(days)
    return cover, language


def index_shape(scenario: Scenario, requirements: Requirements) -> tuple[Any, ...]:
    """Everything the index's rows depend on; costs, penalties and demand are left out.

    Two scenarios of the same shape have indexes with the same rows, which differ only in
    needs, costs and penalties (see :func:`refresh_index`). Cheap: no table is built.
    """
    def keys(frame: pd.DataFrame, columns: list[str]) -> tuple[Any, ...]:
        return tuple(tuple(frame[column].tolist()) for column in columns)

    return (
        scenario.horizon,
        scenario.kinds,
        scenario.nationalities,
        scenario.running_deployments,
        scenario.rapid_interventions,
        scenario.baseline,
        scenario.replanning,
        tuple(c.model_copy(update={"daily_cost": 0.0, "start_cost": float(c.start_cost > 0)})
              for c in scenario.contributions),
        tuple(s.model_copy(update={"impact_level": IMPACT_LEVELS[0]})
              for s in scenario.sections),
        tuple(language.model_copy(update={
            "need_per_arrival": 0.0,
            "remote_cost": None if language.remote_cost is None else 0.0})
              for language in scenario.languages),
        tuple(p.kind_id for p in scenario.penalties),
        keys(requirements.kind_needs, [SECTION_ID, PERIOD, KIND_ID]),
        keys(requirements.language_needs, [SECTION_ID, PERIOD, "language_id"]),
    )


def refresh_index(index: ModelIndex, scenario: Scenario, requirements: Requirements
                  ) -> ModelIndex:
    """``index`` with the needs, costs and penalties of ``scenario``.

    Only for a scenario of the same :func:`index_shape` as the one ``index`` was built
    from: then the result equals ``build_index(scenario, requirements)``.
    """
    days = requirements.periods.set_index(PERIOD)["days"]
    cover, language = priced_needs(scenario, requirements)
    start_cost = pd.Series({c.id: c.start_cost for c in scenario.contributions}, dtype="float64")
    return replace(
        index,
        deploy=index.deploy.assign(cost=_deploy_cost(index.deploy, scenario, days)),
        starts=index.starts.assign(cost=_start_cost(index.starts, start_cost)),
        cover=cover,
        language=language,
    )


def build_index(scenario: Scenario, requirements: Requirements) -> ModelIndex:
    """Work out which deployments, starts, shortfalls and rules can exist."""
    periods = requirements.periods
    days = periods.set_index(PERIOD)["days"]
    contributions = _contributions(scenario, periods)
    info = contributions.set_index(CONTRIBUTION_ID)
    offers = _offers(scenario, periods)

    # Vehicles may stay where they are not needed (rotations, start costs, running units):
    # their crews and host officers must be able to be there too, hence a second pass.
    kind_class = {kind.id: kind.kind_class.value for kind in scenario.kinds}
    needs = requirements.kind_needs
    vehicles_at = needs.loc[needs[KIND_ID].map(kind_class) == KindClass.VEHICLE.value,
                            [SECTION_ID, PERIOD, KIND_ID]]
    kept = _kept(offers, _useful(scenario, requirements, offers, contributions, vehicles_at), info)
    running = _running(scenario, periods)
    present = pd.concat([_vehicles_at(kept, info), _vehicles_at(running, info)])
    if not _isin(present, vehicles_at, [SECTION_ID, PERIOD, KIND_ID]).all():
        kept = _kept(offers, _useful(scenario, requirements, offers, contributions,
                                     pd.concat([vehicles_at, present])), info)
    deploy = kept.merge(running, on=[CONTRIBUTION_ID, SECTION_ID, PERIOD], how="outer")
    baseline = _baseline(scenario, periods)
    if not baseline.empty:  # what the baseline deployed must stay possible
        deploy = deploy.merge(baseline[KEY], on=KEY, how="outer")
    deploy["running"] = deploy["running"].fillna(0).astype("int64")
    for column in (KIND_ID, "kind_class", "category", "personnel", "host_officer", "rotating",
                   "crew_kind", "crew_size"):
        deploy[column] = deploy[CONTRIBUTION_ID].map(info[column])
    windows = pd.DataFrame(
        [(c, t) for c, window in zip(contributions[CONTRIBUTION_ID], contributions["window"],
                                     strict=True)
         for t in window],
        columns=[CONTRIBUTION_ID, PERIOD])
    in_window = _isin(deploy, windows, [CONTRIBUTION_ID, PERIOD])
    deploy["available"] = deploy[CONTRIBUTION_ID].map(info["quantity"]).where(in_window, 0)
    deploy["cost"] = _deploy_cost(deploy, scenario, days)
    deploy = deploy.sort_values([CONTRIBUTION_ID, SECTION_ID, PERIOD], ignore_index=True)
    deploy, moves = _deploy_bounds(deploy, baseline, scenario, days)

    starts, rotation = _starts(deploy, offers, contributions, periods)
    starts = _start_bounds(starts, baseline, scenario)
    caps = _caps(scenario, deploy, periods)

    cover, language = priced_needs(scenario, requirements)
    language_needs = requirements.language_needs

    speaks = _speaks(scenario)
    interpreters = deploy.loc[deploy["kind_class"] == KindClass.INTERPRETER.value,
                              [CONTRIBUTION_ID, SECTION_ID, PERIOD]]
    interpret = interpreters.merge(speaks).merge(
        language_needs[[SECTION_ID, PERIOD, "language_id"]]
    ).sort_values([CONTRIBUTION_ID, SECTION_ID, PERIOD, "language_id"], ignore_index=True)

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
        reserve_gates=_reserve_gates(deploy, offers, contributions, rotation, periods,
                                     _binding_caps(caps, info["quantity"])),
        moves=moves,
    )
