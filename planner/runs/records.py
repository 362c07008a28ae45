"""A finished run as it is stored, compared and reported: what went in and what came out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from planner.model.keys import OUTCOME_COLUMNS
from planner.model.options import SolveOptions
from planner.model.requirements import derive_requirements
from planner.plan.explain import EXPLANATION_COLUMNS, explain
from planner.plan.plan import Plan
from planner.scenario.schema import Scenario

EVALUATION_COLUMNS = [*OUTCOME_COLUMNS, "plan"]
"""One row per demand scenario and plan (``robust``, ``point`` or ``run``)."""


@dataclass(frozen=True)
class Evaluation:
    """A stored plan evaluated on demand scenarios: each scenario's cost and shortfall."""

    run_id: int | None
    kind: str
    """``robust`` (a robust run's own scenarios) or ``evaluate`` (``planner evaluate``)."""
    risk: str
    demand: dict[str, Any]
    """``source``, ``scenarios`` and ``seed`` of the demand scenarios."""
    summary: dict[str, Any]
    outcomes: pd.DataFrame
    """``EVALUATION_COLUMNS``."""
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    id: int | None = None


@dataclass(frozen=True)
class RunRecord:
    """One run: its inputs (the scenario after any variant), its plan's tables and summary.

    The store saves and returns these; comparison and reports read them. A run not yet
    stored has ``id`` ``None``.
    """

    scenario_name: str
    scenario_hash: str
    """SHA-256 of the resolved scenario (after the variant): equal inputs, equal hash."""
    variant: str | None
    """The variant's name, ``None`` for the base scenario (several: joined by ``+``)."""
    changes: tuple[str, ...]
    """The variant's and ``--set`` overrides as applied, one readable line each."""
    options: dict[str, Any]
    """How it was solved: ``relax``, ``time_limit``, ``gap``."""
    status: str
    objective: float | None
    summary: dict[str, Any]
    """The plan's ``summary.json`` mapping (KPIs)."""
    inputs: dict[str, Any]
    """The resolved scenario as a JSON-ready mapping (``Scenario.model_dump(mode="json")``)."""
    schedule: pd.DataFrame
    shortfalls: pd.DataFrame
    marginal_values: pd.DataFrame | None = None
    explanations: pd.DataFrame | None = None
    """Why each shortfall is short (``None`` for runs recorded before explanations)."""
    id: int | None = None
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    source: str = ""
    """Where the scenario was loaded from (a path), if anywhere."""
    description: str = ""
    """What the variant is, in its author's words (empty for the base)."""
    evaluations: tuple[Evaluation, ...] = ()
    """The plan evaluated on demand scenarios: a robust run's own, recorded with it, then
    each ``planner evaluate``, oldest first."""

    @property
    def label(self) -> str:
        """A short name for tables and plots: ``#12 summer_surge`` or ``#3 base``."""
        name = self.variant or "base"
        return f"#{self.id} {name}" if self.id is not None else name

    def why_short(self) -> pd.DataFrame:
        """The run's explanations; for a run recorded before them, derived from its tables.

        A run's explanations read only its inputs, schedule and shortfalls, so deriving
        them again gives what the run would have recorded.
        """
        if self.explanations is not None:
            return self.explanations
        if self.shortfalls.empty:
            return pd.DataFrame(columns=EXPLANATION_COLUMNS)
        scenario = Scenario.model_validate(self.inputs)
        return explain(scenario, derive_requirements(scenario), self.schedule,
                       self.shortfalls, whole_units=not self.options.get("relax", False),
                       objective=self.objective, gap=self.summary.get("gap"))

    @property
    def coverage_per_cent(self) -> float | None:
        """Share of required unit-periods covered."""
        value = self.summary.get("coverage", {}).get("coverage_per_cent")
        return None if value is None else float(value)


def record_plan(plan: Plan, *, variant: str | None = None, changes: tuple[str, ...] = (),
                options: SolveOptions | None = None, source: str = "",
                description: str = "") -> RunRecord:
    """The run record of a plan (not yet stored)."""
    scenario, result = plan.scenario, plan.result
    settings: dict[str, Any] = (asdict(options) if options is not None
                                else {"relax": not result.whole_units})
    if plan.robust is not None:
        settings["robust"] = {"risk": plan.robust["risk"], **plan.robust["demand"]}
    return RunRecord(
        scenario_name=scenario.meta.name,
        scenario_hash=scenario.content_hash(),
        variant=variant,
        changes=tuple(changes),
        options=settings,
        status=result.status.value,
        objective=result.objective,
        summary=plan.summary(),
        inputs=scenario.model_dump(mode="json", by_alias=True),
        schedule=plan.schedule,
        shortfalls=plan.shortfalls,
        marginal_values=plan.marginal_values,
        explanations=plan.explanations,
        source=source,
        description=description,
        evaluations=() if plan.robust is None or plan.outcomes is None else (Evaluation(
            None, "robust", plan.robust["risk"], plan.robust["demand"], plan.robust,
            plan.outcomes[EVALUATION_COLUMNS]),),
    )
