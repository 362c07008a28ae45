"""The decisions: units of each pledge deployed, and started, at each section and period.

    deploy[c, s, t] in [least, most]    units of pledge c at section s in period t
    start[c, s, t]  in [least, most]    units of pledge c arriving at s in period t

``least`` and ``most`` are the units running there (they stay) and the units the pledge
has then (none outside its window), unless a re-plan's baseline holds them.
"""

from __future__ import annotations

from typing import Any

from planner.columns import DEPLOY_KEY
from planner.model.families.base import ColumnFamily, Columns
from planner.model.families.sentences import Sentences, units
from planner.model.index import ModelIndex


def _deploy(index: ModelIndex) -> Columns:
    deploy = index.deploy
    # A deployment's cost holds its change cost where the baseline had none.
    return Columns(deploy[DEPLOY_KEY], deploy["least"], deploy["most"],
                   {"deployment_cost": deploy["cost"], "change_cost": deploy["change_cost"]})


def _start(index: ModelIndex) -> Columns:
    starts = index.starts
    return Columns(starts[DEPLOY_KEY], starts["least"], starts["most"],
                   {"start_cost": starts["cost"]})


def _bound(say: Sentences, key: tuple[Any, ...], lower: bool, upper: bool) -> str:
    """A deployment's bound in a conflict: a running deployment, a baseline, a window."""
    contribution, section, period = key
    running = say.running.get(key, 0)
    available = say.available.get(key, 0)
    where = f"section '{section}' in {say.when(period)}"
    if key in say.kept and (lower or say.kept[key][1] != available):
        least, most = say.kept[key]
        kept = (("no units" if most == 0 else f"exactly {units(most)}") if least == most
                else f"at least {units(least)}" if lower else f"at most {units(most)}")
        return (f"baseline: {kept} of pledge '{contribution}' at {where}, kept from the "
                "plan re-planned around")
    if running > available:
        limit = (f"only {units(available)}" if available
                 else "no units then (outside its window)")
        return (f"running deployment: {units(running)} of pledge '{contribution}' stay at "
                f"{where}, but the pledge has {limit}")
    if lower and running:
        return (f"running deployment: {units(running)} of pledge '{contribution}' stay at "
                f"{where}")
    if lower and not upper:
        return ""  # units cannot be negative: true of every deployment, worth no line
    if available == 0:
        return (f"pledge '{contribution}' is not available in {say.when(period)} "
                "(outside its window)")
    return f"pledge '{contribution}' has {units(available)} in {say.when(period)}"


DEPLOY = ColumnFamily("deploy", tuple(DEPLOY_KEY), "units", _deploy,
                      touched_by=frozenset({"prices"}), sentence=_bound)
START = ColumnFamily("start", tuple(DEPLOY_KEY), "units", _start,
                     touched_by=frozenset({"prices"}))
