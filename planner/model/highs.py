"""Solving the matrix model with HiGHS directly, and re-solving it when only data changes.

A :class:`HighsModel` keeps the model loaded in HiGHS. A what-if that changes only data
(needs, availability, costs, penalties) gives a matrix of the same structure: its costs,
bounds and coefficients are changed in place, and HiGHS starts from the last basis (an LP)
or the last plan (whole units) instead of from scratch.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import highspy
import numpy as np
import pandas as pd

from planner.model.diagnose import Label, explain_iis
from planner.model.highs_load import FEASIBLE, drop_rows_beyond, load_matrix, quiet_highs
from planner.model.matrix import MatrixModel
from planner.model.options import SolveOptions, Status
from planner.model.progress import SolveMonitor, relative_gap
from planner.model.results import (
    BOUNDED_BY_UNITS,
    CAPACITY_ROWS,
    SOLUTION_COLUMNS,
    SolveResult,
    StartReport,
    capacity_values,
    solution_tables,
    with_plan,
)
from planner.model.start import Start, add_rounding_rows, primal_start, wants_start

HIGHS_STATUS = {
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

HIGHS_STOPPED_BY = {
    highspy.HighsModelStatus.kOptimal: "gap",
    highspy.HighsModelStatus.kModelEmpty: "gap",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupt",
}
"""Why HiGHS stopped, in the summary's words (an LP's ``gap`` becomes ``optimal``)."""

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
        if len(matrix.cost):
            load_matrix(self.highs, matrix, self._order)

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
            column_of = matrix.column_of_entries()
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

        started = time.perf_counter()
        beside = self._offer_start(monitor)
        try:
            if monitor is None:
                highs.run()
            else:
                with watched(highs, monitor):
                    monitor.run(highs.run)
                    info = highs.getInfo()
                    if matrix.integer.any() and info.primal_solution_status == FEASIBLE:
                        # Where it ended, which no callback may have reported.
                        monitor.report(info.objective_function_value, info.mip_dual_bound)
            return self._outcome(outcome, None if beside is None else beside.report(),
                                 time.perf_counter() - started)
        finally:
            if beside is not None:
                beside.close()
            drop_rows_beyond(highs, len(matrix.row_lower))  # the rounding rows, if any

    def _outcome(self, outcome: SolveResult, start: StartReport | None,
                 solve_seconds: float) -> SolveResult:
        """What the solve that just ended found (read before the model changes again)."""
        matrix, highs = self.matrix, self.highs
        model_status = highs.getModelStatus()
        info = highs.getInfo()
        status = HIGHS_STATUS.get(model_status, Status.ERROR)
        has_values = info.primal_solution_status == FEASIBLE
        if status is Status.NO_SOLUTION and has_values:
            status = Status.FEASIBLE
        outcome = replace(outcome, status=status, termination=model_status.name,
                          objective=None, bound=None, gap=None, solve_seconds=solve_seconds,
                          objective_parts={}, stopped_by=HIGHS_STOPPED_BY.get(model_status),
                          start=start)
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
        duals = capacities = None
        if not matrix.whole_units:
            row_dual = np.asarray(solution.row_dual, dtype=float)
            duals = self._row_values(row_dual)
            capacities = self._capacity_values(
                row_dual, np.asarray(solution.col_dual, dtype=float)[self._position])
        objective = float(info.objective_function_value)
        # Without integer columns HiGHS solves an LP and sets no MIP bound.
        bound = float(info.mip_dual_bound) if matrix.integer.any() else objective
        if matrix.whole_units:
            # The cost of the plan handed back, which is what the planner writes out: after
            # completing a partial start HiGHS may report another plan's objective.
            objective = float(matrix.cost @ values)
            bound = min(bound, objective)
        return with_plan(outcome, objective, bound,
                         solution_tables(matrix.index, matrix.whole_units,
                                         self._family_values(values), duals, capacities),
                         matrix.objective_parts(values), started)

    def _offer_start(self, monitor: SolveMonitor | None) -> _StartBeside | None:
        """Give HiGHS a plan to start from, or have one built beside its search.

        A re-solve is offered the last plan, a re-plan its baseline (and nothing more). A
        whole-unit solve, and a re-solve, builds one (``planner.model.start``), unless told
        not to, on its own thread while HiGHS works on its bound; HiGHS also gets the
        rounding rows, which raise that bound sooner (they are taken out again after the
        solve).
        """
        matrix, highs, position = self.matrix, self.highs, self._position
        if not matrix.whole_units:
            return None
        if self._last is not None:
            # The last plan's whole units as a start; HiGHS completes the rest, or drops
            # the start if the new data make it infeasible. A start is still built beside
            # and the rounding rows still raise the bound: without them, re-solving a
            # demand surge took four times as long as solving it afresh.
            whole = np.flatnonzero(matrix.integer[self._order])
            highs.setSolution(len(whole), whole.astype(np.int32),
                              self._last[self._order][whole])
            if not self.options.start or not wants_start(matrix):
                return None
            add_rounding_rows(highs, matrix, position)
            return _StartBeside(highs, matrix, self._order, self.options.time_limit, monitor)
        if matrix.index.deploy["baseline"].any():
            # A re-plan starts from its baseline's units, within the bounds it now has.
            columns, values = _baseline_start(matrix)
            highs.setSolution(len(columns), position[columns].astype(np.int32), values)
            return None
        if not self.options.start or not wants_start(matrix):
            return None
        add_rounding_rows(highs, matrix, position)
        return _StartBeside(highs, matrix, self._order, self.options.time_limit, monitor)

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

    def _capacity_values(self, row_dual: np.ndarray, col_dual: np.ndarray) -> pd.DataFrame:
        """What one more bed, unit or unit-day of cap would save (see ``capacity_values``)."""
        matrix = self.matrix
        rows = {name: (matrix.row(name).keys, row_dual[matrix.row(name).span])
                for name in CAPACITY_ROWS}
        columns = {name: (matrix.column(name).keys, col_dual[matrix.column(name).span])
                   for name in BOUNDED_BY_UNITS}
        return capacity_values(rows, columns)

    def _explain(self) -> list[str]:
        """The conflict in planner terms, from a copy of the model (this one stays intact)."""
        copy = quiet_highs()
        copy.passModel(self.highs.getModel())
        drop_rows_beyond(copy, len(self.matrix.row_lower))  # a start's rounding rows
        columns = _labels(self.matrix.columns)
        return explain_iis(copy, self.matrix.index, self.matrix.whole_units,
                           _labels(self.matrix.rows),
                           {int(k): columns[int(j)] for k, j in enumerate(self._order)})


STALLED = 2e-4
"""HiGHS's root bound has stalled when one round of cuts raises it by less than this share."""


