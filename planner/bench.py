"""Benchmarks: each step of a run timed on generated scenarios, against HiGHS alone.

Every measurement runs in a fresh process, so that its peak memory is its own: the planner's
run from files to plan, then HiGHS (highspy) solving the same model written as an MPS file,
with the same options. Ratios compare the two, measured side by side in one call.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from planner.folder import write_folder
from planner.generate import SIZES, generate_scenario
from planner.schema import Scenario

STEPS = ("load", "requirements", "build", "solve", "extract")


WHAT_IF_DEMAND = 1.1
"""The re-solve's what-if: every forecast arrival scaled by this factor (data only)."""


@dataclass(frozen=True)
class BenchRow:
    """One size and mode: the planner's steps and HiGHS alone on the same model."""

    size: str
    units: str
    model: str
    """``matrix`` (the default path) or ``pyomo`` (the model of record)."""
    variables: int
    constraints: int
    nonzeros: int
    status: str
    objective: float | None
    seconds: dict[str, float]
    """Per step (``load`` ... ``extract``) and ``total``."""
    peak_mb: float
    highs_seconds: float
    """HiGHS alone: reading the MPS file is not counted, only the solve."""
    highs_peak_mb: float
    highs_objective: float | None
    resolve_cold_seconds: float | None = None
    """A what-if (demand x1.1) run from scratch: load, needs, build, solve, plan."""
    resolve_warm_seconds: float | None = None
    """The same what-if re-solved by the planner that holds the base model: needs,
    update, warm solve, plan."""
    resolve_warm_start: bool | None = None
    """Whether the what-if did re-use the loaded model (its structure was unchanged)."""
    resolve_objectives: list[float | None] | None = None
    """The what-if's objective, warm and cold: equal for an LP, within the gap otherwise."""

    @property
    def ratio_time(self) -> float:
        """End-to-end seconds over HiGHS-alone seconds."""
        return self.seconds["total"] / self.highs_seconds if self.highs_seconds else float("nan")

    @property
    def ratio_memory(self) -> float:
        """Peak memory over HiGHS-alone peak memory."""
        return self.peak_mb / self.highs_peak_mb if self.highs_peak_mb else float("nan")

    @property
    def ratio_resolve(self) -> float | None:
        """How many times faster the warm re-solve is than the cold run of the what-if."""
        if not self.resolve_cold_seconds or not self.resolve_warm_seconds:
            return None
        return self.resolve_cold_seconds / self.resolve_warm_seconds

    def as_json(self) -> dict[str, Any]:
        """The row as the ``--json`` output documents it."""
        return {**asdict(self), "ratio_time": self.ratio_time,
                "ratio_memory": self.ratio_memory, "ratio_resolve": self.ratio_resolve}


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _quiet() -> None:
    """Send this worker's own stdout (HiGHS prints a banner from C++) to nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _planner_run(folder: str, mps: str, relax: bool, time_limit: float, gap: float,
                 pyomo: bool, resolve: bool) -> dict[str, Any]:
    """In a fresh process: the planner from files to plan; the model as MPS; re-solves."""
    _quiet()
    from planner.api import Planner, plan_scenario
    from planner.highs import HighsModel
    from planner.index import build_index
    from planner.load import load_scenario
    from planner.matrix import build_matrix
    from planner.solve import SolveOptions

    options = SolveOptions(relax=relax, time_limit=time_limit, gap=gap)
    started = time.perf_counter()
    scenario = load_scenario(folder)
    load_seconds = time.perf_counter() - started
    planner = Planner(options)
    if pyomo:
        plan = plan_scenario(scenario, options, timings={"load": load_seconds}, pyomo=True)
    else:
        plan = planner.plan(scenario, timings={"load": load_seconds})
    seconds = {step: plan.timings.get(step, 0.0) for step in STEPS}
    seconds["extract"] += plan.timings.get("plan", 0.0)
    seconds["total"] = sum(seconds[step] for step in STEPS)
    peak = _peak_mb()
    result = plan.result
    if pyomo:
        # The same problem as the model of record hands HiGHS (the tests hold them equal).
        from planner.requirements import derive_requirements

        HighsModel(build_matrix(build_index(scenario, derive_requirements(scenario)),
                                whole_units=not relax), options).write(mps)
    else:
        planner.write_model(mps)
    row: dict[str, Any] = {
        "variables": result.size.variables,
        "constraints": result.size.constraints,
        "nonzeros": result.size.nonzeros,
        "status": result.status.value,
        "objective": result.objective,
        "seconds": seconds,
        "peak_mb": peak,
    }
    if resolve and not pyomo:
        what_if = scale_demand(scenario, WHAT_IF_DEMAND)
        started = time.perf_counter()
        warm = planner.plan(what_if)
        row["resolve_warm_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        cold = Planner(options).plan(what_if)
        row["resolve_cold_seconds"] = load_seconds + time.perf_counter() - started
        row["resolve_warm_start"] = warm.result.warm_start
        row["resolve_objectives"] = [warm.result.objective, cold.result.objective]
    return row


def scale_demand(scenario: Scenario, factor: float) -> Scenario:
    """The scenario with every forecast arrival multiplied by ``factor``."""
    forecast = tuple(row.model_copy(update={"arrivals": row.arrivals * factor})
                     for row in scenario.forecast)
    return scenario.model_copy(update={"forecast": forecast})


def _highs_alone(mps: str, time_limit: float, gap: float) -> dict[str, Any]:
    """In a fresh process: HiGHS reads the MPS file and solves it with the same options."""
    _quiet()
    import highspy

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.readModel(mps)
    started = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - started
    info = highs.getInfo()
    return {"seconds": seconds, "peak_mb": _peak_mb(),
            "objective": float(info.objective_function_value)}


def _in_fresh_process(function: Any, *args: Any) -> dict[str, Any]:
    """Run ``function(*args)`` in a new interpreter and return its result."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        result: dict[str, Any] = pool.apply(function, args)
    return result


def bench(size: str, relax: bool, time_limit: float = 600.0, gap: float = 1e-3,
          seed: int = 1, *, pyomo: bool = False, resolve: bool = True) -> BenchRow:
    """Measure one generated size in one mode, the planner and HiGHS alone side by side.

    ``pyomo`` measures the model of record's path instead of the matrices; ``resolve``
    also times a data-only what-if re-solved warm against the same what-if run cold.
    """
    scenario = generate_scenario(replace(SIZES[size], seed=seed))
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as work:
        folder = Path(work) / "scenario"
        write_folder(folder, scenario)
        mps = str(Path(work) / "model.mps")
        ours = _in_fresh_process(_planner_run, str(folder), mps, relax, time_limit, gap,
                                 pyomo, resolve)
        alone = _in_fresh_process(_highs_alone, mps, time_limit, gap)
    return BenchRow(
        size=size,
        units="fractional" if relax else "whole",
        model="pyomo" if pyomo else "matrix",
        highs_seconds=alone["seconds"],
        highs_peak_mb=alone["peak_mb"],
        highs_objective=alone["objective"],
        **ours,
    )
