"""Deployment rules on cases solved by hand: rotations, standing-corps categories, crews,
languages, access and lead times, travel, whole units, marginal values and conflicts."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from planner import SolveOptions, Status, plan_scenario, write_outputs
from planner.errors import SolverError
from planner.plan.plan import Plan

from builders import (
    GUARD,
    INTERPRETER,
    beds_conflict,
    contribution,
    penalty,
    rule,
    scenario,
    section,
)

LP = SolveOptions(relax=True)
CAR = {"id": "car", "name": "Patrol car", "class": "vehicle", "crew_kind": "guard",
       "crew_size": 2}
VAN = {"id": "van", "name": "Van", "class": "vehicle"}


def units(plan: Plan, column: str = "quantity") -> dict[tuple[str, str, int], float]:
    """A schedule column by (contribution, section, period), zero rows left out."""
    return {
        (row.contribution_id, row.section_id, row.period): getattr(row, column)
        for row in plan.schedule.itertuples(index=False)
        if getattr(row, column) > 0
    }


def need_on(days: list[int], periods: int, **extra: Any) -> dict[str, Any]:
    """One high-impact section A needing 1 guard on ``days`` only (low impact otherwise)."""
    changes = []
    for day in range(1, periods + 1):
        level = "high" if day in days else "low"
        if day == 1 or level != ("high" if day - 1 in days else "low"):
            changes.append({"section_id": "A", "from_period": day, "impact_level": level})
    return {
        "horizon": {"periods": periods},
        "sections": [section("A", "low")],
        "impact_changes": changes,
        "requirement_rules": [{"kind_id": "guard", "min_high": 1}],
        "penalties": [penalty("guard", 100)],
        **extra,
    }


# --- rotations and running deployments ----------------------------------------------------------


def test_rotation_starts_for_a_known_demand_pattern() -> None:
    # Need on days 2-5 of 6, rotations of 3 days at 10 a day. Starting on day 2 covers 2-4;
    # day 5 then takes a start on day 5 (5-6, cut by the horizon's end): 5 unit-days, 50.
    # Any other pair of starts costs 6 unit-days; leaving day 5 short costs 30 + 100.
    for options in (SolveOptions(), LP):
        plan = plan_scenario(scenario(**need_on([2, 3, 4, 5], 6, contributions=[
            contribution("r", "guard", 2, 10, deployment_length=3)
        ])), options)
        assert plan.result.objective == pytest.approx(50)
        assert units(plan, "starts") == {("r", "A", 2): 1, ("r", "A", 5): 1}
        assert units(plan) == {("r", "A", t): 1 for t in (2, 3, 4, 5, 6)}


def test_running_deployments_are_honoured_and_are_not_starts() -> None:
    # Need 1 a day for 3 days; 2 units are already there until day 2 and must stay:
    # 2 + 2 + 1 unit-days at 10 = 50, and no unit starts.
    plan = plan_scenario(scenario(
        **need_on([1, 2, 3], 3, contributions=[contribution("c", "guard", 3, 10)]),
        running_deployments=[{"contribution_id": "c", "section_id": "A", "quantity": 2,
                              "until": "2024-01-02"}],
    ))
    assert plan.result.objective == pytest.approx(50)
    assert units(plan) == {("c", "A", 1): 2, ("c", "A", 2): 2, ("c", "A", 3): 1}
    assert units(plan, "running") == {("c", "A", 1): 2, ("c", "A", 2): 2}
    assert units(plan, "starts") == {}


def test_a_running_rotation_continues_with_new_starts() -> None:
    # Rotation of 2 days; 1 unit running until day 1; need on days 1-3: the running unit
    # covers day 1, one start on day 2 covers 2-3: 3 unit-days, 30.
    plan = plan_scenario(scenario(
        **need_on([1, 2, 3], 3, contributions=[
            contribution("r", "guard", 1, 10, deployment_length=2)
        ]),
        running_deployments=[{"contribution_id": "r", "section_id": "A", "quantity": 1,
                              "until": "2024-01-01"}],
    ))
    assert plan.result.objective == pytest.approx(30)
    assert units(plan, "starts") == {("r", "A", 2): 1}


# --- standing-corps categories ------------------------------------------------------------------


@pytest.mark.parametrize(("penalty_per_day", "objective", "deployed"), [
    (100, 30, {("lt", "A", 1): 1, ("lt", "A", 2): 1, ("lt", "A", 3): 1}),
    (25, 25, {}),
])
def test_category_2_stays_to_the_end_once_deployed(
    penalty_per_day: float, objective: float, deployed: dict[tuple[str, str, int], float]
) -> None:
    # Need on day 1 only. A long-term unit (10 a day) that starts stays to day 3: 30. That
    # beats a penalty of 100 for day 1, but not one of 25.
    document = need_on([1], 3, contributions=[contribution("lt", "guard", 1, 10, category="2")])
    document["penalties"] = [penalty("guard", penalty_per_day)]
    plan = plan_scenario(scenario(**document))
    assert plan.result.objective == pytest.approx(objective)
    assert units(plan) == deployed


def test_category_3_default_cap_is_four_months_a_unit() -> None:
    # 20 weeks each needing 1 officer; one category 3 officer may serve 120 days a year,
    # that is 17 whole weeks (119 days): 17 * 7 * 10 + 3 * 7 * 100 = 3290.
    plan = plan_scenario(scenario(
        horizon={"period": "week", "periods": 20},
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("st", "guard", 1, 10, category="3")],
    ))
    assert plan.result.objective == pytest.approx(3290)
    assert plan.schedule["quantity"].sum() == 17


def test_annual_cap_counts_each_calendar_year_apart() -> None:
    # Five days from 29 December, a cap of 2 days a year: 2 days in 2024 and 2 in 2025,
    # one day short: 4 * 10 + 100 = 140.
    plan = plan_scenario(scenario(
        horizon={"start": "2024-12-29", "periods": 5},
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("c", "guard", 1, 10, annual_cap_days=2)],
    ))
    assert plan.result.objective == pytest.approx(140)
    deployed = plan.schedule.groupby(plan.schedule["period_start"].map(lambda d: d.year))[
        "quantity"
    ].sum()
    assert deployed.to_dict() == {2024: 2, 2025: 2}


def reserve_case(**extra: Any) -> dict[str, Any]:
    """Ten days at A needing 3 guards; an agency unit (50 a day) and a cheap reserve (10)."""
    return {
        "horizon": {"periods": 10},
        "sections": [section("A")],
        "requirement_rules": [rule("guard", minimum=3)],
        "penalties": [penalty("guard", 1000)],
        "contributions": [contribution("agency", "guard", 1, 50),
                          contribution("reserve", "guard", 5, 10, category="4")],
        "rapid_interventions": [{"section_id": "A", "decision_date": "2024-01-01"}],
        **extra,
    }


def test_reserve_only_after_lead_time_and_once_categories_1_to_3_are_exhausted() -> None:
    # Officers arrive 5 days after the decision (1 January): the reserve serves from day 6.
    # Days 1-5: the agency unit and 2 short: 50 + 2000. Days 6-10: the reserve is cheaper,
    # yet serves only beside the fully deployed agency unit: 50 + 2 * 10.
    plan = plan_scenario(scenario(**reserve_case()))
    assert plan.result.objective == pytest.approx(5 * 2050 + 5 * 70)
    deployed = units(plan)
    assert {key: value for key, value in deployed.items() if key[0] == "reserve"} == {
        ("reserve", "A", t): 2 for t in range(6, 11)
    }
    assert all(deployed[("agency", "A", t)] == 1 for t in range(1, 11))


def test_relaxed_reserve_rule_is_proportional() -> None:
    # In the LP the reserve may serve in proportion to how fully the agency unit serves:
    # reserve <= 5 g, agency >= g, reserve + agency >= 3 gives agency 0.5, reserve 2.5 on
    # days 6-10: 25 + 25 a day. Days 1-5 are as in whole units: 5 * 2050 + 5 * 50 = 10500.
    plan = plan_scenario(scenario(**reserve_case()), LP)
    assert plan.result.objective == pytest.approx(5 * 2050 + 5 * 50)
    assert units(plan)[("reserve", "A", 6)] == pytest.approx(2.5)
    assert ("reserve", "A", 5) not in units(plan)


def test_a_pledge_that_spent_its_cap_no_longer_holds_the_reserve_back() -> None:
    # The agency unit may serve 4 days a year: then it is exhausted, and the reserve serves
    # beside it or alone. Days 1-5 short 2 (or 3 once the cap is spent); from day 6 the
    # reserve covers all 3 whenever the agency unit is away. Cheapest: spend the agency's 4
    # days on days 1-4 (50 + 2000 each), day 5 short 3 (3000), days 6-10 reserve 3 (30).
    plan = plan_scenario(scenario(**reserve_case(contributions=[
        contribution("agency", "guard", 1, 50, annual_cap_days=4),
        contribution("reserve", "guard", 5, 10, category="4"),
    ])))
    assert plan.result.objective == pytest.approx(4 * 2050 + 3000 + 5 * 30)
    assert {key for key in units(plan) if key[0] == "reserve"} == {
        ("reserve", "A", t) for t in range(6, 11)
    }


def test_reserve_vehicles_wait_for_the_equipment_pool() -> None:
    # A reserve van (20) and a pool van (50) from day 11; one needed: the pool van serves,
    # and the reserve van may join it (a second van is not needed, so it does not).
    plan = plan_scenario(scenario(
        horizon={"periods": 11},
        kinds=[GUARD, VAN],
        sections=[section("A")],
        requirement_rules=[rule("van", minimum=1)],
        penalties=[penalty("van", 200)],
        contributions=[contribution("van4", "van", 1, 20, category="4"),
                       contribution("pool", "van", 1, 50, category="pool"),
                       contribution("host", "guard", 2, 5, category="host")],
        rapid_interventions=[{"section_id": "A", "decision_date": "2024-01-01"}],
    ))
    assert {key[0] for key in units(plan) if key[2] == 11} == {"pool", "host"}
    assert plan.result.objective == pytest.approx(11 * 55)


def test_reserve_never_serves_without_an_intervention() -> None:
    plan = plan_scenario(scenario(**reserve_case(rapid_interventions=[])))
    assert plan.result.objective == pytest.approx(10 * 2050)
    assert "reserve" not in set(plan.schedule["contribution_id"])


def test_reserve_equipment_waits_ten_days() -> None:
    # A reserve van (category 4) at an intervention decided on 1 January arrives from day 11
    # of 12; a host officer rides aboard. Days 11-12: van 30 + host 5; before: penalty 200.
    plan = plan_scenario(scenario(
        horizon={"periods": 12},
        kinds=[GUARD, VAN],
        sections=[section("A")],
        requirement_rules=[rule("van", minimum=1)],
        penalties=[penalty("van", 200)],
        contributions=[contribution("van4", "van", 1, 30, category="4"),
                       contribution("host", "guard", 1, 5, category="host")],
        rapid_interventions=[{"section_id": "A", "decision_date": "2024-01-01"}],
    ))
    assert plan.result.objective == pytest.approx(10 * 200 + 2 * 35)
    assert units(plan) == {("van4", "A", 11): 1, ("van4", "A", 12): 1,
                           ("host", "A", 11): 1, ("host", "A", 12): 1}


# --- crews and host officers ---------------------------------------------------------------------


def crew_case(*pledges: dict[str, Any]) -> dict[str, Any]:
    return {
        "kinds": [GUARD, CAR],
        "sections": [section("A")],
        "requirement_rules": [rule("car", minimum=1)],
        "penalties": [penalty("car", 500)],
        "contributions": [contribution("car", "car", 1, 30, category="pool"), *pledges],
    }


def test_a_vehicle_needs_its_crew_and_a_host_officer_aboard() -> None:
    # The car (30) needs 2 guards at A, one of them host-state: host 5 + member state 10.
    plan = plan_scenario(scenario(**crew_case(
        contribution("ms", "guard", 2, 10, category="3"),
        contribution("host", "guard", 1, 5, category="host"),
    )))
    assert plan.result.objective == pytest.approx(45)
    assert units(plan) == {("car", "A", 1): 1, ("ms", "A", 1): 1, ("host", "A", 1): 1}


def test_a_crew_officer_crews_one_vehicle_at_a_time_whatever_its_kind() -> None:
    def case(*guards: dict[str, Any]) -> Plan:
        return plan_scenario(scenario(
            kinds=[GUARD, CAR, {**VAN, "crew_kind": "guard", "crew_size": 2}],
            sections=[section("A")],
            requirement_rules=[rule("car", minimum=1), rule("van", minimum=1)],
            penalties=[penalty("car", 500), penalty("van", 400)],
            contributions=[contribution("car", "car", 1, 30, category="pool"),
                           contribution("van", "van", 1, 20, category="pool"), *guards],
        ))

    # A car and a van, each needing 2 guards as crew, and 2 host-state guards (5), one to
    # ride aboard each: they crew one vehicle, not both. The car (500 short) goes, the van
    # (400 short) stays: 30 + 2 x 5 + 400 = 440.
    plan = case(contribution("host", "guard", 2, 5, category="host"))
    assert plan.result.objective == pytest.approx(440)
    assert units(plan) == {("car", "A", 1): 1, ("host", "A", 1): 2}
    # Two more guards (10) crew the van too: 30 + 20 + 2 x 5 + 2 x 10 = 80.
    plan = case(contribution("host", "guard", 2, 5, category="host"),
                contribution("ms", "guard", 2, 10, category="3"))
    assert plan.result.objective == pytest.approx(80)
    assert units(plan) == {("car", "A", 1): 1, ("van", "A", 1): 1, ("host", "A", 1): 2,
                           ("ms", "A", 1): 2}


def test_without_host_officers_no_vehicle_deploys() -> None:
    plan = plan_scenario(scenario(**crew_case(contribution("ms", "guard", 2, 10, category="3"))))
    assert plan.result.objective == pytest.approx(500)
    assert plan.schedule.empty


# --- languages -------------------------------------------------------------------------------


def test_remote_interpretation_covers_what_interpreters_on_site_cannot() -> None:
    # 20 Arabic speakers at 0.1: 2 interpreters needed. One on site (15), one remote (40):
    # 55, cheaper than the language penalty of 150.
    plan = plan_scenario(scenario(
        kinds=[INTERPRETER],
        sections=[section("A")],
        nationalities=[{"id": "X", "name": "X"}],
        languages=[{"id": "ara", "name": "Arabic", "need_per_arrival": 0.1, "remote_cost": 40}],
        language_shares=[{"nationality_id": "X", "language_id": "ara", "share": 1}],
        forecast=[{"section_id": "A", "period": 1, "nationality_id": "X", "arrivals": 20}],
        contributions=[contribution("i", "interpreter", 1, 15, languages="ara")],
    ))
    assert plan.result.objective == pytest.approx(55)
    row = plan.shortfalls.iloc[0]
    assert (row["required"], row["covered"], row["remote"], row["shortfall"]) == (2, 1, 1, 0)
    assert plan.summary()["costs"]["remote_interpretation"] == pytest.approx(40)


# --- access, travel and stability ----------------------------------------------------------------


def test_status_agreement_window_keeps_out_all_but_host_units() -> None:
    # Access to A from day 2: the agency unit (10) serves days 2-3; on day 1 only the host
    # unit (30) may serve: 30 + 2 * 10 = 50.
    document = need_on([1, 2, 3], 3, contributions=[
        contribution("agency", "guard", 1, 10),
        contribution("host", "guard", 1, 30, category="host"),
    ])
    document["sections"] = [section("A", "low", access_from="2024-01-02")]
    plan = plan_scenario(scenario(**document))
    assert plan.result.objective == pytest.approx(50)
    assert units(plan) == {("host", "A", 1): 1, ("agency", "A", 2): 1, ("agency", "A", 3): 1}


def test_a_start_cost_keeps_a_unit_through_a_gap() -> None:
    # Need on days 1 and 3. Staying through day 2 (10) beats leaving and starting again (50):
    # one start (50) and 3 days (30) = 80. Without a start cost the unit leaves: 20.
    costly = plan_scenario(scenario(**need_on([1, 3], 3, contributions=[
        contribution("c", "guard", 1, 10, start_cost=50)
    ])))
    assert costly.result.objective == pytest.approx(80)
    assert units(costly) == {("c", "A", 1): 1, ("c", "A", 2): 1, ("c", "A", 3): 1}
    assert units(costly, "starts") == {("c", "A", 1): 1}
    free = plan_scenario(scenario(**need_on([1, 3], 3, contributions=[
        contribution("c", "guard", 1, 10)
    ])))
    assert free.result.objective == pytest.approx(20)
    assert units(free, "starts") == {("c", "A", 1): 1, ("c", "A", 3): 1}


def test_units_move_between_sections_only_when_it_pays() -> None:
    # One unit, start cost 50. A needs it on days 1-2, B on day 3 (penalty 100 at low
    # impact): moving costs a second start (50) + day 3 (10) < 100, so it moves.
    document = need_on([1, 2], 3, contributions=[
        contribution("c", "guard", 1, 10, start_cost=50)
    ])
    document["sections"] = [section("A", "low"), section("B", "low")]
    document["impact_changes"] = [*document["impact_changes"],
                                  {"section_id": "B", "from_period": 3, "impact_level": "high"}]
    plan = plan_scenario(scenario(**document))
    assert plan.result.objective == pytest.approx(2 * 50 + 3 * 10)
    assert units(plan, "starts") == {("c", "A", 1): 1, ("c", "B", 3): 1}


# --- whole units and marginal values ------------------------------------------------------------


def test_whole_units_round_a_fractional_need() -> None:
    # Need 2.5 with units at 10 and a penalty of 30: 2 units and half a unit short cost
    # 20 + 15 = 35, 3 units cost 30, so whole units deploy 3. The LP deploys 2.5 for 25.
    document = {
        "sections": [section("A")],
        "requirement_rules": [rule("guard", minimum=2.5)],
        "penalties": [penalty("guard", 30)],
        "contributions": [contribution("c", "guard", 5, 10)],
    }
    whole = plan_scenario(scenario(**document))
    assert whole.result.objective == pytest.approx(30)
    assert units(whole) == {("c", "A", 1): 3}
    relaxed = plan_scenario(scenario(**document), LP)
    assert relaxed.result.objective == pytest.approx(25)
    assert units(relaxed) == {("c", "A", 1): 2.5}


def test_marginal_value_of_one_more_unit() -> None:
    # Need 5, 3 cheap units (10) and a penalty of 40: one more free unit saves the penalty,
    # 40. At B the need of 1 is met by the cheap pledge: one more unit there saves its cost.
    plan = plan_scenario(scenario(
        sections=[section("A", "high"), section("B", "low")],
        requirement_rules=[{"kind_id": "guard", "min_high": 5, "min_low": 1}],
        penalties=[penalty("guard", 40)],
        contributions=[contribution("cheap", "guard", 3, 10, sections="A"),
                       contribution("b", "guard", 2, 10, sections="B")],
    ), LP)
    values = plan.marginal_values
    assert values is not None
    assert values.set_index("section_id")["marginal_value"].to_dict() == pytest.approx(
        {"A": 40, "B": 10}
    )


# --- hard conflicts -----------------------------------------------------------------------------


def test_running_deployments_beyond_the_beds_are_diagnosed() -> None:
    plan = plan_scenario(beds_conflict())
    assert plan.status is Status.INFEASIBLE
    with pytest.raises(SolverError, match="no plan to write: the solve ended 'infeasible'"):
        write_outputs(plan, Path(tempfile.mkdtemp()) / "out")
    conflicts = plan.result.conflicts
    assert "section 'A' has 3 beds for deployed personnel in period 1 (2024-01-01 to " \
           "2024-01-01)" in conflicts
    assert any("running deployment: 4 units of pledge 'c' stay at section 'A'" in line
               for line in conflicts)
    assert plan.schedule.empty


def test_a_running_vehicle_without_a_host_officer_is_diagnosed() -> None:
    plan = plan_scenario(scenario(
        kinds=[GUARD, VAN],
        sections=[section("A")],
        requirement_rules=[rule("van", minimum=1)],
        penalties=[penalty("van", 100)],
        contributions=[contribution("van", "van", 1, 10, category="pool")],
        running_deployments=[{"contribution_id": "van", "section_id": "A", "quantity": 1,
                              "until": "2024-01-01"}],
    ))
    assert plan.status is Status.INFEASIBLE
    assert set(plan.result.conflicts) == {
        "each vehicle at section 'A' in period 1 (2024-01-01 to 2024-01-01) needs a host-state "
        "officer aboard",
        "running deployment: 1 unit of pledge 'van' stay at section 'A' in period 1 "
        "(2024-01-01 to 2024-01-01)",
    }


# --- cases found in review ----------------------------------------------------------------------


def test_a_vehicle_staying_through_a_quiet_period_keeps_its_host_officer() -> None:
    # A car needed on days 1 and 3 only. With a 3-day rotation it stays through day 2, and
    # its host officer with it: 3 * (10 + 5) = 45. With a start cost of 500 instead, staying
    # (45 + one start) beats leaving and starting again: 545.
    for extra, objective in (({"deployment_length": 3}, 45), ({"start_cost": 500}, 545)):
        plan = plan_scenario(scenario(
            horizon={"periods": 3},
            kinds=[GUARD, VAN],
            sections=[section("A", "low")],
            impact_changes=[{"section_id": "A", "from_period": 1, "impact_level": "high"},
                            {"section_id": "A", "from_period": 2, "impact_level": "low"},
                            {"section_id": "A", "from_period": 3, "impact_level": "high"}],
            requirement_rules=[{"kind_id": "van", "min_high": 1}],
            penalties=[penalty("van", 1000)],
            contributions=[contribution("host", "guard", 1, 5, category="host"),
                           contribution("car", "van", 1, 10, category="pool", **extra)],
        ))
        assert plan.result.objective == pytest.approx(objective)
        assert units(plan)[("host", "A", 2)] == 1


def test_a_cap_spent_in_weekly_steps_still_opens_the_reserve() -> None:
    # 20 weeks needing 1; a category 3 officer (10 a day, default cap 120 days: 17 weeks)
    # and a reserve officer (20 a day). The reserve covers the 3 weeks the cap leaves:
    # (17 * 10 + 3 * 20) * 7 = 1610.
    plan = plan_scenario(scenario(
        horizon={"period": "week", "periods": 20},
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=1)],
        penalties=[penalty("guard", 1000)],
        contributions=[contribution("st", "guard", 1, 10, category="3"),
                       contribution("res", "guard", 1, 20, category="4")],
        rapid_interventions=[{"section_id": "A", "decision_date": "2023-12-01"}],
    ))
    assert plan.result.objective == pytest.approx(1610)
    assert plan.schedule.groupby("contribution_id")["quantity"].sum().to_dict() == {
        "res": 3, "st": 17}


def test_a_first_line_pledge_that_cannot_help_does_not_hold_the_reserve_back() -> None:
    # A reserve Arabic interpreter (10); a category 1 interpreter speaks only French, which
    # nobody needs: the reserve serves.
    plan = plan_scenario(scenario(
        kinds=[GUARD, INTERPRETER],
        sections=[section("A")],
        nationalities=[{"id": "X", "name": "X"}],
        languages=[{"id": "ara", "name": "Arabic", "need_per_arrival": 0.1},
                   {"id": "fra", "name": "French", "need_per_arrival": 0.1}],
        language_shares=[{"nationality_id": "X", "language_id": "ara", "share": 1}],
        forecast=[{"section_id": "A", "period": 1, "nationality_id": "X", "arrivals": 10}],
        contributions=[contribution("res", "interpreter", 1, 10, category="4", languages="ara"),
                       contribution("fr", "interpreter", 1, 10, languages="fra")],
        rapid_interventions=[{"section_id": "A", "decision_date": "2023-12-01"}],
    ))
    assert plan.result.objective == pytest.approx(10)
    assert units(plan) == {("res", "A", 1): 1}


def test_a_running_reserve_unit_does_not_force_the_first_line_out() -> None:
    # A reserve unit already at A covers the need of 1 on both days (2 * 50 = 100); the
    # three agency units need not deploy.
    plan = plan_scenario(scenario(
        horizon={"periods": 2},
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("res", "guard", 1, 50, category="4"),
                       contribution("ag", "guard", 3, 5)],
        running_deployments=[{"contribution_id": "res", "section_id": "A", "quantity": 1,
                              "until": "2024-01-02"}],
    ))
    assert plan.result.objective == pytest.approx(100)
    assert units(plan) == {("res", "A", 1): 1, ("res", "A", 2): 1}


def test_category_2_stays_until_the_section_closes() -> None:
    # The status agreement ends on day 3 of 5: a long-term unit serves days 1-3.
    plan = plan_scenario(scenario(
        horizon={"periods": 5},
        sections=[section("A", access_to="2024-01-03")],
        requirement_rules=[rule("guard", minimum=1)],
        penalties=[penalty("guard", 100)],
        contributions=[contribution("lt", "guard", 1, 5, category="2")],
    ))
    assert plan.result.objective == pytest.approx(3 * 5 + 2 * 100)
    assert units(plan) == {("lt", "A", t): 1 for t in (1, 2, 3)}


def test_shortfalls_agree_with_the_schedule_even_when_shortfall_is_free() -> None:
    # A zero penalty makes the shortfall variable arbitrary; the table reads the schedule.
    plan = plan_scenario(scenario(
        sections=[section("A")],
        requirement_rules=[rule("guard", minimum=2)],
        penalties=[penalty("guard", 0)],
        contributions=[contribution("host", "guard", 2, 0, category="host")],
    ))
    row = plan.shortfalls.iloc[0]
    deployed = plan.schedule["quantity"].sum()
    assert row["covered"] == pytest.approx(min(2, deployed))
    assert row["covered"] + row["shortfall"] == pytest.approx(2)
