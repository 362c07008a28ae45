"""A whole scenario as one validated record: its settings, its tables and the checks across them."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import Field, model_validator

from planner.scenario.checks import baseline_problems, reference_problems
from planner.scenario.records import (
    DEFAULT_TIMEZONE,
    Arrival,
    Baseline,
    Contribution,
    Contributor,
    DemandScenario,
    Horizon,
    ImpactChange,
    ImpactPenalties,
    Kind,
    Language,
    LanguageShare,
    Meta,
    Nationality,
    Penalty,
    RapidIntervention,
    Record,
    Replanning,
    RequirementRule,
    RunningDeployment,
    Section,
)
from planner.scenario.tables import SCENARIO_TABLES


class Scenario(Record):
    """A whole joint-operation scenario: settings plus one tuple of rows per table."""

    meta: Meta
    horizon: Horizon
    language_penalty: ImpactPenalties
    """Penalty per uncovered interpreter unit and day, by the section's impact level."""
    replanning: Replanning = Replanning()
    """How a re-plan weighs departures from the baseline plan it revises."""
    sections: tuple[Section, ...] = Field(min_length=1)
    impact_changes: tuple[ImpactChange, ...] = ()
    nationalities: tuple[Nationality, ...] = ()
    languages: tuple[Language, ...] = ()
    language_shares: tuple[LanguageShare, ...] = ()
    forecast: tuple[Arrival, ...] = ()
    demand_scenarios: tuple[DemandScenario, ...] = ()
    kinds: tuple[Kind, ...] = Field(min_length=1)
    requirement_rules: tuple[RequirementRule, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    contributors: tuple[Contributor, ...] = ()
    """Who pledges; without it, a contribution's contributor is free text."""
    contributions: tuple[Contribution, ...] = Field(min_length=1)
    running_deployments: tuple[RunningDeployment, ...] = ()
    rapid_interventions: tuple[RapidIntervention, ...] = ()
    baseline: Baseline | None = None
    """A re-plan's baseline (set by ``planner run --baseline``), else ``None``."""

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        problems = reference_problems(self.horizon, self.tables())
        if self.baseline is not None:
            problems.extend(baseline_problems(self))
        if problems:
            lines = [
                f"{problem.table}[{problem.index}]"
                + (f".{problem.field}" if problem.field else "")
                + f": {problem.message}"
                + (
                    f" (first at [{problem.first_index}])"
                    if problem.first_index is not None
                    else ""
                )
                for problem in problems
            ]
            raise ValueError("; ".join(lines))
        return self

    def tables(self) -> dict[str, tuple[Record, ...]]:
        """The scenario's tables by name."""
        return {spec.name: getattr(self, spec.name) for spec in SCENARIO_TABLES}

    def content_hash(self) -> str:
        """A SHA-256 of the scenario's content: equal for the same scenario in any file format.

        Inputs that schema 1.0 did not have (the contributors table, ``horizon.timezone``,
        ``replanning``, the forecast's bands, demand scenarios) count only where they differ
        from their defaults: a scenario that leaves them out keeps the hash it had, and its
        recorded runs still match it.
        """
        unused: dict[str, Any] = {}
        if not self.contributors:
            unused["contributors"] = True
        if self.replanning == Replanning():
            unused["replanning"] = True
        if self.horizon.timezone == DEFAULT_TIMEZONE:
            unused["horizon"] = {"timezone"}
        if self.baseline is None:
            unused["baseline"] = True
        if not self.demand_scenarios:
            unused["demand_scenarios"] = True
        if all(row.arrivals_p10 is None and row.arrivals_p90 is None for row in self.forecast):
            unused["forecast"] = {"__all__": {"arrivals_p10", "arrivals_p90"}}
        document = self.model_dump_json(by_alias=True, exclude=unused)
        return hashlib.sha256(document.encode()).hexdigest()

    def kind(self, kind_id: str) -> Kind:
        """The kind with id ``kind_id``."""
        return next(kind for kind in self.kinds if kind.id == kind_id)

    def frozen_periods(self) -> int:
        """How many periods a re-plan freezes: those starting by the freeze date (else 0)."""
        if self.baseline is None:
            return 0
        until = self.baseline.freeze_until
        return sum(self.horizon.period_start(t) <= until
                   for t in range(1, self.horizon.periods + 1))

    def contributor_of(self, contribution: Contribution) -> Contributor | None:
        """The contributors row ``contribution`` names by id or name; ``None`` without the table."""
        return next((row for row in self.contributors
                     if contribution.contributor in (row.id, row.name)), None)


