"""Cases small enough to solve by hand: the exact objective and the decisions."""

from __future__ import annotations

import pytest

from planner import Status, derive_requirements, plan_scenario
from planner.model.pyomo_model import build_model
from planner.plan.plan import Plan

from builders import INTERPRETER, contribution, penalty, rule, scenario, section


def deployed(plan: Plan) -> dict[tuple[str, str, int], float]:
    """Units by (contribution, section, period)."""
    return {
        (row.contribution_id, row.section_id, row.period): row.quantity
        for row in plan.schedule.itertuples(index=False)
    }


def short(plan: Plan) -> dict[tuple[str, str, int], float]:
    """Positive shortfalls by (item, section, period)."""
    return {
        (row.item_id, row.section_id, row.period): row.shortfall
        for row in plan.shortfalls.itertuples(index=False)
        if row.shortfall > 0
    }


def test_need_met_by_the_cheapest_pledge() -> None:
    # Need 3 guards for 2 days; the 10/day pledge beats the 25/day one: 3 * 10 * 2 = 60.
    plan = plan_scenario(scenario(
        horizon={"periods": 2},
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=3)],
        penalties=[penalty("guard", 1000)],
        contributions=[contribution("cheap", "guard", 5, 10),
                       contribution("dear", "guard", 5, 25)],
    ))
    assert plan.status is Status.OPTIMAL
    assert plan.result.objective == pytest.approx(60)
    assert deployed(plan) == {("cheap", "A", 1): 3, ("cheap", "A", 2): 3}
    assert short(plan) == {}


def test_shortfall_when_a_pledge_costs_more_than_the_penalty() -> None:
    # Need 5; cheap (10/day) has 3 units, dear (50/day) costs more than the penalty (40):
    # deploy 3 cheap, leave 2 uncovered: 3 * 10 + 2 * 40 = 110.
    plan = plan_scenario(scenario(
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=5)],
        penalties=[penalty("guard", 40)],
        contributions=[contribution("cheap", "guard", 3, 10),
                       contribution("dear", "guard", 1, 50)],
    ))
    assert plan.result.objective == pytest.approx(110)
    assert deployed(plan) == {("cheap", "A", 1): 3}
    assert short(plan) == {("guard", "A", 1): 2}
    assert plan.result.objective_parts == pytest.approx(
        {"deployment_cost": 30, "start_cost": 0, "shortfall_penalty": 80, "language_penalty": 0,
         "remote_interpretation": 0, "change_cost": 0}
    )


def test_weekly_periods_price_seven_days() -> None:
    # One week, need 2, pledge 10/day: 2 * 10 * 7 = 140.
    plan = plan_scenario(scenario(
        horizon={"period": "week"},
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=2)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("c", "guard", 4, 10)],
    ))
    assert plan.result.objective == pytest.approx(140)
    assert plan.schedule["cost"].tolist() == [140]


def test_a_shared_pledge_goes_where_the_penalty_is_higher() -> None:
    # 2 units may serve A (high, penalty 300) or B (low, penalty 100), each needing 2:
    # both go to A, B stays 2 short: 2 * 10 + 2 * 100 = 220.
    plan = plan_scenario(scenario(
        sections=[section("A", "high"), section("B", "low")],
        requirement_rules=[rule("guard", minimum=2)],
        penalties=[penalty("guard", 100, high=300)],
        contributions=[contribution("c", "guard", 2, 10)],
    ))
    assert plan.result.objective == pytest.approx(220)
    assert deployed(plan) == {("c", "A", 1): 2}
    assert short(plan) == {("guard", "B", 1): 2}


def test_beds_cap_deployed_personnel_but_not_host_staff() -> None:
    # Need 4 at a section with 2 beds. Member-state guards (10/day) fill the beds; the host
    # officer (20/day) needs no bed; 1 stays uncovered: 2 * 10 + 20 + 100 = 140.
    plan = plan_scenario(scenario(
        sections=[section("A", beds=2)],
        requirement_rules=[rule("guard", minimum=4)],
        penalties=[penalty("guard", 100)],
        contributions=[
            contribution("ms", "guard", 4, 10, category="3", contributor="Germany"),
            contribution("host", "guard", 1, 20, category="host", contributor="Examplia"),
        ],
    ))
    assert plan.result.objective == pytest.approx(140)
    assert deployed(plan) == {("ms", "A", 1): 2, ("host", "A", 1): 1}
    assert short(plan) == {("guard", "A", 1): 1}


def test_availability_window_leaves_early_periods_short() -> None:
    # The pledge arrives on day 2 of 3; day 1's need of 1 goes uncovered: 100 + 2 * 10 = 120.
    plan = plan_scenario(scenario(
        horizon={"periods": 3},
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("late", "guard", 1, 10, available_from="2024-01-02")],
    ))
    assert plan.result.objective == pytest.approx(120)
    assert deployed(plan) == {("late", "A", 2): 1, ("late", "A", 3): 1}
    assert short(plan) == {("guard", "A", 1): 1}


