"""Languages: interpreters on site, remote interpretation and unserved need meet each need.

    sum over interpreters c:  interpret[c, s, t, l]  +  remote[s, t, l]
        +  unserved_language[s, t, l]  >=  required[s, t, l]
    sum over languages l:  interpret[c, s, t, l]  <=  deploy[c, s, t]

An interpreter's time is shared among the languages it interprets. Remote interpretation
exists where the language has a remote cost; unserved need costs the language penalty.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.columns import DEPLOY_KEY, NEED_KEY
from planner.model.families.base import (
    Built,
    ColumnFamily,
    Columns,
    PyomoRule,
    RowFamily,
    Rows,
    arange,
    grouped,
    groups,
    locate,
    mapping,
    tuples,
)
from planner.model.families.sentences import Sentences
from planner.model.index import ModelIndex

KEY = (*NEED_KEY, "language_id")
INTERPRET_KEY = (*DEPLOY_KEY, "language_id")


def _remote_needs(index: ModelIndex) -> Any:
    return index.language[index.language["remote_cost"].notna()]


def _interpret(index: ModelIndex) -> Columns:
    return Columns(index.interpret[list(INTERPRET_KEY)], 0.0, np.inf)


def _remote(index: ModelIndex) -> Columns:
    remote = _remote_needs(index)
    return Columns(remote[list(KEY)], 0.0, np.inf,
                   {"remote_interpretation": remote["remote_cost_per_period"]})


def _unserved(index: ModelIndex) -> Columns:
    language = index.language
    return Columns(language[list(KEY)], 0.0, language["required"],
                   {"language_penalty": language["penalty"]})


def _language_rows(built: Built) -> Rows:
    language, interpret = built.index.language, built.index.interpret
    need = locate(interpret, language, KEY)
    count = len(language)
    remote = np.flatnonzero(language["remote_cost"].notna().to_numpy())
    return Rows(language[list(KEY)], language["required"], np.inf, [
        (need, "interpret", arange(len(interpret)), 1.0),
        (remote, "remote", arange(len(remote)), 1.0),
        (arange(count), "unserved_language", arange(count), 1.0),
    ])


def _language_pyomo(index: ModelIndex) -> PyomoRule:
    interpret = index.interpret
    by_need = groups(tuples(interpret, KEY), tuples(interpret, INTERPRET_KEY))
    remote = set(tuples(_remote_needs(index), KEY))
    required = mapping(index.language, KEY, "required")

    def rule(m: Any, section: str, period: int, language: str) -> Any:
        key = (section, period, language)
        on_site = sum(m.interpret[k] for k in by_need.get(key, []))
        far = m.remote[key] if key in remote else 0
        return on_site + far + m.unserved_language[key] >= required[key]

    return list(required), rule


def _language_sentence(say: Sentences, section: str, period: int, language: str) -> str:
    need = say.required.get((section, period, language), 0)
    return (f"section '{section}' needs {need:g} interpreters of '{language}' in "
            f"{say.when(period)}, on site, remote or left unserved")


def _capacity_rows(built: Built) -> Rows:
    interpret = built.index.interpret
    keys, number = grouped(interpret, DEPLOY_KEY)
    return Rows(keys, -np.inf, 0.0, [
        (number, "interpret", arange(len(interpret)), 1.0),
        (arange(len(keys)), "deploy", locate(keys, built.index.deploy, DEPLOY_KEY), -1.0),
    ])


def _capacity_pyomo(index: ModelIndex) -> PyomoRule:
    interpret = index.interpret
    by_deploy = groups(tuples(interpret, DEPLOY_KEY), tuples(interpret, INTERPRET_KEY))

    def rule(m: Any, *key: Any) -> Any:
        return sum(m.interpret[k] for k in by_deploy[key]) <= m.deploy[key]

    return list(by_deploy), rule


def _capacity_sentence(say: Sentences, contribution: str, section: str, period: int) -> str:
    return (f"interpreters of pledge '{contribution}' at section '{section}' in "
            f"{say.when(period)} share their time among their languages")


INTERPRET = ColumnFamily("interpret", INTERPRET_KEY, "amount", _interpret)
REMOTE = ColumnFamily("remote", KEY, "amount", _remote, touched_by=frozenset({"prices"}))
UNSERVED_LANGUAGE = ColumnFamily("unserved_language", KEY, "amount", _unserved,
                                 touched_by=frozenset({"needs", "prices"}))
LANGUAGE = RowFamily("language", KEY, _language_rows, _language_pyomo, _language_sentence,
                     touched_by=frozenset({"needs"}))
INTERPRETER_CAPACITY = RowFamily("interpreter_capacity", tuple(DEPLOY_KEY), _capacity_rows,
                                 _capacity_pyomo, _capacity_sentence)
