"""Invariants of every plan, checked on the output tables alone, for random small scenarios."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import Scenario, SolveOptions, Status, plan_scenario
from planner.plan.plan import Plan
from planner.scenario.records import IMPACT_LEVELS, Category, KindClass

from builders import GUARD, INTERPRETER, contribution, penalty, rule, scenario, section

TOLERANCE = 1e-6
DOG = {"id": "dog", "name": "Dog handler", "class": "officer"}
CAR = {"id": "car", "name": "Patrol car", "class": "vehicle", "crew_kind": "guard",
       "crew_size": 2}
LANGUAGES = [
    {"id": "ara", "name": "Arabic", "need_per_arrival": 0.1},
    {"id": "prs", "name": "Dari", "need_per_arrival": 0.05, "remote_cost": 60},
]
NATIONALITIES = [{"id": "X", "name": "X"}, {"id": "Y", "name": "Y"}]
SHARES = [
    {"nationality_id": "X", "language_id": "ara", "share": 1.0},
    {"nationality_id": "Y", "language_id": "ara", "share": 0.4},
    {"nationality_id": "Y", "language_id": "prs", "share": 0.6},
]
START = date(2024, 1, 1)
CATEGORIES = {"guard": ["1", "2", "3", "4", "host"], "dog": ["1", "3", "host"],
              "interpreter": ["1", "2", "contract"], "car": ["pool", "host", "4"]}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A random small but complete scenario, as the tables ``builders.scenario`` takes."""
    periods = draw(st.integers(1, 5))
    section_ids = [f"S{i}" for i in range(draw(st.integers(1, 3)))]
    sections = []
    for sid in section_ids:
        extra = {}
        if draw(st.integers(0, 3)) == 0:
            extra["access_from"] = START + timedelta(days=draw(st.integers(1, periods)))
        sections.append(section(sid, draw(st.sampled_from(IMPACT_LEVELS)),
                                draw(st.none() | st.integers(0, 6)), **extra))
    forecast = [
        {"section_id": sid, "period": t, "nationality_id": n, "arrivals": arrivals}
        for sid in section_ids
        for t in range(1, periods + 1)
        for n in ("X", "Y")
        if (arrivals := draw(st.integers(0, 60)))
    ]
    rules = [
        rule("guard", per_arrival=draw(st.sampled_from([0, 0.02, 0.1])))
        | {f"min_{level}": draw(st.integers(0, 3)) for level in IMPACT_LEVELS},
        rule("dog", minimum=draw(st.integers(0, 2))),
        rule("car", minimum=draw(st.integers(0, 1))),
    ]
    penalties = [penalty(kind, draw(st.integers(20, 500)), critical=draw(st.integers(20, 900)))
                 for kind in ("guard", "dog", "car")]
    pledges = []
    for number in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["guard", "guard", "dog", "interpreter", "car"]))
        category = draw(st.sampled_from(CATEGORIES[kind]))
        extra: dict[str, Any] = {"category": category}
        if draw(st.booleans()):
            extra["sections"] = draw(st.lists(st.sampled_from(section_ids), min_size=1,
                                              unique=True))
        if draw(st.booleans()):
            first = draw(st.integers(0, periods))
            extra["available_from"] = START + timedelta(days=first)
            extra["available_to"] = START + timedelta(days=first + draw(st.integers(0, 3)))
        if kind == "interpreter":
            extra["languages"] = draw(st.lists(st.sampled_from(["ara", "prs"]), min_size=1,
                                               unique=True))
        if category != "2" and draw(st.integers(0, 2)) == 0:
            extra["deployment_length"] = draw(st.integers(1, 3))
        if draw(st.integers(0, 2)) == 0:
            extra["start_cost"] = draw(st.sampled_from([5, 40]))
        if draw(st.integers(0, 3)) == 0:
            extra["annual_cap_days"] = draw(st.integers(0, 6))
        pledges.append(contribution(f"c{number}", kind, draw(st.integers(0, 5)),
                                    draw(st.integers(1, 100)), **extra))
    if draw(st.booleans()):
        # A patrol car with host guards to ride it: vehicles deploy only so.
        pledges.append(contribution("car", "car", draw(st.integers(1, 2)), 30, category="pool"))
        pledges.append(contribution("host", "guard", draw(st.integers(1, 4)), 20,
                                    category="host"))
    interventions = []
    if draw(st.booleans()):
        pledges.append(contribution("reserve", "guard", draw(st.integers(1, 3)), 5, category="4"))
        interventions.append({
            "section_id": draw(st.sampled_from(section_ids)),
            "decision_date": START - timedelta(days=draw(st.integers(0, 10))),
            "officer_lead_days": draw(st.integers(0, 3)),
            "equipment_lead_days": draw(st.integers(0, 5)),
        })
    return {
        "horizon": {"periods": periods},
        "kinds": [GUARD, DOG, INTERPRETER, CAR],
        "sections": sections,
        "nationalities": NATIONALITIES,
        "languages": LANGUAGES,
        "language_shares": SHARES,
        "forecast": forecast,
        "requirement_rules": rules,
        "penalties": penalties,
        "contributions": pledges,
        "rapid_interventions": interventions,
    }


