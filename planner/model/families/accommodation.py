"""Accommodation: deployed personnel at a section (host-state staff excluded) fit its beds.

sum over personnel pledges c:  deploy[c, s, t]  <=  beds[s]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.columns import DEPLOY_KEY, NEED_KEY, SECTION_ID
from planner.model.families.base import (
    Built,
    PyomoRule,
    RowFamily,
    Rows,
    grouped,
    groups,
    tuples,
)
from planner.model.families.sentences import Sentences
from planner.model.index import ModelIndex

KEY = tuple(NEED_KEY)


def _lodged(index: ModelIndex) -> np.ndarray:
    """Whether each deployment is personnel at a section with a bed limit."""
    deploy = index.deploy
    return (deploy["personnel"].astype(bool)
            & deploy[SECTION_ID].isin(index.beds)).to_numpy()


def _rows(built: Built) -> Rows:
    lodged = _lodged(built.index)
    keys, number = grouped(built.index.deploy[lodged], NEED_KEY)
    return Rows(keys, -np.inf, keys[SECTION_ID].map(built.index.beds), [
        (number, "deploy", np.flatnonzero(lodged), 1.0),
    ])


def _pyomo(index: ModelIndex) -> PyomoRule:
    personnel = index.deploy[_lodged(index)]
    by_stay = groups(tuples(personnel, NEED_KEY), tuples(personnel, DEPLOY_KEY))
    # Every section-period with a limit gets its row, even where fewer could come than
    # there are beds: a what-if that only changes availability keeps the model's shape.

    def rule(m: Any, section: str, period: int) -> Any:
        return sum(m.deploy[key] for key in by_stay[section, period]) <= index.beds[section]

    return list(by_stay), rule


def _sentence(say: Sentences, section: str, period: int) -> str:
    return (f"section '{section}' has {say.index.beds[section]} beds for deployed "
            f"personnel in {say.when(period)}")


ACCOMMODATION = RowFamily("accommodation", KEY, _rows, _pyomo, _sentence)
