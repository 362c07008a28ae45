"""Re-planning around a baseline: keep what is fixed, price every change, report the difference.

A re-plan takes an earlier whole-unit run (usually the approved revision) as its
baseline and a freeze date. Up to that date nothing moves: every deployment is the
baseline's, and the cohorts that arrived by then stay as they are, to their last day, as
running deployments do. After it the model may change anything, but each unit-day that
differs from the baseline costs ``replanning.change_cost``, so only changes that pay for
themselves are made. The baseline travels inside the scenario (:class:`Baseline`), so a
re-plan's run record holds everything it was planned from and its export keeps the ids
of the kept cohorts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import ValidationError

from planner.errors import UsageError
from planner.scenario.cohorts import derive_deployments, kept_cohorts, refuse_without_deployments
from planner.scenario.records import Baseline, BaselineCohort, BaselineUnits
from planner.scenario.schema import Scenario

if TYPE_CHECKING:
    from planner.runs.records import RunRecord
    from planner.runs.store import RunStore
    from planner.scenario.variants import Applied

def baseline_from(store: RunStore, ref: str, scenario: Scenario, freeze_until: date
                  ) -> Baseline:
    """The baseline named ``ref`` (a run, or ``approved``/``approved-N``) for ``scenario``.

    The baseline must be a whole-unit run with a plan, of the same operation and horizon,
    and the freeze date must lie inside the horizon.
    """
    from planner.runs.store import approved_revision  # the store's module needs this one's

    wanted = approved_revision(ref)
    if wanted is False:
        return make_baseline(store.get(store.resolve(ref)), scenario, freeze_until)
    try:
        approval = store.approval(scenario.meta.operation, wanted)
    except UsageError as error:
        raise UsageError(f"--baseline {ref}: {error}") from None
    return make_baseline(store.get(approval.run_id), scenario, freeze_until,
                         revision=approval.revision)


def make_baseline(record: RunRecord, scenario: Scenario, freeze_until: date, *,
                  revision: int | None = None) -> Baseline:
    """The baseline of ``scenario`` from the recorded run ``record``, frozen to ``freeze_until``."""
    planned = Scenario.model_validate(record.inputs)
    name = f"run #{record.id}" + (f" (revision {revision})" if revision else "")
    if planned.meta.operation != scenario.meta.operation:
        raise UsageError(f"--baseline: {name} plans operation '{planned.meta.operation}', "
                         f"not '{scenario.meta.operation}': a re-plan keeps its own "
                         "operation's deployments")
    horizon = scenario.horizon
    if (planned.horizon.start, planned.horizon.period, planned.horizon.periods) != (
            horizon.start, horizon.period, horizon.periods):
        raise UsageError(f"--baseline: {name} plans the horizon {planned.horizon.start} to "
                         f"{planned.horizon.end} in {planned.horizon.periods} "
                         f"{planned.horizon.period}s, this scenario {horizon.start} to "
                         f"{horizon.end} in {horizon.periods} {horizon.period}s: they must "
                         "be the same")
    if not horizon.start <= freeze_until <= horizon.end:
        raise UsageError(f"--freeze-until {freeze_until}: outside the horizon "
                         f"({horizon.start} to {horizon.end})")
    refuse_without_deployments(record, "--baseline: ")
    _refuse_unknown(record, scenario, name)
    cohorts = derive_deployments(planned, record.schedule)
    schedule = record.schedule.assign(quantity=record.schedule["quantity"].round(),
                                      starts=record.schedule["starts"].round())
    held = schedule[(schedule["quantity"] > 0) | (schedule["starts"] > 0)]
    return Baseline(
        run_id=record.id or 0,
        revision=revision,
        freeze_until=freeze_until,
        units=tuple(BaselineUnits.model_validate(row) for row in _records(
            held, ["contribution_id", "section_id", "period", "quantity", "starts"])),
        cohorts=tuple(BaselineCohort.model_validate(row) for row in _records(
            cohorts, list(BaselineCohort.model_fields))),
    )


def _refuse_unknown(record: RunRecord, scenario: Scenario, name: str) -> None:
    """Raise ``UsageError`` naming each pledge or section the baseline uses, ``scenario`` not."""
    schedule = record.schedule[record.schedule["quantity"].round() > 0]
    lines = []
    for column, what, known in (
            ("contribution_id", "pledge", {c.id for c in scenario.contributions}),
            ("section_id", "section", {s.id for s in scenario.sections})):
        for value, rows in schedule[~schedule[column].isin(known)].groupby(column, sort=True):
            periods = rows["period"]
            lines.append(f"{what} '{value}' (periods {periods.min()} to {periods.max()})")
    if lines:
        raise UsageError(
            f"--baseline: {name} deploys {', '.join(lines)}, which this scenario does not "
            "have; a re-plan keeps or prices what its baseline deployed. To withdraw a pledge "
            "after the freeze date, end its availability (available_to) instead of removing it")


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """The rows of ``frame``'s ``columns`` as plain Python values (whole floats as ints)."""
    rows = frame[columns].to_dict("records")
    return [{str(key): int(value) if isinstance(value, float) else value
             for key, value in row.items()} for row in rows]


