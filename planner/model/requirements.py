"""From the forecast to needs: units per section, kind and period, and interpreters per language."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.columns import ITEM_ID, ITEM_TYPE, KIND_ID, PERIOD, SECTION_ID
from planner.scenario.records import IMPACT_LEVELS
from planner.scenario.schema import Scenario

NEED_COLUMNS = [
    SECTION_ID,
    PERIOD,
    ITEM_TYPE,
    ITEM_ID,
    "impact_level",
    "arrivals",
    "required",
]
"""Columns of the combined needs table (:meth:`Requirements.table`)."""


@dataclass(frozen=True)
class Requirements:
    """What the forecast asks for, before any resource is assigned.

    Only rows with a positive need are kept: the model builds nothing where nothing is needed.
    """

    periods: pd.DataFrame
    """One row per period: ``period``, ``period_start``, ``period_end``, ``days``."""
    impact: pd.DataFrame
    """Every section and period with its impact level: ``section_id``, ``period``,
    ``impact_level``, ``arrivals`` (all nationalities)."""
    kind_needs: pd.DataFrame
    """``section_id``, ``period``, ``kind_id``, ``impact_level``, ``arrivals``, ``minimum``,
    ``from_arrivals`` and ``required`` (the larger of the two)."""
    language_needs: pd.DataFrame
    """``section_id``, ``period``, ``language_id``, ``impact_level``, ``arrivals`` (expected
    speakers) and ``required`` (interpreters)."""

    def table(self) -> pd.DataFrame:
        """Kind and language needs in one long table, as planners check them."""
        kinds = self.kind_needs.rename(columns={KIND_ID: ITEM_ID}).assign(item_type="kind")
        languages = self.language_needs.rename(columns={"language_id": ITEM_ID}).assign(
            item_type="language"
        )
        combined = pd.concat([kinds[NEED_COLUMNS], languages[NEED_COLUMNS]], ignore_index=True)
        combined = combined.merge(self.periods[[PERIOD, "period_start", "period_end"]],
                                  on=PERIOD)
        order = [SECTION_ID, PERIOD, "period_start", "period_end", *NEED_COLUMNS[2:]]
        return combined[order].sort_values(
            [SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID], ignore_index=True
        )


TEXT_COLUMNS = {SECTION_ID, KIND_ID, "language_id", "impact_level"}


def _empty(columns: list[str]) -> pd.DataFrame:
    """A table with no rows but the dtypes a full one has, so later steps treat both alike."""
    return pd.DataFrame({
        name: pd.Series(dtype=object if name in TEXT_COLUMNS
                        else "int64" if name == PERIOD else "float64")
        for name in columns
    })


def derive_requirements(scenario: Scenario) -> Requirements:
    """Compute the needs per section, kind and period, and per section, language and period."""
    periods = _periods(scenario)
    impact = _impact_grid(scenario)
    return Requirements(
        periods=periods,
        impact=impact,
        kind_needs=_kind_needs(scenario, impact),
        language_needs=_language_needs(scenario, impact),
    )


def _periods(scenario: Scenario) -> pd.DataFrame:
    horizon = scenario.horizon
    numbers = np.arange(1, horizon.periods + 1)
    return pd.DataFrame({
        PERIOD: numbers,
        "period_start": [horizon.period_start(int(t)) for t in numbers],
        "period_end": [horizon.period_end(int(t)) for t in numbers],
        "days": horizon.days_per_period,
    })


def _forecast_frame(scenario: Scenario) -> pd.DataFrame:
    return pd.DataFrame(
        [(row.section_id, row.period, row.nationality_id, row.arrivals)
         for row in scenario.forecast],
        columns=[SECTION_ID, PERIOD, "nationality_id", "arrivals"],
    ).astype({PERIOD: "int64", "arrivals": "float64"})


def _impact_grid(scenario: Scenario) -> pd.DataFrame:
    """Impact level and total arrivals of every section in every period."""
    periods = scenario.horizon.periods
    section_ids = [section.id for section in scenario.sections]
    levels = np.array(
        [[IMPACT_LEVELS.index(section.impact_level)] * periods for section in scenario.sections],
        dtype=np.int8,
    ).reshape(len(section_ids), periods)
    row_of = {section_id: row for row, section_id in enumerate(section_ids)}
    for change in sorted(scenario.impact_changes, key=lambda change: change.from_period):
        levels[row_of[change.section_id], change.from_period - 1:] = IMPACT_LEVELS.index(
            change.impact_level
        )
    grid = pd.DataFrame({
        SECTION_ID: np.repeat(section_ids, periods),
        PERIOD: np.tile(np.arange(1, periods + 1), len(section_ids)),
        "impact_level": np.array(IMPACT_LEVELS, dtype=object)[levels.ravel()],
    })
    arrivals = _forecast_frame(scenario).groupby([SECTION_ID, PERIOD], as_index=False)[
        "arrivals"
    ].sum()
    grid = grid.merge(arrivals, on=[SECTION_ID, PERIOD], how="left")
    grid["arrivals"] = grid["arrivals"].fillna(0.0)
    return grid


def _kind_needs(scenario: Scenario, impact: pd.DataFrame) -> pd.DataFrame:
    columns = [SECTION_ID, PERIOD, KIND_ID, "impact_level", "arrivals", "minimum",
               "from_arrivals", "required"]
    if not scenario.requirement_rules:
        return _empty(columns)
    border_type = {section.id: section.border_type.value for section in scenario.sections}
    all_types = sorted({section.border_type.value for section in scenario.sections})
    rules = pd.DataFrame([
        {
            KIND_ID: rule.kind_id,
            "per_arrival": rule.per_arrival,
            "border_type": [t.value for t in rule.border_types] or all_types,
            **{f"min_{level}": rule.minimum(level) for level in IMPACT_LEVELS},
        }
        for rule in scenario.requirement_rules
    ]).explode("border_type")
    grid = impact.assign(border_type=impact[SECTION_ID].map(border_type))
    needs = grid.merge(rules, on="border_type")
    minimum_by_level = needs[[f"min_{level}" for level in IMPACT_LEVELS]].to_numpy()
    level_index = needs["impact_level"].map(IMPACT_LEVELS.index).to_numpy()
    needs["minimum"] = minimum_by_level[np.arange(len(needs)), level_index]
    needs["from_arrivals"] = needs["per_arrival"] * needs["arrivals"]
    needs["required"] = needs[["minimum", "from_arrivals"]].max(axis=1)
    needs = needs.loc[needs["required"] > 0, columns]
    return needs.sort_values([SECTION_ID, PERIOD, KIND_ID], ignore_index=True)


def _language_needs(scenario: Scenario, impact: pd.DataFrame) -> pd.DataFrame:
    columns = [SECTION_ID, PERIOD, "language_id", "impact_level", "arrivals", "required"]
    if not scenario.forecast or not scenario.language_shares:
        return _empty(columns)
    shares = pd.DataFrame(
        [(share.nationality_id, share.language_id, share.share)
         for share in scenario.language_shares],
        columns=["nationality_id", "language_id", "share"],
    )
    need = pd.Series({language.id: language.need_per_arrival for language in scenario.languages},
                     name="need_per_arrival")
    speakers = _forecast_frame(scenario).merge(shares, on="nationality_id")
    speakers["arrivals"] = speakers["arrivals"] * speakers["share"]
    speakers = speakers.groupby([SECTION_ID, PERIOD, "language_id"], as_index=False).agg(
        arrivals=("arrivals", "sum")
    )
    speakers["required"] = speakers["arrivals"] * speakers["language_id"].map(need)
    speakers = speakers.merge(impact[[SECTION_ID, PERIOD, "impact_level"]],
                              on=[SECTION_ID, PERIOD])
    speakers = speakers.loc[speakers["required"] > 0, columns]
    return speakers.sort_values([SECTION_ID, PERIOD, "language_id"], ignore_index=True)
