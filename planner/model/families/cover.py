"""Cover: the units of a kind at a section and period, plus what stays uncovered, meet its need.

    sum over pledges c of kind k:  deploy[c, s, t]  +  uncovered[s, t, k]  >=  required[s, t, k]

``uncovered[s, t, k]`` (at most the need) costs the kind's penalty per unit and period.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.columns import DEPLOY_KEY, KIND_ID, NEED_KEY
from planner.model.families.base import (
    Built,
    ColumnFamily,
    Columns,
    PyomoRule,
    RowFamily,
    Rows,
    arange,
    groups,
    locate,
    mapping,
    tuples,
)
from planner.model.families.sentences import Sentences, units
from planner.model.index import ModelIndex

KEY = (*NEED_KEY, KIND_ID)


def _uncovered(index: ModelIndex) -> Columns:
    cover = index.cover
    return Columns(cover[list(KEY)], 0.0, cover["required"],
                   {"shortfall_penalty": cover["penalty"]})


def _rows(built: Built) -> Rows:
    cover, deploy = built.index.cover, built.index.deploy
    need = locate(deploy, cover, KEY)
    helps = need >= 0
    return Rows(cover[list(KEY)], cover["required"], np.inf, [
        (need[helps], "deploy", np.flatnonzero(helps), 1.0),
        (arange(len(cover)), "uncovered", arange(len(cover)), 1.0),
    ])


def _pyomo(index: ModelIndex) -> PyomoRule:
    deploy = index.deploy
    by_need = groups(tuples(deploy, KEY), tuples(deploy, DEPLOY_KEY))
    required = mapping(index.cover, KEY, "required")

    def rule(m: Any, section: str, period: int, kind: str) -> Any:
        deployed = sum(m.deploy[key] for key in by_need.get((section, period, kind), []))
        return deployed + m.uncovered[section, period, kind] >= required[section, period, kind]

    return list(required), rule


def _sentence(say: Sentences, section: str, period: int, kind: str) -> str:
    need = say.required.get((section, period, kind), 0)
    return (f"section '{section}' needs {units(need)} of '{kind}' in {say.when(period)}, "
            "deployed or left uncovered")


UNCOVERED = ColumnFamily("uncovered", KEY, "amount", _uncovered,
                         touched_by=frozenset({"needs", "prices"}))
COVER = RowFamily("cover", KEY, _rows, _pyomo, _sentence, touched_by=frozenset({"needs"}))
