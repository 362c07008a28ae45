"""Deployments: a whole-unit schedule as cohorts of units that arrive and leave together.

A command centre acts on deployments, not on unit counts per period: "send 4 officers of
pledge de-bso-1 to SRB-HUN from 7 March to 3 April". This module turns a plan's schedule
into such records, by a deterministic rule:

- units already running when the horizon starts are one cohort per running deployment,
  with status ``running``;
- a pledge with rotations (``deployment_length``): each start is one cohort, staying for
  its rotation (or to the horizon's end);
- any other pledge (category 2 included): units arrive when the quantity at a section
  rises, and when it falls the latest to arrive leave first. A cohort of which only some
  units leave splits in two: those leaving and those staying, both with the same arrival;
- a re-plan around a baseline keeps the baseline's cohorts that arrived by its freeze
  date as they are (same numbers, hence same ids); the rule above applies to the rest.

Every cohort gets a ``deployment_id`` computed from what names it (operation, pledge,
section, status, arrival date and its number among cohorts of that arrival), so the same
plan always gives the same ids, and a re-plan that keeps a cohort keeps its id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from planner.errors import UsageError
from planner.scenario.records import BaselineCohort, Contribution
from planner.scenario.schema import Scenario

if TYPE_CHECKING:
    from planner.runs.records import RunRecord

DEPLOYMENT_COLUMNS = [
    "deployment_id", "contribution_id", "contributor", "category", "kind_id", "kind_class",
    "section_id", "status", "cohort", "quantity", "first_period", "last_period", "periods",
    "arrive", "leave",
]
"""The columns of :func:`derive_deployments`, in order."""

RUNNING, PLANNED = "running", "planned"
"""Statuses of a cohort: on site before the horizon starts, or sent by this plan."""

WHOLE_TOLERANCE = 1e-6
"""How far a unit count may lie from a whole number and still be one (solver noise)."""


@dataclass(frozen=True)
class Cohort:
    """Units of one pledge at one section from one period to another, as one record."""

    status: str
    quantity: int
    first_period: int
    last_period: int
    number: int | None = None
    """Its number among the cohorts arriving with it, where it is given (a kept cohort)."""


def deployment_id(operation: str, contribution_id: str, section_id: str, status: str,
                  arrive: date, cohort: int) -> str:
    """The id of a cohort: the same for the same content, in every run and every export."""
    content = "\x1f".join((operation, contribution_id, section_id, status, arrive.isoformat(),
                           str(cohort)))
    return "D" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def refuse_without_deployments(record: RunRecord, what: str = "") -> None:
    """Raise ``UsageError`` unless ``record`` is a whole-unit run with a plan."""
    name = f"{what}run #{record.id}"
    if record.objective is None:
        raise UsageError(f"{name} has no plan (status {record.status}): only a whole-unit run "
                         "with a plan has deployments")
    if record.summary.get("units") != "whole":
        raise UsageError(f"{name} is not a whole-unit plan (status {record.status}, "
                         f"{record.summary.get('units', 'no')} units): only a whole-unit run "
                         "with a plan has deployments; run it without --relax")


def derive_deployments(scenario: Scenario, schedule: pd.DataFrame) -> pd.DataFrame:
    """The deployments of a whole-unit ``schedule`` (a plan's, or a stored run's).

    Raises :class:`UsageError` if a unit count is not whole: a fractional (LP) plan has
    no deployments a command centre could act on.
    """
    fractional = schedule[(schedule["quantity"] - schedule["quantity"].round()).abs()
                          > WHOLE_TOLERANCE]
    if not fractional.empty:
        first = fractional.iloc[0]
        raise UsageError(
            f"the plan has fractional units ({first['quantity']:g} of "
            f"{first['contribution_id']} at {first['section_id']} in period "
            f"{int(first['period'])}, and {len(fractional) - 1} more): only a whole-unit "
            "run has deployments; run it without --relax"
        )
    horizon = scenario.horizon
    contributions = {contribution.id: contribution for contribution in scenario.contributions}
    kind_class = {kind.id: kind.kind_class.value for kind in scenario.kinds}
    rows = []
    for (contribution_id, section_id), group in schedule.groupby(
            ["contribution_id", "section_id"], sort=True):
        contribution = contributions[str(contribution_id)]
        present = {int(period): round(float(quantity))
                   for period, quantity in zip(group["period"], group["quantity"], strict=True)}
        starts = {int(period): round(float(count))
                  for period, count in zip(group["period"], group["starts"], strict=True)}
        cohorts = list(_cohorts(scenario, contribution, str(section_id), present, starts))
        numbers: dict[tuple[str, int], int] = {}
        # A kept cohort keeps its number; the others take the next one free.
        taken = {(c.status, c.first_period, c.number) for c in cohorts if c.number is not None}
        for cohort in cohorts:
            arrival = (cohort.status, cohort.first_period)
            if cohort.number is not None:
                number = cohort.number
            else:
                number = numbers.get(arrival, 0) + 1
                while (*arrival, number) in taken:
                    number += 1
                numbers[arrival] = number
            arrive = horizon.period_start(cohort.first_period)
            rows.append((
                deployment_id(scenario.meta.operation, contribution.id, str(section_id),
                              cohort.status, arrive, number),
                contribution.id, contribution.contributor, contribution.category.value,
                contribution.kind_id, kind_class[contribution.kind_id], str(section_id),
                cohort.status, number,
                cohort.quantity, cohort.first_period, cohort.last_period,
                cohort.last_period - cohort.first_period + 1, arrive,
                horizon.period_end(cohort.last_period),
            ))
    table = pd.DataFrame(rows, columns=DEPLOYMENT_COLUMNS)
    return table.sort_values(["arrive", "contribution_id", "section_id", "status", "cohort"],
                             ignore_index=True)


def _cohorts(scenario: Scenario, contribution: Contribution, section_id: str,
             present: dict[int, int], starts: dict[int, int]) -> Iterator[Cohort]:
    """The cohorts of one pledge at one section, from the units present in each period."""
    last = scenario.horizon.periods
    remaining = dict(present)
    for running in scenario.running_deployments:
        if running.contribution_id != contribution.id or running.section_id != section_id:
            continue
        # Running units stay in every period that starts by their last day.
        stays = [period for period in range(1, last + 1)
                 if scenario.horizon.period_start(period) <= running.until]
        for period in stays:
            remaining[period] = remaining.get(period, 0) - running.quantity
        yield Cohort(RUNNING, running.quantity, 1, stays[-1])
    starts = dict(starts)
    for kept in kept_cohorts(scenario):
        if kept.contribution_id != contribution.id or kept.section_id != section_id:
            continue
        for period in range(kept.first_period, kept.last_period + 1):
            remaining[period] = remaining.get(period, 0) - kept.quantity
        if contribution.deployment_length is not None:
            starts[kept.first_period] = starts.get(kept.first_period, 0) - kept.quantity
        yield Cohort(PLANNED, kept.quantity, kept.first_period, kept.last_period, kept.cohort)
    if contribution.deployment_length is not None:
        yield from _rotations(contribution, section_id, remaining, starts, last)
    else:
        yield from _last_in_first_out(remaining, last)


def kept_cohorts(scenario: Scenario) -> list[BaselineCohort]:
    """The baseline's cohorts a re-plan keeps: those sent by it that arrived by its freeze."""
    baseline = scenario.baseline
    if baseline is None:
        return []
    frozen = scenario.frozen_periods()
    return [cohort for cohort in baseline.cohorts
            if cohort.status == PLANNED and cohort.first_period <= frozen]


