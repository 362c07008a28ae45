"""The deployment model as sparse matrices, built straight from the index for HiGHS.

This is the fast path. It states the same rows and columns as the Pyomo model of record
(``planner.model``), family by family and in the same order, but builds them with array
operations instead of one Python expression per row. Tests hold the two to the same
matrix, optimum and schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.index import ModelIndex
from planner.model import DEPLOY_KEY, NEED_KEY, OBJECTIVE_PARTS, ModelSize

INF = np.inf

Values = np.ndarray | pd.Series | float
"""Per row (or per entry) values, or one value for all."""

COLUMN_OBJECTIVE_PART = {
    "deploy": "deployment_cost",
    "start": "start_cost",
    "uncovered": "shortfall_penalty",
    "unserved_language": "language_penalty",
    "remote": "remote_interpretation",
    "above_baseline": "change_cost",
    "below_baseline": "change_cost",
}
"""Which objective term (see ``OBJECTIVE_PARTS``) each column family's costs make up."""


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


@dataclass
class _Rows:
    """Rows being collected: bounds per row, and coefficients as (row, column, value)."""

    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    row: list[np.ndarray] = field(default_factory=list)
    column: list[np.ndarray] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    count: int = 0

    def family(self, name: str, keys: pd.DataFrame, lower: Values, upper: Values,
               terms: Sequence[tuple[np.ndarray, np.ndarray, Values]]) -> None:
        """Add one row per row of ``keys``; each term is (local rows, columns, values)."""
        size = len(keys)
        self.families.append(Family(name, keys.reset_index(drop=True), self.count))
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (size,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (size,)))
        for rows, columns, values in terms:
            rows = np.asarray(rows, dtype=np.int64)
            self.row.append(rows + self.count)
            self.column.append(np.asarray(columns, dtype=np.int64))
            self.value.append(np.broadcast_to(np.asarray(values, dtype=float), rows.shape))
        self.count += size


@dataclass(frozen=True)
class MatrixModel:
    """The model as HiGHS takes it: costs, bounds, integrality and a column-wise matrix."""

    columns: tuple[Family, ...]
    rows: tuple[Family, ...]
    cost: np.ndarray
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
        parts = dict.fromkeys(OBJECTIVE_PARTS, 0.0)
        for family in self.columns:
            part = COLUMN_OBJECTIVE_PART.get(family.name)
            if part is not None:
                span = family.span
                parts[part] += float(self.cost[span] @ values[span])
        # A deployment's cost holds its change cost where the baseline had none.
        changes = float(self.index.deploy["change_cost"].to_numpy()
                        @ values[self.column("deploy").span])
        parts["deployment_cost"] -= changes
        parts["change_cost"] += changes
        return parts

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


def _locate(frame: pd.DataFrame, table: pd.DataFrame, on: Sequence[str],
            table_on: Sequence[str] | None = None) -> np.ndarray:
    """The position in ``table`` of each row of ``frame`` matched on ``on`` (-1 if none).

    ``table_on`` names the matching columns in ``table`` when they differ. Keys in
    ``table`` are unique.
    """
    right = table[list(table_on or on)].set_axis(list(on), axis=1)
    right = right.assign(_position=np.arange(len(table), dtype=np.int64))
    merged = frame[list(on)].merge(right, on=list(on), how="left", sort=False)
    return merged["_position"].fillna(-1).to_numpy(dtype=np.int64)


