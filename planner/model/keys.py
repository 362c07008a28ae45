"""The model's shared names: its size and the terms of its objective.

Imported by every step from the model on, and by none of them for Pyomo or HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass

OBJECTIVE_PARTS = (
    "deployment_cost",
    "start_cost",
    "shortfall_penalty",
    "language_penalty",
    "remote_interpretation",
    "change_cost",
)
"""The objective's named terms, as the model's Expressions call them."""


OUTCOME_COLUMNS = ["scenario", "probability", "arrivals", "first_stage_cost", "recourse_cost",
                   "total_cost", "required", "shortfall", "coverage_per_cent",
                   "language_shortfall"]
"""One row per demand scenario of a first stage evaluated on it."""


@dataclass(frozen=True)
class ModelSize:
    """Rows, columns and nonzeros of the optimisation model."""

    variables: int
    constraints: int
    nonzeros: int
    integers: int = 0
