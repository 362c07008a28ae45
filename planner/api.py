"""The library API: from a scenario to a plan, timing each step, and re-solving what-ifs.

By default the model is built as matrices and handed to HiGHS directly (``planner.matrix``,
``planner.highs``); ``pyomo=True`` builds the Pyomo model of record instead, which gives
the same problem to HiGHS and hence the same plan, more slowly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planner.highs import HighsModel
from planner.index import build_index, index_shape, refresh_index
from planner.load import load_scenario
from planner.matrix import build_matrix, refresh_matrix
from planner.model import build_model
from planner.plan import Plan, make_plan
from planner.progress import SolveMonitor
from planner.requirements import Requirements, derive_requirements
from planner.schema import Scenario
from planner.solve import SolveOptions, SolveResult, solve


def _plan(scenario: Scenario, timings: dict[str, float] | None,
          build_and_solve: Callable[[Requirements], SolveResult]) -> Plan:
    """Derive needs, then build and solve (timed together as ``build``, less the solve)."""
    timings = dict(timings or {})
    started = time.perf_counter()
    requirements = derive_requirements(scenario)
    timings["requirements"] = time.perf_counter() - started
    started = time.perf_counter()
    result = build_and_solve(requirements)
    timings["build"] = time.perf_counter() - started - result.solve_seconds - (
        result.extract_seconds)
    started = time.perf_counter()
    plan = make_plan(scenario, requirements, result, timings)
    plan.timings["plan"] = time.perf_counter() - started
    return plan


class Planner:
    """Plans scenarios one after another, keeping the last model loaded in HiGHS.

    When the next scenario differs only in data its model has the same structure: the
    loaded one is changed in place and re-solved from the last basis (LP) or plan (whole
    units). Where only needs, costs or penalties differ, even the index and matrices are
    refreshed rather than rebuilt; other data changes (availability, say) rebuild them and
    still re-solve warm if the rows come out the same. Otherwise the model is built afresh.
    """

    def __init__(self, options: SolveOptions | None = None) -> None:
        self.options = options or SolveOptions()
        self._loaded: HighsModel | None = None
        self._shape: tuple[Any, ...] | None = None
        """The loaded model's scenario shape (see ``planner.index.index_shape``)."""

    def plan(self, scenario: Scenario, *, timings: dict[str, float] | None = None,
             monitor: SolveMonitor | None = None) -> Plan:
        """Derive needs, build (or update) and solve the model, and return the plan.

        A ``monitor`` follows the solve and can stop it (see :mod:`planner.progress`).
        """
        return _plan(scenario, timings,
                     lambda requirements: self._solve(scenario, requirements, monitor))

    def write_model(self, path: str | Path) -> None:
        """Write the last model as HiGHS has it (``.mps`` or ``.lp``), e.g. to time HiGHS alone."""
        if self._loaded is None:
            raise ValueError("no model yet: plan a scenario first")
        self._loaded.write(str(path))

    def _solve(self, scenario: Scenario, requirements: Requirements,
               monitor: SolveMonitor | None = None) -> SolveResult:
        shape = index_shape(scenario, requirements)
        if self._loaded is not None and shape == self._shape:
            # Only needs, costs or penalties differ: the rows stay, their values change.
            loaded = self._loaded.matrix
            matrix = refresh_matrix(loaded, refresh_index(loaded.index, scenario, requirements))
        else:
            matrix = build_matrix(build_index(scenario, requirements),
                                  whole_units=self.options.whole_units)
        if self._loaded is None or not self._loaded.update(matrix):
            self._loaded = HighsModel(matrix, self.options)
        self._shape = shape
        return self._loaded.solve(monitor)


def plan_scenario(
    scenario: Scenario,
    options: SolveOptions | None = None,
    *,
    timings: dict[str, float] | None = None,
    pyomo: bool = False,
    monitor: SolveMonitor | None = None,
) -> Plan:
    """Derive needs, build and solve the model, and return the plan (whatever the status).

    ``pyomo`` builds the Pyomo model of record instead of the matrices: same plan, slower
    (and without ``monitor``: no progress, no stop on request).
    """
    options = options or SolveOptions()
    if not pyomo:
        return Planner(options).plan(scenario, timings=timings, monitor=monitor)
    return _plan(scenario, timings, lambda requirements: solve(
        build_model(scenario, requirements, whole_units=options.whole_units), options))


def run(path: str | Path, options: SolveOptions | None = None, *, pyomo: bool = False) -> Plan:
    """Load the scenario at ``path`` and plan it."""
    started = time.perf_counter()
    scenario = load_scenario(path)
    return plan_scenario(scenario, options, timings={"load": time.perf_counter() - started},
                         pyomo=pyomo)
