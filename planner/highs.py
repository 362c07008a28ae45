"""Solving the matrix model with HiGHS directly, and re-solving it when only data changes.

A :class:`HighsModel` keeps the model loaded in HiGHS. A what-if that changes only data
(needs, availability, costs, penalties) gives a matrix of the same structure: its costs,
bounds and coefficients are changed in place, and HiGHS starts from the last basis (an LP)
or the last plan (whole units) instead of from scratch.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import highspy
import numpy as np

from planner.diagnose import Label, explain_iis
from planner.matrix import MatrixModel
from planner.progress import SolveMonitor
from planner.solve import (
    SOLUTION_COLUMNS,
    SolveOptions,
    SolveResult,
    Status,
    solution_tables,
    with_plan,
)

_STATUS = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kModelEmpty: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: Status.NO_SOLUTION,
    highspy.HighsModelStatus.kIterationLimit: Status.NO_SOLUTION,
    highspy.HighsModelStatus.kSolutionLimit: Status.NO_SOLUTION,
    highspy.HighsModelStatus.kInterrupt: Status.NO_SOLUTION,
}
"""HiGHS's model status in planner terms; a stop with a feasible plan becomes FEASIBLE."""

_STOPPED_BY = {
    highspy.HighsModelStatus.kOptimal: "gap",
    highspy.HighsModelStatus.kModelEmpty: "gap",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupt",
}
"""Why HiGHS stopped, in the summary's words (an LP's ``gap`` becomes ``optimal``)."""

_FEASIBLE = 2
"""HiGHS's ``primal_solution_status`` for a feasible point (kSolutionStatusFeasible)."""


@contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Send this process's C-level standard output to nowhere for a moment."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@contextmanager
def watched(highs: highspy.Highs, monitor: SolveMonitor) -> Iterator[None]:
    """While the block runs, HiGHS reports to ``monitor`` and stops when it asks."""

    def checked(event: Any) -> None:
        data = event.data_out
        if monitor.report(data.mip_primal_bound, data.mip_dual_bound):
            event.interrupt()

    def stoppable(event: Any) -> None:
        if monitor.report(math.inf, -math.inf):
            event.interrupt()

    def improved(event: Any) -> None:
        data = event.data_out
        monitor.report(data.objective_function_value, data.mip_dual_bound, improved=True)

    def logged(event: Any) -> None:
        monitor.log(event.message)

    subscriptions = [(highs.cbMipInterrupt, checked), (highs.cbSimplexInterrupt, stoppable),
                     (highs.cbIpmInterrupt, stoppable), (highs.cbMipImprovingSolution, improved)]
    if monitor.on_log is not None:
        subscriptions.append((highs.cbLogging, logged))
        highs.setOptionValue("output_flag", True)
        highs.setOptionValue("log_to_console", False)
    for callback, handler in subscriptions:
        callback.subscribe(handler)
    monitor.begin()
    try:
        yield
    finally:
        for callback, handler in subscriptions:
            callback.unsubscribe(handler)
        if monitor.on_log is not None:
            highs.setOptionValue("output_flag", False)


def _baseline_start(matrix: MatrixModel) -> tuple[np.ndarray, np.ndarray]:
    """A re-plan's baseline as a (partial) start: its deployments and starts, in bounds."""
    parts = []
    for name, table in (("deploy", matrix.index.deploy), ("start", matrix.index.starts)):
        span = matrix.column(name).span
        value = np.clip(table["baseline"].to_numpy(dtype=float), matrix.col_lower[span],
                        matrix.col_upper[span])
        parts.append((np.arange(span.start, span.stop), value))
    return (np.concatenate([columns for columns, _ in parts]),
            np.concatenate([values for _, values in parts]))


def quiet_highs() -> highspy.Highs:
    """A HiGHS instance that prints nothing (not even its banner, which it prints when made)."""
    with _stdout_silenced():
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
    return highs


