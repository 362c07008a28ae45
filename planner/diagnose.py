"""Explaining an infeasible model in planner terms, from HiGHS's irreducible infeasible subset."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo

from planner.index import ModelIndex
from planner.model import DEPLOY_KEY, DeploymentModel

FULL_IIS_STRATEGY = 2
"""HiGHS's ``iis_strategy`` that isolates a subset from the LP's rows and bounds."""

MAX_LINES = 40
"""A conflict longer than this is cut, saying how many lines were left out."""


Label = tuple[str, tuple[Any, ...]]
"""A row's or column's family name and key, as the model of record names them."""


def explain_infeasibility(built: DeploymentModel, solver: Any) -> list[str]:
    """The hard rules that cannot all hold, from the Pyomo model's HiGHS interface.

    ``solver`` has just found ``built`` infeasible; its HiGHS model and maps from Pyomo
    components to rows and columns are read.
    """
    variables = {id(var): var for var in built.model.component_data_objects(pyo.Var)}
    columns = {index: _label(variables[var_id])
               for var_id, index in solver._pyomo_var_to_solver_var_map.items()
               if var_id in variables}
    rows = {index: _label(con) for con, index in solver._pyomo_con_to_solver_con_map.items()}
    return explain_iis(solver._solver_model, built.index, built.whole_units, rows, columns)


def _label(component: Any) -> Label:
    key = component.index()
    return component.parent_component().local_name, key if isinstance(key, tuple) else (key,)


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
    describe = _Describer(index)
    lines = [describe.row(*rows[row]) for row in iis.row_index_ if row in rows]
    lines += [describe.column(*columns[col], bound)
              for col, bound in zip(iis.col_index_, iis.col_bound_, strict=True) if col in columns]
    lines = list(dict.fromkeys(line for line in lines if line))
    if not lines:
        return ["HiGHS found the rules infeasible but could not isolate a conflict."]
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... and {len(lines) - MAX_LINES} more"]
    return lines


def _units(count: float) -> str:
    return f"{count:g} unit" + ("" if count == 1 else "s")


class _Describer:
    """Turns model rows and variable bounds into sentences about sections, periods, pledges."""

    def __init__(self, index: ModelIndex) -> None:
        self.index = index
        periods = index.periods
        self.dates = {int(t): f"{start} to {end}" for t, start, end in zip(
            periods["period"], periods["period_start"], periods["period_end"], strict=True)}
        keys = list(index.deploy[DEPLOY_KEY].itertuples(index=False, name=None))
        self.available: dict[tuple[str, str, int], int] = dict(
            zip(keys, index.deploy["available"].tolist(), strict=True))
        self.running: dict[tuple[str, str, int], int] = dict(
            zip(keys, index.deploy["running"].tolist(), strict=True))
        self.kept: dict[tuple[str, str, int], tuple[int, int]] = {
            key: (least, most) for key, least, most, running, available in zip(
                keys, index.deploy["least"].tolist(), index.deploy["most"].tolist(),
                index.deploy["running"].tolist(), index.deploy["available"].tolist(),
                strict=True) if (least, most) != (running, available)}
        """Bounds a re-plan's baseline sets: (least, most) where they are not the usual."""
        vehicles = index.deploy[index.deploy["kind_class"] == "vehicle"]
        self.crew = vehicles.drop_duplicates("kind_id").set_index("kind_id")[
            ["crew_kind", "crew_size"]
        ].to_dict("index")
        self.caps = index.caps.drop_duplicates(["contribution_id", "year"]).set_index(
            ["contribution_id", "year"]
        )["cap"].to_dict()
        self.rows: dict[str, Callable[..., str]] = {
            "availability": self.availability,
            "accommodation": self.accommodation,
            "crew": self.crew_rule,
            "host_aboard": self.host_aboard,
            "rotation": self.rotation,
            "annual_cap": self.annual_cap,
            "reserve_gate": self.reserve,
            "first_exhausted": self.first_exhausted,
            "cap_spent_rule": self.cap_spent,
            "interpreter_capacity": self.interpreters,
            "start_count": self.starts,
        }

    def when(self, period: int) -> str:
        return f"period {period} ({self.dates.get(period, '?')})"

    def row(self, name: str, key: tuple[Any, ...]) -> str:
        describe = self.rows.get(name)
        return describe(*key) if describe else f"rule {name}{list(key)}"

    def column(self, name: str, key: tuple[Any, ...], bound: int) -> str:
        if name != "deploy":
            return ""
        contribution, section, period = key
        lower = bound in (highspy.IisBoundStatus.kIisBoundStatusLower.value,
                          highspy.IisBoundStatus.kIisBoundStatusBoxed.value)
        upper = bound in (highspy.IisBoundStatus.kIisBoundStatusUpper.value,
                          highspy.IisBoundStatus.kIisBoundStatusBoxed.value)
        running = self.running.get(key, 0)
        available = self.available.get(key, 0)
        where = f"section '{section}' in {self.when(period)}"
        if key in self.kept and (lower or self.kept[key][1] != available):
            least, most = self.kept[key]
            kept = (("no units" if most == 0 else f"exactly {_units(most)}") if least == most
                    else f"at least {_units(least)}" if lower else f"at most {_units(most)}")
            return (f"baseline: {kept} of pledge '{contribution}' at {where}, kept from the "
                    "plan re-planned around")
        if running > available:
            limit = (f"only {_units(available)}" if available
                     else "no units then (outside its window)")
            return (f"running deployment: {_units(running)} of pledge '{contribution}' stay at "
                    f"{where}, but the pledge has {limit}")
        if lower and running:
            return (f"running deployment: {_units(running)} of pledge '{contribution}' stay at "
                    f"{where}")
        if lower and not upper:
            return ""  # units cannot be negative: true of every deployment, worth no line
        if available == 0:
            return (f"pledge '{contribution}' is not available in {self.when(period)} "
                    "(outside its window)")
        return f"pledge '{contribution}' has {_units(available)} in {self.when(period)}"

    def availability(self, contribution: str, period: int) -> str:
        units = next((value for (c, _, t), value in self.available.items()
                      if c == contribution and t == period), 0)
        return f"pledge '{contribution}' fields at most {_units(units)} in {self.when(period)}"

    def accommodation(self, section: str, period: int) -> str:
        return (f"section '{section}' has {self.index.beds[section]} beds for deployed "
                f"personnel in {self.when(period)}")

    def crew_rule(self, section: str, period: int, crew_kind: str) -> str:
        vehicles = ", ".join(f"{int(row['crew_size'])} per '{vehicle}'"
                             for vehicle, row in sorted(self.crew.items())
                             if row["crew_kind"] == crew_kind and row["crew_size"])
        return (f"'{crew_kind}' officers at section '{section}' in {self.when(period)} crew "
                f"its vehicles, one vehicle at a time ({vehicles})")

    def host_aboard(self, section: str, period: int) -> str:
        return (f"each vehicle at section '{section}' in {self.when(period)} needs a host-state "
                "officer aboard")

    def rotation(self, contribution: str, section: str, period: int) -> str:
        return (f"units of pledge '{contribution}' at section '{section}' in "
                f"{self.when(period)} are those running or started within its rotation")

    def annual_cap(self, contribution: str, year: int) -> str:
        return (f"pledge '{contribution}' serves at most {self.caps[contribution, year]:g} "
                f"unit-days in {year}")

    def reserve(self, contribution: str, section: str, period: int) -> str:
        return (f"reserve pledge '{contribution}' serves at section '{section}' in "
                f"{self.when(period)} only once categories 1-3 are fully deployed")

    def first_exhausted(self, section: str, period: int, kind: str, contribution: str) -> str:
        return (f"the reserve of '{kind}' at section '{section}' in {self.when(period)} waits "
                f"for pledge '{contribution}' to be fully deployed")

    def cap_spent(self, contribution: str, year: int) -> str:
        return (f"pledge '{contribution}' counts as exhausted in {year} only once its "
                f"{self.caps[contribution, year]:g} unit-days are used")

    def interpreters(self, contribution: str, section: str, period: int) -> str:
        return (f"interpreters of pledge '{contribution}' at section '{section}' in "
                f"{self.when(period)} share their time among their languages")

    def starts(self, contribution: str, section: str, period: int) -> str:
        return (f"arrivals of pledge '{contribution}' at section '{section}' in "
                f"{self.when(period)} are counted as starts")
