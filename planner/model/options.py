"""How a solve is asked to run, and how it ended: the options and the status.

Plain Python: the command line reads its defaults here without loading pandas, Pyomo or
HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """How a solve ended, in planner terms."""

    OPTIMAL = "optimal"
    """Optimal; for whole units, within the requested relative gap of the proven bound."""
    FEASIBLE = "feasible"
    """Stopped (time limit) with a usable plan not proven optimal; see the gap."""
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"
    """Stopped before any plan was found."""
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        """Whether a plan can be read from the solve."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: whole units or the linear relaxation, and the solver's limits."""

    relax: bool = False
    """Solve the LP (fractional units) instead of whole units; gives marginal values."""
    time_limit: float | None = None
    """Seconds; ``None`` for no limit."""
    gap: float = 1e-3
    """Relative gap between plan and bound at which a whole-unit solve may stop."""
    threads: int | None = None
    start: bool = True
    """Whole units: build a plan from the relaxation beside HiGHS's search and hand it
    over (``planner.model.start``; the matrices path only)."""

    @property
    def whole_units(self) -> bool:
        """Whether deployments are integers."""
        return not self.relax
