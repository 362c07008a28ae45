"""The deployment model as sparse matrices, built straight from the index for HiGHS.

This is the fast path. Each family of :mod:`planner.model.families` gives its columns' or
rows' arrays; they are laid out in the registry's order, as the Pyomo model of record
(:mod:`planner.model.pyomo_model`) states the same families' rules. Tests hold the two to
the same matrix, optimum and schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner.model.families import COLUMNS, ROWS
from planner.model.families.base import Built, ColumnFamily, Columns, RowFamily, Values
from planner.model.index import ModelIndex
from planner.model.keys import OBJECTIVE_PARTS, ModelSize


@dataclass(frozen=True)
class Family:
    """A named block of consecutive columns or rows, one per row of ``keys``."""

    name: str
    keys: pd.DataFrame
    offset: int

    @property
    def stop(self) -> int:
        """One past the family's last position."""
        return self.offset + len(self.keys)

    @property
    def span(self) -> slice:
        """The family's positions."""
        return slice(self.offset, self.stop)


@dataclass(frozen=True)
class MatrixModel:
    """The model as HiGHS takes it: costs, bounds, integrality and a column-wise matrix."""

    columns: tuple[Family, ...]
    rows: tuple[Family, ...]
    cost: np.ndarray
    part_costs: dict[str, np.ndarray]
    """Per objective term (see ``OBJECTIVE_PARTS``): each column's cost in it. ``cost`` is
    their sum."""
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    """Boolean per column."""
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    """Column starts into ``row_index`` and ``value`` (length columns + 1)."""
    row_index: np.ndarray
    value: np.ndarray
    solver_order: np.ndarray
    """The columns in the order they are handed to the solver: by the first row each
    appears in, then by position (the order the model of record's interface uses, so
    both paths hand HiGHS the very same problem); unused columns last."""
    whole_units: bool
    index: ModelIndex

    @property
    def size(self) -> ModelSize:
        """Rows, columns, nonzeros and integer columns."""
        return ModelSize(len(self.cost), len(self.row_lower), len(self.value),
                         int(self.integer.sum()))

    def column_of_entries(self) -> np.ndarray:
        """The column of each nonzero, in the order of ``value`` and ``row_index``."""
        return np.repeat(np.arange(len(self.cost)), np.diff(self.start))

    def column(self, name: str) -> Family:
        """The column family called ``name``."""
        return next(family for family in self.columns if family.name == name)

    def row(self, name: str) -> Family:
        """The row family called ``name``."""
        return next(family for family in self.rows if family.name == name)

    def objective_parts(self, values: np.ndarray) -> dict[str, float]:
        """The objective's named terms at the column values ``values``."""
        return {part: float(self.part_costs[part] @ values) for part in OBJECTIVE_PARTS}

    def same_structure(self, other: MatrixModel) -> bool:
        """Whether ``other`` has the same columns, rows and sparsity (values may differ)."""
        return (
            self.whole_units == other.whole_units
            and len(self.columns) == len(other.columns)
            and len(self.rows) == len(other.rows)
            and all(a.name == b.name and a.keys.equals(b.keys)
                    for a, b in zip(self.columns + self.rows, other.columns + other.rows,
                                    strict=True))
            and np.array_equal(self.start, other.start)
            and np.array_equal(self.row_index, other.row_index)
            and np.array_equal(self.solver_order, other.solver_order)
        )