def offered(built: Scenario, contribution_id: str, section_id: str, period: int) -> bool:
    """Whether a pledge may serve a section in a period, worked out from the rules' text."""
    pledge = next(c for c in built.contributions if c.id == contribution_id)
    horizon = built.horizon
    first, last = horizon.period_start(period), horizon.period_end(period)
    target = next(s for s in built.sections if s.id == section_id)
    is_vehicle = built.kind(pledge.kind_id).kind_class is KindClass.VEHICLE
    checks = [
        not pledge.sections or section_id in pledge.sections,
        pledge.available_from is None or first >= pledge.available_from,
        pledge.available_to is None or last <= pledge.available_to,
    ]
    if pledge.category is not Category.HOST:
        checks += [target.access_from is None or first >= target.access_from,
                   target.access_to is None or last <= target.access_to]
    if pledge.category is Category.RESERVE:
        checks.append(any(
            r.section_id == section_id
            and first >= r.decision_date + timedelta(
                days=r.equipment_lead_days if is_vehicle else r.officer_lead_days)
            and first <= (r.end_date or horizon.end)
            for r in built.rapid_interventions
        ))
    return all(checks)


def check_plan(built: Scenario, plan: Plan, whole_units: bool) -> None:
    """Every rule of the plan, checked from its tables without the model."""
    assert plan.status is Status.OPTIMAL
    schedule, shortfalls = plan.schedule, plan.shortfalls
    pledges = {c.id: c for c in built.contributions}
    if whole_units:
        assert (schedule["quantity"] == schedule["quantity"].round()).all()
        assert (schedule["starts"] == schedule["starts"].round()).all()

    # Availability and eligibility.
    per_offer = schedule.groupby(["contribution_id", "period"])["quantity"].sum()
    for (contribution_id, _), total in per_offer.items():
        assert total <= pledges[contribution_id].quantity + TOLERANCE
    for row in schedule.itertuples(index=False):
        assert offered(built, row.contribution_id, row.section_id, row.period)

    # Beds: deployed personnel, host staff excepted.
    beds = {s.id: s.beds for s in built.sections}
    personnel = schedule[(schedule["kind_class"] != KindClass.VEHICLE)
                         & (schedule["category"] != Category.HOST)]
    for (section_id, _), total in personnel.groupby(["section_id", "period"])[
        "quantity"
    ].sum().items():
        if beds[section_id] is not None:
            assert total <= beds[section_id] + TOLERANCE

    # Crews and host officers aboard.
    at = schedule.groupby(["section_id", "period", "kind_id"])["quantity"].sum()
    hosts = schedule[(schedule["category"] == Category.HOST)
                     & (schedule["kind_class"] == KindClass.OFFICER)]
    hosts_at = hosts.groupby(["section_id", "period"])["quantity"].sum()
    vehicles = schedule[schedule["kind_class"] == KindClass.VEHICLE]
    for (section_id, period), total in vehicles.groupby(["section_id", "period"])[
        "quantity"
    ].sum().items():
        assert total <= hosts_at.get((section_id, period), 0) + TOLERANCE
        crew = 2 * at.get((section_id, period, "car"), 0)
        assert crew <= at.get((section_id, period, "guard"), 0) + TOLERANCE

    # Rotations: present = started within the length (category 2: since any start).
    starts = schedule.set_index(["contribution_id", "section_id", "period"])["starts"]
    for row in schedule.itertuples(index=False):
        pledge = pledges[row.contribution_id]
        length = (built.horizon.periods if pledge.category is Category.LONG_TERM
                  else pledge.deployment_length)
        if length is not None:
            recent = sum(starts.get((row.contribution_id, row.section_id, t), 0)
                         for t in range(row.period - length + 1, row.period + 1))
            assert row.quantity == pytest.approx(row.running + recent)

    # Annual caps, per calendar year.
    days_used: dict[tuple[str, int], float] = defaultdict(float)
    for row in schedule.itertuples(index=False):
        days_used[row.contribution_id, row.period_start.year] += (
            row.quantity * built.horizon.days_per_period
        )
    for (contribution_id, _), used in days_used.items():
        cap = pledges[contribution_id].annual_cap()
        assert cap is None or used <= cap + 1e-5

    # The reserve serves only once the first line of its kind that could serve there is
    # fully deployed, or has spent its annual cap. (Rotating pledges are left out here: in
    # periods no rotation can reach they cannot be fully present, and do not count.)
    first_line = {KindClass.OFFICER: {"1", "2", "3"}, KindClass.INTERPRETER: {"1", "2", "3"},
                  KindClass.VEHICLE: {"1", "pool"}}
    if whole_units:
        for row in schedule[schedule["category"] == Category.RESERVE].itertuples(index=False):
            klass = built.kind(row.kind_id).kind_class
            for first in built.contributions:
                if (first.kind_id != row.kind_id or first.category not in first_line[klass]
                        or first.deployment_length is not None
                        or first.category is Category.LONG_TERM
                        or not offered(built, first.id, row.section_id, row.period)):
                    continue
                cap = first.annual_cap()
                # Spent: less than one unit for one more period is left of the cap.
                spent = cap is not None and days_used[first.id, row.period_start.year] >= (
                    cap - built.horizon.days_per_period + 1 - 1e-6)
                assert spent or per_offer.get((first.id, row.period), 0) == pytest.approx(
                    first.quantity)

    # Cover: covered + remote + shortfall = required, backed by units on site.
    total = shortfalls["covered"] + shortfalls["remote"] + shortfalls["shortfall"]
    assert total.to_numpy() == pytest.approx(shortfalls["required"].to_numpy())
    assert (shortfalls[["covered", "remote", "shortfall"]] >= -TOLERANCE).all().all()
    kinds = shortfalls[shortfalls["item_type"] == "kind"]
    for row in kinds.itertuples(index=False):
        assert row.covered <= at.get((row.section_id, row.period, row.item_id), 0) + 1e-5
    interpreters = schedule[schedule["kind_class"] == KindClass.INTERPRETER]
    interpreters_at = interpreters.groupby(["section_id", "period"])["quantity"].sum()
    languages = shortfalls[shortfalls["item_type"] == "language"]
    for (section_id, period), covered in languages.groupby(["section_id", "period"])[
        "covered"
    ].sum().items():
        assert covered <= interpreters_at.get((section_id, period), 0) + 1e-5

    # The objective is what the tables cost.
    assert plan.result.objective == pytest.approx(objective_of(built, schedule, shortfalls),
                                                  abs=1e-4)


