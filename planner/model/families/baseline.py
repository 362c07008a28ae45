"""A re-plan's changes: after the freeze, units more or fewer than the baseline.

    deploy[c, s, t]  -  above_baseline[c, s, t]  +  below_baseline[c, s, t]  =  baseline[c, s, t]

Each unit-day above or below the baseline costs the change cost.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.columns import DEPLOY_KEY
from planner.model.families.base import (
    Built,
    ColumnFamily,
    Columns,
    PyomoRule,
    RowFamily,
    Rows,
    arange,
    locate,
    mapping,
    tuples,
)
from planner.model.families.sentences import Sentences
from planner.model.index import ModelIndex

KEY = tuple(DEPLOY_KEY)


def _moves(index: ModelIndex) -> Columns:
    moves = index.moves
    return Columns(moves[DEPLOY_KEY], 0.0, np.inf, {"change_cost": moves["cost"]})


def _rows(built: Built) -> Rows:
    moves = built.index.moves
    local = arange(len(moves))
    baseline = moves["baseline"].to_numpy(dtype=float)
    return Rows(moves[DEPLOY_KEY], baseline, baseline, [
        (local, "deploy", locate(moves, built.index.deploy, DEPLOY_KEY), 1.0),
        (local, "above_baseline", local, -1.0),
        (local, "below_baseline", local, 1.0),
    ])


def _pyomo(index: ModelIndex) -> PyomoRule:
    baseline = mapping(index.moves, DEPLOY_KEY, "baseline")

    def rule(m: Any, *key: Any) -> Any:
        return (m.deploy[key] - m.above_baseline[key] + m.below_baseline[key]
                == baseline[key])

    return tuples(index.moves, DEPLOY_KEY), rule


def _sentence(say: Sentences, contribution: str, section: str, period: int) -> str:
    return (f"units of pledge '{contribution}' at section '{section}' in {say.when(period)} "
            "beyond or short of the baseline count as changes")


ABOVE_BASELINE = ColumnFamily("above_baseline", KEY, "amount", _moves,
                              touched_by=frozenset({"prices"}))
BELOW_BASELINE = ColumnFamily("below_baseline", KEY, "amount", _moves,
                              touched_by=frozenset({"prices"}))
BASELINE = RowFamily("baseline", KEY, _rows, _pyomo, _sentence)
