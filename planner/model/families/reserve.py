"""The reserve comes last: category 4 serves only once categories 1-3 are exhausted.

    deploy[r, s, t] - running[r, s, t]  <=  (available - running)[r, s, t] * reserve_open[s, t, k]
    days-weighted deploy of c in year y  >=  max(cap[c, y] - period_days + 1, 0) * cap_spent[c, y]
    sum over sections:  deploy[c, ., t]  >=  quantity[c] * (reserve_open[s, t, k] - cap_spent[c, y])

for each reserve pledge r of kind k at section s, and each first-line (category 1-3)
pledge c of kind k that could serve there. Exhausted is fully deployed or, for a capped
pledge, its cap for the year spent: once less than one unit for one more period remains
(whole units use a cap up in such steps). The gate's big-M is what the reserve could add
there: available less running.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.columns import CONTRIBUTION_ID, DEPLOY_KEY, KIND_ID, NEED_KEY, PERIOD
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
    members,
    tuples,
)
from planner.model.families.caps import cap_arrays, cap_terms
from planner.model.families.sentences import Sentences
from planner.model.index import ModelIndex

GATE_KEY = (*NEED_KEY, KIND_ID)
SPENT_KEY = (CONTRIBUTION_ID, "year")
FIRST_KEY = (*NEED_KEY, KIND_ID, CONTRIBUTION_ID)


def _first(index: ModelIndex) -> pd.DataFrame:
    """The first-line pledges each gate waits for."""
    gates = index.reserve_gates
    return gates[gates["role"] == "first"].reset_index(drop=True)


def _reserve(index: ModelIndex) -> pd.DataFrame:
    """The reserve pledges each gate holds back."""
    gates = index.reserve_gates
    return gates[gates["role"] == "reserve"]


def _gates(index: ModelIndex) -> Columns:
    keys = (index.reserve_gates[list(GATE_KEY)].drop_duplicates()
            .sort_values(list(GATE_KEY)).reset_index(drop=True))
    return Columns(keys, 0.0, 1.0)


def _spent(index: ModelIndex) -> Columns:
    first = _first(index)
    keys = (first.loc[first["capped"].astype(bool), list(SPENT_KEY)].drop_duplicates()
            .sort_values(list(SPENT_KEY)).reset_index(drop=True))
    return Columns(keys, 0.0, 1.0)


def _period_days(index: ModelIndex) -> float:
    return float(index.periods["days"].max())


def _gate_rows(built: Built) -> Rows:
    deploy = built.index.deploy
    reserve = _reserve(built.index)
    columns = locate(reserve, deploy, DEPLOY_KEY)
    count = len(reserve)
    running = deploy["running"].to_numpy(dtype=float)[columns]
    room = (deploy["available"] - deploy["running"]).to_numpy(dtype=float)[columns]
    return Rows(reserve[DEPLOY_KEY], -np.inf, running, [
        (arange(count), "deploy", columns, 1.0),
        (arange(count), "reserve_open", locate(reserve, built.keys("reserve_open"), GATE_KEY),
         -room),
    ])


def _gate_pyomo(index: ModelIndex) -> PyomoRule:
    reserve = _reserve(index)
    keys = tuples(reserve, DEPLOY_KEY)
    gate_of = dict(zip(keys, tuples(reserve, GATE_KEY), strict=True))
    available = mapping(index.deploy, DEPLOY_KEY, "available")
    running = mapping(index.deploy, DEPLOY_KEY, "running")

    def rule(m: Any, *key: Any) -> Any:
        return (m.deploy[key] - running[key]
                <= (available[key] - running[key]) * m.reserve_open[gate_of[key]])

    return keys, rule


def _gate_sentence(say: Sentences, contribution: str, section: str, period: int) -> str:
    return (f"reserve pledge '{contribution}' serves at section '{section}' in "
            f"{say.when(period)} only once categories 1-3 are fully deployed")


def _spent_rows(built: Built) -> Rows:
    spent_keys = built.keys("cap_spent")
    caps, term_cap, term_column = cap_arrays(built.index)
    spent_cap = locate(spent_keys, caps, SPENT_KEY)
    threshold = np.maximum(caps["cap"].to_numpy(dtype=float)[spent_cap]
                           - _period_days(built.index) + 1, 0)
    term_of_spent = (locate(caps.iloc[term_cap], spent_keys, SPENT_KEY) if len(term_cap)
                     else np.array([], int))
    inside = term_of_spent >= 0
    return Rows(spent_keys, -np.inf, 0.0, [
        (arange(len(spent_keys)), "cap_spent", arange(len(spent_keys)), threshold),
        (term_of_spent[inside], "deploy", term_column[inside],
         -built.index.caps["days"].to_numpy(dtype=float)[inside]),
    ])


def _spent_pyomo(index: ModelIndex) -> PyomoRule:
    terms, limit = cap_terms(index)
    period_days = _period_days(index)
    spent = tuples(_spent(index).keys, SPENT_KEY)

    def rule(m: Any, c: str, y: int) -> Any:
        used = sum(days * m.deploy[c, s, t] for c, s, t, days in terms[c, y])
        return used >= max(limit[c, y] - period_days + 1, 0) * m.cap_spent[c, y]

    return spent, rule


def _spent_sentence(say: Sentences, contribution: str, year: int) -> str:
    return (f"pledge '{contribution}' counts as exhausted in {year} only once its "
            f"{say.caps[contribution, year]:g} unit-days are used")


def _first_rows(built: Built) -> Rows:
    first = _first(built.index)
    spent_keys = built.keys("cap_spent")
    first_rows, fielded = members(first, built.index.deploy, [CONTRIBUTION_ID, PERIOD])
    quantity = first["quantity"].to_numpy(dtype=float)
    spent = locate(first, spent_keys, SPENT_KEY)
    capped = spent >= 0
    return Rows(first[list(FIRST_KEY)], -np.inf, 0.0, [
        (arange(len(first)), "reserve_open", locate(first, built.keys("reserve_open"),
                                                    GATE_KEY), quantity),
        (np.flatnonzero(capped), "cap_spent", spent[capped], -quantity[capped]),
        (first_rows, "deploy", fielded, -1.0),
    ])


def _first_pyomo(index: ModelIndex) -> PyomoRule:
    first = _first(index)
    quantity = mapping(first, FIRST_KEY, "quantity")
    year = mapping(first, FIRST_KEY, "year")
    spent = set(tuples(_spent(index).keys, SPENT_KEY))
    deploy = index.deploy
    fielded = groups(tuples(deploy, [CONTRIBUTION_ID, PERIOD]), tuples(deploy, DEPLOY_KEY))

    def rule(m: Any, s: str, t: int, k: str, c: str) -> Any:
        gate = m.reserve_open[s, t, k]
        if (c, year[s, t, k, c]) in spent:
            gate = gate - m.cap_spent[c, year[s, t, k, c]]
        return sum(m.deploy[key] for key in fielded.get((c, t), [])) >= quantity[s, t, k, c] * gate

    return tuples(first, FIRST_KEY), rule


def _first_sentence(say: Sentences, section: str, period: int, kind: str,
                    contribution: str) -> str:
    return (f"the reserve of '{kind}' at section '{section}' in {say.when(period)} waits "
            f"for pledge '{contribution}' to be fully deployed")


RESERVE_OPEN = ColumnFamily("reserve_open", GATE_KEY, "gate", _gates)
CAP_SPENT = ColumnFamily("cap_spent", SPENT_KEY, "gate", _spent)
RESERVE_GATE = RowFamily("reserve_gate", tuple(DEPLOY_KEY), _gate_rows, _gate_pyomo,
                         _gate_sentence)
CAP_SPENT_RULE = RowFamily("cap_spent_rule", SPENT_KEY, _spent_rows, _spent_pyomo,
                           _spent_sentence)
FIRST_EXHAUSTED = RowFamily("first_exhausted", FIRST_KEY, _first_rows, _first_pyomo,
                            _first_sentence)
