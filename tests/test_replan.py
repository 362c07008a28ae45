"""Re-planning around a baseline: what is frozen stays, every change is priced, ids survive."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from planner import SolveOptions, load_scenario, plan_scenario
from planner.contract.bundle import build_contract
from planner.errors import ExitCode, UsageError
from planner.runs.records import record_plan
from planner.scenario.baseline import make_baseline, with_baseline
from planner.scenario.schema import Scenario
from planner.scenario.variants import load_study, parse_sets

from builders import invoke

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
DAY_1 = "2024-01-01"
DEARER_AGENCY = "contributions.agency-guards.daily_cost=25"
"""The agency's guards at 25 a day instead of 10, above the German guards' 20.

Planned afresh, German guards take every agency guard's place: 770 - 4 x 10 + 4 x 20 =
810. Around tiny's own plan frozen until day 1, the agency's guard that arrived on day 1
stays to day 3 (its cohort is kept whole), so the only choice left is the agency's
second guard on day 3: a German one saves 25 - 20 = 5, and costs 2 unit-days of change
(one fewer agency guard, one more German guard).
"""
WHOLE = SolveOptions(gap=0.0)
"""tiny's plan has 8 cohorts: at A host guards from day 1 and from day 3, agency guards
alike, the car from day 1, interpreters from day 1 (to day 3) and from day 2 (that day
only); at B a host guard on days 1 and 2. Five of them arrive on day 1."""


def dearer_agency() -> Scenario:
    study = load_study(TINY)
    return study.apply(None, parse_sets([DEARER_AGENCY])).scenario


def replanned(scenario: Scenario, change_cost: float, freeze: str = DAY_1) -> Scenario:
    base = load_scenario(TINY)
    record = replace(record_plan(plan_scenario(base, WHOLE)), id=1)
    return with_baseline(scenario, make_baseline(record, scenario, date.fromisoformat(freeze)),
                         change_cost)


def ids(scenario: Scenario, ref: int = 1) -> dict[str, dict]:
    record = replace(record_plan(plan_scenario(scenario, WHOLE)), id=ref)
    return {d["deployment_id"]: d for d in build_contract(record)["deployments"]}


def test_a_costly_change_keeps_the_baseline_and_pays_the_dearer_guards() -> None:
    plan = plan_scenario(replanned(dearer_agency(), change_cost=100), WHOLE)
    assert plan.result.objective == pytest.approx(770 + 4 * 15)
    assert plan.summary()["costs"]["change_cost"] == pytest.approx(0)
    changes = plan.summary()["replanning"]["changes"]
    assert changes == {"kept": 8, "changed": 0, "cancelled": 0, "added": 0,
                       "frozen_kept": 5, "unit_days_moved": 0.0}


def test_a_cheap_change_is_made_where_it_pays_for_itself() -> None:
    plan = plan_scenario(replanned(dearer_agency(), change_cost=2), WHOLE)
    assert plan.result.objective == pytest.approx(830 - 5 + 2 * 2)
    assert plan.summary()["costs"]["change_cost"] == pytest.approx(4)
    schedule = plan.schedule.set_index(["contribution_id", "section_id", "period"])["quantity"]
    assert schedule["agency-guards", "A", 3] == 1  # the day-1 guard, kept whole
    assert schedule["de-guards", "A", 3] == 1
    changes = plan.summary()["replanning"]["changes"]
    assert changes == {"kept": 7, "changed": 0, "cancelled": 1, "added": 1,
                       "frozen_kept": 5, "unit_days_moved": 2.0}
    # Without the baseline the same scenario swaps every agency guard.
    assert plan_scenario(dearer_agency(), WHOLE).result.objective == pytest.approx(810)


def test_re_planning_a_plan_around_itself_changes_nothing_and_keeps_every_id() -> None:
    base = load_scenario(TINY)
    again = replanned(base, change_cost=1, freeze=DAY_1)
    plan = plan_scenario(again, WHOLE)
    assert plan.result.objective == pytest.approx(770)
    assert plan.summary()["replanning"]["changes"]["unit_days_moved"] == 0
    assert ids(again).keys() == ids(base).keys()


def test_kept_cohorts_keep_their_ids_and_the_rest_is_new() -> None:
    before = ids(load_scenario(TINY))
    after = ids(replanned(dearer_agency(), change_cost=2))
    gone = before.keys() - after.keys()
    new = after.keys() - before.keys()
    assert [(before[i]["contribution_id"], before[i]["arrive"]) for i in gone] == [
        ("agency-guards", "2024-01-03")]
    assert [(after[i]["contribution_id"], after[i]["arrive"]) for i in new] == [
        ("de-guards", "2024-01-03")]
    for identity in before.keys() & after.keys():
        assert {k: v for k, v in before[identity].items() if k != "sequence"} == \
            {k: v for k, v in after[identity].items() if k != "sequence"}


def test_both_model_paths_agree_on_a_re_plan() -> None:
    scenario = replanned(dearer_agency(), change_cost=2)
    fast = plan_scenario(scenario, WHOLE)
    reference = plan_scenario(scenario, WHOLE, pyomo=True)
    assert fast.result.objective == pytest.approx(reference.result.objective)
    assert fast.summary()["costs"] == pytest.approx(reference.summary()["costs"])


def test_the_cli_re_plans_around_the_approved_revision_and_exports_the_delta(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    assert invoke(monkeypatch, "approve", "last") == ExitCode.OK
    assert invoke(monkeypatch, "export", "approved", "--out", str(tmp_path / "r1")) == 0
    capsys.readouterr()
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0", "--set", DEARER_AGENCY,
                  "--baseline", "approved", "--freeze-until", DAY_1,
                  "--change-cost", "2") == ExitCode.OK
    out = capsys.readouterr().out
    assert "re-planned around run #1 (revision 1), frozen until 2024-01-01, change cost 2 " \
           "per unit-day" in out
    assert "8 baseline cohorts: 7 kept" in out and "1 cancelled; 1 added; 2 unit-days" in out
    assert invoke(monkeypatch, "show", "last") == ExitCode.OK
    assert "Re-planned around run #1 (revision 1)" in capsys.readouterr().out
    assert invoke(monkeypatch, "approve", "last") == ExitCode.OK
    assert invoke(monkeypatch, "export", "approved", "--out", str(tmp_path / "r2")) == 0
    first, second = (json.loads((tmp_path / name / "deployments.json").read_text())
                     for name in ("r1", "r2"))
    assert second["changes_against"] == 1
    assert sorted(c["change"] for c in second["changes"]) == ["added", "cancelled"]
    kept = {d["deployment_id"] for d in first["deployments"]} & {
        d["deployment_id"] for d in second["deployments"]}
    assert len(kept) == 7


@pytest.mark.parametrize(("args", "message"), [
    (["--freeze-until", DAY_1], "--freeze-until: for re-planning around a baseline; give "
                                "--baseline RUN"),
    (["--baseline", "last", "--freeze-until", DAY_1, "--change-cost", "nan"],
     "--change-cost nan: must be a number from 0 to 1,000,000,000"),
    (["--baseline", "last", "--freeze-until", DAY_1, "--change-cost", "-1"],
     "--change-cost -1: must be a number from 0 to 1,000,000,000"),
    (["--baseline", "last", "--freeze-until", DAY_1, "--change-cost", "1e12"],
     "--change-cost 1e+12: must be a number from 0 to 1,000,000,000"),
    (["--baseline", "last"], "--baseline needs --freeze-until DATE"),
    (["--baseline", "last", "--freeze-until", "1 Jan"], "--freeze-until 1 Jan: not a date"),
    (["--baseline", "last", "--freeze-until", "2023-12-31"],
     "--freeze-until 2023-12-31: outside the horizon (2024-01-01 to 2024-01-03)"),
    (["--baseline", "approved", "--freeze-until", DAY_1],
     "--baseline approved: no approved revision of JO Example in"),
])
def test_a_wrong_re_plan_is_refused_before_solving(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str],
    message: str
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    capsys.readouterr()
    assert invoke(monkeypatch, "run", str(TINY), *args) == ExitCode.BAD_INPUT
    assert message in capsys.readouterr().err


def test_a_baseline_of_another_operation_or_a_fractional_one_is_refused() -> None:
    base = load_scenario(TINY)
    other = load_study(TINY).apply(None, parse_sets(["meta.operation=JO Other"])).scenario
    record = replace(record_plan(plan_scenario(other, WHOLE)), id=4)
    with pytest.raises(UsageError, match="run #4 plans operation 'JO Other', not 'JO Example'"):
        make_baseline(record, base, date(2024, 1, 1))
    relaxed = replace(record_plan(plan_scenario(base, SolveOptions(relax=True))), id=5)
    with pytest.raises(UsageError, match="run #5 is not a whole-unit plan"):
        make_baseline(relaxed, base, date(2024, 1, 1))


def test_a_baseline_that_breaks_a_hard_rule_is_explained_in_its_terms(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    capsys.readouterr()
    # One bed at A, but on day 1 the baseline keeps an agency guard and an interpreter there.
    assert invoke(monkeypatch, "run", str(TINY), "--set", "sections.A.beds=1",
                  "--baseline", "last", "--freeze-until", DAY_1) == ExitCode.INFEASIBLE
    err = capsys.readouterr().err
    assert "section 'A' has 1 beds for deployed personnel in period 1" in err
    for pledge in ("agency-guards", "interpreters"):
        assert (f"baseline: exactly 1 unit of pledge '{pledge}' at section 'A' in period 1 "
                "(2024-01-01 to 2024-01-01), kept from the plan re-planned around") in err


def test_a_baseline_keeping_more_than_a_pledge_now_offers_is_refused_before_solving(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--gap", "0") == ExitCode.OK
    capsys.readouterr()
    # On day 1 the baseline keeps a host guard at A and one at B: 2 of a pledge now of 1.
    assert invoke(monkeypatch, "run", str(TINY), "--set", "contributions.host-guards.quantity=1",
                  "--baseline", "last", "--freeze-until", DAY_1) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "the baseline's deployments cannot be kept in this scenario: host-guards in period 1: " \
           "the baseline keeps 2 over 2 sections, the pledge offers 1" in err
    assert "recorded run" not in err


def test_a_baseline_using_a_pledge_the_scenario_lacks_says_which() -> None:
    base = load_scenario(TINY)
    record = replace(record_plan(plan_scenario(base, WHOLE)), id=1)
    without = base.model_copy(update={"contributions": tuple(
        c for c in base.contributions if c.id != "pool-car")})
    with pytest.raises(UsageError, match=r"--baseline: run #1 deploys pledge 'pool-car' \(periods "
                                         r"1 to 3\), which this scenario does not have; .* end "
                                         r"its availability \(available_to\)"):
        make_baseline(record, without, date(2024, 1, 1))
