"""Annual caps: a pledge serves at most its cap of unit-days in each calendar year.

    sum over sections s and periods t in year y:  days[t, y] * deploy[c, s, t]  <=  cap[c, y]

``days[t, y]`` is the part of period t that falls in year y.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.columns import CONTRIBUTION_ID, DEPLOY_KEY
from planner.model.families.base import (
    Built,
    PyomoRule,
    RowFamily,
    Rows,
    grouped,
    groups,
    locate,
    mapping,
    tuples,
)
from planner.model.families.sentences import Sentences
from planner.model.index import ModelIndex

KEY = (CONTRIBUTION_ID, "year")


def cap_terms(index: ModelIndex) -> tuple[dict[tuple[Any, ...], list[tuple[Any, ...]]],
                                          dict[tuple[Any, ...], Any]]:
    """Per (pledge, year): its (pledge, section, period, days) terms, and its cap."""
    caps = index.caps
    terms = groups(tuples(caps, KEY), tuples(caps, [*DEPLOY_KEY, "days"]))
    limit = mapping(caps.drop_duplicates(list(KEY)), KEY, "cap")
    return terms, limit


def cap_arrays(index: ModelIndex) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The caps' keys (with ``cap``), each cap term's cap, and each term's deploy column."""
    caps = index.caps
    keys, number = grouped(caps, KEY)
    first = np.unique(number, return_index=True)[1]
    limits = keys.assign(cap=caps["cap"].to_numpy(dtype=float)[first])
    return limits, number, locate(caps, index.deploy, DEPLOY_KEY)


def _rows(built: Built) -> Rows:
    limits, number, columns = cap_arrays(built.index)
    return Rows(limits[list(KEY)], -np.inf, limits["cap"], [
        (number, "deploy", columns, built.index.caps["days"].to_numpy(dtype=float)),
    ])


def _pyomo(index: ModelIndex) -> PyomoRule:
    terms, limit = cap_terms(index)

    def rule(m: Any, c: str, year: int) -> Any:
        return sum(days * m.deploy[c, s, t] for c, s, t, days in terms[c, year]) <= limit[c, year]

    return list(terms), rule


def _sentence(say: Sentences, contribution: str, year: int) -> str:
    return (f"pledge '{contribution}' serves at most {say.caps[contribution, year]:g} "
            f"unit-days in {year}")


ANNUAL_CAP = RowFamily("annual_cap", KEY, _rows, _pyomo, _sentence)
