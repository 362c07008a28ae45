"""Crews: each vehicle has its crew at the same section and period, and a host officer aboard.

    sum over vehicles v crewed by kind k:  crew_size[v] * deploy[v, s, t]
        <=  sum over pledges c of kind k:  deploy[c, s, t]
    sum over vehicles v:  deploy[v, s, t]  <=  sum over host-officer pledges h:  deploy[h, s, t]

One row per crew kind: an officer crews one vehicle at a time, of whichever kind.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.columns import DEPLOY_KEY, KIND_ID, NEED_KEY
from planner.model.families.base import (
    Built,
    PyomoRule,
    RowFamily,
    Rows,
    grouped,
    groups,
    members,
    tuples,
)
from planner.model.families.sentences import Sentences
from planner.model.index import ModelIndex

CREW_KEY = (*NEED_KEY, "crew_kind")


def _crew_rows(built: Built) -> Rows:
    deploy = built.index.deploy
    vehicle = (deploy["kind_class"] == "vehicle").to_numpy()
    crewed = vehicle & (deploy["crew_size"].fillna(0) > 0).to_numpy()
    keys, number = grouped(deploy[crewed], CREW_KEY)
    size = deploy["crew_size"].to_numpy()[crewed].astype(float)
    officer_rows, officers = members(keys.rename(columns={"crew_kind": KIND_ID}), deploy,
                                     [*NEED_KEY, KIND_ID])
    return Rows(keys, -np.inf, 0.0, [
        (number, "deploy", np.flatnonzero(crewed), size),
        (officer_rows, "deploy", officers, -1.0),
    ])


def _crew_pyomo(index: ModelIndex) -> PyomoRule:
    deploy = index.deploy
    vehicles = deploy[deploy["kind_class"] == "vehicle"]
    crewed = vehicles[vehicles["crew_size"] > 0]
    crew_rows = groups(tuples(crewed, CREW_KEY), tuples(crewed, [*DEPLOY_KEY, "crew_size"]))
    officers = groups(tuples(deploy, [*NEED_KEY, KIND_ID]), tuples(deploy, DEPLOY_KEY))

    def rule(m: Any, s: str, t: int, k: str) -> Any:
        crews = sum(size * m.deploy[c, s_, t_] for c, s_, t_, size in crew_rows[s, t, k])
        return crews <= sum(m.deploy[key] for key in officers.get((s, t, k), []))

    return list(crew_rows), rule


def _crew_sentence(say: Sentences, section: str, period: int, crew_kind: str) -> str:
    vehicles = ", ".join(f"{int(row['crew_size'])} per '{vehicle}'"
                         for vehicle, row in sorted(say.crew.items())
                         if row["crew_kind"] == crew_kind and row["crew_size"])
    return (f"'{crew_kind}' officers at section '{section}' in {say.when(period)} crew "
            f"its vehicles, one vehicle at a time ({vehicles})")


def _host_rows(built: Built) -> Rows:
    deploy = built.index.deploy
    vehicle = (deploy["kind_class"] == "vehicle").to_numpy()
    host = deploy["host_officer"].astype(bool)
    keys, stay = grouped(deploy[vehicle], NEED_KEY)
    host_rows, host_columns = members(keys, deploy[host], NEED_KEY)
    return Rows(keys, -np.inf, 0.0, [
        (stay, "deploy", np.flatnonzero(vehicle), 1.0),
        (host_rows, "deploy", np.flatnonzero(host.to_numpy())[host_columns], -1.0),
    ])


def _host_pyomo(index: ModelIndex) -> PyomoRule:
    deploy = index.deploy
    vehicles = deploy[deploy["kind_class"] == "vehicle"]
    by_stay = groups(tuples(vehicles, NEED_KEY), tuples(vehicles, DEPLOY_KEY))
    hosts = deploy[deploy["host_officer"]]
    host_by_stay = groups(tuples(hosts, NEED_KEY), tuples(hosts, DEPLOY_KEY))

    def rule(m: Any, s: str, t: int) -> Any:
        return (sum(m.deploy[k] for k in by_stay[s, t])
                <= sum(m.deploy[k] for k in host_by_stay.get((s, t), [])))

    return list(by_stay), rule


def _host_sentence(say: Sentences, section: str, period: int) -> str:
    return (f"each vehicle at section '{section}' in {say.when(period)} needs a host-state "
            "officer aboard")


CREW = RowFamily("crew", CREW_KEY, _crew_rows, _crew_pyomo, _crew_sentence)
HOST_ABOARD = RowFamily("host_aboard", tuple(NEED_KEY), _host_rows, _host_pyomo,
                        _host_sentence)
