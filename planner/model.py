"""The deployment model of record: the Pyomo formulation over the sparse index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.index import ModelIndex, build_index
from planner.requirements import Requirements
from planner.schema import Scenario

NEED_KEY = ["section_id", "period"]
DEPLOY_KEY = ["contribution_id", "section_id", "period"]

Key = TypeVar("Key", bound=Hashable)
Member = TypeVar("Member")

OBJECTIVE_PARTS = (
    "deployment_cost",
    "start_cost",
    "shortfall_penalty",
    "language_penalty",
    "remote_interpretation",
    "change_cost",
)
"""The objective's named terms, as the model's Expressions call them."""


@dataclass(frozen=True)
class ModelSize:
    """Rows, columns and nonzeros of the optimisation model."""

    variables: int
    constraints: int
    nonzeros: int
    integers: int = 0


@dataclass
class DeploymentModel:
    """A built Pyomo model with the index it was built from."""

    model: pyo.ConcreteModel
    index: ModelIndex
    size: ModelSize
    whole_units: bool


def _groups(keys: Iterable[Key], members: Iterable[Member]) -> dict[Key, list[Member]]:
    """Members grouped by key, in order."""
    grouped: dict[Key, list[Member]] = defaultdict(list)
    for key, member in zip(keys, members, strict=True):
        grouped[key].append(member)
    return grouped


def _tuples(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    return list(frame[list(columns)].itertuples(index=False, name=None))


def _mapping(frame: pd.DataFrame, key: Sequence[str], value: str) -> dict[tuple[Any, ...], Any]:
    return dict(zip(_tuples(frame, key), frame[value].tolist(), strict=True))


class _Counter:
    """Counts constraints and nonzeros as the model is built."""

    def __init__(self) -> None:
        self.constraints = 0
        self.nonzeros = 0

    def add(self, rows: int, nonzeros: int) -> None:
        self.constraints += rows
        self.nonzeros += nonzeros


def build_model(
    scenario: Scenario, requirements: Requirements, *, whole_units: bool = True
) -> DeploymentModel:
    """Build the deployment model of record over the sparse index.

    Minimise deployment and start costs plus penalties on uncovered needs, subject to
    cover, language, interpreter capacity, availability, rotations, annual caps,
    accommodation, crews and host officers aboard, and the reserve coming last. With
    ``whole_units`` deployments and starts are integers; without, the model is an LP.
    """
    index = build_index(scenario, requirements)
    m = pyo.ConcreteModel(name=scenario.meta.name)
    count = _Counter()
    units = pyo.NonNegativeIntegers if whole_units else pyo.NonNegativeReals

    deploy, starts = index.deploy, index.starts
    deploy_keys = _tuples(deploy, DEPLOY_KEY)
    start_keys = _tuples(starts, DEPLOY_KEY)
    cover_keys = _tuples(index.cover, [*NEED_KEY, "kind_id"])
    language_keys = _tuples(index.language, [*NEED_KEY, "language_id"])
    interpret_keys = _tuples(index.interpret, [*DEPLOY_KEY, "language_id"])
    remote_keys = _tuples(index.language[index.language["remote_cost"].notna()],
                          [*NEED_KEY, "language_id"])

    bounds = dict(zip(deploy_keys, zip(deploy["least"].tolist(), deploy["most"].tolist(),
                                       strict=True), strict=True))
    start_bounds = dict(zip(start_keys, zip(
        starts["least"].tolist(), [None if np.isinf(most) else most for most in starts["most"]],
        strict=True), strict=True))
    required = _mapping(index.cover, [*NEED_KEY, "kind_id"], "required")
    language_required = _mapping(index.language, [*NEED_KEY, "language_id"], "required")

    m.DEPLOY = pyo.Set(initialize=deploy_keys, dimen=3, ordered=True)
    m.START = pyo.Set(initialize=start_keys, dimen=3, ordered=True)
    m.COVER = pyo.Set(initialize=cover_keys, dimen=3, ordered=True)
    m.LANGUAGE = pyo.Set(initialize=language_keys, dimen=3, ordered=True)
    m.INTERPRET = pyo.Set(initialize=interpret_keys, dimen=4, ordered=True)
    m.REMOTE = pyo.Set(initialize=remote_keys, dimen=3, ordered=True)

    m.deploy = pyo.Var(m.DEPLOY, domain=units, bounds=lambda _, *key: bounds[key])
    m.start = pyo.Var(m.START, domain=units, bounds=lambda _, *key: start_bounds[key])
    m.uncovered = pyo.Var(m.COVER, domain=pyo.NonNegativeReals,
                          bounds=lambda _, *key: (0, required[key]))
    m.interpret = pyo.Var(m.INTERPRET, domain=pyo.NonNegativeReals)
    m.remote = pyo.Var(m.REMOTE, domain=pyo.NonNegativeReals)
    m.unserved_language = pyo.Var(m.LANGUAGE, domain=pyo.NonNegativeReals,
                                  bounds=lambda _, *key: (0, language_required[key]))

    _cover(m, index, required, count)
    _languages(m, index, language_required, count)
    _availability(m, index, count)
    _rotations_and_starts(m, index, count)
    _annual_caps(m, index, count)
    _accommodation(m, index, count)
    _crews(m, index, count)
    _reserve_last(m, index, whole_units, count)
    _baseline(m, index, count)
    _objective(m, index, deploy_keys, start_keys, cover_keys, language_keys, remote_keys)

    binaries = len(m.reserve_open) + len(m.cap_spent)
    variables = (len(deploy_keys) + len(start_keys) + len(cover_keys) + len(interpret_keys)
                 + len(remote_keys) + len(language_keys) + binaries + 2 * len(m.MOVE))
    integers = len(deploy_keys) + len(start_keys) + binaries if whole_units else 0
    size = ModelSize(variables, count.constraints, count.nonzeros, integers)
    return DeploymentModel(m, index, size, whole_units)


def _cover(m: pyo.ConcreteModel, index: ModelIndex, required: dict, count: _Counter) -> None:
    """Units of a kind at a section and period, plus what stays uncovered, meet the need."""
    deploy = index.deploy
    by_need = _groups(_tuples(deploy, [*NEED_KEY, "kind_id"]), _tuples(deploy, DEPLOY_KEY))

    def rule(model: pyo.ConcreteModel, section: str, period: int, kind: str) -> Any:
        terms = by_need.get((section, period, kind), [])
        return (sum(model.deploy[key] for key in terms)
                + model.uncovered[section, period, kind] >= required[section, period, kind])

    m.cover = pyo.Constraint(m.COVER, rule=rule)
    count.add(len(m.COVER), len(m.COVER) + sum(len(by_need.get(key, ())) for key in m.COVER))


def _languages(
    m: pyo.ConcreteModel, index: ModelIndex, required: dict, count: _Counter
) -> None:
    """Interpreters on site, remote interpretation and unserved need meet each language need.

    An interpreter's time is shared among the languages it interprets.
    """
    interpret = index.interpret
    interpret_keys = _tuples(interpret, [*DEPLOY_KEY, "language_id"])
    by_need = _groups(_tuples(interpret, [*NEED_KEY, "language_id"]), interpret_keys)
    remote = set(m.REMOTE)

    def language_rule(model: pyo.ConcreteModel, section: str, period: int, lang: str) -> Any:
        key = (section, period, lang)
        on_site = sum(model.interpret[k] for k in by_need.get(key, []))
        far = model.remote[key] if key in remote else 0
        return on_site + far + model.unserved_language[key] >= required[key]

    m.language = pyo.Constraint(m.LANGUAGE, rule=language_rule)
    count.add(len(m.LANGUAGE), len(m.LANGUAGE) + len(interpret_keys) + len(remote))

    by_deploy = _groups(_tuples(interpret, DEPLOY_KEY), interpret_keys)
    m.INTERPRETER_DEPLOY = pyo.Set(initialize=list(by_deploy), dimen=3, ordered=True)
    m.interpreter_capacity = pyo.Constraint(
        m.INTERPRETER_DEPLOY,
        rule=lambda model, *key: sum(model.interpret[k] for k in by_deploy[key])
        <= model.deploy[key],
    )
    count.add(len(by_deploy), len(by_deploy) + len(interpret_keys))


def _availability(m: pyo.ConcreteModel, index: ModelIndex, count: _Counter) -> None:
    """A pledge fields at most its quantity in each period, over all its sections."""
    deploy = index.deploy
    # A pledge deployable to one section only is already capped by its variable's bound.
    by_offer = {
        key: members
        for key, members in _groups(_tuples(deploy, ["contribution_id", "period"]),
                                    _tuples(deploy, DEPLOY_KEY)).items()
        if len(members) > 1
    }
    available = _mapping(deploy, DEPLOY_KEY, "available")
    m.OFFER = pyo.Set(initialize=list(by_offer), dimen=2, ordered=True)
    m.availability = pyo.Constraint(
        m.OFFER,
        rule=lambda model, *key: sum(model.deploy[k] for k in by_offer[key])
        <= available[by_offer[key][0]],
    )
    count.add(len(by_offer), sum(len(members) for members in by_offer.values()))


def _rotations_and_starts(m: pyo.ConcreteModel, index: ModelIndex, count: _Counter) -> None:
    """Rotations, and the starts that other pledges pay for.

    In a rotation the units present are those running plus those that started within its
    length. Elsewhere a start is counted whenever more units are present than before.
    """
    rotation = index.rotation
    covering = _groups(_tuples(rotation, DEPLOY_KEY), _tuples(rotation, ["start_period"]))
    running = _mapping(index.deploy, DEPLOY_KEY, "running")
    rotating = index.deploy[index.deploy["rotating"]]
    rotating_keys = _tuples(rotating, DEPLOY_KEY)
    m.ROTATING = pyo.Set(initialize=rotating_keys, dimen=3, ordered=True)
    m.rotation = pyo.Constraint(
        m.ROTATING,
        rule=lambda model, c, s, t: model.deploy[c, s, t]
        == running[c, s, t] + sum(model.start[c, s, tau] for (tau,) in covering.get((c, s, t), [])),
    )
    count.add(len(rotating_keys), len(rotating_keys) + len(rotation))

    tracked = index.starts[~index.starts["rotating"]]
    tracked_keys = _tuples(tracked, DEPLOY_KEY)
    present = set(m.DEPLOY)
    before = _mapping(tracked, DEPLOY_KEY, "running_before")

    def start_rule(model: pyo.ConcreteModel, c: str, s: str, t: int) -> Any:
        earlier = model.deploy[c, s, t - 1] if (c, s, t - 1) in present else before[c, s, t]
        return model.start[c, s, t] >= model.deploy[c, s, t] - earlier

    m.TRACKED_START = pyo.Set(initialize=tracked_keys, dimen=3, ordered=True)
    m.start_count = pyo.Constraint(m.TRACKED_START, rule=start_rule)
    count.add(len(tracked_keys), sum(3 if (c, s, t - 1) in present else 2
                                     for c, s, t in tracked_keys))


def _cap_terms(index: ModelIndex) -> tuple[dict[tuple[Any, ...], list[tuple[Any, ...]]],
                                           dict[tuple[Any, ...], Any]]:
    """Per (pledge, year): the (pledge, section, period, days) terms and the cap."""
    caps = index.caps
    terms = _groups(_tuples(caps, ["contribution_id", "year"]),
                    _tuples(caps, [*DEPLOY_KEY, "days"]))
    limit = _mapping(caps.drop_duplicates(["contribution_id", "year"]),
                     ["contribution_id", "year"], "cap")
    return terms, limit


def _annual_caps(m: pyo.ConcreteModel, index: ModelIndex, count: _Counter) -> None:
    """A pledge serves at most its cap of unit-days in each calendar year."""
    terms, limit = _cap_terms(index)
    m.CAP = pyo.Set(initialize=list(terms), dimen=2, ordered=True)
    m.annual_cap = pyo.Constraint(
        m.CAP,
        rule=lambda model, c, year: sum(days * model.deploy[c, s, t]
                                        for c, s, t, days in terms[c, year]) <= limit[c, year],
    )
    count.add(len(terms), len(index.caps))


def _accommodation(m: pyo.ConcreteModel, index: ModelIndex, count: _Counter) -> None:
    """Deployed personnel at a section (host-state staff excluded) fit its beds."""
    deploy = index.deploy
    personnel = deploy[deploy["personnel"] & deploy["section_id"].isin(index.beds)]
    by_stay = _groups(_tuples(personnel, NEED_KEY), _tuples(personnel, DEPLOY_KEY))
    # Every section-period with a limit gets its row, even where fewer could come than
    # there are beds: a what-if that only changes availability keeps the model's shape.
    m.STAY = pyo.Set(initialize=list(by_stay), dimen=2, ordered=True)
    m.accommodation = pyo.Constraint(
        m.STAY,
        rule=lambda model, section, period: sum(
            model.deploy[k] for k in by_stay[section, period]
        ) <= index.beds[section],
    )
    count.add(len(by_stay), sum(len(members) for members in by_stay.values()))


def _crews(m: pyo.ConcreteModel, index: ModelIndex, count: _Counter) -> None:
    """Each vehicle has its crew at the same section and period, and a host officer aboard."""
    deploy = index.deploy
    vehicles = deploy[deploy["kind_class"] == "vehicle"]
    crewed = vehicles[vehicles["crew_size"] > 0]
    # One row per crew kind: an officer crews one vehicle at a time, of whichever kind.
    crew_rows = _groups(_tuples(crewed, [*NEED_KEY, "crew_kind"]),
                        _tuples(crewed, [*DEPLOY_KEY, "crew_size"]))
    officers = _groups(_tuples(deploy, [*NEED_KEY, "kind_id"]), _tuples(deploy, DEPLOY_KEY))

    m.CREW = pyo.Set(initialize=list(crew_rows), dimen=3, ordered=True)
    m.crew = pyo.Constraint(
        m.CREW,
        rule=lambda model, s, t, k: sum(size * model.deploy[c, s_, t_]
                                        for c, s_, t_, size in crew_rows[s, t, k])
        <= sum(model.deploy[key] for key in officers.get((s, t, k), [])),
    )
    count.add(len(crew_rows), sum(
        len(members) + len(officers.get((s, t, k), []))
        for (s, t, k), members in crew_rows.items()
    ))

    by_stay = _groups(_tuples(vehicles, NEED_KEY), _tuples(vehicles, DEPLOY_KEY))
    hosts = deploy[deploy["host_officer"]]
    host_by_stay = _groups(_tuples(hosts, NEED_KEY), _tuples(hosts, DEPLOY_KEY))
    m.VEHICLE_STAY = pyo.Set(initialize=list(by_stay), dimen=2, ordered=True)
    m.host_aboard = pyo.Constraint(
        m.VEHICLE_STAY,
        rule=lambda model, s, t: sum(model.deploy[k] for k in by_stay[s, t])
        <= sum(model.deploy[k] for k in host_by_stay.get((s, t), [])),
    )
    count.add(len(by_stay), sum(len(members) + len(host_by_stay.get(key, []))
                                for key, members in by_stay.items()))


def _reserve_last(
    m: pyo.ConcreteModel, index: ModelIndex, whole_units: bool, count: _Counter
) -> None:
    """The reserve (category 4) serves only once categories 1-3 are fully deployed.

    That is every category 1-3 pledge of the same kind that could serve at the section.
    The gate's big-M is what the reserve could add there: available less running.
    """
    gates = index.reserve_gates
    gate_keys = sorted({(g.section_id, g.period, g.kind_id) for g in gates.itertuples()})
    m.GATE = pyo.Set(initialize=gate_keys, dimen=3, ordered=True)
    m.reserve_open = pyo.Var(m.GATE, domain=pyo.Binary if whole_units else pyo.UnitInterval)

    reserve = gates[gates["role"] == "reserve"]
    reserve_keys = _tuples(reserve, DEPLOY_KEY)
    gate_of = dict(zip(reserve_keys, _tuples(reserve, [*NEED_KEY, "kind_id"]), strict=True))
    available = _mapping(index.deploy, DEPLOY_KEY, "available")
    m.RESERVE = pyo.Set(initialize=reserve_keys, dimen=3, ordered=True)
    running = _mapping(index.deploy, DEPLOY_KEY, "running")
    m.reserve_gate = pyo.Constraint(
        m.RESERVE,
        rule=lambda model, *key: model.deploy[key] - running[key]
        <= (available[key] - running[key]) * model.reserve_open[gate_of[key]],
    )
    count.add(len(reserve_keys), 2 * len(reserve_keys))

    first = gates[gates["role"] == "first"]
    first_keys = _tuples(first, [*NEED_KEY, "kind_id", "contribution_id"])
    quantity = _mapping(first, [*NEED_KEY, "kind_id", "contribution_id"], "quantity")
    year = _mapping(first, [*NEED_KEY, "kind_id", "contribution_id"], "year")
    capped = first[first["capped"].astype(bool)]
    spent_keys = sorted(set(_tuples(capped, ["contribution_id", "year"])))

    # A capped pledge is also exhausted once its cap for the year is spent: once less than
    # one unit for one more period remains (whole units use the cap up in such steps).
    cap_terms, cap_limit = _cap_terms(index)
    period_days = int(index.periods["days"].max())
    m.SPENT = pyo.Set(initialize=spent_keys, dimen=2, ordered=True)
    m.cap_spent = pyo.Var(m.SPENT, domain=pyo.Binary if whole_units else pyo.UnitInterval)
    m.cap_spent_rule = pyo.Constraint(
        m.SPENT,
        rule=lambda model, c, y: sum(days * model.deploy[c, s, t]
                                     for c, s, t, days in cap_terms[c, y])
        >= max(cap_limit[c, y] - period_days + 1, 0) * model.cap_spent[c, y],
    )
    count.add(len(spent_keys), sum(len(cap_terms[key]) + 1 for key in spent_keys))

    deploy = index.deploy
    fielded = _groups(_tuples(deploy, ["contribution_id", "period"]), _tuples(deploy, DEPLOY_KEY))
    spent = set(spent_keys)

    def first_rule(model: pyo.ConcreteModel, s: str, t: int, k: str, c: str) -> Any:
        gate = model.reserve_open[s, t, k]
        if (c, year[s, t, k, c]) in spent:
            gate = gate - model.cap_spent[c, year[s, t, k, c]]
        return sum(model.deploy[key] for key in fielded.get((c, t), [])) >= quantity[
            s, t, k, c] * gate

    m.FIRST = pyo.Set(initialize=first_keys, dimen=4, ordered=True)
    m.first_exhausted = pyo.Constraint(m.FIRST, rule=first_rule)
    count.add(len(first_keys), sum(len(fielded.get((c, t), [])) + 1
                                   for s, t, k, c in first_keys) + len(capped))


def _baseline(m: pyo.ConcreteModel, index: ModelIndex, count: _Counter) -> None:
    """After a re-plan's freeze, units more or fewer than the baseline are the changes."""
    moves = index.moves
    move_keys = _tuples(moves, DEPLOY_KEY)
    baseline = _mapping(moves, DEPLOY_KEY, "baseline")
    m.MOVE = pyo.Set(initialize=move_keys, dimen=3, ordered=True)
    m.above_baseline = pyo.Var(m.MOVE, domain=pyo.NonNegativeReals)
    m.below_baseline = pyo.Var(m.MOVE, domain=pyo.NonNegativeReals)
    m.baseline = pyo.Constraint(
        m.MOVE,
        rule=lambda model, *key: model.deploy[key] - model.above_baseline[key]
        + model.below_baseline[key] == baseline[key],
    )
    count.add(len(move_keys), 3 * len(move_keys))


