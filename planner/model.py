"""The deployment model: sparse index sets from the scenario and needs, then the Pyomo model."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import pyomo.environ as pyo

from planner.requirements import Requirements
from planner.schema import Category, KindClass, Scenario

NEED_KEY = ["section_id", "period"]

Key = TypeVar("Key", bound=Hashable)
Member = TypeVar("Member")


@dataclass(frozen=True)
class ModelIndex:
    """The combinations that exist in the model, as tables: one row per variable.

    Built before any Pyomo object, so the same index serves the model, its extraction
    and the model-size report.
    """

    deploy: pd.DataFrame
    """``contribution_id``, ``section_id``, ``period``, ``kind_id``, ``quantity``,
    ``personnel`` (counts against beds), ``cost`` (objective coefficient)."""
    cover: pd.DataFrame
    """Kind needs with their ``penalty`` coefficient per uncovered unit in the period."""
    language: pd.DataFrame
    """Language needs with their ``penalty`` coefficient."""
    interpret: pd.DataFrame
    """``contribution_id``, ``section_id``, ``period``, ``language_id``: interpreter capacity
    that may go to a language."""
    beds: dict[str, int]
    """Beds of the sections that have a limit."""


@dataclass(frozen=True)
class ModelSize:
    """Rows, columns and nonzeros of the optimisation model."""

    variables: int
    constraints: int
    nonzeros: int


@dataclass
class DeploymentModel:
    """A built Pyomo model with the index it was built from."""

    model: pyo.ConcreteModel
    index: ModelIndex
    size: ModelSize


def build_index(scenario: Scenario, requirements: Requirements) -> ModelIndex:
    """Work out which deployments, shortfalls and language assignments can exist."""
    periods = requirements.periods
    days = periods.set_index("period")["days"]
    offers = _contribution_offers(scenario, periods)

    kind_class = {kind.id: kind.kind_class for kind in scenario.kinds}
    needs = requirements.kind_needs
    wanted = needs[["section_id", "period", "kind_id"]]
    interpreter_offers = offers[offers["kind_id"].map(kind_class) == KindClass.INTERPRETER]
    speaks = pd.DataFrame(
        [(c.id, language) for c in scenario.contributions for language in c.languages],
        columns=["contribution_id", "language_id"],
    )
    interpret = interpreter_offers[["contribution_id", *NEED_KEY]].merge(speaks).merge(
        requirements.language_needs[[*NEED_KEY, "language_id"]]
    )
    useful = pd.concat([
        offers.merge(wanted, on=[*NEED_KEY, "kind_id"])[["contribution_id", *NEED_KEY]],
        interpret[["contribution_id", *NEED_KEY]],
    ]).drop_duplicates()
    deploy = offers.merge(useful, on=["contribution_id", *NEED_KEY])
    deploy["cost"] = deploy["daily_cost"] * deploy["period"].map(days)
    deploy = deploy.drop(columns="daily_cost").sort_values(
        ["contribution_id", *NEED_KEY], ignore_index=True
    )

    kind_penalty = {
        (penalty.kind_id, level): getattr(penalty, level)
        for penalty in scenario.penalties
        for level in ("low", "medium", "high", "critical")
    }
    cover = needs.assign(
        penalty=[
            kind_penalty[(kind_id, level)] * days[period]
            for kind_id, level, period in zip(
                needs["kind_id"], needs["impact_level"], needs["period"], strict=True
            )
        ]
    )
    language_needs = requirements.language_needs
    language = language_needs.assign(
        penalty=language_needs["impact_level"].map(scenario.language_penalty.at)
        * language_needs["period"].map(days)
    )
    beds = {section.id: section.beds for section in scenario.sections if section.beds is not None}
    return ModelIndex(deploy, cover, language, interpret.sort_values(
        ["contribution_id", *NEED_KEY, "language_id"], ignore_index=True
    ), beds)


def _contribution_offers(scenario: Scenario, periods: pd.DataFrame) -> pd.DataFrame:
    """Every (contribution, eligible section, period inside its window) with its terms."""
    all_sections = [section.id for section in scenario.sections]
    horizon_start, horizon_end = periods["period_start"].iloc[0], periods["period_end"].iloc[-1]
    kind_class = {kind.id: kind.kind_class for kind in scenario.kinds}
    rows = []
    for contribution in scenario.contributions:
        if contribution.quantity == 0:
            continue
        first = contribution.available_from or horizon_start
        last = contribution.available_to or horizon_end
        inside = periods.loc[
            (periods["period_start"] >= first) & (periods["period_end"] <= last), "period"
        ].to_numpy()
        personnel = (
            kind_class[contribution.kind_id] is not KindClass.VEHICLE
            and contribution.category is not Category.HOST
        )
        for section_id in contribution.sections or all_sections:
            rows.append((contribution.id, contribution.kind_id, section_id, inside,
                         contribution.quantity, personnel, contribution.daily_cost))
    offers = pd.DataFrame(rows, columns=["contribution_id", "kind_id", "section_id", "period",
                                         "quantity", "personnel", "daily_cost"])
    offers = offers.explode("period").dropna(subset=["period"])
    return offers.astype({"period": "int64", "quantity": "int64", "personnel": "bool"})


def _groups(keys: Iterable[Key], members: Iterable[Member]) -> dict[Key, list[Member]]:
    """Members grouped by key, in order."""
    grouped: dict[Key, list[Member]] = defaultdict(list)
    for key, member in zip(keys, members, strict=True):
        grouped[key].append(member)
    return grouped


def _tuples(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    return list(frame[columns].itertuples(index=False, name=None))


def build_model(scenario: Scenario, requirements: Requirements) -> DeploymentModel:
    """Build the linear deployment model of record over the sparse index.

    Minimise deployment cost plus penalties on uncovered needs, subject to cover (per
    section, kind, period), language (per section, language, period), interpreter capacity,
    availability (per contribution and period) and accommodation (per section and period).
    """
    index = build_index(scenario, requirements)
    deploy, cover, language, interpret = index.deploy, index.cover, index.language, index.interpret
    m = pyo.ConcreteModel(name=scenario.meta.name)

    deploy_keys = _tuples(deploy, ["contribution_id", *NEED_KEY])
    cover_keys = _tuples(cover, [*NEED_KEY, "kind_id"])
    language_keys = _tuples(language, [*NEED_KEY, "language_id"])
    interpret_keys = _tuples(interpret, ["contribution_id", *NEED_KEY, "language_id"])

    quantity = dict(zip(deploy_keys, deploy["quantity"].tolist(), strict=True))
    required = dict(zip(cover_keys, cover["required"].tolist(), strict=True))
    language_required = dict(zip(language_keys, language["required"].tolist(), strict=True))

    m.DEPLOY = pyo.Set(initialize=deploy_keys, dimen=3, ordered=True)
    m.COVER = pyo.Set(initialize=cover_keys, dimen=3, ordered=True)
    m.LANGUAGE = pyo.Set(initialize=language_keys, dimen=3, ordered=True)
    m.INTERPRET = pyo.Set(initialize=interpret_keys, dimen=4, ordered=True)

    m.deploy = pyo.Var(m.DEPLOY, domain=pyo.NonNegativeReals,
                       bounds=lambda _, *key: (0, quantity[key]))
    m.uncovered = pyo.Var(m.COVER, domain=pyo.NonNegativeReals,
                          bounds=lambda _, *key: (0, required[key]))
    m.interpret = pyo.Var(m.INTERPRET, domain=pyo.NonNegativeReals)
    m.unserved_language = pyo.Var(m.LANGUAGE, domain=pyo.NonNegativeReals,
                                  bounds=lambda _, *key: (0, language_required[key]))

    nonzeros = 0

    deploy_by_need = _groups(
        zip(deploy["section_id"], deploy["period"], deploy["kind_id"], strict=True), deploy_keys
    )

    def cover_rule(model: pyo.ConcreteModel, section: str, period: int, kind: str) -> object:
        terms = deploy_by_need.get((section, period, kind), [])
        return sum(model.deploy[key] for key in terms) + model.uncovered[
            section, period, kind
        ] >= required[section, period, kind]

    m.cover = pyo.Constraint(m.COVER, rule=cover_rule)
    nonzeros += len(cover_keys) + sum(len(deploy_by_need.get(key, ())) for key in cover_keys)

    interpret_by_need = _groups(
        zip(interpret["section_id"], interpret["period"], interpret["language_id"], strict=True),
        interpret_keys,
    )

    def language_rule(model: pyo.ConcreteModel, section: str, period: int, lang: str) -> object:
        terms = interpret_by_need.get((section, period, lang), [])
        return sum(model.interpret[key] for key in terms) + model.unserved_language[
            section, period, lang
        ] >= language_required[section, period, lang]

    m.language = pyo.Constraint(m.LANGUAGE, rule=language_rule)
    nonzeros += len(language_keys) + len(interpret_keys)

    interpret_by_deploy = _groups(
        zip(interpret["contribution_id"], interpret["section_id"], interpret["period"],
            strict=True),
        interpret_keys,
    )
    m.INTERPRETER_DEPLOY = pyo.Set(initialize=list(interpret_by_deploy), dimen=3, ordered=True)
    m.interpreter_capacity = pyo.Constraint(
        m.INTERPRETER_DEPLOY,
        rule=lambda model, *key: sum(model.interpret[k] for k in interpret_by_deploy[key])
        <= model.deploy[key],
    )
    nonzeros += len(interpret_by_deploy) + len(interpret_keys)

    # A contribution deployable to one section only is already capped by its variable bound.
    deploy_by_offer = {
        key: members
        for key, members in _groups(
            zip(deploy["contribution_id"], deploy["period"], strict=True), deploy_keys
        ).items()
        if len(members) > 1
    }
    offer_quantity = {key: quantity[members[0]] for key, members in deploy_by_offer.items()}
    m.OFFER = pyo.Set(initialize=list(deploy_by_offer), dimen=2, ordered=True)
    m.availability = pyo.Constraint(
        m.OFFER,
        rule=lambda model, *key: sum(model.deploy[k] for k in deploy_by_offer[key])
        <= offer_quantity[key],
    )
    nonzeros += sum(len(members) for members in deploy_by_offer.values())

    # Only sections where the personnel that could come exceeds the beds need a row.
    personnel = deploy[deploy["personnel"] & deploy["section_id"].isin(index.beds)]
    personnel_by_stay = _groups(
        zip(personnel["section_id"], personnel["period"], strict=True),
        _tuples(personnel, ["contribution_id", *NEED_KEY]),
    )
    crowded = {
        key: members
        for key, members in personnel_by_stay.items()
        if sum(quantity[member] for member in members) > index.beds[key[0]]
    }
    m.STAY = pyo.Set(initialize=list(crowded), dimen=2, ordered=True)
    m.accommodation = pyo.Constraint(
        m.STAY,
        rule=lambda model, section, period: sum(
            model.deploy[k] for k in crowded[section, period]
        ) <= index.beds[section],
    )
    nonzeros += sum(len(members) for members in crowded.values())

    deploy_cost = dict(zip(deploy_keys, deploy["cost"].tolist(), strict=True))
    cover_penalty = dict(zip(cover_keys, cover["penalty"].tolist(), strict=True))
    language_penalty = dict(zip(language_keys, language["penalty"].tolist(), strict=True))
    m.deployment_cost = pyo.Expression(
        expr=pyo.quicksum(deploy_cost[key] * m.deploy[key] for key in deploy_keys)
    )
    m.shortfall_penalty = pyo.Expression(
        expr=pyo.quicksum(cover_penalty[key] * m.uncovered[key] for key in cover_keys)
    )
    m.language_penalty = pyo.Expression(
        expr=pyo.quicksum(
            language_penalty[key] * m.unserved_language[key] for key in language_keys
        )
    )
    m.total_cost = pyo.Objective(
        expr=m.deployment_cost + m.shortfall_penalty + m.language_penalty, sense=pyo.minimize
    )

    size = ModelSize(
        variables=len(deploy_keys) + len(cover_keys) + len(interpret_keys) + len(language_keys),
        constraints=len(cover_keys) + len(language_keys) + len(interpret_by_deploy)
        + len(deploy_by_offer) + len(crowded),
        nonzeros=nonzeros,
    )
    return DeploymentModel(m, index, size)