def build_matrix(index: ModelIndex, *, whole_units: bool = True) -> MatrixModel:
    """The model's rows and columns, built with array operations, family by family."""
    arrays = [family.arrays(index) for family in COLUMNS]
    columns, offset = [], 0
    for family, each in zip(COLUMNS, arrays, strict=True):
        columns.append(Family(family.name, each.keys.reset_index(drop=True), offset))
        offset += len(each.keys)
    part_costs, cost, col_lower, col_upper = _column_arrays(arrays, offset)
    integer = np.concatenate([np.full(len(each.keys), family.integer(whole_units), dtype=bool)
                              for family, each in zip(COLUMNS, arrays, strict=True)])
    at = {family.name: family.offset for family in columns}
    built = Built(index, whole_units, {family.name: family.keys for family in columns})

    rows: list[Family] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    count = 0
    for rule in ROWS:
        block = rule.arrays(built)
        size = len(block.keys)
        rows.append(Family(rule.name, block.keys.reset_index(drop=True), count))
        lower.append(_per(block.lower, size))
        upper.append(_per(block.upper, size))
        for local, name, positions, values in block.terms:
            local = np.asarray(local, dtype=np.int64)
            entries.append((local + count, at[name] + np.asarray(positions, dtype=np.int64),
                            _per(values, len(local))))
        count += size

    row = np.concatenate([each[0] for each in entries]) if entries else _arange(0)
    column = np.concatenate([each[1] for each in entries]) if entries else _arange(0)
    value = np.concatenate([each[2] for each in entries]) if entries else np.array([])
    keep = value != 0
    row, column, value = row[keep], column[keep], value[keep]
    order = np.lexsort((row, column))
    start = np.zeros(offset + 1, dtype=np.int64)
    np.cumsum(np.bincount(column, minlength=offset), out=start[1:])
    row_index = row[order]
    used = np.diff(start) > 0
    first_row = np.where(used, row_index[np.minimum(start[:-1], max(len(row_index) - 1, 0))],
                         count)
    solver_order = np.lexsort((_arange(offset), first_row))
    return MatrixModel(
        columns=tuple(columns),
        rows=tuple(rows),
        cost=cost,
        part_costs=part_costs,
        col_lower=col_lower,
        col_upper=col_upper,
        integer=integer,
        row_lower=np.concatenate(lower) if lower else np.array([]),
        row_upper=np.concatenate(upper) if upper else np.array([]),
        start=start,
        row_index=row_index,
        value=value[order],
        solver_order=solver_order,
        whole_units=whole_units,
        index=index,
    )


def _per(values: Values, size: int) -> np.ndarray:
    """``values`` as one float per row (or entry): one value is repeated."""
    return np.broadcast_to(np.asarray(values, dtype=float), (size,))


def _arange(count: int) -> np.ndarray:
    return np.arange(count, dtype=np.int64)


def _column_arrays(arrays: Sequence[Columns], count: int
                   ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Costs per objective term and in all, and lower and upper bounds, of every column."""
    part_costs = {part: np.zeros(count) for part in OBJECTIVE_PARTS}
    offset = 0
    for each in arrays:
        size = len(each.keys)
        for part, values in each.costs.items():
            part_costs[part][offset:offset + size] = _per(values, size)
        offset += size
    lower = np.concatenate([_per(each.lower, len(each.keys)) for each in arrays])
    upper = np.concatenate([_per(each.upper, len(each.keys)) for each in arrays])
    return part_costs, sum(part_costs.values(), np.zeros(count)), lower, upper


def refresh_matrix(matrix: MatrixModel, index: ModelIndex) -> MatrixModel:
    """``matrix`` with the needs, costs and penalties of ``index``.

    ``index`` comes from :func:`planner.model.index.refresh_index` of the index ``matrix``
    was built from: the rows and columns are the same, only what needs and prices touch
    changes. Each family that says needs or prices touch it is rebuilt from ``index`` and
    its bounds and costs taken; the others are kept. The result equals
    ``build_matrix(index)``.
    """
    touched = [_touched(family) for family in COLUMNS]
    arrays = [family.arrays(index) if touches else _kept(matrix, family)
              for family, touches in zip(COLUMNS, touched, strict=True)]
    part_costs, cost, col_lower, col_upper = _column_arrays(arrays, len(matrix.cost))
    row_lower, row_upper = matrix.row_lower.copy(), matrix.row_upper.copy()
    built = Built(index, matrix.whole_units,
                  {family.name: family.keys for family in matrix.columns})
    for rule in ROWS:
        if _touched(rule):
            block, span = rule.arrays(built), matrix.row(rule.name).span
            row_lower[span] = _per(block.lower, len(block.keys))
            row_upper[span] = _per(block.upper, len(block.keys))
    return replace(matrix, cost=cost, part_costs=part_costs, col_lower=col_lower,
                   col_upper=col_upper, row_lower=row_lower, row_upper=row_upper, index=index)


def _touched(family: ColumnFamily | RowFamily) -> bool:
    return bool(family.touched_by & {"needs", "prices"})


def _kept(matrix: MatrixModel, family: ColumnFamily) -> Columns:
    """A column family as ``matrix`` has it: its keys, bounds and costs."""
    span = matrix.column(family.name).span
    return Columns(matrix.column(family.name).keys, matrix.col_lower[span],
                   matrix.col_upper[span],
                   {part: costs[span] for part, costs in matrix.part_costs.items()
                    if costs[span].any()})
