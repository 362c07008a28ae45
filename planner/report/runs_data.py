"""What the report shows, read from run records: needs, coverage, shortfalls, periods.

Plain pandas on a run's stored tables, no drawing: the plots and the page take these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planner.columns import ITEM_ID, ITEM_TYPE, PERIOD, SECTION_ID
from planner.model.results import ZERO
from planner.plan.explain import REASONS
from planner.runs.compare import (
    labels,
    schedule_changes,
)
from planner.runs.records import RunRecord

COVER_PARTS = ("on site", "remote", "short")
"""How an interpreter need is met: the columns of :func:`language_cover`."""


def kind_needs(record: RunRecord) -> pd.DataFrame:
    """The run's shortfall rows of kinds (officers, vehicles, interpreters by kind)."""
    table = record.shortfalls
    if table.empty or ITEM_TYPE not in table.columns:
        return table.iloc[0:0]
    return table[table[ITEM_TYPE] == "kind"]


def language_needs(record: RunRecord) -> pd.DataFrame:
    """The run's shortfall rows of languages (interpreter needs by language)."""
    table = record.shortfalls
    if table.empty or ITEM_TYPE not in table.columns:
        return table.iloc[0:0]
    return table[table[ITEM_TYPE] == "language"]


def in_scenario_order(preferred: Sequence[str], present: Iterable[Any]) -> list[str]:
    """``present`` in the scenario's order, then any others sorted."""
    have = {str(value) for value in present}
    ordered = [value for value in preferred if value in have]
    return ordered + sorted(have - set(ordered))


def input_ids(record: RunRecord, table: str) -> list[str]:
    """The ids of an input table's rows, in the scenario's order."""
    rows = record.inputs.get(table) or []
    return [str(row["id"]) for row in rows if isinstance(row, Mapping) and "id" in row]


def input_names(record: RunRecord, table: str) -> dict[str, str]:
    """Each row's name by its id, for an input table with names (sections, kinds, languages)."""
    rows = record.inputs.get(table) or []
    return {str(row["id"]): str(row.get("name") or row["id"]) for row in rows
            if isinstance(row, Mapping) and "id" in row}


NAME_LENGTH = 36
"""Longest name on a plot's axis; a longer one is cut after a word, with an ellipsis."""