class _StartBeside:
    """A start built on a thread of its own while HiGHS searches, handed over when due.

    HiGHS asks for plans now and then at the root: once its bound is known, and between
    its rounds of cuts. At its first ask with a finite bound it waits for the start's first
    whole plan and takes it; at the first ask after that where one round of cuts raised its
    bound by less than :data:`STALLED`, it waits for the start's best plan and takes that.
    Waits end early if the solve is stopping. Hand-overs come at points of HiGHS's own
    path, not of the clock, so a model gets the same plan however busy the machine.
    """

    def __init__(self, highs: highspy.Highs, matrix: MatrixModel, order: np.ndarray,
                 time_limit: float | None, monitor: SolveMonitor | None) -> None:
        self.highs, self.matrix, self.order, self.monitor = highs, matrix, order, monitor
        self.began = time.perf_counter()
        self.time_limit = time_limit
        self.first: Start | None = None
        self.best: Start | None = None
        self.handed: tuple[Start, float, float] | None = None
        """The last plan handed over, seconds into the solve, and HiGHS's bound then."""
        self._stage = 0
        """0: waiting to hand over the first plan; 1: the best; 2: done."""
        self._closing = threading.Event()
        self._first_built = threading.Event()
        self._built = threading.Event()
        self._last_bound = -math.inf
        self._thread = threading.Thread(target=self._build, name="start", daemon=True)
        self._thread.start()
        highs.cbMipUserSolution.subscribe(self._asked)

    def stopping(self) -> bool:
        """Whether to stop building or waiting: the solve ended, was stopped, or is late."""
        late = (self.time_limit is not None
                and time.perf_counter() - self.began > self.time_limit)
        interrupted = self.monitor is not None and self.monitor.interrupted
        return self._closing.is_set() or late or interrupted

    def _build(self) -> None:
        def first(start: Start) -> None:
            self.first = start
            self._first_built.set()

        try:
            self.best = primal_start(self.matrix, self.stopping, first)
        finally:
            self._first_built.set()
            self._built.set()

    def _asked(self, event: Any) -> None:
        bound = float(event.data_out.mip_dual_bound)
        last, self._last_bound = self._last_bound, bound
        if self._stage == 0 and math.isfinite(bound):
            self._stage = 1
            self._hand_over(event, bound, self._first_built, lambda: self.first)
        elif (self._stage == 1 and math.isfinite(last)
              and bound - last < STALLED * max(abs(bound), 1.0)):
            self._stage = 2
            self._hand_over(event, bound, self._built, lambda: self.best)

    def _hand_over(self, event: Any, bound: float, ready: threading.Event,
                   plan: Callable[[], Start | None]) -> None:
        """Wait until ``ready`` (or stopping), then give HiGHS ``plan()`` if it is better."""
        monitor = self.monitor
        if monitor is not None:
            monitor.stage = "waiting for a plan built from the relaxation"
        while not ready.wait(0.02):
            if self.stopping():
                break
        if monitor is not None:
            monitor.stage = None
        start = plan() if ready.is_set() else None
        if start is None or (self.handed is not None
                             and start.objective >= self.handed[0].objective):
            return
        self.handed = (start, time.perf_counter() - self.began, bound)
        event.data_in.user_has_solution = True
        event.data_in.setSolution(start.values[self.order])
        if monitor is not None:
            monitor.report(start.objective, max(bound, start.bound), improved=True)

    def report(self) -> StartReport | None:
        """The last plan handed over, or ``None`` if HiGHS never took one."""
        if self.handed is None:
            return None
        start, seconds, bound = self.handed
        bound = max(bound, start.bound)
        return StartReport(objective=start.objective, bound=bound,
                           gap=relative_gap(start.objective, bound), seconds=start.seconds,
                           handed_at=seconds, dive_rounds=start.dive_rounds)

    def close(self) -> None:
        """Stop building (if still at it) and stop listening to HiGHS."""
        self._closing.set()
        self._thread.join()
        self.highs.cbMipUserSolution.unsubscribe(self._asked)


def _labels(families: Any) -> dict[int, Label]:
    """Position -> (family name, key) for every row or column of the families."""
    labels: dict[int, Label] = {}
    for family in families:
        keys = family.keys.itertuples(index=False, name=None)
        labels.update(zip(range(family.offset, family.stop),
                          ((family.name, key) for key in keys), strict=True))
    return labels
