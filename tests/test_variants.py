"""Variants: overrides of a base scenario, their errors, and what they do to plans."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import SolveOptions, Status, plan_scenario
from planner.errors import ScenarioError, UsageError
from planner.plan.plan import Plan
from planner.scenario.schema import Scenario
from planner.scenario.variants import Variant, apply_variant, load_study, parse_sets

EXACT = SolveOptions(gap=0.0)


def test_a_variant_in_the_scenario_yaml_applies(tiny_folder: Path) -> None:
    study = load_study(tiny_folder)
    assert set(study.variants) == {"more_beds", "quiet_day3"}
    applied = study.apply("more_beds")
    assert applied.variant == "more_beds"
    assert applied.changes == ("sections.A.beds: 4",)
    assert {s.id: s.beds for s in applied.scenario.sections} == {"A": 4, "B": None}
    assert plan_scenario(applied.scenario, EXACT).result.objective == pytest.approx(635)


def test_a_variant_file_names_its_base(tiny_folder: Path) -> None:
    (tiny_folder / "variants").mkdir()
    own = tiny_folder / "variants" / "busy.yaml"
    own.write_text("base: ..\ndescription: twice the arrivals\n"
                   "scale_forecast:\n  - factor: 2\n", encoding="utf-8")
    # Listed with the scenario's own variants, and loadable by its own path.
    assert set(load_study(tiny_folder).variants) == {"more_beds", "quiet_day3", "busy"}
    study = load_study(own)
    assert study.default(None) == "busy"
    applied = study.apply(study.default(None))
    assert applied.variant == "busy"
    assert [row.arrivals for row in applied.scenario.forecast] == [20, 40, 80]
    assert applied.changes == ("forecast x2 (everywhere: 3 rows)",)
    # Its base and the base's other variants are there too (for sweeps and listings).
    assert study.apply(None).scenario == load_study(tiny_folder).base
    assert study.apply("more_beds").variant == "more_beds"
    with pytest.raises(UsageError, match=r"is the variant 'busy'; --variant more_beds does "
                                         r"not apply"):
        study.default("more_beds")


def test_variants_compose_in_the_order_given(tiny_folder: Path) -> None:
    (tiny_folder / "variants").mkdir()
    for name, body in {
        "extra": "description: a fourth guard pledge\nadd:\n  contributions:\n"
                 "    - {id: extra, contributor: Germany, category: '3', kind_id: guard,\n"
                 "       quantity: 1, daily_cost: 25, sections: [A]}\n",
        "more_extra": "set:\n  contributions.extra.quantity: 4\n",
        "doubled": "set:\n  contributions.extra.quantity: '*2'\n",
    }.items():
        (tiny_folder / "variants" / f"{name}.yaml").write_text(body, encoding="utf-8")
    study = load_study(tiny_folder)
    # A later variant builds on an earlier one's rows: alone, more_extra names nothing.
    with pytest.raises(ScenarioError, match=r"variant 'more_extra', field 'set "
                                            r"contributions.extra.quantity': value 4: no row"):
        study.apply("more_extra")
    quantity = {}
    for order in ("extra,more_extra,doubled", "extra+doubled+more_extra"):
        applied = study.apply(order)
        quantity[order] = {row.id: row.quantity for row in applied.scenario.contributions}[
            "extra"]
    assert quantity == {"extra,more_extra,doubled": 8, "extra+doubled+more_extra": 4}
    applied = study.apply(["extra", "more_extra,doubled"])
    assert applied.variant == "extra+more_extra+doubled"
    assert applied.changes == ("extra: added contributions extra",
                               "more_extra: contributions.extra.quantity: 4",
                               "doubled: contributions.extra.quantity: *2 -> 8")
    assert applied.description == "extra: a fourth guard pledge"
    assert study.apply("more_beds").description.startswith("A fourth bed at A")


def test_composed_variants_plan_as_worked_out(tiny_folder: Path) -> None:
    # quiet_day3 makes day 3 like day 2 (80); a fourth bed then changes nothing: 225.
    study = load_study(tiny_folder)
    applied = study.apply("quiet_day3,more_beds")
    assert {s.id: s.beds for s in applied.scenario.sections} == {"A": 4, "B": None}
    assert [row.arrivals for row in applied.scenario.forecast] == [10, 20, 20]
    assert plan_scenario(applied.scenario, EXACT).result.objective == pytest.approx(225)
    assert applied.description == (
        "quiet_day3: Half the arrivals on day 3 (README.md works out the optimum, 225).\n"
        "more_beds: A fourth bed at A (README.md works out the optimum, 635).")


def test_a_composition_names_every_unknown_and_refuses_a_variant_twice(
    tiny_folder: Path,
) -> None:
    study = load_study(tiny_folder)
    with pytest.raises(UsageError, match=r"no variant 'nope', 'gone' \(variants: more_beds, "
                                         r"quiet_day3\)"):
        study.apply("nope,more_beds,gone")
    with pytest.raises(UsageError, match=r"variant more_beds named twice"):
        study.apply("more_beds+quiet_day3,more_beds")


def test_an_unknown_variant_lists_the_known_ones(tiny_folder: Path) -> None:
    with pytest.raises(UsageError,
                       match=r"no variant 'nope' \(variants: more_beds, quiet_day3\)"):
        load_study(tiny_folder).apply("nope")


def test_overrides_that_name_nothing_are_all_reported_with_variant_key_and_value(
    tiny: Scenario,
) -> None:
    variant = Variant(
        name="broken",
        set={"contributions.nobody.quantity": 40, "sections.A.height": 3, "horizon.length": 2,
             "nothing.A.beds": 1},
        remove={"contributions": ("ghost",)},
        scale_forecast=({"factor": 2, "nationalities": ("ZZ",)},),  # type: ignore[arg-type]
    )
    with pytest.raises(ScenarioError) as raised:
        apply_variant(tiny, variant)
    lines = {str(problem) for problem in raised.value.problems}
    assert lines == {
        "variant 'broken', field 'set contributions.nobody.quantity': value 40: no row "
        "'nobody' in contributions",
        "variant 'broken', field 'set sections.A.height': value 3: sections has no field "
        "'height' (fields: id, name, host_country, border_type, impact_level, beds, "
        "access_from, access_to)",
        "variant 'broken', field 'set horizon.length': 'horizon' has no field 'length' "
        "(fields: start, period, periods, timezone)",
        "variant 'broken', field 'set nothing.A.beds': value 1: expected table.row.field "
        "(such as contributions.de-bso-1.quantity) or setting.field (such as horizon.periods)",
        "variant 'broken', field 'remove.contributions': no row 'ghost' in contributions",
        "variant 'broken', field 'scale_forecast': no nationality 'ZZ'",
    }


def test_a_variant_that_breaks_the_scenario_is_reported_by_the_scenario_rules(
    tiny: Scenario,
) -> None:
    variant = Variant(name="negative", set={"contributions.de-guards.quantity": -1})
    # The row by its id, as overrides name it: not by its place in the table.
    with pytest.raises(ScenarioError, match=r"variant 'negative', field "
                                            r"'contributions\.de-guards\.quantity': Input "
                                            r"should be greater than or equal to 0"):
        apply_variant(tiny, variant)
    dangling = Variant(name="dangling", remove={"sections": ("B",)})
    with pytest.raises(ScenarioError, match=r"variant 'dangling'.*unknown section 'B'"):
        apply_variant(tiny, dangling)


def test_set_multiplies_patterns_and_settings(tiny: Scenario) -> None:
    applied = apply_variant(tiny, None, parse_sets([
        "contributions.*-guards.daily_cost=*2", "language_penalty.high=200",
        "contributions.pool-car.available_to=2024-01-02",
    ]))
    costs = {c.id: c.daily_cost for c in applied.scenario.contributions}
    assert costs == {"agency-guards": 20, "de-guards": 40, "host-guards": 10, "pool-car": 30,
                     "interpreters": 15}
    assert applied.scenario.language_penalty.high == 200
    assert str(applied.scenario.contributions[3].available_to) == "2024-01-02"
    assert applied.changes == (
        "contributions.*-guards.daily_cost: *2 on 3 rows",
        "language_penalty.high: 200",
        "contributions.pool-car.available_to: 2024-01-02",
    )
    with pytest.raises(ScenarioError, match=r"value '\*2': '\*factor' needs a number and a "
                                            r"numeric field \(current value 'Frontex'\)"):
        apply_variant(tiny, None, {"contributions.agency-guards.contributor": "*2"})


def test_a_factor_that_gives_a_whole_number_gives_an_integer(tiny: Scenario) -> None:
    # 100 x 1.15 is 114.99999999999999 in floating point: still 115 units.
    applied = apply_variant(tiny, None, {"contributions.de-guards.quantity": 100,
                                         "sections.A.beds": 20})
    applied = apply_variant(applied.scenario, None, {"contributions.de-guards.quantity": "*1.15",
                                                     "sections.A.beds": "*1.5"})
    assert applied.scenario.contributions[1].quantity == 115
    assert applied.scenario.sections[0].beds == 30


def test_a_number_given_to_a_text_field_is_its_text(tiny: Scenario) -> None:
    applied = apply_variant(tiny, None, parse_sets(["contributions.de-guards.category=2"]))
    assert applied.scenario.contributions[1].category.value == "2"


def test_set_arguments_must_be_key_equals_value() -> None:
    assert parse_sets(["a.b=3", "c.d=2024-01-01", "e.f=x y"]) == {
        "a.b": 3, "c.d": date(2024, 1, 1), "e.f": "x y"}
    with pytest.raises(UsageError, match="--set beds: expected key=value"):
        parse_sets(["beds"])


def test_forecast_scaling_filters_by_nationality_section_and_period(tiny: Scenario) -> None:
    variant = Variant(name="late", scale_forecast=(
        {"factor": 3, "sections": ("A*",), "periods": (2, 3)},))  # type: ignore[arg-type]
    applied = apply_variant(tiny, variant)
    assert [row.arrivals for row in applied.scenario.forecast] == [10, 60, 120]
    assert applied.changes == ("forecast x3 (sections A*; periods 2-3: 2 rows)",)


# --- what variants do to plans --------------------------------------------------------------


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(factor=st.floats(min_value=1.0, max_value=4.0), first=st.integers(1, 3),
       length=st.integers(0, 2))
def test_more_demand_never_lowers_the_cost(tiny: Scenario, factor: float, first: int,
                                           length: int) -> None:
    variant = Variant(name="up", scale_forecast=(
        {"factor": factor, "periods": (first, min(first + length, 3))},))  # type: ignore[arg-type]
    base = plan_scenario(tiny, EXACT)
    more = plan_scenario(apply_variant(tiny, variant).scenario, EXACT)
    assert base.status is more.status is Status.OPTIMAL
    assert more.result.objective is not None and base.result.objective is not None
    assert more.result.objective >= base.result.objective - 1e-6


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pledge=st.sampled_from(["agency-guards", "de-guards", "host-guards", "pool-car",
                               "interpreters"]),
       extra=st.integers(1, 5), beds=st.integers(0, 3))
def test_more_capacity_never_raises_the_shortfall(tiny: Scenario, pledge: str, extra: int,
                                                  beds: int) -> None:
    quantity = next(c.quantity for c in tiny.contributions if c.id == pledge)
    sets = {f"contributions.{pledge}.quantity": quantity + extra, "sections.A.beds": 3 + beds}
    base = plan_scenario(tiny, EXACT)
    more = plan_scenario(apply_variant(tiny, None, sets).scenario, EXACT)

    def shortfall(plan: Plan) -> float:
        summary = plan.summary()
        return float(summary["coverage"]["shortfall_unit_periods"]
                     + summary["coverage"]["language_shortfall"])

    assert more.result.objective is not None and base.result.objective is not None
    assert more.result.objective <= base.result.objective + 1e-6
    assert shortfall(more) <= shortfall(base) + 1e-6