def _grouped(frame: pd.DataFrame, by: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Groups of ``frame`` by ``by``, in order of first appearance.

    Returns the groups' keys and each row's group number.
    """
    number = frame.groupby(list(by), sort=False).ngroup().to_numpy(dtype=np.int64)
    first = np.unique(number, return_index=True)[1] if len(number) else np.array([], int)
    return frame[list(by)].iloc[first].reset_index(drop=True), number


def _keep_groups(number: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber groups so only those with ``keep`` remain: (rows kept, new numbers)."""
    renumber = np.cumsum(keep) - 1
    rows = keep[number]
    return rows, renumber[number[rows]]


def build_matrix(index: ModelIndex, *, whole_units: bool = True) -> MatrixModel:
    """The model of record's rows and columns, built with array operations.

    Column and row families follow ``planner.model.build_model``: same names, same keys in
    the same order, same coefficients and bounds.
    """
    tables = _column_tables(index, whole_units)
    columns: list[Family] = []
    offset = 0
    for name, keys, *_ in tables:
        columns.append(Family(name, keys.reset_index(drop=True), offset))
        offset += len(keys)
    cost, col_lower, col_upper, integer = _column_arrays(tables)
    family = {each.name: each for each in columns}
    position = {name: each.offset for name, each in family.items()}

    rows = _Rows()
    _cover(rows, index, position)
    _languages(rows, index, len(family["remote"].keys), position)
    _availability(rows, index, position)
    _rotations_and_starts(rows, index, position)
    caps, cap_row = _annual_caps(rows, index, position)
    _accommodation(rows, index, position)
    _crews(rows, index, position)
    gate_keys, spent_keys = family["reserve_open"].keys, family["cap_spent"].keys
    first = index.reserve_gates[index.reserve_gates["role"] == "first"].reset_index(drop=True)
    _reserve_last(rows, index, first, gate_keys, spent_keys, caps, cap_row, position)
    _baseline(rows, index, position)

    row = np.concatenate(rows.row) if rows.row else np.array([], dtype=np.int64)
    column = np.concatenate(rows.column) if rows.column else np.array([], dtype=np.int64)
    value = np.concatenate(rows.value) if rows.value else np.array([], dtype=float)
    keep = value != 0
    row, column, value = row[keep], column[keep], value[keep]
    order = np.lexsort((row, column))
    start = np.zeros(offset + 1, dtype=np.int64)
    np.cumsum(np.bincount(column, minlength=offset), out=start[1:])
    row_index = row[order]
    used = np.diff(start) > 0
    first_row = np.where(used, row_index[np.minimum(start[:-1], max(len(row_index) - 1, 0))],
                         rows.count)
    solver_order = np.lexsort((_arange(offset), first_row))
    return MatrixModel(
        columns=tuple(columns),
        rows=tuple(rows.families),
        cost=cost,
        col_lower=col_lower,
        col_upper=col_upper,
        integer=integer,
        row_lower=np.concatenate(rows.lower) if rows.lower else np.array([]),
        row_upper=np.concatenate(rows.upper) if rows.upper else np.array([]),
        start=start,
        row_index=row_index,
        value=value[order],
        solver_order=solver_order,
        whole_units=whole_units,
        index=index,
    )


ColumnTable = tuple[str, pd.DataFrame, Values, Values, Values, bool]
"""A column family: name, keys, cost, lower and upper bounds, whether integer."""


def _column_tables(index: ModelIndex, whole_units: bool) -> list[ColumnTable]:
    """Every column family in order, with its costs and bounds."""
    deploy, starts = index.deploy, index.starts
    remote_needs = index.language[index.language["remote_cost"].notna()]
    gates = index.reserve_gates
    gate_keys = (gates[[*NEED_KEY, "kind_id"]].drop_duplicates()
                 .sort_values([*NEED_KEY, "kind_id"]).reset_index(drop=True))
    first = gates[gates["role"] == "first"]
    spent_keys = (first.loc[first["capped"].astype(bool), ["contribution_id", "year"]]
                  .drop_duplicates().sort_values(["contribution_id", "year"])
                  .reset_index(drop=True))
    return [
        ("deploy", deploy[DEPLOY_KEY], deploy["cost"] + deploy["change_cost"], deploy["least"],
         deploy["most"], whole_units),
        ("start", starts[DEPLOY_KEY], starts["cost"], starts["least"], starts["most"],
         whole_units),
        ("uncovered", index.cover[[*NEED_KEY, "kind_id"]], index.cover["penalty"], 0.0,
         index.cover["required"], False),
        ("interpret", index.interpret[[*DEPLOY_KEY, "language_id"]], 0.0, 0.0, INF, False),
        ("remote", remote_needs[[*NEED_KEY, "language_id"]],
         remote_needs["remote_cost_per_period"], 0.0, INF, False),
        ("unserved_language", index.language[[*NEED_KEY, "language_id"]],
         index.language["penalty"], 0.0, index.language["required"], False),
        ("reserve_open", gate_keys, 0.0, 0.0, 1.0, whole_units),
        ("cap_spent", spent_keys, 0.0, 0.0, 1.0, whole_units),
        ("above_baseline", index.moves[DEPLOY_KEY], index.moves["cost"], 0.0, INF, False),
        ("below_baseline", index.moves[DEPLOY_KEY], index.moves["cost"], 0.0, INF, False),
    ]


def _column_arrays(tables: Sequence[ColumnTable]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Costs, lower and upper bounds, and integrality of every column, in order."""
    arrays: list[list[np.ndarray]] = [[], [], []]
    integers = []
    for _, keys, cost, lower, upper, integer in tables:
        size = len(keys)
        for target, value in zip(arrays, (cost, lower, upper), strict=True):
            target.append(np.broadcast_to(np.asarray(value, dtype=float), (size,)))
        integers.append(np.full(size, integer, dtype=bool))
    cost, lower, upper = (np.concatenate(parts) for parts in arrays)
    return cost, lower, upper, np.concatenate(integers)


def refresh_matrix(matrix: MatrixModel, index: ModelIndex) -> MatrixModel:
    """``matrix`` with the needs, costs and penalties of ``index``.

    ``index`` comes from :func:`planner.index.refresh_index` of the index ``matrix`` was
    built from: the rows and columns are the same, only costs, the bounds that needs set
    and the needs' rows change. The result equals ``build_matrix(index)``.
    """
    cost, _, col_upper, _ = _column_arrays(_column_tables(index, matrix.whole_units))
    row_lower = matrix.row_lower.copy()
    row_lower[matrix.row("cover").span] = index.cover["required"].to_numpy(dtype=float)
    row_lower[matrix.row("language").span] = index.language["required"].to_numpy(dtype=float)
    return replace(matrix, cost=cost, col_upper=col_upper, row_lower=row_lower, index=index)


def _arange(count: int) -> np.ndarray:
    return np.arange(count, dtype=np.int64)


def _cover(rows: _Rows, index: ModelIndex, at: dict[str, int]) -> None:
    """Units of a kind at a section and period, plus what stays uncovered, meet the need."""
    cover, deploy = index.cover, index.deploy
    need = _locate(deploy, cover, [*NEED_KEY, "kind_id"])
    helps = need >= 0
    rows.family("cover", cover[[*NEED_KEY, "kind_id"]], cover["required"], INF, [
        (need[helps], at["deploy"] + np.flatnonzero(helps), 1.0),
        (_arange(len(cover)), at["uncovered"] + _arange(len(cover)), 1.0),
    ])


def _languages(rows: _Rows, index: ModelIndex, remote_count: int,
               at: dict[str, int]) -> None:
    """Interpreters on site, remote interpretation and unserved need meet each language need.

    An interpreter's time is shared among the languages it interprets.
    """
    language, interpret = index.language, index.interpret
    need = _locate(interpret, language, [*NEED_KEY, "language_id"])
    count = len(language)
    rows.family("language", language[[*NEED_KEY, "language_id"]], language["required"], INF, [
        (need, at["interpret"] + _arange(len(interpret)), 1.0),
        (np.flatnonzero(language["remote_cost"].notna().to_numpy()),
         at["remote"] + _arange(remote_count), 1.0),
        (_arange(count), at["unserved_language"] + _arange(count), 1.0),
    ])
    keys, number = _grouped(interpret, DEPLOY_KEY)
    rows.family("interpreter_capacity", keys, -INF, 0.0, [
        (number, at["interpret"] + _arange(len(interpret)), 1.0),
        (_arange(len(keys)), at["deploy"] + _locate(keys, index.deploy, DEPLOY_KEY), -1.0),
    ])


def _availability(rows: _Rows, index: ModelIndex, at: dict[str, int]) -> None:
    """A pledge fields at most its quantity in each period, over all its sections.

    A pledge at one section only is already capped by its column's bound.
    """
    deploy = index.deploy
    keys, number = _grouped(deploy, ["contribution_id", "period"])
    members = np.bincount(number, minlength=len(keys))
    kept, renumbered = _keep_groups(number, members > 1)
    first = np.unique(number, return_index=True)[1]
    available = deploy["available"].to_numpy()[first][members > 1]
    rows.family("availability", keys[members > 1], -INF, available, [
        (renumbered, at["deploy"] + np.flatnonzero(kept), 1.0),
    ])


def _rotations_and_starts(rows: _Rows, index: ModelIndex, at: dict[str, int]) -> None:
    """Units in a rotation are those running plus those started within its length.

    Other starts count arrivals beyond the units present before.
    """
    deploy, starts, rotation = index.deploy, index.starts, index.rotation
    rotating = np.flatnonzero(deploy["rotating"].to_numpy(dtype=bool))
    keys = deploy[DEPLOY_KEY].iloc[rotating]
    running = deploy["running"].to_numpy(dtype=float)[rotating]
    present = _locate(rotation, keys, DEPLOY_KEY)
    started = _locate(rotation, starts, [*DEPLOY_KEY[:2], "start_period"], DEPLOY_KEY)
    rows.family("rotation", keys, running, running, [
        (_arange(len(keys)), at["deploy"] + rotating, 1.0),
        (present, at["start"] + started, -1.0),
    ])

    tracked = np.flatnonzero(~starts["rotating"].to_numpy(dtype=bool))
    track_keys = starts[DEPLOY_KEY].iloc[tracked]
    now = _locate(track_keys, deploy, DEPLOY_KEY)
    before = _locate(track_keys.assign(period=track_keys["period"] - 1), deploy, DEPLOY_KEY)
    earlier = before >= 0
    running_before = starts["running_before"].to_numpy(dtype=float)[tracked]
    # As the model of record states it: arrivals beyond those present before, less starts.
    rows.family("start_count", track_keys, -INF, np.where(earlier, 0.0, running_before), [
        (_arange(len(tracked)), at["deploy"] + now, 1.0),
        (np.flatnonzero(earlier), at["deploy"] + before[earlier], -1.0),
        (_arange(len(tracked)), at["start"] + tracked, -1.0),
    ])


def _annual_caps(rows: _Rows, index: ModelIndex, at: dict[str, int]
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """A pledge serves at most its cap of unit-days in each calendar year.

    Returns the caps' keys and limits and each cap term's column, for the reserve rule.
    """
    caps = index.caps
    keys, number = _grouped(caps, ["contribution_id", "year"])
    first = np.unique(number, return_index=True)[1]
    limits = keys.assign(cap=caps["cap"].to_numpy(dtype=float)[first])
    columns = at["deploy"] + _locate(caps, index.deploy, DEPLOY_KEY)
    rows.family("annual_cap", keys, -INF, limits["cap"], [
        (number, columns, caps["days"].to_numpy(dtype=float)),
    ])
    return limits.assign(_group=_arange(len(keys))), np.column_stack([number, columns])


def _accommodation(rows: _Rows, index: ModelIndex, at: dict[str, int]) -> None:
    """Deployed personnel at a section (host-state staff excluded) fit its beds."""
    deploy = index.deploy
    mask = (deploy["personnel"].astype(bool) & deploy["section_id"].isin(index.beds)).to_numpy()
    keys, number = _grouped(deploy[mask], NEED_KEY)
    rows.family("accommodation", keys, -INF, keys["section_id"].map(index.beds), [
        (number, at["deploy"] + np.flatnonzero(mask), 1.0),
    ])


def _crews(rows: _Rows, index: ModelIndex, at: dict[str, int]) -> None:
    """Each vehicle has its crew at the same section and period, and a host officer aboard."""
    deploy = index.deploy
    vehicle = (deploy["kind_class"] == "vehicle").to_numpy()
    crewed = vehicle & (deploy["crew_size"].fillna(0) > 0).to_numpy()
    # One row per crew kind: an officer crews one vehicle at a time, of whichever kind.
    keys, number = _grouped(deploy[crewed], [*NEED_KEY, "crew_kind"])
    size = deploy["crew_size"].to_numpy()[crewed].astype(float)
    officer_rows, officer_columns = _members(keys.rename(columns={"crew_kind": "kind_id"}),
                                             deploy, [*NEED_KEY, "kind_id"])
    rows.family("crew", keys, -INF, 0.0, [
        (number, at["deploy"] + np.flatnonzero(crewed), size),
        (officer_rows, at["deploy"] + officer_columns, -1.0),
    ])

    stay_keys, stay = _grouped(deploy[vehicle], NEED_KEY)
    host_rows, host_columns = _members(stay_keys, deploy[deploy["host_officer"].astype(bool)],
                                       NEED_KEY)
    hosts = np.flatnonzero(deploy["host_officer"].astype(bool).to_numpy())
    rows.family("host_aboard", stay_keys, -INF, 0.0, [
        (stay, at["deploy"] + np.flatnonzero(vehicle), 1.0),
        (host_rows, at["deploy"] + hosts[host_columns], -1.0),
    ])


def _baseline(rows: _Rows, index: ModelIndex, at: dict[str, int]) -> None:
    """After a re-plan's freeze, units more or fewer than the baseline are the changes."""
    moves = index.moves
    column = _locate(moves, index.deploy, DEPLOY_KEY)
    local = _arange(len(moves))
    baseline = moves["baseline"].to_numpy(dtype=float)
    rows.family("baseline", moves[DEPLOY_KEY], baseline, baseline, [
        (local, at["deploy"] + column, 1.0),
        (local, at["above_baseline"] + local, -1.0),
        (local, at["below_baseline"] + local, 1.0),
    ])


def _members(keys: pd.DataFrame, table: pd.DataFrame, on: Sequence[str]
             ) -> tuple[np.ndarray, np.ndarray]:
    """Every (key row, table row) pair matching on ``on``: one key may match many rows."""
    left = keys[list(on)].assign(_key=_arange(len(keys)))
    right = table[list(on)].assign(_row=_arange(len(table)))
    pairs = left.merge(right, on=list(on), sort=False)
    return pairs["_key"].to_numpy(dtype=np.int64), pairs["_row"].to_numpy(dtype=np.int64)


def _reserve_last(rows: _Rows, index: ModelIndex, first: pd.DataFrame, gate_keys: pd.DataFrame,
                  spent_keys: pd.DataFrame, caps: pd.DataFrame, cap_terms: np.ndarray,
                  at: dict[str, int]) -> None:
    """The reserve serves only once first-line pledges of its kind there are exhausted.

    Exhausted is fully deployed or, for a capped pledge, its cap for the year spent.
    """
    deploy, gates = index.deploy, index.reserve_gates
    reserve = gates[gates["role"] == "reserve"]
    reserve_columns = _locate(reserve, deploy, DEPLOY_KEY)
    count = len(reserve)
    rows.family("reserve_gate", reserve[DEPLOY_KEY], -INF,
                deploy["running"].to_numpy(dtype=float)[reserve_columns], [
                    (_arange(count), at["deploy"] + reserve_columns, 1.0),
                    (_arange(count),
                     at["reserve_open"] + _locate(reserve, gate_keys, [*NEED_KEY, "kind_id"]),
                     -(deploy["available"] - deploy["running"]).to_numpy(dtype=float)[
                         reserve_columns]),
                ])

    # Spent once less than one unit for one more period remains of the cap.
    spent_cap = _locate(spent_keys, caps, ["contribution_id", "year"])
    period_days = float(index.periods["days"].max())
    threshold = np.maximum(caps["cap"].to_numpy(dtype=float)[spent_cap] - period_days + 1, 0)
    term_of_cap = _locate(caps.iloc[cap_terms[:, 0]], spent_keys,
                          ["contribution_id", "year"]) if len(cap_terms) else np.array([], int)
    in_spent = term_of_cap >= 0
    rows.family("cap_spent_rule", spent_keys, -INF, 0.0, [
        (_arange(len(spent_keys)), at["cap_spent"] + _arange(len(spent_keys)), threshold),
        (term_of_cap[in_spent], cap_terms[in_spent, 1],
         -index.caps["days"].to_numpy(dtype=float)[in_spent]),
    ])

    first_rows, fielded = _members(first, deploy, ["contribution_id", "period"])
    quantity = first["quantity"].to_numpy(dtype=float)
    spent = _locate(first, spent_keys, ["contribution_id", "year"])
    capped = spent >= 0
    rows.family("first_exhausted", first[[*NEED_KEY, "kind_id", "contribution_id"]], -INF, 0.0, [
        (_arange(len(first)),
         at["reserve_open"] + _locate(first, gate_keys, [*NEED_KEY, "kind_id"]), quantity),
        (np.flatnonzero(capped), at["cap_spent"] + spent[capped], -quantity[capped]),
        (first_rows, at["deploy"] + fielded, -1.0),
    ])