def with_baseline(scenario: Scenario, baseline: Baseline, change_cost: float | None = None
                  ) -> Scenario:
    """``scenario`` re-planned around ``baseline``, with ``change_cost`` if given.

    The result is validated as a whole: a baseline naming a pledge or section the
    scenario lacks is refused here, before anything is built.
    """
    document = scenario.model_dump(mode="json", by_alias=True)
    document["baseline"] = baseline.model_dump(mode="json")
    if change_cost is not None:
        document["replanning"] = {**document.get("replanning", {}), "change_cost": change_cost}
    try:
        return Scenario.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
            for detail in error.errors()[:5])
        raise UsageError(f"--baseline run #{baseline.run_id} cannot be kept in this "
                         f"scenario: {problems}") from None


def around_baseline(applied: Applied, store: RunStore, ref: str, freeze_until: date,
                    change_cost: float | None = None) -> Applied:
    """``applied`` re-planned around the baseline ``ref`` names, with a line saying so."""
    baseline = baseline_from(store, ref, applied.scenario, freeze_until)
    scenario = with_baseline(applied.scenario, baseline, change_cost)
    line = (f"re-planned around run #{baseline.run_id}"
            + (f" (revision {baseline.revision})" if baseline.revision else "")
            + f", frozen until {freeze_until}, change cost "
            f"{scenario.replanning.change_cost:g} per unit-day")
    return replace(applied, scenario=scenario, changes=(*applied.changes, line))


@dataclass(frozen=True)
class Changes:
    """How a re-plan differs from its baseline, cohort by cohort and in unit-days."""

    kept: int
    """Cohorts with the same id and the same quantity and stay."""
    changed: int
    """Cohorts with the same id (pledge, section, arrival) but another quantity or stay."""
    cancelled: int
    added: int
    frozen_kept: int
    """Of the kept, those the freeze held (arrived by the freeze date, or running)."""
    unit_days_moved: float
    """Unit-days that differ from the baseline's, after the freeze: more plus fewer."""

    def as_json(self) -> dict[str, Any]:
        """The summary's ``replanning.changes`` mapping."""
        return {"kept": self.kept, "changed": self.changed, "cancelled": self.cancelled,
                "added": self.added, "frozen_kept": self.frozen_kept,
                "unit_days_moved": round(self.unit_days_moved, 6)}


def changes_against_baseline(scenario: Scenario, schedule: pd.DataFrame, *, whole: bool
                             ) -> Changes | None:
    """The changes of a plan's ``schedule`` against its scenario's baseline (none: ``None``).

    Cohorts are compared for whole-unit plans only (a fractional plan has none: counts 0);
    unit-days moved are counted either way.
    """
    baseline = scenario.baseline
    if baseline is None:
        return None
    key = ["contribution_id", "section_id", "period"]
    held = pd.DataFrame([(u.contribution_id, u.section_id, u.period, u.quantity)
                         for u in baseline.units], columns=[*key, "baseline"])
    now = schedule.groupby(key, as_index=False).agg(quantity=("quantity", "sum"))
    both = now.merge(held, on=key, how="outer").fillna(0)
    moved = float((both["quantity"] - both["baseline"]).abs().sum()
                  * scenario.horizon.days_per_period)
    if not whole:
        return Changes(0, 0, 0, 0, 0, moved)
    before = {c.deployment_id: (c.quantity, c.last_period) for c in baseline.cohorts}
    derived = derive_deployments(scenario, schedule)
    after = {str(identity): (int(quantity), int(last)) for identity, quantity, last in zip(
        derived["deployment_id"], derived["quantity"], derived["last_period"], strict=True)}
    same = {identity for identity in before.keys() & after.keys()
            if before[identity] == after[identity]}
    frozen = {c.deployment_id for c in kept_cohorts(scenario)} & same
    running = {c.deployment_id for c in baseline.cohorts if c.status == "running"} & same
    return Changes(
        kept=len(same),
        changed=len(before.keys() & after.keys()) - len(same),
        cancelled=len(before.keys() - after.keys()),
        added=len(after.keys() - before.keys()),
        frozen_kept=len(frozen | running),
        unit_days_moved=moved,
    )


def replanning_summary(scenario: Scenario, schedule: pd.DataFrame, *, whole: bool,
                       has_plan: bool) -> dict[str, Any] | None:
    """The summary's ``replanning`` mapping: the baseline, the freeze and the changes."""
    baseline = scenario.baseline
    if baseline is None:
        return None
    frozen = scenario.frozen_periods()
    changes = changes_against_baseline(scenario, schedule, whole=whole) if has_plan else None
    return {
        "baseline_run": baseline.run_id,
        "baseline_revision": baseline.revision,
        "freeze_until": baseline.freeze_until.isoformat(),
        "frozen_periods": frozen,
        "change_cost": scenario.replanning.change_cost,
        "baseline_cohorts": len(baseline.cohorts),
        "changes": None if changes is None else changes.as_json(),
    }
