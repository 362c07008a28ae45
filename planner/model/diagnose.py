"""Explaining an infeasible model in planner terms, from HiGHS's irreducible infeasible subset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import highspy
import numpy as np

from planner.model.families import COLUMN, ROW
from planner.model.families.sentences import Sentences
from planner.model.index import ModelIndex

FULL_IIS_STRATEGY = 2
"""HiGHS's ``iis_strategy`` that isolates a subset from the LP's rows and bounds."""

MAX_LINES = 40
"""A conflict longer than this is cut, saying how many lines were left out."""


Label = tuple[str, tuple[Any, ...]]
"""A row's or column's family name and key, as the model of record names them."""


def explain_iis(highs: highspy.Highs, index: ModelIndex, whole_units: bool,
                rows: Mapping[int, Label], columns: Mapping[int, Label]) -> list[str]:
    """The hard rules that cannot all hold, one line each, from the LP relaxation's IIS.

    ``highs`` holds the model just found infeasible; ``rows`` and ``columns`` name its rows
    and columns. Only integrality is dropped (a conflict among whole units is nearly always
    one among fractional units too, and HiGHS computes subsets for LPs).
    """
    count = highs.getNumCol()
    if count and whole_units:
        highs.changeColsIntegrality(count, np.arange(count, dtype=np.int32),
                                    np.zeros(count, dtype=np.uint8))
    highs.setOptionValue("output_flag", False)
    highs.run()
    # The default ("light") strategy may return an empty subset; ask for a full one.
    highs.setOptionValue("iis_strategy", FULL_IIS_STRATEGY)
    status, iis = highs.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_:
        return ["HiGHS found the rules infeasible but could not isolate a conflict."]
    say = Sentences(index)
    lines = [_row(say, *rows[row]) for row in iis.row_index_ if row in rows]
    lines += [_column(say, *columns[col], bound)
              for col, bound in zip(iis.col_index_, iis.col_bound_, strict=True) if col in columns]
    lines = list(dict.fromkeys(line for line in lines if line))
    if not lines:
        return ["HiGHS found the rules infeasible but could not isolate a conflict."]
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... and {len(lines) - MAX_LINES} more"]
    return lines


def _row(say: Sentences, name: str, key: tuple[Any, ...]) -> str:
    """A row of the conflict as its family states the rule there."""
    family = ROW.get(name)
    return family.sentence(say, *key) if family is not None else f"rule {name}{list(key)}"


def _column(say: Sentences, name: str, key: tuple[Any, ...], bound: int) -> str:
    """A column's bound in the conflict, where its family has a sentence for it."""
    family = COLUMN.get(name)
    if family is None or family.sentence is None:
        return ""
    lower = bound in (highspy.IisBoundStatus.kIisBoundStatusLower.value,
                      highspy.IisBoundStatus.kIisBoundStatusBoxed.value)
    upper = bound in (highspy.IisBoundStatus.kIisBoundStatusUpper.value,
                      highspy.IisBoundStatus.kIisBoundStatusBoxed.value)
    return family.sentence(say, key, lower, upper)
