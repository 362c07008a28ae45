"""The deployment model of record: the Pyomo formulation over the sparse index.

The model is its families (:mod:`planner.model.families`), in the registry's order: one
variable per column family, one constraint per row family, each constraint's rule written
as algebra in its family's module, beside the same rule as arrays. The objective is the
sum of its named terms (``OBJECTIVE_PARTS``), each the columns' costs in it::

    minimise  sum over terms p, column families f, keys j:  cost[p, f, j] * f[j]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.repn.standard_repn import generate_standard_repn

from planner.model.families import COLUMNS, ROWS
from planner.model.families.base import ColumnFamily, Columns, tuples
from planner.model.index import ModelIndex, build_index
from planner.model.keys import OBJECTIVE_PARTS, ModelSize
from planner.model.requirements import Requirements
from planner.scenario.schema import Scenario

DOMAINS = {
    # (domain, whole units): Pyomo's domain
    ("units", True): pyo.NonNegativeIntegers,
    ("units", False): pyo.NonNegativeReals,
    ("gate", True): pyo.Binary,
    ("gate", False): pyo.UnitInterval,
    ("amount", True): pyo.NonNegativeReals,
    ("amount", False): pyo.NonNegativeReals,
}
"""Each column family's domain as a Pyomo domain, with and without whole units."""


@dataclass
class DeploymentModel:
    """A built Pyomo model with the index it was built from."""

    model: pyo.ConcreteModel
    index: ModelIndex
    size: ModelSize
    whole_units: bool


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
    columns = {family.name: family.arrays(index) for family in COLUMNS}
    for family in COLUMNS:
        _declare(m, family, columns[family.name], whole_units)
    for rule in ROWS:
        keys, expression = rule.pyomo(index)
        keyed = pyo.Set(initialize=keys, dimen=len(rule.key), ordered=True)
        setattr(m, rule.name.upper(), keyed)
        setattr(m, rule.name, pyo.Constraint(keyed, rule=expression))
    _objective(m, columns)
    return DeploymentModel(m, index, _size(m, whole_units), whole_units)


def _declare(m: pyo.ConcreteModel, family: ColumnFamily, arrays: Columns,
             whole_units: bool) -> None:
    """A column family as a Pyomo variable over its keys, with its bounds."""
    keys = tuples(arrays.keys, family.key)
    size = len(keys)
    lower = np.broadcast_to(np.asarray(arrays.lower, dtype=float), (size,)).tolist()
    upper = np.broadcast_to(np.asarray(arrays.upper, dtype=float), (size,)).tolist()
    bounds = {key: (low, None if np.isinf(high) else high)
              for key, low, high in zip(keys, lower, upper, strict=True)}
    keyed = pyo.Set(initialize=keys, dimen=len(family.key), ordered=True)
    setattr(m, family.name.upper(), keyed)
    setattr(m, family.name, pyo.Var(keyed, domain=DOMAINS[family.domain, whole_units],
                                    bounds=lambda _, *key: bounds[key]))


def _objective(m: pyo.ConcreteModel, columns: dict[str, Columns]) -> None:
    """Costs plus penalties, each term a named Expression so results can show the split.

    A family's columns are all in its first term, even at no cost, so that the model of
    record holds every column the matrices have; its other terms skip what costs nothing.
    """
    for part in OBJECTIVE_PARTS:
        terms = []
        for family in COLUMNS:
            arrays = columns[family.name]
            if part not in arrays.costs:
                continue
            keys = tuples(arrays.keys, family.key)
            costs = np.broadcast_to(np.asarray(arrays.costs[part], dtype=float),
                                    (len(keys),)).tolist()
            every = next(iter(arrays.costs)) == part
            variable = getattr(m, family.name)
            terms.append(pyo.quicksum(cost * variable[key] for key, cost
                                      in zip(keys, costs, strict=True) if cost or every))
        setattr(m, part, pyo.Expression(expr=pyo.quicksum(terms)))
    m.total_cost = pyo.Objective(
        expr=sum(getattr(m, part) for part in OBJECTIVE_PARTS), sense=pyo.minimize
    )


def _size(m: pyo.ConcreteModel, whole_units: bool) -> ModelSize:
    """Rows, columns, nonzeros and integer columns, counted on the model itself."""
    variables = sum(len(getattr(m, family.name)) for family in COLUMNS)
    integers = sum(len(getattr(m, family.name)) for family in COLUMNS
                   if family.integer(whole_units))
    constraints = nonzeros = 0
    for rule in ROWS:
        for row in getattr(m, rule.name).values():
            constraints += 1
            linear = generate_standard_repn(row.body, compute_values=True)
            nonzeros += sum(1 for coefficient in linear.linear_coefs if coefficient != 0)
    return ModelSize(variables, constraints, nonzeros, integers)