def objective_of(built: Scenario, schedule: pd.DataFrame, shortfalls: pd.DataFrame) -> float:
    """Deployment and start costs plus penalties and remote interpretation, from the tables."""
    days = built.horizon.days_per_period
    penalty_of = {p.kind_id: p for p in built.penalties}
    remote_cost = {language.id: language.remote_cost for language in built.languages}
    start_cost = {c.id: c.start_cost for c in built.contributions}
    total = schedule["cost"].sum() + sum(
        row.starts * start_cost[row.contribution_id] for row in schedule.itertuples(index=False)
    )
    for row in shortfalls.itertuples(index=False):
        if row.item_type == "kind":
            total += row.shortfall * days * getattr(penalty_of[row.item_id], row.impact_level)
        else:
            total += row.shortfall * days * built.language_penalty.at(row.impact_level)
            total += row.remote * days * (remote_cost[row.item_id] or 0)
    return float(total)


PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
LP = SolveOptions(relax=True)


@PROPERTY_SETTINGS
@given(documents())
def test_every_plan_keeps_every_rule(document: dict[str, Any]) -> None:
    built = scenario(**document)
    whole = plan_scenario(built)
    check_plan(built, whole, whole_units=True)
    relaxed = plan_scenario(built, LP)
    check_plan(built, relaxed, whole_units=False)
    # The whole-unit plan lies between the LP bound and its own bound plus the gap.
    assert whole.result.objective is not None and relaxed.result.objective is not None
    assert whole.result.bound is not None and whole.result.gap is not None
    assert relaxed.result.objective <= whole.result.objective + 1e-6
    assert whole.result.bound >= relaxed.result.objective - 1e-6 * max(
        1.0, abs(relaxed.result.objective))
    assert whole.result.objective - whole.result.bound <= (
        whole.result.gap * abs(whole.result.objective) + 1e-6)
    assert whole.result.gap <= SolveOptions().gap


@PROPERTY_SETTINGS
@given(documents(), st.sampled_from([1.0, 1.25, 2.0, 5.0]), st.integers(0, 2))
def test_more_demand_never_costs_less(
    document: dict[str, Any], factor: float, extra_minimum: int
) -> None:
    base = plan_scenario(scenario(**document), LP)
    document["forecast"] = [row | {"arrivals": row["arrivals"] * factor}
                            for row in document["forecast"]]
    document["requirement_rules"] = [
        row | {f"min_{level}": row[f"min_{level}"] + extra_minimum for level in IMPACT_LEVELS}
        for row in document["requirement_rules"]
    ]
    more = plan_scenario(scenario(**document), LP)
    assert base.result.objective is not None and more.result.objective is not None
    assert more.result.objective >= base.result.objective - 1e-6


@PROPERTY_SETTINGS
@given(documents(), st.integers(1, 5))
def test_more_capacity_never_costs_more(document: dict[str, Any], extra: int) -> None:
    # Only where more units cannot unlock a dearer rule: the reserve waits for categories
    # 1-3 to be *fully* deployed, so a larger category 1-3 pledge may delay it.
    document["rapid_interventions"] = []
    base = plan_scenario(scenario(**document), LP)
    document["contributions"] = [row | {"quantity": row["quantity"] + extra}
                                 for row in document["contributions"]]
    more = plan_scenario(scenario(**document), LP)
    assert base.result.objective is not None and more.result.objective is not None
    assert more.result.objective <= base.result.objective + 1e-6
