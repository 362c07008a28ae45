"""Resource planning for border-management joint operations: who to deploy where, and when."""

from planner.api import plan_scenario, run
from planner.errors import PlannerError, Problem, ScenarioError
from planner.export import write_outputs
from planner.load import load_scenario
from planner.model import build_model
from planner.plan import Plan, make_plan
from planner.requirements import Requirements, derive_requirements
from planner.schema import Scenario
from planner.solve import SolveOptions, SolveResult, Status, solve

__all__ = [
    "Plan",
    "PlannerError",
    "Problem",
    "Requirements",
    "Scenario",
    "ScenarioError",
    "SolveOptions",
    "SolveResult",
    "Status",
    "build_model",
    "derive_requirements",
    "load_scenario",
    "make_plan",
    "plan_scenario",
    "run",
    "solve",
    "write_outputs",
]
