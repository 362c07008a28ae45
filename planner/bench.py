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

from planner.errors import UsageError
from planner.model.progress import SolveMonitor
from planner.scenario.generate import SIZES, generate_scenario
from planner.scenario.schema import Scenario
from planner.scenario.write_folder import write_folder

STEPS = ("load", "requirements", "build", "solve", "extract")


SHIPPED = "WB"
"""The size name of the shipped Western Balkans scenario, benchmarked as it is."""


def shipped_scenario() -> Path:
    """The shipped Western Balkans scenario folder: below this folder, or beside the code."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[1]):
        folder = root / "scenarios" / "western_balkans_2022"
        if (folder / "scenario.yaml").is_file():
            return folder
    raise UsageError("--size WB benchmarks scenarios/western_balkans_2022 of a checkout: "
                     "run it from the project's folder")


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
    gap: float | None = None
    """Whole units: the gap the planner's solve ended at."""
    to_gap: dict[str, float | None] | None = None
    """Whole units: the planner's wall and CPU seconds, from loading the files, until its
    gap was at most the target (``wall``, ``cpu``) and at most 1% (``wall_1pct``,
    ``cpu_1pct``); ``None`` where it never got there."""
    highs_gap: float | None = None
    highs_to_gap: dict[str, float | None] | None = None
    """The same for HiGHS alone with its default settings, from the start of its solve."""

    @property
    def ratio_time_to_gap(self) -> float | None:
        """The planner's wall seconds to the target gap over HiGHS alone's (whole units)."""
        return _ratio(self.to_gap, self.highs_to_gap, "wall")

    @property
    def ratio_time_to_1pct(self) -> float | None:
        """The same to a gap of 1%."""
        return _ratio(self.to_gap, self.highs_to_gap, "wall_1pct")

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
                "ratio_memory": self.ratio_memory, "ratio_resolve": self.ratio_resolve,
                "ratio_time_to_gap": self.ratio_time_to_gap,
                "ratio_time_to_1pct": self.ratio_time_to_1pct}


def _ratio(ours: dict[str, float | None] | None, alone: dict[str, float | None] | None,
           key: str) -> float | None:
    mine = (ours or {}).get(key)
    theirs = (alone or {}).get(key)
    return mine / theirs if mine is not None and theirs else None


ONE_PER_CENT = 0.01


def time_to(monitor: SolveMonitor, gap: float, before: tuple[float, float] = (0.0, 0.0)
            ) -> dict[str, float | None]:
    """Wall and CPU seconds until the monitored solve's gap was at most ``gap`` and 1%.

    ``before`` (wall, CPU) is added: what came before the solve (loading, building).
    """
    times: dict[str, float | None] = {}
    for suffix, target in (("", gap), ("_1pct", ONE_PER_CENT)):
        reached = monitor.reached(target)
        times[f"wall{suffix}"] = None if reached is None else before[0] + reached.seconds
        times[f"cpu{suffix}"] = None if reached is None else before[1] + reached.cpu_seconds
    return times


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
    from planner.model.highs import HighsModel
    from planner.model.index import build_index
    from planner.model.matrix import build_matrix
    from planner.model.options import SolveOptions
    from planner.scenario.read import load_scenario

    options = SolveOptions(relax=relax, time_limit=time_limit, gap=gap)
    started, cpu_started = time.perf_counter(), time.process_time()
    scenario = load_scenario(folder)
    load_seconds = time.perf_counter() - started
    planner = Planner(options)
    monitor = _SolveClock(started, cpu_started)
    if pyomo:
        plan = plan_scenario(scenario, options, timings={"load": load_seconds}, pyomo=True)
    else:
        plan = planner.plan(scenario, timings={"load": load_seconds},
                            monitor=None if relax else monitor)
    seconds = {step: plan.timings.get(step, 0.0) for step in STEPS}
    seconds["extract"] += plan.timings.get("plan", 0.0)
    seconds["total"] = sum(seconds[step] for step in STEPS)
    peak = _peak_mb()
    result = plan.result
    if pyomo:
        # The same problem as the model of record hands HiGHS (the tests hold them equal).
        from planner.model.requirements import derive_requirements

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
    if not relax and not pyomo:
        row["gap"] = result.gap
        row["to_gap"] = time_to(monitor, gap, monitor.before)
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


class _SolveClock(SolveMonitor):
    """A monitor that also notes the wall and CPU seconds spent before its solve began."""

    def __init__(self, started: float, cpu_started: float) -> None:
        super().__init__()
        self._run_started = (started, cpu_started)
        self.before = (0.0, 0.0)

    def begin(self) -> None:
        super().begin()
        self.before = (time.perf_counter() - self._run_started[0],
                       time.process_time() - self._run_started[1])


def _highs_alone(mps: str, time_limit: float, gap: float, relax: bool) -> dict[str, Any]:
    """In a fresh process: HiGHS reads the MPS file and solves it with the same options."""
    _quiet()
    import highspy

    from planner.model.highs import watched

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.readModel(mps)
    monitor = SolveMonitor()
    started = time.perf_counter()
    if relax:
        highs.run()
    else:
        with watched(highs, monitor):
            highs.run()
    seconds = time.perf_counter() - started
    info = highs.getInfo()
    row: dict[str, Any] = {"seconds": seconds, "peak_mb": _peak_mb(),
                           "objective": float(info.objective_function_value)}
    if not relax:
        row["gap"] = float(info.mip_gap)
        row["to_gap"] = time_to(monitor, gap)
    return row


def _in_fresh_process(function: Any, *args: Any) -> dict[str, Any]:
    """Run ``function(*args)`` in a new interpreter and return its result."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        result: dict[str, Any] = pool.apply(function, args)
    return result


def bench(size: str, relax: bool, time_limit: float = 600.0, gap: float = 1e-3,
          seed: int = 1, *, pyomo: bool = False, resolve: bool = True) -> BenchRow:
    """Measure one size in one mode, the planner and HiGHS alone side by side.

    ``size`` is a generated size (``S``, ``M``, ``L``) or ``WB``, the shipped Western
    Balkans scenario.

    ``pyomo`` measures the model of record's path instead of the matrices; ``resolve``
    also times a data-only what-if re-solved warm against the same what-if run cold.
    """
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as work:
        folder = Path(work) / "scenario"
        if size == SHIPPED:
            folder = shipped_scenario()
        else:
            write_folder(folder, generate_scenario(replace(SIZES[size], seed=seed)))
        mps = str(Path(work) / "model.mps")
        ours = _in_fresh_process(_planner_run, str(folder), mps, relax, time_limit, gap,
                                 pyomo, resolve)
        alone = _in_fresh_process(_highs_alone, mps, time_limit, gap, relax)
    return BenchRow(
        size=size,
        units="fractional" if relax else "whole",
        model="pyomo" if pyomo else "matrix",
        highs_seconds=alone["seconds"],
        highs_peak_mb=alone["peak_mb"],
        highs_objective=alone["objective"],
        highs_gap=alone.get("gap"),
        highs_to_gap=alone.get("to_gap"),
        **ours,
    )
