"""The library API: one call from a scenario to a plan, timing each step on the way."""

from __future__ import annotations

import time
from pathlib import Path

from planner.load import load_scenario
from planner.model import build_model
from planner.plan import Plan, make_plan
from planner.requirements import derive_requirements
from planner.schema import Scenario
from planner.solve import SolveOptions, solve


def plan_scenario(
    scenario: Scenario,
    options: SolveOptions | None = None,
    *,
    timings: dict[str, float] | None = None,
) -> Plan:
    """Derive needs, build and solve the model, and return the plan (whatever the status)."""
    options = options or SolveOptions()
    timings = dict(timings or {})
    started = time.perf_counter()
    requirements = derive_requirements(scenario)
    timings["requirements"] = time.perf_counter() - started
    started = time.perf_counter()
    built = build_model(scenario, requirements, whole_units=options.whole_units)
    timings["build"] = time.perf_counter() - started
    result = solve(built, options)
    started = time.perf_counter()
    plan = make_plan(scenario, requirements, result, timings)
    plan.timings["plan"] = time.perf_counter() - started
    return plan


def run(path: str | Path, options: SolveOptions | None = None) -> Plan:
    """Load the scenario at ``path`` and plan it."""
    started = time.perf_counter()
    scenario = load_scenario(path)
    return plan_scenario(scenario, options, timings={"load": time.perf_counter() - started})