def _rotations(contribution: Contribution, section_id: str, remaining: dict[int, int],
               starts: dict[int, int], last: int) -> Iterator[Cohort]:
    """One cohort per start, staying for the rotation; they must add up to the schedule."""
    length = contribution.deployment_length
    assert length is not None
    on_site = dict.fromkeys(range(1, last + 1), 0)
    for period in sorted(starts):
        count = starts[period]
        if count <= 0:
            continue
        leave = min(period + length - 1, last)
        for day in range(period, leave + 1):
            on_site[day] += count
        yield Cohort(PLANNED, count, period, leave)
    mismatch = [period for period in on_site if on_site[period] != remaining.get(period, 0)]
    if mismatch:
        raise ValueError(f"rotations of {contribution.id} at {section_id} do not add up to the "
                         f"schedule in period {mismatch[0]}")


def _last_in_first_out(remaining: dict[int, int], last: int) -> Iterator[Cohort]:
    """Cohorts from a profile of units present: rises arrive, falls send the latest home."""
    stack: list[list[int]] = []  # [first period, units] of the cohorts on site, oldest first
    before = 0
    for period in range(1, last + 2):
        now = remaining.get(period, 0) if period <= last else 0
        if now < 0:
            raise ValueError(f"fewer units in period {period} than are running there")
        if now > before:
            stack.append([period, now - before])
        leaving = before - now
        while leaving > 0:
            first, units = stack[-1]
            gone = min(units, leaving)
            yield Cohort(PLANNED, gone, first, period - 1)
            leaving -= gone
            if gone == units:
                stack.pop()
            else:
                stack[-1][1] = units - gone
        before = now
