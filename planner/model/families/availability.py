"""Availability: a pledge fields at most its units in each period, over all its sections.

    sum over sections s:  deploy[c, s, t]  <=  available[c, t]

A pledge that may serve at one section only is already held by its column's bound, and
gets no row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.columns import CONTRIBUTION_ID, DEPLOY_KEY, PERIOD
from planner.model.families.base import (
    Built,
    PyomoRule,
    RowFamily,
    Rows,
    grouped,
    groups,
    keep_groups,
    mapping,
    tuples,
)
from planner.model.families.sentences import Sentences, units
from planner.model.index import ModelIndex

KEY = (CONTRIBUTION_ID, PERIOD)


def _rows(built: Built) -> Rows:
    deploy = built.index.deploy
    keys, number = grouped(deploy, KEY)
    count = np.bincount(number, minlength=len(keys))
    kept, renumbered = keep_groups(number, count > 1)
    first = np.unique(number, return_index=True)[1]
    available = deploy["available"].to_numpy()[first][count > 1]
    return Rows(keys[count > 1], -np.inf, available, [
        (renumbered, "deploy", np.flatnonzero(kept), 1.0),
    ])


def _pyomo(index: ModelIndex) -> PyomoRule:
    deploy = index.deploy
    by_offer = {key: items for key, items in groups(tuples(deploy, KEY),
                                                    tuples(deploy, DEPLOY_KEY)).items()
                if len(items) > 1}
    available = mapping(deploy, DEPLOY_KEY, "available")

    def rule(m: Any, contribution: str, period: int) -> Any:
        fielded = by_offer[contribution, period]
        return sum(m.deploy[key] for key in fielded) <= available[fielded[0]]

    return list(by_offer), rule


def _sentence(say: Sentences, contribution: str, period: int) -> str:
    count = next((value for (c, _, t), value in say.available.items()
                  if c == contribution and t == period), 0)
    return f"pledge '{contribution}' fields at most {units(count)} in {say.when(period)}"


AVAILABILITY = RowFamily("availability", KEY, _rows, _pyomo, _sentence)
