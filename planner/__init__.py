"""Resource planning for border-management joint operations: who to deploy where, and when."""

from planner.api import Planner, plan_scenario, run
from planner.compare import Comparison, compare
from planner.errors import PlannerError, Problem, ScenarioError
from planner.export import write_outputs
from planner.load import load_scenario
from planner.model import build_model
from planner.plan import Plan, make_plan
from planner.requirements import Requirements, derive_requirements
from planner.runs import RunRecord, record_plan
from planner.schema import Scenario
from planner.solve import SolveOptions, SolveResult, Status, solve
from planner.store import RunStore
from planner.variants import Study, Variant, apply_variant, load_study

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
