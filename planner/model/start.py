"""A first whole-unit plan, built from the linear relaxation, to start HiGHS from.

HiGHS left alone spends most of a whole-unit solve looking for good plans: its bound is
close to final long before its best plan is. :func:`primal_start` builds a plan that is
feasible by construction, in four steps, each on a copy of the model (the model handed to
HiGHS is never changed):

1. **The relaxation, with rounding rows.** The LP, plus for every cover row whose need
   has a fraction ``f``: ``f x units + uncovered >= f x ceil(need)``, valid when units are
   whole (a unit short costs a whole unit of shortfall). This tells the LP that a third of
   an officer is not to be had, so its plan is nearer a whole one.
2. **Reserve gates**: a reserve opens where the LP opens it at least halfway, else stays
   shut.
3. **A dive on cap flags, then on rotation starts**: every one is rounded to the nearest
   whole unit and the LP re-solved, until all are whole. When rounding makes the LP
   infeasible (a first-line pledge that must be fully deployed, say) it is undone and a
   quarter as many are rounded, down to one, which is then rounded the other way.
   Deployments with rotations follow from their starts.
4. **The rest as a small MIP**: with gates, cap flags and starts fixed, HiGHS finds the
   whole deployments without rotations and the shortfalls (node-limited). Then one
   neighbourhood search: every whole column on which that plan and the relaxation agree is
   fixed, the others are left to HiGHS from that plan (node-limited).

Every limit is a count of nodes or rounds, not of seconds, so the same model always gets
the same start (unless the solve's time limit or an interrupt cuts it short). The result is
checked against every row and bound of the model before it is offered; a start that fails
the check is not offered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from planner.model.highs_load import FEASIBLE, load_matrix, quiet_highs
from planner.model.matrix import MatrixModel
from planner.model.progress import relative_gap

MIN_INTEGER_COLUMNS = 1_000
"""Below this many whole columns HiGHS solves at once: no start is built."""

DIVE_ROUNDS = 200
"""At most this many LP re-solves in the dive on starts."""

SUB_MIP_NODES = 500
"""Branch-and-bound nodes allowed to each small MIP of step 4."""

SUB_MIP_GAP = 2e-4
"""Relative gap at which the small MIPs of step 4 stop."""

TOLERANCE = 1e-6
"""Feasibility tolerance of the final check (HiGHS's own primal tolerance is 1e-7)."""

_OPTIMAL = highspy.HighsModelStatus.kOptimal


@dataclass(frozen=True)
class Start:
    """A whole-unit plan to start from, with what it cost to find."""

    values: np.ndarray
    """Every column's value, in the model's column order."""
    objective: float
    bound: float
    """The relaxation's objective with the rounding rows: a lower bound on every plan."""
    seconds: float
    """Wall seconds spent building it."""
    dive_rounds: int
    """LP re-solves in the dive on starts."""

    @property
    def gap(self) -> float:
        """The start's relative gap to :attr:`bound`."""
        return relative_gap(self.objective, self.bound)


Stop = Callable[[], bool]
"""Asked now and then while a start is built: whether to give up and return at once."""


def _highs(matrix: MatrixModel, stop: Stop, *, integer: bool) -> highspy.Highs:
    """A quiet HiGHS instance that stops when ``stop`` says so.

    It holds ``matrix`` and its rounding rows, whole columns whole or relaxed.
    """
    highs = quiet_highs()
    load_matrix(highs, matrix, integer=integer)

    def stoppable(event: Any) -> None:
        if stop():
            event.interrupt()

    for callback in (highs.cbSimplexInterrupt, highs.cbMipInterrupt):
        callback.subscribe(stoppable)
    add_rounding_rows(highs, matrix)
    return highs


def add_rounding_rows(highs: highspy.Highs, matrix: MatrixModel,
                      position: np.ndarray | None = None) -> None:
    """Add ``matrix``'s :func:`rounding_rows` to the model loaded in ``highs``.

    ``position`` maps the model's columns to the solver's (the same order by default).
    """
    lower, starts, column, value = rounding_rows(matrix)
    if position is not None:
        column = position[column]
    if len(lower):
        highs.addRows(len(lower), lower, np.full(len(lower), highspy.kHighsInf), len(column),
                      starts.astype(np.int32), column.astype(np.int32), value)


def rounding_rows(matrix: MatrixModel
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rounding rows on the cover rows with fractional needs: lower, start, index, value.

    For a cover row ``sum of units + uncovered >= n + f`` (``0 < f < 1``) the row
    ``f x sum of units + uncovered >= f x (n + 1)`` holds for whole units: with ``n + 1``
    units or more the units alone meet it; with ``n - j`` the shortfall is at least
    ``f + j``, and ``f(n - j) + f + j >= f(n + 1)``. This needs each whole column to count
    a whole number in the row (every unit counts 1 today); rows where one does not get
    no rounding row.
    """
    cover = matrix.row("cover")
    need = matrix.row_lower[cover.span]
    fraction = need - np.floor(need)
    column_of = matrix.column_of_entries()
    inside = (matrix.row_index >= cover.offset) & (matrix.row_index < cover.stop)
    row = matrix.row_index[inside] - cover.offset
    column, value = column_of[inside], matrix.value[inside]
    uneven = matrix.integer[column] & (np.abs(value - np.round(value)) > TOLERANCE)
    fractional = (fraction > TOLERANCE) & (np.bincount(row[uneven],
                                                       minlength=len(need)) == 0)
    keep = fractional[row]
    row, column, value = row[keep], column[keep], value[keep]
    value = np.where(matrix.integer[column], fraction[row] * value, value)
    order = np.argsort(row, kind="stable")
    row, column, value = row[order], column[order], value[order]
    rows = np.flatnonzero(fractional)
    starts = np.searchsorted(np.searchsorted(rows, row), np.arange(len(rows)))
    lower = fraction[rows] * np.ceil(need[rows])
    return lower, starts, column, value


class _Dive:
    """The relaxation with rounding rows, and the bounds fixed so far."""

    def __init__(self, matrix: MatrixModel, stop: Stop) -> None:
        self.highs = _highs(matrix, stop, integer=False)
        self.lower = matrix.col_lower.copy()
        self.upper = matrix.col_upper.copy()
        self.rounds = 0

    def solve(self) -> np.ndarray | None:
        """Re-solve; the column values, or ``None`` if the LP is now infeasible."""
        self.highs.run()
        self.rounds += 1
        if self.highs.getModelStatus() != _OPTIMAL:
            return None
        return np.asarray(self.highs.getSolution().col_value, dtype=float)

    def fix(self, columns: np.ndarray, values: np.ndarray) -> None:
        self.lower[columns] = values
        self.upper[columns] = values
        self._send(columns)

    def restore(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        self.lower[columns] = lower
        self.upper[columns] = upper
        self._send(columns)

    def _send(self, columns: np.ndarray) -> None:
        self.highs.changeColsBounds(len(columns), columns.astype(np.int32),
                                    self.lower[columns], self.upper[columns])


def _fractional(values: np.ndarray) -> np.ndarray:
    return np.abs(values - np.round(values)) > TOLERANCE


def _dive_on(dive: _Dive, columns: np.ndarray, values: np.ndarray) -> np.ndarray | None:
    """Round ``columns`` whole (see the module's step 3); the LP's values, or ``None``."""
    share = 1.0
    while dive.rounds < DIVE_ROUNDS:
        free = columns[dive.lower[columns] < dive.upper[columns]]
        open_ = free[_fractional(values[free])]
        if not len(open_):
            return values
        distance = np.abs(values[open_] - np.round(values[open_]))
        take = open_[np.argsort(distance, kind="stable")[:max(1, int(np.ceil(
            len(open_) * share)))]]
        lower, upper = dive.lower[take].copy(), dive.upper[take].copy()
        dive.fix(take, np.round(values[take]))
        solved = dive.solve()
        if solved is not None:
            values, share = solved, 1.0
            continue
        dive.restore(take, lower, upper)
        if len(take) > 1:
            share /= 4
            continue
        # One start, infeasible rounded to nearest: the other way, or give up.
        column = take[:1]
        nearest = np.round(values[column])
        dive.fix(column, np.where(nearest > values[column], np.floor(values[column]),
                                  np.ceil(values[column])))
        solved = dive.solve()
        if solved is None:
            return None
        values = solved
    return None


def _sub_mip(matrix: MatrixModel, stop: Stop, fixed: np.ndarray, values: np.ndarray,
             start: np.ndarray | None) -> np.ndarray | None:
    """The whole-unit model with ``fixed`` columns at ``values``; its best plan, if any."""
    highs = _highs(matrix, stop, integer=True)
    highs.changeColsBounds(len(fixed), fixed.astype(np.int32), values[fixed], values[fixed])
    highs.setOptionValue("mip_max_nodes", SUB_MIP_NODES)
    highs.setOptionValue("mip_rel_gap", SUB_MIP_GAP)
    if start is not None:
        highs.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
    highs.run()
    if highs.getInfo().primal_solution_status != FEASIBLE:
        return None
    return np.asarray(highs.getSolution().col_value, dtype=float)


def violation(matrix: MatrixModel, values: np.ndarray) -> float:
    """The largest amount by which ``values`` breaks a bound, a row or wholeness."""
    column_of = matrix.column_of_entries()
    activity = np.bincount(matrix.row_index, weights=matrix.value * values[column_of],
                           minlength=len(matrix.row_lower))
    parts = [
        matrix.col_lower - values, values - matrix.col_upper,
        matrix.row_lower - activity, activity - matrix.row_upper,
        np.abs(values - np.round(values))[matrix.integer],
    ]
    return float(max((part.max() for part in parts if len(part)), default=0.0))


def wants_start(matrix: MatrixModel) -> bool:
    """Whether a start is worth building: whole units, and enough whole columns."""
    return matrix.whole_units and int(matrix.integer.sum()) >= MIN_INTEGER_COLUMNS


def primal_start(matrix: MatrixModel, stop: Stop | None = None,
                 first: Callable[[Start], None] | None = None) -> Start | None:
    """A feasible whole-unit plan for ``matrix``, or ``None`` where none is built.

    ``first`` is handed the first whole plan (step 4's small MIP) as soon as there is one;
    the plan returned is the best found, after the neighbourhood search. None is built for
    fractional units, small models (fewer than :data:`MIN_INTEGER_COLUMNS` whole columns),
    when a step finds nothing, or when ``stop`` says so before the first whole plan (after
    it, that plan is returned).
    """
    if not wants_start(matrix):
        return None
    stop = stop or (lambda: False)
    started = time.perf_counter()
    dive = _Dive(matrix, stop)
    relaxed = dive.solve()
    if relaxed is None:
        return None
    bound = float(dive.highs.getInfo().objective_function_value)

    def checked(plan: np.ndarray | None) -> Start | None:
        if plan is None:
            return None
        plan = np.where(matrix.integer, np.round(plan), plan)
        if violation(matrix, plan) > TOLERANCE:
            return None
        return Start(values=plan, objective=float(matrix.cost @ plan), bound=bound,
                     seconds=time.perf_counter() - started, dive_rounds=dive.rounds)

    gates = matrix.column("reserve_open").span
    columns = np.arange(gates.start, gates.stop)
    dive.fix(columns, (relaxed[columns] >= 0.5).astype(float))
    values = dive.solve()
    if values is None:
        return None
    for name in ("cap_spent", "start"):
        span = matrix.column(name).span
        family = np.arange(span.start, span.stop)
        values = None if stop() else _dive_on(dive, family, values)
        if values is None:
            return None
        columns = np.concatenate([columns, family])
    start = checked(_sub_mip(matrix, stop, columns, np.round(values), None))
    if start is None:
        return None
    if first is not None:
        first(start)
    if stop():
        return start
    whole = np.flatnonzero(matrix.integer)
    agree = whole[np.abs(start.values[whole] - relaxed[whole]) <= TOLERANCE]
    better = checked(_sub_mip(matrix, stop, agree, start.values, start.values))
    return better if better is not None and better.objective < start.objective else start
