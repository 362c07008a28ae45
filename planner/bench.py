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

STEPS = ("load", "requirements", "build", "solve", "extract")


@dataclass(frozen=True)
class BenchRow:
    """One size and mode: the planner's steps and HiGHS alone on the same model."""

    size: str
    units: str
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

    @property
    def ratio_time(self) -> float:
        """End-to-end seconds over HiGHS-alone seconds."""
        return self.seconds["total"] / self.highs_seconds if self.highs_seconds else float("nan")

    @property
    def ratio_memory(self) -> float:
        """Peak memory over HiGHS-alone peak memory."""
        return self.peak_mb / self.highs_peak_mb if self.highs_peak_mb else float("nan")

    def as_json(self) -> dict[str, Any]:
        """The row as the ``--json`` output documents it."""
        return {**asdict(self), "ratio_time": self.ratio_time,
                "ratio_memory": self.ratio_memory}


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _quiet() -> None:
    """Send this worker's own stdout (HiGHS prints a banner from C++) to nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _planner_run(folder: str, mps: str, relax: bool, time_limit: float, gap: float
                 ) -> dict[str, Any]:
    """In a fresh process: the planner from files to plan; then the model as MPS."""
    _quiet()
    from planner.load import load_scenario
    from planner.model import build_model
    from planner.plan import make_plan
    from planner.requirements import derive_requirements
    from planner.solve import SolveOptions, solve

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    scenario = load_scenario(folder)
    seconds["load"] = time.perf_counter() - started
    started = time.perf_counter()
    requirements = derive_requirements(scenario)
    seconds["requirements"] = time.perf_counter() - started
    started = time.perf_counter()
    built = build_model(scenario, requirements, whole_units=not relax)
    seconds["build"] = time.perf_counter() - started
    result = solve(built, SolveOptions(relax=relax, time_limit=time_limit, gap=gap))
    seconds["solve"] = result.solve_seconds
    started = time.perf_counter()
    make_plan(scenario, requirements, result)
    seconds["extract"] = result.extract_seconds + time.perf_counter() - started
    seconds["total"] = sum(seconds[step] for step in STEPS)
    peak = _peak_mb()
    built.model.write(mps, io_options={"symbolic_solver_labels": False})
    return {
        "variables": built.size.variables,
        "constraints": built.size.constraints,
        "nonzeros": built.size.nonzeros,
        "status": result.status.value,
        "objective": result.objective,
        "seconds": seconds,
        "peak_mb": peak,
    }


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
          seed: int = 1) -> BenchRow:
    """Measure one generated size in one mode, the planner and HiGHS alone side by side."""
    scenario = generate_scenario(replace(SIZES[size], seed=seed))
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as work:
        folder = Path(work) / "scenario"
        write_folder(folder, scenario)
        mps = str(Path(work) / "model.mps")
        ours = _in_fresh_process(_planner_run, str(folder), mps, relax, time_limit, gap)
        alone = _in_fresh_process(_highs_alone, mps, time_limit, gap)
    return BenchRow(
        size=size,
        units="fractional" if relax else "whole",
        variables=ours["variables"],
        constraints=ours["constraints"],
        nonzeros=ours["nonzeros"],
        status=ours["status"],
        objective=ours["objective"],
        seconds=ours["seconds"],
        peak_mb=ours["peak_mb"],
        highs_seconds=alone["seconds"],
        highs_peak_mb=alone["peak_mb"],
        highs_objective=alone["objective"],
    )