def short_name(name: str, limit: int = NAME_LENGTH) -> str:
    """A name short enough for an axis: without its parenthesised detail, cut after a word."""
    plain = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    if len(plain) <= limit:
        return plain
    cut = plain[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;/-")
    return f"{cut}\u2026"


def named(code: str, names: Mapping[str, str], *, short: bool = False) -> str:
    """``Name (code)``, or the code alone where the name is the code."""
    name = names.get(code, code)
    if name == code:
        return code
    return f"{short_name(name) if short else name} ({code})"


@dataclass(frozen=True)
class Calendar:
    """A run's periods and how to label them."""

    periods: list[int]
    labels: dict[int, str]
    axis: str


def run_calendar(record: RunRecord) -> Calendar:
    """The run's periods, labelled by their first day where the run recorded it."""
    horizon = record.summary.get("scenario", {}).get("horizon", {})
    present: set[int] = set()
    starts: dict[int, Any] = {}
    for table in (record.schedule, record.shortfalls):
        if table.empty or PERIOD not in table.columns:
            continue
        present.update(int(period) for period in table[PERIOD].unique())
        if "period_start" in table.columns:
            firsts = table.drop_duplicates(PERIOD)
            starts.update(zip(firsts[PERIOD].astype(int), firsts["period_start"], strict=True))
    count = int(horizon.get("periods") or max(present, default=0))
    periods = list(range(1, max(count, max(present, default=0)) + 1))
    dates = {period: pd.Timestamp(value) for period, value in starts.items()
             if not pd.isna(value)}
    years = {date.year for date in dates.values()}
    pattern = "%d %b" if len(years) <= 1 else "%d %b %y"
    period_labels = {period: (dates[period].strftime(pattern) if period in dates
                              else f"P{period}") for period in periods}
    unit = horizon.get("period")
    axis = f"{unit} starting" if unit and dates else "period"
    return Calendar(periods, period_labels, axis)


def coverage_grid(record: RunRecord, calendar: Calendar) -> pd.DataFrame:
    """Per cent of the kind needs covered, sections by periods (NaN where nothing is needed)."""
    needs = kind_needs(record)
    sections = in_scenario_order(input_ids(record, "sections"), needs[SECTION_ID].unique())
    grouped = needs.groupby([SECTION_ID, PERIOD])[["required", "covered"]].sum()
    required = grouped["required"].unstack(PERIOD)
    covered = grouped["covered"].unstack(PERIOD)
    share = (100 * covered / required.where(required > ZERO)).clip(0, 100)
    share.index = share.index.astype(str)
    share.columns = share.columns.astype(int)
    return share.reindex(index=sections, columns=calendar.periods)


def shortfall_by_kind(record: RunRecord) -> pd.DataFrame:
    """Required and short unit-periods per kind, in the scenario's order of kinds."""
    needs = kind_needs(record)
    table = needs.groupby(ITEM_ID)[["required", "shortfall"]].sum()
    table.index = table.index.astype(str)
    return table.reindex(in_scenario_order(input_ids(record, "kinds"), table.index))


def shortfall_by_section(record: RunRecord) -> pd.DataFrame:
    """Required and short unit-periods of the kind needs per section, in the scenario's order."""
    needs = kind_needs(record)
    table = needs.groupby(SECTION_ID)[["required", "shortfall"]].sum()
    table.index = table.index.astype(str)
    return table.reindex(in_scenario_order(input_ids(record, "sections"), table.index))


SHORTFALL_KEY = [SECTION_ID, PERIOD, ITEM_TYPE, ITEM_ID]


def largest_shortfalls(record: RunRecord, explanations: pd.DataFrame,
                       limit: int) -> pd.DataFrame:
    """The run's ``limit`` largest shortfalls (kinds and languages), each with its reasons.

    Columns: the shortfall table's, then ``reasons``: a list of ``(code, detail)`` pairs
    from ``explanations`` (the run's, :meth:`RunRecord.why_short`), in their order.
    """
    table = record.shortfalls
    if table.empty or "shortfall" not in table.columns:
        return table.iloc[0:0].assign(reasons=[])
    short = (table[table["shortfall"] > ZERO]
             .sort_values(["shortfall", PERIOD, SECTION_ID], ascending=[False, True, True])
             .head(limit))
    reasons: dict[tuple[str, int, str, str], list[tuple[str, str]]] = {}
    for row in explanations.to_dict("records"):
        key = (str(row[SECTION_ID]), int(row[PERIOD]), str(row[ITEM_TYPE]), str(row[ITEM_ID]))
        reasons.setdefault(key, []).append((str(row["reason"]), str(row["detail"])))
    found = [reasons.get((str(section), int(period), str(kind), str(item)), [])
             for section, period, kind, item in short[SHORTFALL_KEY].itertuples(index=False)]
    return short.assign(reasons=pd.Series(found, index=short.index, dtype=object))


def reason_counts(explanations: pd.DataFrame) -> pd.DataFrame:
    """Per reason (in the documented order): its meaning, shortfalls and unit-periods short.

    A shortfall with several reasons counts under each.
    """
    if explanations.empty:
        return pd.DataFrame(columns=["meaning", "shortfalls", "short"])
    grouped = (explanations.drop_duplicates([*SHORTFALL_KEY, "reason"])
               .groupby("reason")["shortfall"].agg(["count", "sum"]))
    order = [code for code in REASONS if code in grouped.index]
    order += sorted(set(grouped.index.astype(str)) - set(order))
    grouped = grouped.reindex(order)
    return pd.DataFrame({"meaning": [REASONS.get(code, code) for code in order],
                         "shortfalls": grouped["count"].astype(int).to_numpy(),
                         "short": grouped["sum"].astype(float).to_numpy()}, index=order)


def language_cover(record: RunRecord) -> pd.DataFrame:
    """Interpreter needs per language: covered on site, remotely, and short (unit-periods)."""
    needs = language_needs(record)
    table = needs.groupby(ITEM_ID)[["covered", "remote", "shortfall"]].sum()
    table.index = table.index.astype(str)
    table.columns = pd.Index(COVER_PARTS)
    return table.reindex(in_scenario_order(input_ids(record, "languages"), table.index))


def schedule_differences(first: RunRecord, other: RunRecord) -> pd.DataFrame:
    """Sum of |units difference| per section (rows) and period (columns), other vs first."""
    changes = schedule_changes([first, other])
    names = labels([first, other])
    if changes.empty:
        return pd.DataFrame(dtype=float)
    changes = changes.assign(difference=(changes[names[1]] - changes[names[0]]).abs())
    grid = changes.groupby([SECTION_ID, PERIOD])["difference"].sum().unstack(
        PERIOD).fillna(0.0)
    grid.index = grid.index.astype(str)
    grid.columns = grid.columns.astype(int)
    return grid


EVALUATION_HEADINGS = ("expected cost", "deployments", "expected shortfall",
                       "worst shortfall", "coverage p10 %", "coverage p50 %")
"""The figures of a plan across demand scenarios, after its risk measure's, as shown."""


def evaluation_figures(figures: Mapping[str, Any]) -> tuple[float, ...]:
    """A plan's figures across demand scenarios: its risk measure, then the headings'."""
    return (figures["objective"], figures["expected_cost"], figures["first_stage_cost"],
            figures["expected_shortfall"], figures["worst_scenario"]["shortfall"],
            figures["coverage_percentiles"]["p10"], figures["coverage_percentiles"]["p50"])