def test_a_pledge_serves_only_its_eligible_sections() -> None:
    # The only pledge is eligible at B; A's need is all shortfall: 100 + 10 = 110.
    plan = plan_scenario(scenario(
        sections=[section("A"), section("B")],
        requirement_rules=[rule("guard", minimum=1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("c", "guard", 5, 10, sections="B")],
    ))
    assert plan.result.objective == pytest.approx(110)
    assert deployed(plan) == {("c", "B", 1): 1}


def test_one_interpreter_covers_one_language_unit() -> None:
    # 20 arrivals, half Arabic, half Dari, 0.1 interpreters per arrival: 1 of each is needed.
    # One bilingual interpreter (15/day) covers one; the other is short at the high
    # language penalty 150: 15 + 150 = 165.
    plan = plan_scenario(scenario(
        kinds=[INTERPRETER],
        sections=[section("A")],
        nationalities=[{"id": "X", "name": "X"}],
        languages=[{"id": "ara", "name": "Arabic", "need_per_arrival": 0.1},
                   {"id": "prs", "name": "Dari", "need_per_arrival": 0.1}],
        language_shares=[{"nationality_id": "X", "language_id": "ara", "share": 0.5},
                         {"nationality_id": "X", "language_id": "prs", "share": 0.5}],
        forecast=[{"section_id": "A", "period": 1, "nationality_id": "X", "arrivals": 20}],
        contributions=[contribution("i", "interpreter", 1, 15, category="2",
                                    languages="ara; prs")],
    ))
    assert plan.result.objective == pytest.approx(165)
    assert deployed(plan) == {("i", "A", 1): 1}
    language_short = plan.shortfalls.set_index("item_id")["shortfall"]
    assert language_short.sum() == pytest.approx(1)


def test_need_is_the_larger_of_minimum_and_arrival_ratio() -> None:
    # Minimum 2 at high impact; 0.1 per arrival: 10 arrivals need 2 (floor), 50 need 5.
    built = scenario(
        horizon={"periods": 2},
        sections=[section("A")],
        nationalities=[{"id": "X", "name": "X"}],
        languages=[{"id": "ara", "name": "Arabic", "need_per_arrival": 0}],
        language_shares=[{"nationality_id": "X", "language_id": "ara", "share": 1}],
        forecast=[{"section_id": "A", "period": 1, "nationality_id": "X", "arrivals": 10},
                  {"section_id": "A", "period": 2, "nationality_id": "X", "arrivals": 50}],
        requirement_rules=[rule("guard", minimum=2, per_arrival=0.1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("c", "guard", 9, 10)],
    )
    needs = derive_requirements(built).kind_needs
    assert needs["required"].tolist() == pytest.approx([2, 5])
    assert needs["minimum"].tolist() == pytest.approx([2, 2])
    assert plan_scenario(built).result.objective == pytest.approx((2 + 5) * 10)


def test_impact_change_raises_the_minimum_from_its_period_on() -> None:
    built = scenario(
        horizon={"periods": 3},
        sections=[section("A", "low")],
        impact_changes=[{"section_id": "A", "from_period": 2, "impact_level": "critical"}],
        requirement_rules=[{"kind_id": "guard", "min_low": 1, "min_critical": 4}],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("c", "guard", 9, 10)],
    )
    needs = derive_requirements(built).kind_needs
    assert needs["impact_level"].tolist() == ["low", "critical", "critical"]
    assert needs["required"].tolist() == pytest.approx([1, 4, 4])


def test_border_types_restrict_a_rule() -> None:
    built = scenario(
        sections=[section("A", border_type="land"), section("B", border_type="sea")],
        requirement_rules=[rule("guard", minimum=1, border_types="sea")],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("c", "guard", 9, 10)],
    )
    assert derive_requirements(built).kind_needs["section_id"].tolist() == ["B"]


def test_model_is_built_only_where_something_is_needed() -> None:
    # Three sections, three periods, but need only at A in period 2: one deployment variable.
    built = scenario(
        horizon={"periods": 3},
        sections=[section("A", "low"), section("B", "low"), section("C", "low")],
        impact_changes=[{"section_id": "A", "from_period": 2, "impact_level": "high"},
                        {"section_id": "A", "from_period": 3, "impact_level": "low"}],
        requirement_rules=[{"kind_id": "guard", "min_high": 1}],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("c", "guard", 9, 10)],
    )
    model = build_model(built, derive_requirements(built))
    assert list(model.model.DEPLOY) == [("c", "A", 2)]
    assert model.size.variables == 2  # the deployment and its shortfall
    assert model.size.constraints == 1
