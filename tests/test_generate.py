"""The scenario generator: valid, deterministic, of the size asked for, and solvable."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner import SolveOptions, Status, load_scenario, plan_scenario
from planner.scenario.generate import SIZES, GeneratorConfig, generate_scenario

from builders import invoke


def test_same_seed_same_scenario_other_seed_other_scenario() -> None:
    config = GeneratorConfig(sections=4, periods=6, contributions=12)
    assert generate_scenario(config) == generate_scenario(config)
    other = generate_scenario(GeneratorConfig(sections=4, periods=6, contributions=12, seed=2))
    assert other.content_hash() != generate_scenario(config).content_hash()


def test_size_follows_the_config() -> None:
    scenario = generate_scenario(GeneratorConfig(sections=7, periods=9, kinds=5, contributions=30,
                                                 nationalities=3, languages=4))
    assert len(scenario.sections) == 7
    assert scenario.horizon.periods == 9
    assert len(scenario.kinds) == 5
    assert len(scenario.contributions) == 30
    assert len(scenario.nationalities) == 3
    assert len(scenario.languages) == 4
    # Realistic sparsity: no member-state pledge serves every section.
    assert all(0 < len(c.sections) < 7 for c in scenario.contributions)


def test_kinds_below_four_is_refused() -> None:
    with pytest.raises(ValueError, match="kinds must be at least 4"):
        GeneratorConfig(kinds=3)


@pytest.mark.parametrize("options", [SolveOptions(), SolveOptions(relax=True)],
                         ids=["whole", "relaxed"])
def test_small_preset_solves(options: SolveOptions) -> None:
    plan = plan_scenario(generate_scenario(SIZES["S"]), options)
    assert plan.status is Status.OPTIMAL
    assert not plan.schedule.empty


def test_generate_command_writes_a_loadable_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "generated"
    assert invoke(monkeypatch, "generate", "--sections", "5", "--periods", "8", "--seed", "3",
                  "--out", str(out)) == 0
    loaded = load_scenario(out)
    assert loaded == generate_scenario(GeneratorConfig(sections=5, periods=8, seed=3))
