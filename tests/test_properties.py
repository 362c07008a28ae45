"""Invariants of every plan, checked on the output tables alone, for random small scenarios."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import Scenario, Status, plan_scenario
from planner.plan import Plan
from planner.schema import IMPACT_LEVELS, Category, KindClass

from builders import GUARD, INTERPRETER, contribution, penalty, rule, scenario, section

TOLERANCE = 1e-6
DOG = {"id": "dog", "name": "Dog handler", "class": "officer"}
LANGUAGES = [
    {"id": "ara", "name": "Arabic", "need_per_arrival": 0.1},
    {"id": "prs", "name": "Dari", "need_per_arrival": 0.05},
]
NATIONALITIES = [{"id": "X", "name": "X"}, {"id": "Y", "name": "Y"}]
SHARES = [
    {"nationality_id": "X", "language_id": "ara", "share": 1.0},
    {"nationality_id": "Y", "language_id": "ara", "share": 0.4},
    {"nationality_id": "Y", "language_id": "prs", "share": 0.6},
]
START = date(2024, 1, 1)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A random small but complete scenario, as the tables ``builders.scenario`` takes."""
    periods = draw(st.integers(1, 4))
    section_ids = [f"S{i}" for i in range(draw(st.integers(1, 3)))]
    sections = [
        section(sid, draw(st.sampled_from(IMPACT_LEVELS)), draw(st.none() | st.integers(0, 6)))
        for sid in section_ids
    ]
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
    ]
    penalties = [penalty(kind, draw(st.integers(20, 500)), critical=draw(st.integers(20, 900)))
                 for kind in ("guard", "dog")]
    pledges = []
    for number in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["guard", "dog", "interpreter"]))
        category = draw(st.sampled_from(["1", "3", "host"]))
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
        pledges.append(contribution(f"c{number}", kind, draw(st.integers(0, 5)),
                                    draw(st.integers(1, 100)), **extra))
    return {
        "horizon": {"periods": periods},
        "kinds": [GUARD, DOG, INTERPRETER],
        "sections": sections,
        "nationalities": NATIONALITIES,
        "languages": LANGUAGES,
        "language_shares": SHARES,
        "forecast": forecast,
        "requirement_rules": rules,
        "penalties": penalties,
        "contributions": pledges,
    }


def check_plan(built: Scenario, plan: Plan) -> None:
    """Every rule of the plan, checked from its tables without the model."""
    assert plan.status is Status.OPTIMAL
    schedule, shortfalls = plan.schedule, plan.shortfalls
    pledges = {c.id: c for c in built.contributions}

    per_offer = schedule.groupby(["contribution_id", "period"])["quantity"].sum()
    for (contribution_id, _), units in per_offer.items():
        assert units <= pledges[contribution_id].quantity + TOLERANCE

    for row in schedule.itertuples(index=False):
        pledge = pledges[row.contribution_id]
        assert not pledge.sections or row.section_id in pledge.sections
        assert pledge.available_from is None or row.period_start >= pledge.available_from
        assert pledge.available_to is None or row.period_end <= pledge.available_to
        assert row.quantity > 0

    beds = {s.id: s.beds for s in built.sections}
    personnel = schedule[
        (schedule["kind_class"] != KindClass.VEHICLE) & (schedule["category"] != Category.HOST)
    ]
    for (section_id, _), units in personnel.groupby(["section_id", "period"])["quantity"].sum(
    ).items():
        if beds[section_id] is not None:
            assert units <= beds[section_id] + TOLERANCE

    assert (shortfalls["covered"] + shortfalls["shortfall"]).to_numpy() == pytest.approx(
        shortfalls["required"].to_numpy()
    )
    assert (shortfalls["shortfall"] >= 0).all()
    assert (shortfalls["covered"] >= -TOLERANCE).all()

    units_at = schedule.groupby(["section_id", "period", "kind_id"])["quantity"].sum()
    kinds = shortfalls[shortfalls["item_type"] == "kind"]
    for row in kinds.itertuples(index=False):
        assert row.covered <= units_at.get((row.section_id, row.period, row.item_id), 0) + 1e-5

    interpreters = schedule[schedule["kind_class"] == KindClass.INTERPRETER]
    interpreters_at = interpreters.groupby(["section_id", "period"])["quantity"].sum()
    languages = shortfalls[shortfalls["item_type"] == "language"]
    for (section_id, period), covered in languages.groupby(["section_id", "period"])[
        "covered"
    ].sum().items():
        assert covered <= interpreters_at.get((section_id, period), 0) + 1e-5

    days = built.horizon.days_per_period
    penalty_of = {p.kind_id: p for p in built.penalties}
    penalties = sum(
        row.shortfall * days * (
            getattr(penalty_of[row.item_id], row.impact_level) if row.item_type == "kind"
            else built.language_penalty.at(row.impact_level)
        )
        for row in shortfalls.itertuples(index=False)
    )
    assert plan.result.objective == pytest.approx(schedule["cost"].sum() + penalties, abs=1e-4)


PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(documents())
def test_every_plan_keeps_every_rule(document: dict[str, Any]) -> None:
    built = scenario(**document)
    check_plan(built, plan_scenario(built))


@PROPERTY_SETTINGS
@given(documents(), st.sampled_from([1.0, 1.25, 2.0, 5.0]), st.integers(0, 2))
def test_more_demand_never_costs_less(
    document: dict[str, Any], factor: float, extra_minimum: int
) -> None:
    base = plan_scenario(scenario(**document))
    document["forecast"] = [row | {"arrivals": row["arrivals"] * factor}
                            for row in document["forecast"]]
    document["requirement_rules"] = [
        row | {f"min_{level}": row[f"min_{level}"] + extra_minimum for level in IMPACT_LEVELS}
        for row in document["requirement_rules"]
    ]
    more = plan_scenario(scenario(**document))
    assert base.result.objective is not None and more.result.objective is not None
    assert more.result.objective >= base.result.objective - 1e-6


@PROPERTY_SETTINGS
@given(documents(), st.integers(1, 5))
def test_more_capacity_never_costs_more(document: dict[str, Any], extra: int) -> None:
    base = plan_scenario(scenario(**document))
    document["contributions"] = [row | {"quantity": row["quantity"] + extra}
                                 for row in document["contributions"]]
    more = plan_scenario(scenario(**document))
    assert base.result.objective is not None and more.result.objective is not None
    assert more.result.objective <= base.result.objective + 1e-6
