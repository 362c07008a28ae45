"""Why a need is short: each reason appears exactly when it holds, with evidence that checks."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from planner import SolveOptions, derive_requirements, load_scenario, plan_scenario
from planner.model.index import days_by_year
from planner.plan.explain import EXPLANATION_COLUMNS, REASONS, explain, select
from planner.plan.plan import Plan
from planner.scenario.records import Category, KindClass
from planner.scenario.schema import Scenario

from builders import (
    GUARD,
    INTERPRETER,
    as_older_store,
    contribution,
    invoke,
    penalty,
    rule,
    scenario,
    section,
)

ROOT = Path(__file__).resolve().parents[1]
CAR = {"id": "car", "name": "Patrol car", "class": "vehicle", "crew_kind": "guard",
       "crew_size": 2}


def reasons(plan: Plan) -> dict[tuple[str, int, str, str], set[str]]:
    """The reason codes of each shortfall, by section, period, item type and item."""
    found: dict[tuple[str, int, str, str], set[str]] = defaultdict(set)
    for row in plan.explanations.to_dict("records"):
        found[row["section_id"], int(row["period"]), row["item_type"], row["item_id"]].add(
            row["reason"])
    return dict(found)


def only(plan: Plan, code: str) -> dict[str, Any]:
    """The one explanation row with reason ``code``."""
    rows = plan.explanations[plan.explanations["reason"] == code]
    assert len(rows) == 1, plan.explanations[["reason", "detail"]]
    return rows.iloc[0].to_dict()


def guards_at_a(*contributions: dict[str, Any], **tables: Any) -> Scenario:
    """One day; section A (high impact) needs one guard, 100 a unit-day uncovered."""
    document: dict[str, Any] = {
        "sections": [section("A")],
        "requirement_rules": [rule("guard", minimum=1)],
        "penalties": [penalty("guard", 100)],
        "contributions": list(contributions),
    }
    return scenario(**{**document, **tables})


def test_no_shortfall_has_no_explanation() -> None:
    plan = plan_scenario(guards_at_a(contribution("c", "guard", 1, 10)))
    assert plan.result.objective == pytest.approx(10)
    assert plan.explanations.empty
    assert list(plan.explanations.columns) == EXPLANATION_COLUMNS


def test_none_may_serve_names_the_rule_that_shuts_each_out() -> None:
    # Four guard pledges, each kept from A on day 1 by another rule: the shortfall is the
    # penalty alone.
    plan = plan_scenario(guards_at_a(
        contribution("elsewhere", "guard", 1, 10, sections="B"),
        contribution("later", "guard", 1, 10, available_from="2024-01-02"),
        contribution("member", "guard", 1, 10),
        contribution("reserve", "guard", 1, 10, category="4"),
        sections=[section("A", access_from="2024-01-02"), section("B", "low")],
        requirement_rules=[{"kind_id": "guard", "min_high": 1}],
    ))
    assert plan.result.objective == pytest.approx(100)
    assert reasons(plan) == {("A", 1, "kind", "guard"): {"none_may_serve"}}
    row = only(plan, "none_may_serve")
    assert "elsewhere: serves only at B" in row["detail"]
    assert "later: not available then (from 2024-01-02)" in row["detail"]
    assert "member: section A admits other states' units only from 2024-01-02" in row["detail"]
    # The reserve is shut out by the access window first: it is not a host unit either.
    assert "reserve: section A admits other states' units only" in row["detail"]
    assert row["contribution_ids"] == "elsewhere;later;member;reserve"


def test_a_reserve_without_an_intervention_is_not_released() -> None:
    plan = plan_scenario(guards_at_a(contribution("reserve", "guard", 1, 10, category="4")))
    assert plan.result.objective == pytest.approx(100)
    assert "reserve: the reserve serves only at a rapid intervention, after its lead time" in (
        only(plan, "none_may_serve")["detail"])


def test_busy_elsewhere_says_where_and_what_a_unit_is_worth_there() -> None:
    # One guard (10) for A (300 uncovered) and B (100): it goes to A, B is short.
    plan = plan_scenario(guards_at_a(
        contribution("c", "guard", 1, 10),
        sections=[section("A"), section("B", "low")],
        penalties=[penalty("guard", 100, high=300)],
    ))
    assert plan.result.objective == pytest.approx(110)
    assert reasons(plan) == {("B", 1, "kind", "guard"): {"busy_elsewhere"}}
    row = only(plan, "busy_elsewhere")
    assert row["detail"] == ("all 1 units of c (the one contribution that may serve here) are "
                             "deployed: 1 at A (300 a unit there); a unit here is weighed at 100")
    assert (row["measure"], row["bound"]) == (1, 1)


def test_beds_full_holds_the_second_guard_back() -> None:
    plan = plan_scenario(guards_at_a(
        contribution("c", "guard", 2, 10),
        sections=[section("A", beds=1)],
        requirement_rules=[rule("guard", minimum=2)],
    ))
    assert plan.result.objective == pytest.approx(110)
    assert reasons(plan) == {("A", 1, "kind", "guard"): {"beds_full"}}
    row = only(plan, "beds_full")
    assert row["detail"] == "A's 1 beds hold 1 deployed personnel"
    assert (row["measure"], row["bound"]) == (1, 1)


def test_a_spent_cap_leaves_the_third_day_short() -> None:
    plan = plan_scenario(guards_at_a(
        contribution("c", "guard", 1, 10, annual_cap_days=2),
        horizon={"periods": 3},
    ))
    assert plan.result.objective == pytest.approx(2 * 10 + 100)
    (_, codes), = reasons(plan).items()
    assert codes == {"cap_spent"}
    row = only(plan, "cap_spent")
    assert row["detail"] == "c has served 2 of its 2 unit-days in 2024"
    assert (row["measure"], row["bound"]) == (2, 2)


def test_a_rotation_that_cannot_fit_its_window_never_comes() -> None:
    # Three days of need; the pledge rotates in stays of 3 days but leaves after day 2:
    # no stay fits, and on day 3 it is gone.
    plan = plan_scenario(guards_at_a(
        contribution("rot", "guard", 1, 10, deployment_length=3, available_to="2024-01-02"),
        horizon={"periods": 3},
    ))
    assert plan.result.objective == pytest.approx(300)
    assert reasons(plan) == {("A", 1, "kind", "guard"): {"rotation"},
                             ("A", 2, "kind", "guard"): {"rotation"},
                             ("A", 3, "kind", "guard"): {"none_may_serve"}}
    assert "rot rotates in stays of 3 periods, and none covering this period fits" in (
        plan.explanations.iloc[0]["detail"])


def test_a_vehicle_without_enough_crew_is_short_for_crew() -> None:
    # The car needs two guards aboard; only one host guard exists.
    plan = plan_scenario(guards_at_a(
        contribution("car", "car", 1, 30, category="pool"),
        contribution("host", "guard", 1, 5, category="host"),
        kinds=[GUARD, CAR],
        requirement_rules=[rule("car", minimum=1)],
        penalties=[penalty("car", 500)],
    ))
    assert plan.result.objective == pytest.approx(500)
    assert reasons(plan) == {("A", 1, "kind", "car"): {"crew_lacking"}}
    row = only(plan, "crew_lacking")
    assert row["detail"] == ("0 guard officers free at A and 1 more that could come, to crew "
                             "another car, which needs 2")


def test_a_vehicle_without_a_host_officer_is_short_for_one() -> None:
    plan = plan_scenario(guards_at_a(
        contribution("car", "car", 1, 30, category="pool"),
        contribution("ms", "guard", 2, 10, category="3"),
        kinds=[GUARD, CAR],
        requirement_rules=[rule("car", minimum=1)],
        penalties=[penalty("car", 500)],
    ))
    assert plan.result.objective == pytest.approx(500)
    assert reasons(plan) == {("A", 1, "kind", "car"): {"host_officer_lacking"}}


def arabic_with_a_french_interpreter() -> Scenario:
    """Ten Arabic speakers at 0.1: one interpreter needed; the only one speaks French."""
    return guards_at_a(
        contribution("fr", "interpreter", 1, 10, languages="fra"),
        kinds=[INTERPRETER],
        requirement_rules=[],
        penalties=[],
        nationalities=[{"id": "X", "name": "X"}],
        languages=[{"id": "ara", "name": "Arabic", "need_per_arrival": 0.1},
                   {"id": "fra", "name": "French", "need_per_arrival": 0.1}],
        language_shares=[{"nationality_id": "X", "language_id": "ara", "share": 1}],
        forecast=[{"section_id": "A", "period": 1, "nationality_id": "X", "arrivals": 10}],
    )


def test_no_speaker_of_the_language() -> None:
    plan = plan_scenario(arabic_with_a_french_interpreter())
    assert plan.result.objective == pytest.approx(150)  # the language penalty, high impact
    assert reasons(plan) == {("A", 1, "language", "ara"): {"no_speaker"}}
    assert only(plan, "no_speaker")["detail"] == (
        "no contribution speaks ara; the language has no remote interpretation")


def test_not_worth_it_gives_the_penalty_and_the_cost() -> None:
    plan = plan_scenario(guards_at_a(contribution("dear", "guard", 1, 150)))
    assert plan.result.objective == pytest.approx(100)
    assert reasons(plan) == {("A", 1, "kind", "guard"): {"not_worth_it"}}
    row = only(plan, "not_worth_it")
    assert row["detail"] == ("one more unit of dear for the period costs 150, more than the 100 "
                             "of penalty it would save")
    assert (row["measure"], row["bound"]) == (100, 150)


def test_the_reserve_waits_for_a_first_line_unit_too_dear_to_deploy() -> None:
    # Ten days needing 3 guards (1000 each uncovered). The agency unit costs 3500 a day, so
    # opening the cheap reserve (10 a unit) behind it would cost 3520 a day against 3000 of
    # penalty: nothing deploys. From day 6 (the officers' lead time) the reserve waits.
    plan = plan_scenario(guards_at_a(
        contribution("agency", "guard", 1, 3500),
        contribution("reserve", "guard", 5, 10, category="4"),
        horizon={"periods": 10},
        requirement_rules=[rule("guard", minimum=3)],
        penalties=[penalty("guard", 1000)],
        rapid_interventions=[{"section_id": "A", "decision_date": "2024-01-01"}],
    ))
    assert plan.result.objective == pytest.approx(10 * 3 * 1000)
    found = reasons(plan)
    assert {key[1]: codes for key, codes in found.items()} == {
        **{day: {"not_worth_it"} for day in range(1, 6)},
        **{day: {"first_line_not_exhausted", "not_worth_it"} for day in range(6, 11)},
    }
    waits = plan.explanations[plan.explanations["reason"] == "first_line_not_exhausted"]
    assert set(waits["detail"]) == {
        "the reserve (reserve) waits for agency to be deployed in full (1 units left)"}


def test_a_saving_within_the_gap_is_said_to_be_left_by_the_gap() -> None:
    # The plan of a dear unit (nothing deployed), explained against a cheap one: one more
    # unit would save 90 net, within a 95% gap of an objective of 100, not within 50%.
    dear = plan_scenario(guards_at_a(contribution("c", "guard", 1, 150)))
    cheap = guards_at_a(contribution("c", "guard", 1, 10))
    requirements = derive_requirements(cheap)
    for gap, code in ((0.95, "within_gap"), (0.5, None)):
        table = explain(cheap, requirements, dear.schedule, dear.shortfalls, whole_units=True,
                        objective=100, gap=gap)
        assert list(table["reason"]) == ([code] if code else [])
    table = explain(cheap, requirements, dear.schedule, dear.shortfalls, whole_units=True,
                    objective=100, gap=0.95)
    assert table.iloc[0]["detail"] == ("one more unit of c for the period would save 90 net, "
                                       "within the 95 the solve's gap allows")


def test_every_reason_is_documented() -> None:
    from planner.plan import explain as module

    for code in REASONS:
        assert f"``{code}``" in (module.__doc__ or "")


# --- the Western Balkans base: every shortfall explained, every piece of evidence true ----------


@pytest.fixture(scope="module")
def western_balkans() -> Plan:
    return plan_scenario(load_scenario(ROOT / "scenarios" / "western_balkans_2022"),
                         SolveOptions(relax=True))


def test_every_western_balkans_shortfall_has_a_reason(western_balkans: Plan) -> None:
    short = western_balkans.shortfalls[western_balkans.shortfalls["shortfall"] > 1e-6]
    key = ["section_id", "period", "item_type", "item_id"]
    explained = western_balkans.explanations[key].drop_duplicates()
    assert len(short) > 100
    assert len(short[key].merge(explained, on=key)) == len(short)
    assert set(western_balkans.explanations["reason"]) <= set(REASONS)


def test_the_western_balkans_evidence_holds_against_the_schedule(western_balkans: Plan) -> None:
    plan, scenario_ = western_balkans, western_balkans.scenario
    by_id = {c.id: c for c in scenario_.contributions}
    kinds = {k.id: k for k in scenario_.kinds}
    beds = {s.id: s.beds for s in scenario_.sections}
    schedule = plan.schedule
    days = 7
    per_period = schedule.groupby(["contribution_id", "period"])["quantity"].sum()
    personnel = schedule[[kinds[k].kind_class is not KindClass.VEHICLE
                          and by_id[c].category is not Category.HOST
                          for k, c in zip(schedule["kind_id"], schedule["contribution_id"],
                                          strict=True)]]
    lodged = personnel.groupby(["section_id", "period"])["quantity"].sum()
    checked: set[str] = set()
    for row in plan.explanations.to_dict("records"):
        ids = [c for c in str(row["contribution_ids"]).split(";") if c and c != "nan"]
        t, where = int(row["period"]), row["section_id"]
        if row["reason"] == "busy_elsewhere":
            for c in ids:  # all its units deployed then, somewhere
                assert per_period.get((c, t), 0.0) == pytest.approx(by_id[c].quantity)
        elif row["reason"] == "beds_full":
            assert lodged.get((where, t), 0.0) == pytest.approx(beds[where])
        elif row["reason"] == "none_may_serve":
            assert not ((schedule["section_id"] == where) & (schedule["period"] == t)
                        & (schedule["kind_id"] == row["item_id"])).any()
        elif row["reason"] == "cap_spent":
            for c in ids:
                start = scenario_.horizon.period_start(t)
                for year in days_by_year(start, days):
                    served = sum(
                        q * days_by_year(scenario_.horizon.period_start(int(p)), days).get(
                            year, 0)
                        for p, q in zip(schedule.loc[schedule["contribution_id"] == c,
                                                     "period"],
                                        schedule.loc[schedule["contribution_id"] == c,
                                                     "quantity"], strict=True))
                    cap = by_id[c].annual_cap_days
                    assert cap is not None and served >= cap - days - 1e-6
        elif row["reason"] == "not_worth_it":
            assert row["measure"] < row["bound"]
        checked.add(row["reason"])
    assert {"busy_elsewhere", "beds_full", "none_may_serve", "cap_spent"} <= checked


# --- where it shows -----------------------------------------------------------------------------


def test_run_writes_explanations_and_explain_prints_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, out = tmp_path / "runs.sqlite", tmp_path / "plan"
    tiny = ROOT / "scenarios" / "tiny"
    assert invoke(monkeypatch, "run", str(tiny), "--out", str(out), "--store", str(store)) == 0
    printed = capsys.readouterr().out
    assert "why" in printed and "every contribution that may serve here is deployed" in printed
    written = pd.read_csv(out / "explanations.csv")
    assert list(written.columns) == EXPLANATION_COLUMNS
    assert set(written["reason"]) == {"beds_full", "busy_elsewhere"}

    assert invoke(monkeypatch, "explain", "last", "--store", str(store), "--section", "B") == 0
    printed = capsys.readouterr().out
    assert "why 1 needs are short" in printed
    assert "B, period 3 (from 2024-01-03): kind guard short 1.0 of 1.0" in printed
    assert "[busy_elsewhere]: all 2 units of host-guards" in printed
    assert "A, period 3" not in printed

    assert invoke(monkeypatch, "explain", "last", "--store", str(store), "--period", "1") == 0
    assert "no shortfall here" in capsys.readouterr().out


def test_select_filters_by_section_item_and_period(western_balkans: Plan) -> None:
    table = western_balkans.explanations
    chosen = select(table, section="SRB-HUN", item="BSO", period=16)
    assert len(chosen) >= 1
    assert set(chosen["section_id"]) == {"SRB-HUN"} and set(chosen["period"]) == {16}
    assert set(chosen["item_id"]) == {"BSO"}


def test_a_stored_run_keeps_its_explanations(tmp_path: Path,
                                             western_balkans: Plan) -> None:
    from planner import RunStore, record_plan

    with RunStore(tmp_path / "runs.sqlite") as runs:
        stored = runs.record(record_plan(western_balkans))
        again = runs.get(stored.id or 0)
    assert again.explanations is not None
    pd.testing.assert_frame_equal(
        again.explanations.reset_index(drop=True),
        western_balkans.explanations.reset_index(drop=True), check_dtype=False)
    # A run recorded before explanations derives the same from its own tables.
    older = again.__class__(**{**again.__dict__, "explanations": None})
    pd.testing.assert_frame_equal(older.why_short(), western_balkans.explanations,
                                  check_dtype=False)


def test_a_version_2_store_is_explained_from_its_tables_and_migrated_when_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    from planner.runs.store import STORE_SCHEMA_VERSION

    store, tiny = tmp_path / "runs.sqlite", ROOT / "scenarios" / "tiny"
    assert invoke(monkeypatch, "run", str(tiny), "--store", str(store)) == 0
    # As the planner before explanations left it.
    before = as_older_store(store, 2, "DROP TABLE explanations",
                            "UPDATE runs SET table_dtypes = json_remove(table_dtypes, "
                            "'$.explanations')")
    capsys.readouterr()
    assert invoke(monkeypatch, "explain", "last", "--store", str(store)) == 0
    assert "[busy_elsewhere]: all 2 units of host-guards" in capsys.readouterr().out
    assert store.read_bytes() == before  # reading changed nothing
    assert invoke(monkeypatch, "run", str(tiny), "--store", str(store)) == 0
    with sqlite3.connect(store) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION
        assert connection.execute(
            "SELECT COUNT(*) FROM explanations WHERE run_id = 2").fetchone()[0] == 2
    connection.close()


# --- remedies: what would cover a shortfall, checked by solving --------------------------------


def test_more_beds_cover_a_shortfall_the_beds_hold_back() -> None:
    from planner.runs.remedies import remedies

    case = guards_at_a(contribution("c", "guard", 2, 10), sections=[section("A", beds=1)],
                       requirement_rules=[rule("guard", minimum=2)])
    plan = plan_scenario(case, SolveOptions(relax=True))
    found = remedies(case, plan.shortfalls, plan.explanations)
    assert found.base_objective == pytest.approx(110)
    (best,) = found.best.to_dict("records")
    assert (best["change"], best["override"]) == ("1 more beds at A", "sections.A.beds=2")
    # The second guard now comes (10) instead of the penalty (100): 90 saved, none short.
    assert best["saving"] == pytest.approx(90)
    assert best["shortfall_after"] == pytest.approx(0)


def test_a_remedy_saves_what_the_re_solved_what_if_saves(western_balkans: Plan) -> None:
    from planner.runs.remedies import remedies
    from planner.scenario.variants import apply_variant, parse_sets

    scenario_ = western_balkans.scenario
    found = remedies(scenario_, western_balkans.shortfalls, western_balkans.explanations,
                     top=2)
    assert len(found.best) == 2
    assert found.base_objective == pytest.approx(western_balkans.result.objective)
    for row in found.best.to_dict("records"):
        changed = apply_variant(scenario_, None, parse_sets([row["override"]])).scenario
        again = plan_scenario(changed, SolveOptions(relax=True))
        assert row["saving"] > 0
        assert western_balkans.result.objective - again.result.objective == pytest.approx(
            row["saving"], rel=1e-6)
        assert row["shortfall_after"] < row["shortfall"]
    # The LP's estimate bounds every saving from above (duals are a subgradient).
    priced = found.tried[found.tried["estimate"].notna() & found.tried["checked"]]
    assert len(priced) >= 2
    assert (priced["estimate"] >= priced["saving"] - 1e-6 * priced["saving"].abs()).all()


def test_explain_with_remedies_prints_the_change_to_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "runs.sqlite"
    assert invoke(monkeypatch, "run", str(ROOT / "scenarios" / "tiny"), "--store",
                  str(store)) == 0
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", "200")
    assert invoke(monkeypatch, "explain", "last", "--store", str(store)) == 0
    printed = capsys.readouterr().out
    assert "What would cover the largest shortfalls" in printed
    assert "3 more beds at A" in printed and "sections.A.beds=6" in printed
    assert invoke(monkeypatch, "explain", "last", "--store", str(store), "--no-remedies") == 0
    printed = capsys.readouterr().out
    assert "[beds_full]" in printed and "What would cover" not in printed


def test_the_lp_prices_beds_and_units_as_worked_out_by_hand() -> None:
    # tiny (README.md), day 3: a fourth bed at A lets a second interpreter in (150 - 15);
    # a third host guard lets one more guard stand at A without a bed, so an agency guard's
    # bed goes to a second interpreter and B keeps its guard (625 - 485).
    tiny = load_scenario(ROOT / "scenarios" / "tiny")
    plans = [plan_scenario(tiny, SolveOptions(relax=True), pyomo=pyomo)
             for pyomo in (False, True)]
    values = plans[0].capacity_values
    assert values is not None
    beds = values[values["capacity"] == "beds"]
    assert beds[["section_id", "period", "value"]].values.tolist() == [["A", 3, 135.0]]
    host = values[(values["capacity"] == "units") & (values["contribution_id"] == "host-guards")]
    assert host.set_index("period")["value"].to_dict() == {1: 5.0, 2: 5.0, 3: 140.0}
    # The model of record prices them the same.
    pd.testing.assert_frame_equal(values, plans[1].capacity_values)
    assert plan_scenario(tiny).capacity_values is None  # whole units: no duals


def test_a_language_nobody_speaks_is_remedied_by_an_interpreter_who_learns_it() -> None:
    from planner.runs.remedies import remedies

    case = arabic_with_a_french_interpreter()
    plan = plan_scenario(case, SolveOptions(relax=True))
    (best,) = remedies(case, plan.shortfalls, plan.explanations).best.to_dict("records")
    assert (best["reason"], best["override"]) == ("no_speaker",
                                                  "contributions.fr.languages=fra;ara")
    # The French interpreter (10 a day) now covers the Arabic need (150 a day short).
    assert best["saving"] == pytest.approx(140)
    assert best["shortfall_after"] == pytest.approx(0)


def test_a_rotation_that_cannot_fit_is_remedied_by_a_window_a_stay_longer() -> None:
    from planner.runs.remedies import remedies

    # As in the rotation case above: stays of 3 days, available to day 2, 300 short.
    case = guards_at_a(
        contribution("rot", "guard", 1, 10, deployment_length=3, available_to="2024-01-02"),
        horizon={"periods": 3},
    )
    plan = plan_scenario(case, SolveOptions(relax=True))
    found = remedies(case, plan.shortfalls, plan.explanations)
    tried = found.tried[found.tried["rank"] == 1].set_index("override")
    # Two days more: one stay covers all three days (30 instead of 300). Stays of two:
    # days 1 and 2 covered (20), day 3 still short (100): 180 saved. One more unit: the
    # LP prices it at nothing, which proves it saves nothing, unsolved.
    assert tried.loc["contributions.rot.available_to=2024-01-04", "saving"] == pytest.approx(270)
    assert tried.loc["contributions.rot.deployment_length=2", "saving"] == pytest.approx(180)
    more = tried.loc["contributions.rot.quantity=2"]
    assert (more["estimate"], more["saving"], more["checked"]) == (0.0, 0.0, False)
    assert found.best.iloc[0]["override"] == "contributions.rot.available_to=2024-01-04"
