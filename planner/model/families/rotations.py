"""Rotations, and the starts that pledges with a start cost pay for.

    rotating pledges:  deploy[c, s, t]  =  running[c, s, t]
                           +  sum over starts tau within the rotation covering t:  start[c, s, tau]
    others:            start[c, s, t]  >=  deploy[c, s, t]  -  deploy[c, s, t - 1]

In a rotation the units present are those running plus those that started within its
length. Elsewhere a start is counted whenever more units are present than before (before
the first period: the units running then).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.columns import DEPLOY_KEY, PERIOD
from planner.model.families.base import (
    Built,
    PyomoRule,
    RowFamily,
    Rows,
    arange,
    groups,
    locate,
    mapping,
    tuples,
)
from planner.model.families.sentences import Sentences
from planner.model.index import ModelIndex

KEY = tuple(DEPLOY_KEY)


def _rotation_rows(built: Built) -> Rows:
    deploy, starts, rotation = built.index.deploy, built.index.starts, built.index.rotation
    rotating = np.flatnonzero(deploy["rotating"].to_numpy(dtype=bool))
    keys = deploy[DEPLOY_KEY].iloc[rotating]
    running = deploy["running"].to_numpy(dtype=float)[rotating]
    present = locate(rotation, keys, DEPLOY_KEY)
    started = locate(rotation, starts, [*DEPLOY_KEY[:2], "start_period"], DEPLOY_KEY)
    return Rows(keys, running, running, [
        (arange(len(keys)), "deploy", rotating, 1.0),
        (present, "start", started, -1.0),
    ])


def _rotation_pyomo(index: ModelIndex) -> PyomoRule:
    rotation = index.rotation
    covering = groups(tuples(rotation, DEPLOY_KEY), tuples(rotation, ["start_period"]))
    running = mapping(index.deploy, DEPLOY_KEY, "running")
    rotating = tuples(index.deploy[index.deploy["rotating"]], DEPLOY_KEY)

    def rule(m: Any, c: str, s: str, t: int) -> Any:
        started = sum(m.start[c, s, tau] for (tau,) in covering.get((c, s, t), []))
        return m.deploy[c, s, t] == running[c, s, t] + started

    return rotating, rule


def _rotation_sentence(say: Sentences, contribution: str, section: str, period: int) -> str:
    return (f"units of pledge '{contribution}' at section '{section}' in "
            f"{say.when(period)} are those running or started within its rotation")


def _start_rows(built: Built) -> Rows:
    deploy, starts = built.index.deploy, built.index.starts
    tracked = np.flatnonzero(~starts["rotating"].to_numpy(dtype=bool))
    keys = starts[DEPLOY_KEY].iloc[tracked]
    now = locate(keys, deploy, DEPLOY_KEY)
    before = locate(keys.assign(period=keys[PERIOD] - 1), deploy, DEPLOY_KEY)
    earlier = before >= 0
    running_before = starts["running_before"].to_numpy(dtype=float)[tracked]
    # As the rule states it: arrivals beyond those present before, less starts.
    return Rows(keys, -np.inf, np.where(earlier, 0.0, running_before), [
        (arange(len(tracked)), "deploy", now, 1.0),
        (np.flatnonzero(earlier), "deploy", before[earlier], -1.0),
        (arange(len(tracked)), "start", tracked, -1.0),
    ])


def _start_pyomo(index: ModelIndex) -> PyomoRule:
    tracked = index.starts[~index.starts["rotating"]]
    present = set(tuples(index.deploy, DEPLOY_KEY))
    before = mapping(tracked, DEPLOY_KEY, "running_before")

    def rule(m: Any, c: str, s: str, t: int) -> Any:
        earlier = m.deploy[c, s, t - 1] if (c, s, t - 1) in present else before[c, s, t]
        return m.start[c, s, t] >= m.deploy[c, s, t] - earlier

    return tuples(tracked, DEPLOY_KEY), rule


def _start_sentence(say: Sentences, contribution: str, section: str, period: int) -> str:
    return (f"arrivals of pledge '{contribution}' at section '{section}' in "
            f"{say.when(period)} are counted as starts")


ROTATION = RowFamily("rotation", KEY, _rotation_rows, _rotation_pyomo, _rotation_sentence)
START_COUNT = RowFamily("start_count", KEY, _start_rows, _start_pyomo, _start_sentence)
