"""What a family of columns or rows is, and the tools every family is written with.

A family is one block of the model: the columns of one kind of decision, or the rows of
one rule, one per key. Each family is written once, in its own module, and says:

- its **arrays**: keys, bounds and coefficients, built with array operations (the fast
  path, :func:`planner.model.matrix.build_matrix`);
- its **Pyomo rule**, the same rule as algebra over the model of record's variables
  (:func:`planner.model.pyomo_model.build_model` declares one constraint per family);
- its **sentence**, the rule in planner terms, for a conflict found infeasible;
- what **needs** or **prices** touch, which a what-if that changes only those refreshes
  (:func:`planner.model.matrix.refresh_matrix`) instead of building the model again.

Nothing here imports Pyomo: rules are plain Python expressions over whatever variables
the model of record hands them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
import pandas as pd

from planner.model.index import ModelIndex

if TYPE_CHECKING:
    from planner.model.families.sentences import Sentences

Values = np.ndarray | pd.Series | float
"""Per row (or per entry) values, or one value for all."""

Domain = Literal["units", "gate", "amount"]
"""What a column holds: whole units (fractional in an LP), an on/off gate (in [0, 1] in an
LP), or a non-negative amount."""

Touch = Literal["needs", "prices"]
"""What a what-if may change without changing the model's structure: the needs (and so
bounds and right-hand sides) or the prices (costs and penalties)."""

Key = TypeVar("Key", bound=Hashable)
Member = TypeVar("Member")


@dataclass(frozen=True)
class Columns:
    """A column family's arrays: one column per row of ``keys``."""

    keys: pd.DataFrame
    lower: Values
    upper: Values
    costs: dict[str, Values] = field(default_factory=dict)
    """Cost per column for each objective term it makes up (see ``OBJECTIVE_PARTS``)."""


Term = tuple[np.ndarray, str, np.ndarray, Values]
"""Coefficients of a row family: (its rows, column family, that family's columns, values)."""


@dataclass(frozen=True)
class Rows:
    """A row family's arrays: one row per row of ``keys``, ``lower <= terms <= upper``."""

    keys: pd.DataFrame
    lower: Values
    upper: Values
    terms: Sequence[Term]


class Built:
    """What a row family is built from: the index, and the column families' keys."""

    def __init__(self, index: ModelIndex, whole_units: bool,
                 columns: dict[str, pd.DataFrame]) -> None:
        self.index = index
        self.whole_units = whole_units
        self.columns = columns

    def keys(self, family: str) -> pd.DataFrame:
        """The keys of the column family ``family``, one row per column."""
        return self.columns[family]


PyomoRule = tuple[list[tuple[Any, ...]], Callable[..., Any]]
"""A row family for the model of record: its keys, and the rule giving each key's row."""


@dataclass(frozen=True)
class ColumnFamily:
    """A block of columns: one decision (or one slack) per key."""

    name: str
    """The name of the model of record's variable, and of the solution's values."""
    key: tuple[str, ...]
    domain: Domain
    arrays: Callable[[ModelIndex], Columns]
    touched_by: frozenset[Touch] = frozenset()
    sentence: Callable[[Sentences, tuple[Any, ...], bool, bool], str] | None = None
    """The sentence for a bound in a conflict: (sentences, key, lower, upper)."""

    def integer(self, whole_units: bool) -> bool:
        """Whether the family's columns are integer in a model of ``whole_units``."""
        return whole_units and self.domain in ("units", "gate")


@dataclass(frozen=True)
class RowFamily:
    """A block of rows: one rule, one row per key."""

    name: str
    """The name of the model of record's constraint."""
    key: tuple[str, ...]
    arrays: Callable[[Built], Rows]
    pyomo: Callable[[ModelIndex], PyomoRule]
    sentence: Callable[..., str]
    """The rule at one key in planner terms: ``sentence(sentences, *key)``."""
    touched_by: frozenset[Touch] = frozenset()


# Array tools.

def arange(count: int) -> np.ndarray:
    """0, 1, ... ``count`` - 1, as positions."""
    return np.arange(count, dtype=np.int64)


def locate(frame: pd.DataFrame, table: pd.DataFrame, on: Sequence[str],
           table_on: Sequence[str] | None = None) -> np.ndarray:
    """The position in ``table`` of each row of ``frame`` matched on ``on`` (-1 if none).

    ``table_on`` names the matching columns in ``table`` when they differ. Keys in
    ``table`` are unique.
    """
    right = table[list(table_on or on)].set_axis(list(on), axis=1)
    right = right.assign(_position=np.arange(len(table), dtype=np.int64))
    merged = frame[list(on)].merge(right, on=list(on), how="left", sort=False)
    return merged["_position"].fillna(-1).to_numpy(dtype=np.int64)


def grouped(frame: pd.DataFrame, by: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Groups of ``frame`` by ``by``, in order of first appearance.

    Returns the groups' keys and each row's group number.
    """
    number = frame.groupby(list(by), sort=False).ngroup().to_numpy(dtype=np.int64)
    first = np.unique(number, return_index=True)[1] if len(number) else np.array([], int)
    return frame[list(by)].iloc[first].reset_index(drop=True), number


def keep_groups(number: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber groups so only those with ``keep`` remain: (rows kept, new numbers)."""
    renumber = np.cumsum(keep) - 1
    rows = keep[number]
    return rows, renumber[number[rows]]


def members(keys: pd.DataFrame, table: pd.DataFrame, on: Sequence[str]
            ) -> tuple[np.ndarray, np.ndarray]:
    """Every (key row, table row) pair matching on ``on``: one key may match many rows."""
    left = keys[list(on)].assign(_key=arange(len(keys)))
    right = table[list(on)].assign(_row=arange(len(table)))
    pairs = left.merge(right, on=list(on), sort=False)
    return pairs["_key"].to_numpy(dtype=np.int64), pairs["_row"].to_numpy(dtype=np.int64)


# Tools for rules as algebra.

def groups(keys: Iterable[Key], items: Iterable[Member]) -> dict[Key, list[Member]]:
    """Items grouped by key, in order."""
    grouped_items: dict[Key, list[Member]] = defaultdict(list)
    for key, item in zip(keys, items, strict=True):
        grouped_items[key].append(item)
    return grouped_items


def tuples(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of ``frame``'s ``columns`` as tuples."""
    return list(frame[list(columns)].itertuples(index=False, name=None))


def mapping(frame: pd.DataFrame, key: Sequence[str], value: str) -> dict[tuple[Any, ...], Any]:
    """``frame``'s ``value`` by the tuple of its ``key`` columns."""
    return dict(zip(tuples(frame, key), frame[value].tolist(), strict=True))
