"""HiGHS instances for the matrix model: quiet, and loaded with a model's columns and rows."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import highspy
import numpy as np

from planner.model.matrix import MatrixModel

FEASIBLE = 2
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


def quiet_highs() -> highspy.Highs:
    """A HiGHS instance that prints nothing (not even its banner, which it prints when made)."""
    with _stdout_silenced():
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
    return highs


def drop_rows_beyond(highs: highspy.Highs, rows: int) -> None:
    """Delete every row of ``highs``'s model after the first ``rows`` (rows added to it)."""
    added = highs.getNumRow() - rows
    if added > 0:
        highs.deleteRows(added, np.arange(rows, rows + added, dtype=np.int32))


def load_matrix(highs: highspy.Highs, matrix: MatrixModel, order: np.ndarray | None = None,
                *, integer: bool = True) -> None:
    """Pass ``matrix`` to ``highs``, whole columns whole unless ``integer`` is false.

    Solver column ``k`` is the model's column ``order[k]`` (the model's order by default).
    """
    columns = len(matrix.cost)
    if order is None:
        order = np.arange(columns)
    lengths = np.diff(matrix.start)[order]
    start = np.zeros(columns + 1, dtype=np.int64)
    np.cumsum(lengths, out=start[1:])
    gather = np.repeat(matrix.start[:-1][order] - start[:-1], lengths) + np.arange(
        len(matrix.value))
    whole = matrix.integer[order] if integer else np.zeros(columns, dtype=bool)
    status = highs.passModel(
        columns, len(matrix.row_lower), len(matrix.value), int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize), 0.0,
        matrix.cost[order], matrix.col_lower[order], matrix.col_upper[order],
        matrix.row_lower, matrix.row_upper,
        start.astype(np.int32), matrix.row_index[gather].astype(np.int32),
        matrix.value[gather], whole.astype(np.int32),
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the model")
