"""Deployments: cohorts derived from a whole-unit schedule by the documented rule."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planner.api import plan_scenario
from planner.errors import UsageError
from planner.model.options import SolveOptions
from planner.scenario.cohorts import deployment_id, derive_deployments
from planner.scenario.schema import Scenario

from builders import GUARD, contribution, scenario, section, units_by_cohorts, units_scheduled


def case(periods: int, **pledge: object) -> Scenario:
    """One section, one guard pledge of 9 units over ``periods`` days."""
    running = pledge.pop("running", ())
    return scenario(horizon={"periods": periods}, sections=[section("A")], kinds=[GUARD],
                    contributions=[contribution("c", "guard", 9, 10, **pledge)],
                    running_deployments=list(running))


def schedule(quantities: list[int], starts: list[int] | None = None) -> pd.DataFrame:
    """A schedule of pledge ``c`` at section ``A``: units present (and starts) per period."""
    rows = [{"period": period, "contribution_id": "c", "section_id": "A", "quantity": quantity,
             "starts": (starts or [0] * len(quantities))[period - 1]}
            for period, quantity in enumerate(quantities, start=1) if quantity]
    return pd.DataFrame(rows, columns=["period", "contribution_id", "section_id", "quantity",
                                       "starts"])


def cohorts(table: pd.DataFrame) -> list[tuple[str, int, int, int, int]]:
    """(status, cohort number, units, first period, last period) of each deployment."""
    return sorted(zip(table["status"], table["cohort"], table["quantity"],
                      table["first_period"], table["last_period"], strict=True),
                  key=lambda row: (row[3], row[1]))


def test_rises_arrive_and_falls_send_the_latest_home_first() -> None:
    # 2 arrive on day 1, 3 more on day 2; on day 3 two of the latest leave, on day 5 all.
    table = derive_deployments(case(6), schedule([2, 5, 3, 3, 0, 1]))
    assert cohorts(table) == [
        ("planned", 1, 2, 1, 4),
        ("planned", 1, 2, 2, 2),   # the latest to arrive leave first ...
        ("planned", 2, 1, 2, 4),   # ... and the rest of their cohort is a cohort of its own
        ("planned", 1, 1, 6, 6),
    ]
    assert table["arrive"].tolist() == [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 2),
                                        date(2024, 1, 6)]
    assert table["leave"].tolist() == [date(2024, 1, 4), date(2024, 1, 2), date(2024, 1, 4),
                                       date(2024, 1, 6)]
    assert table["periods"].tolist() == [4, 1, 3, 1]


def test_each_start_of_a_rotation_is_one_cohort() -> None:
    table = derive_deployments(case(5, deployment_length=2),
                               schedule([3, 3, 3, 4, 1], starts=[3, 0, 3, 1, 0]))
    assert cohorts(table) == [("planned", 1, 3, 1, 2), ("planned", 1, 3, 3, 4),
                              ("planned", 1, 1, 4, 5)]


def test_rotations_that_do_not_add_up_to_the_schedule_are_an_error() -> None:
    with pytest.raises(ValueError, match="rotations of c at A do not add up to the schedule in "
                                         "period 3"):
        derive_deployments(case(3, deployment_length=2), schedule([3, 3, 3], [3, 0, 0]))


def test_running_units_are_cohorts_of_their_own() -> None:
    running = [{"contribution_id": "c", "section_id": "A", "quantity": 2,
                "until": "2024-01-02"}]
    table = derive_deployments(case(4, running=running), schedule([3, 3, 1, 1]))
    assert cohorts(table) == [("planned", 1, 1, 1, 4), ("running", 1, 2, 1, 2)]
    assert table.loc[table["status"] == "running", "leave"].tolist() == [date(2024, 1, 2)]


def test_a_fractional_schedule_has_no_deployments() -> None:
    with pytest.raises(UsageError, match=r"the plan has fractional units \(2.5 of c at A in "
                                         r"period 1, and 0 more\): only a whole-unit run has "
                                         "deployments; run it without --relax"):
        derive_deployments(case(1), schedule([2.5]))  # type: ignore[list-item]


def test_ids_follow_from_content_alone() -> None:
    first = derive_deployments(case(6), schedule([2, 5, 3, 3, 0, 1]))
    again = derive_deployments(case(6), schedule([2, 5, 3, 3, 0, 1]))
    assert first["deployment_id"].tolist() == again["deployment_id"].tolist()
    assert first["deployment_id"].is_unique
    # A cohort that keeps its pledge, section and arrival keeps its id when it leaves later.
    longer = derive_deployments(case(6), schedule([2, 2, 2, 2, 2, 2]))
    assert longer["deployment_id"].tolist() == [first["deployment_id"].iloc[0]]
    assert deployment_id("JO Test", "c", "A", "planned", date(2024, 1, 1), 1) == \
        first["deployment_id"].iloc[0]
    assert deployment_id("JO Other", "c", "A", "planned", date(2024, 1, 1), 1) != \
        first["deployment_id"].iloc[0]


def test_the_cohorts_of_a_plan_add_up_to_its_schedule(tiny: Scenario) -> None:
    plan = plan_scenario(tiny, SolveOptions(gap=0))
    table = derive_deployments(tiny, plan.schedule)
    assert not table.empty
    assert units_by_cohorts(table) == units_scheduled(plan.schedule)
