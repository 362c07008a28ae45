"""The model's families of columns and rows, each written once, in the order the model has them.

Each family lives in the module of its rule (see :mod:`planner.model.families.base` for
what a family says). The matrices (:mod:`planner.model.matrix`) and the Pyomo model of
record (:mod:`planner.model.pyomo_model`) are both built from this registry, in this
order; adding a rule is one new family and one line here.
"""

from __future__ import annotations

from planner.model.families import (
    accommodation,
    availability,
    baseline,
    caps,
    cover,
    crews,
    languages,
    reserve,
    rotations,
    units,
)
from planner.model.families.base import ColumnFamily, RowFamily

COLUMNS: tuple[ColumnFamily, ...] = (
    units.DEPLOY,
    units.START,
    cover.UNCOVERED,
    languages.INTERPRET,
    languages.REMOTE,
    languages.UNSERVED_LANGUAGE,
    reserve.RESERVE_OPEN,
    reserve.CAP_SPENT,
    baseline.ABOVE_BASELINE,
    baseline.BELOW_BASELINE,
)
"""Every column family, in the order of the model's columns."""

ROWS: tuple[RowFamily, ...] = (
    cover.COVER,
    languages.LANGUAGE,
    languages.INTERPRETER_CAPACITY,
    availability.AVAILABILITY,
    rotations.ROTATION,
    rotations.START_COUNT,
    caps.ANNUAL_CAP,
    accommodation.ACCOMMODATION,
    crews.CREW,
    crews.HOST_ABOARD,
    reserve.RESERVE_GATE,
    reserve.CAP_SPENT_RULE,
    reserve.FIRST_EXHAUSTED,
    baseline.BASELINE,
)
"""Every row family, in the order of the model's rows."""

COLUMN = {family.name: family for family in COLUMNS}
ROW = {family.name: family for family in ROWS}
