"""The tables of a scenario: their names, row records, keys and which may be absent."""

from __future__ import annotations

from dataclasses import dataclass

from planner.scenario.records import (
    Arrival,
    Contribution,
    Contributor,
    DemandScenario,
    ImpactChange,
    Kind,
    Language,
    LanguageShare,
    Nationality,
    Penalty,
    RapidIntervention,
    Record,
    RequirementRule,
    RunningDeployment,
    Section,
)


@dataclass(frozen=True)
class TableSpec:
    """One table of a scenario: its name, its row model and whether it may be absent."""

    name: str
    row: type[Record]
    required: bool
    description: str
    key: tuple[str, ...] = ("id",)
    """The columns that name a row; none where rows are told apart only by position.
    Unique, except in running deployments, where a name covers every row that has it."""

    @property
    def columns(self) -> list[str]:
        """The table's column headers, in order."""
        return [field.alias or name for name, field in self.row.model_fields.items()]


SCENARIO_TABLES: tuple[TableSpec, ...] = (
    TableSpec("sections", Section, True, "Border sections and crossing points."),
    TableSpec("impact_changes", ImpactChange, False, "Impact levels that change in time.",
              ("section_id", "from_period")),
    TableSpec("nationalities", Nationality, False, "Nationalities in the forecast."),
    TableSpec("languages", Language, False, "Languages and interpreter need per arrival."),
    TableSpec("language_shares", LanguageShare, False, "Languages spoken, by nationality.",
              ("nationality_id", "language_id")),
    TableSpec("forecast", Arrival, False, "Expected arrivals by section, period, nationality.",
              ("section_id", "period", "nationality_id")),
    TableSpec("demand_scenarios", DemandScenario, False,
              "Demand scenarios a robust plan holds up across: scalings of the forecast.", ()),
    TableSpec("kinds", Kind, True, "Officer profiles, vehicle types and interpreters."),
    TableSpec("requirement_rules", RequirementRule, False, "From forecast to needs, per kind.",
              ("kind_id",)),
    TableSpec("penalties", Penalty, False, "Cost of uncovered need, per kind and impact level.",
              ("kind_id",)),
    TableSpec("contributors", Contributor, False,
              "Who pledges: states and the agency, with their country codes."),
    TableSpec("contributions", Contribution, True, "Pledged capacity."),
    TableSpec("running_deployments", RunningDeployment, False,
              "Units already deployed when the horizon starts.",
              ("contribution_id", "section_id")),
    TableSpec("rapid_interventions", RapidIntervention, False,
              "Rapid border interventions: where and when the reserve may serve.", ()),
)
"""Every table of a scenario, in the order files and sheets are documented and written."""





SETTINGS_FIELDS = ("meta", "horizon", "language_penalty", "replanning")
"""The scenario's keys that are settings rather than tables."""

