"""Resource planning for border-management joint operations: who to deploy where, and when.

The package follows a plan's flow, one folder per stage::

    files/     inputs read within limits, outputs written whole, no spreadsheet cell that runs
    scenario/  the scenario's records, tables and checks; readers, writers, variants, baselines
    model/     needs, the sparse index, the row and column families, Pyomo and HiGHS
    plan/      a solve's values as the schedule, shortfalls and summary; their files
    runs/      the run store, run records, sweeps and comparisons
    contract/  the approved plan as command centres import it
    report/    plans and runs on the terminal and as one HTML page
    cli/       the command line, one module per group of commands

Beside them: ``api`` (the library's entry points: from a scenario to a plan, and a run
recorded), ``columns`` (the key columns every stage joins on), ``errors`` (the error family
and exit codes), ``bench`` (each step timed) and ``version``.

Everything below is importable from ``planner`` itself. Names are loaded on first use, so
importing the package (or starting the command line) loads neither Pyomo nor HiGHS.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Comparison": "planner.runs.compare",
    "Plan": "planner.plan.plan",
    "Planner": "planner.api",
    "PlannerError": "planner.errors",
    "Problem": "planner.errors",
    "Requirements": "planner.model.requirements",
    "RunRecord": "planner.runs.records",
    "RunStore": "planner.runs.store",
    "Scenario": "planner.scenario.schema",
    "ScenarioError": "planner.errors",
    "SolveOptions": "planner.model.options",
    "SolveResult": "planner.model.results",
    "Status": "planner.model.options",
    "Study": "planner.scenario.variants",
    "Variant": "planner.scenario.variants",
    "apply_variant": "planner.scenario.variants",
    "build_index": "planner.model.index",
    "build_matrix": "planner.model.matrix",
    "build_model": "planner.model.pyomo_model",
    "compare": "planner.runs.compare",
    "derive_requirements": "planner.model.requirements",
    "load_scenario": "planner.scenario.read",
    "load_study": "planner.scenario.variants",
    "make_plan": "planner.plan.plan",
    "plan_scenario": "planner.api",
    "record_plan": "planner.runs.records",
    "run": "planner.api",
    "solve": "planner.model.pyomo_solve",
    "write_outputs": "planner.plan.outputs",
}
"""Each public name and the module that defines it."""

__all__ = [
    "Comparison",
    "Plan",
    "Planner",
    "PlannerError",
    "Problem",
    "Requirements",
    "RunRecord",
    "RunStore",
    "Scenario",
    "ScenarioError",
    "SolveOptions",
    "SolveResult",
    "Status",
    "Study",
    "Variant",
    "apply_variant",
    "build_index",
    "build_matrix",
    "build_model",
    "compare",
    "derive_requirements",
    "load_scenario",
    "load_study",
    "make_plan",
    "plan_scenario",
    "record_plan",
    "run",
    "solve",
    "write_outputs",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from planner.api import Planner, plan_scenario, run
    from planner.errors import PlannerError, Problem, ScenarioError
    from planner.model.index import build_index
    from planner.model.matrix import build_matrix
    from planner.model.options import SolveOptions, Status
    from planner.model.pyomo_model import build_model
    from planner.model.pyomo_solve import solve
    from planner.model.requirements import Requirements, derive_requirements
    from planner.model.results import SolveResult
    from planner.plan.outputs import write_outputs
    from planner.plan.plan import Plan, make_plan
    from planner.runs.compare import Comparison, compare
    from planner.runs.records import RunRecord, record_plan
    from planner.runs.store import RunStore
    from planner.scenario.read import load_scenario
    from planner.scenario.schema import Scenario
    from planner.scenario.variants import Study, Variant, apply_variant, load_study