class HighsModel:
    """A matrix model loaded into HiGHS, ready to solve and to re-solve after data changes."""

    def __init__(self, matrix: MatrixModel, options: SolveOptions | None = None) -> None:
        self.options = options or SolveOptions(relax=not matrix.whole_units)
        if self.options.whole_units != matrix.whole_units:
            raise ValueError("the model was built for "
                             f"{'whole' if matrix.whole_units else 'fractional'} units")
        self.matrix = matrix
        self._order = matrix.solver_order
        """Solver column k is the model's column ``_order[k]``..."""
        self._position = np.empty_like(self._order)
        """... and the model's column j is solver column ``_position[j]``."""
        self._position[self._order] = np.arange(len(self._order))
        self.highs = quiet_highs()
        self._last: np.ndarray | None = None
        self._warm = False
        self._apply_options()
        self._pass(matrix)

    def _apply_options(self) -> None:
        highs, options = self.highs, self.options
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", float(options.gap))
        if options.time_limit is not None:
            highs.setOptionValue("time_limit", float(options.time_limit))
        if options.threads is not None:
            highs.setOptionValue("threads", int(options.threads))

    def _pass(self, matrix: MatrixModel) -> None:
        columns, rows = len(matrix.cost), len(matrix.row_lower)
        if columns == 0:
            return
        order = self._order
        lengths = np.diff(matrix.start)[order]
        start = np.zeros(columns + 1, dtype=np.int64)
        np.cumsum(lengths, out=start[1:])
        gather = np.repeat(matrix.start[:-1][order] - start[:-1], lengths) + np.arange(
            len(matrix.value))
        status = self.highs.passModel(
            columns, rows, len(matrix.value), int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize), 0.0,
            matrix.cost[order], matrix.col_lower[order], matrix.col_upper[order],
            matrix.row_lower, matrix.row_upper,
            start.astype(np.int32), matrix.row_index[gather].astype(np.int32),
            matrix.value[gather], matrix.integer[order].astype(np.int32),
        )
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the model")

    def update(self, matrix: MatrixModel) -> bool:
        """Take ``matrix``'s data if it has this model's structure; say whether it did.

        Only what differs is changed, so HiGHS keeps its basis; for whole units the last
        plan is offered as a starting point.
        """
        old = self.matrix
        if not old.same_structure(matrix):
            return False
        highs, position = self.highs, self._position
        changed = np.flatnonzero(old.cost != matrix.cost)
        if len(changed):
            highs.changeColsCost(len(changed), position[changed].astype(np.int32),
                                 matrix.cost[changed])
        changed = np.flatnonzero((old.col_lower != matrix.col_lower)
                                 | (old.col_upper != matrix.col_upper))
        if len(changed):
            highs.changeColsBounds(len(changed), position[changed].astype(np.int32),
                                   matrix.col_lower[changed], matrix.col_upper[changed])
        changed = np.flatnonzero((old.row_lower != matrix.row_lower)
                                 | (old.row_upper != matrix.row_upper))
        if len(changed):
            highs.changeRowsBounds(  # type: ignore[attr-defined]  # missing from the stubs
                len(changed), changed.astype(np.int32), matrix.row_lower[changed],
                matrix.row_upper[changed])
        changed = np.flatnonzero(old.value != matrix.value)
        if len(changed):
            column_of = np.repeat(np.arange(len(matrix.cost)), np.diff(matrix.start))
            for entry in changed:
                highs.changeCoeff(int(matrix.row_index[entry]), int(position[column_of[entry]]),
                                  float(matrix.value[entry]))
        self.matrix = matrix
        self._warm = True
        return True

    def solve(self, monitor: SolveMonitor | None = None) -> SolveResult:
        """Solve (or re-solve) the loaded model; an infeasible or failed solve is a status.

        With a ``monitor`` the solve reports its progress to it, runs in a thread of its
        own and stops when asked (Ctrl-C meanwhile, or :meth:`SolveMonitor.stop`),
        keeping the best plan found so far.
        """
        matrix, highs = self.matrix, self.highs
        outcome = replace(
            SolveResult.empty(matrix.whole_units, matrix.size, highs.version(), self._warm),
            time_limit=self.options.time_limit,
            target_gap=self.options.gap if matrix.whole_units else None)
        if len(matrix.cost) == 0:
            # Nothing is needed anywhere: the empty plan is optimal.
            return replace(outcome, solution=solution_tables(
                matrix.index, matrix.whole_units, self._family_values(np.zeros(0)),
                None if matrix.whole_units else self._row_values(np.zeros(0))))

        if matrix.whole_units and self._last is not None:
            # The last plan's whole units as a start; HiGHS completes the rest, or drops
            # the start if the new data make it infeasible.
            whole = np.flatnonzero(matrix.integer[self._order])
            highs.setSolution(len(whole), whole.astype(np.int32),
                              self._last[self._order][whole])
        elif matrix.whole_units and matrix.index.deploy["baseline"].any():
            # A re-plan starts from its baseline's units, within the bounds it now has.
            columns, values = _baseline_start(matrix)
            highs.setSolution(len(columns), self._position[columns].astype(np.int32), values)
        started = time.perf_counter()
        if monitor is None:
            highs.run()
        else:
            self._run_watched(monitor)
        solve_seconds = time.perf_counter() - started
        model_status = highs.getModelStatus()
        info = highs.getInfo()
        status = _STATUS.get(model_status, Status.ERROR)
        has_values = info.primal_solution_status == _FEASIBLE
        if status is Status.NO_SOLUTION and has_values:
            status = Status.FEASIBLE
        outcome = replace(outcome, status=status, termination=model_status.name,
                          objective=None, bound=None, gap=None, solve_seconds=solve_seconds,
                          objective_parts={}, stopped_by=_STOPPED_BY.get(model_status))
        if outcome.stopped_by == "gap" and not matrix.integer.any():
            outcome = replace(outcome, stopped_by="optimal")
        if status is Status.INFEASIBLE:
            return replace(outcome, conflicts=tuple(self._explain()))
        if not status.has_plan:
            return outcome
        if not has_values:
            return replace(outcome, status=Status.ERROR)

        started = time.perf_counter()
        solution = highs.getSolution()
        values = np.asarray(solution.col_value, dtype=float)[self._position]
        self._last = values
        duals = None
        if not matrix.whole_units:
            duals = self._row_values(np.asarray(solution.row_dual, dtype=float))
        objective = float(info.objective_function_value)
        # Without integer columns HiGHS solves an LP and sets no MIP bound.
        bound = float(info.mip_dual_bound) if matrix.integer.any() else objective
        return with_plan(outcome, objective, bound,
                         solution_tables(matrix.index, matrix.whole_units,
                                         self._family_values(values), duals),
                         matrix.objective_parts(values), started)

    def _run_watched(self, monitor: SolveMonitor) -> None:
        """Run HiGHS in a thread, reporting to ``monitor`` and stopping when it asks."""
        with watched(self.highs, monitor):
            monitor.run(self.highs.run)

    def write(self, path: str) -> None:
        """Write the loaded model as HiGHS reads it (an ``.mps`` or ``.lp`` file)."""
        self.highs.writeModel(path)

    def _family_values(self, values: np.ndarray) -> dict[str, np.ndarray]:
        matrix = self.matrix
        if not len(values):
            values = np.zeros(len(matrix.cost))
        return {name: values[matrix.column(name).span] for name in SOLUTION_COLUMNS}

    def _row_values(self, duals: np.ndarray) -> dict[str, np.ndarray]:
        matrix = self.matrix
        if not len(duals):
            duals = np.zeros(len(matrix.row_lower))
        return {name: duals[matrix.row(name).span] for name in ("cover", "language")}

    def _explain(self) -> list[str]:
        """The conflict in planner terms, from a copy of the model (this one stays intact)."""
        copy = quiet_highs()
        copy.passModel(self.highs.getModel())
        columns = _labels(self.matrix.columns)
        return explain_iis(copy, self.matrix.index, self.matrix.whole_units,
                           _labels(self.matrix.rows),
                           {int(k): columns[int(j)] for k, j in enumerate(self._order)})


def _labels(families: Any) -> dict[int, Label]:
    """Position -> (family name, key) for every row or column of the families."""
    labels: dict[int, Label] = {}
    for family in families:
        keys = family.keys.itertuples(index=False, name=None)
        labels.update(zip(range(family.offset, family.stop),
                          ((family.name, key) for key in keys), strict=True))
    return labels