def _objective(
    m: pyo.ConcreteModel,
    index: ModelIndex,
    deploy_keys: list[tuple[Any, ...]],
    start_keys: list[tuple[Any, ...]],
    cover_keys: list[tuple[Any, ...]],
    language_keys: list[tuple[Any, ...]],
    remote_keys: list[tuple[Any, ...]],
) -> None:
    """Costs plus penalties, each term a named Expression so results can show the split."""
    deploy_cost = _mapping(index.deploy, DEPLOY_KEY, "cost")
    start_cost = _mapping(index.starts, DEPLOY_KEY, "cost")
    cover_penalty = _mapping(index.cover, [*NEED_KEY, "kind_id"], "penalty")
    language_penalty = _mapping(index.language, [*NEED_KEY, "language_id"], "penalty")
    remote_cost = _mapping(index.language, [*NEED_KEY, "language_id"], "remote_cost_per_period")
    m.deployment_cost = pyo.Expression(
        expr=pyo.quicksum(deploy_cost[key] * m.deploy[key] for key in deploy_keys)
    )
    m.start_cost = pyo.Expression(
        expr=pyo.quicksum(start_cost[key] * m.start[key] for key in start_keys if start_cost[key])
    )
    m.shortfall_penalty = pyo.Expression(
        expr=pyo.quicksum(cover_penalty[key] * m.uncovered[key] for key in cover_keys)
    )
    m.language_penalty = pyo.Expression(
        expr=pyo.quicksum(
            language_penalty[key] * m.unserved_language[key] for key in language_keys
        )
    )
    m.remote_interpretation = pyo.Expression(
        expr=pyo.quicksum(remote_cost[key] * m.remote[key] for key in remote_keys)
    )
    change_cost = _mapping(index.deploy, DEPLOY_KEY, "change_cost")
    move_cost = _mapping(index.moves, DEPLOY_KEY, "cost")
    m.change_cost = pyo.Expression(
        expr=pyo.quicksum(change_cost[key] * m.deploy[key] for key in deploy_keys
                          if change_cost[key])
        + pyo.quicksum(move_cost[key] * (m.above_baseline[key] + m.below_baseline[key])
                       for key in m.MOVE)
    )
    m.total_cost = pyo.Objective(
        expr=sum(getattr(m, part) for part in OBJECTIVE_PARTS), sense=pyo.minimize
    )

