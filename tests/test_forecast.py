"""Forecasts from history: the season recovered, months into periods, bands, back-tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner import SolveOptions, load_scenario, plan_scenario
from planner.errors import ScenarioError
from planner.scenario.forecast import (
    FORECAST_COLUMNS,
    History,
    backtest,
    fit_series,
    forecast_scenario,
    read_history,
    section_shares,
    to_periods,
)

from builders import invoke, problems

ROOT = Path(__file__).resolve().parents[1]
BALKANS = ROOT / "scenarios" / "western_balkans_2022"
HISTORY = BALKANS / "history" / "detections.csv"


def test_a_seasonal_series_gets_its_season_back() -> None:
    # Eight years of a season peaking in October (x2) and lowest in February (x0.5).
    rng = np.random.default_rng(7)
    months = pd.period_range("2014-01", "2021-12", freq="M")
    season = {m: 1.0 for m in range(1, 13)} | {10: 2.0, 9: 1.6, 2: 0.5, 1: 0.6}
    values = [1000 * season[m.month] * rng.lognormal(0, 0.05) for m in months]
    forecast = fit_series(pd.Series(values, index=months), 12)
    medians = forecast["median"]
    assert medians.idxmax().month == 10 and medians.idxmin().month == 2
    assert medians.max() / medians.min() == pytest.approx(4.0, rel=0.2)
    assert (forecast["p10"] <= medians).all() and (medians <= forecast["p90"]).all()


def test_months_spread_over_their_days_into_periods(tiny_folder: Path) -> None:
    # tiny's periods are the days 1-3 January 2024: 31 in January is 1 a day.
    tiny = load_scenario(tiny_folder)
    monthly = pd.DataFrame({"month": [pd.Period("2024-01", freq="M")], "nationality_id": ["X"],
                            "median": [31.0], "p10": [15.5], "p90": [62.0]})
    periods = to_periods(monthly, tiny)
    assert periods[["period", "median", "p10", "p90"]].values.tolist() == [
        [1, 1.0, 0.5, 2.0], [2, 1.0, 0.5, 2.0], [3, 1.0, 0.5, 2.0]]


def test_the_history_is_checked_with_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("month,nationality_id,detections\n2022-13,SYR,5\n2022-01,,7\n"
                    "2022-02,AFG,-1\n2022-03,AFG,many\n", encoding="utf-8")
    assert problems(path, read_history) == [
        "history.csv, row 2, field 'month': '2022-13' is not a month (YYYY-MM)",
        "history.csv, row 3, field 'nationality_id': empty",
        "history.csv, row 4, field 'detections': '-1' is not a count of 0 or more",
        "history.csv, row 5, field 'detections': 'many' is not a count of 0 or more",
    ]
    path.write_text("month,detections\n2022-01,5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="field 'nationality_id': missing column"):
        read_history(path)


@pytest.fixture(scope="module")
def history() -> History:
    return read_history(HISTORY)


def test_the_western_balkans_back_tests_as_recorded(history: History) -> None:
    # Frontex's published months (history/README.md): the second half of 2022 from data
    # up to June 2022, and 2022 from data up to 2021.
    nationalities = list(section_shares(load_scenario(BALKANS)).index)
    second_half = backtest(history, nationalities, pd.Period("2022-06", freq="M"), 6)
    year = backtest(history, nationalities, pd.Period("2021-12", freq="M"), 12)
    assert second_half.months["actual"].tolist() == [14783, 16540, 18877, 19282, 11228, 7541]
    assert (second_half.mape, second_half.coverage) == (pytest.approx(11.8, abs=0.5),
                                                        pytest.approx(88.3, abs=2))
    assert (year.mape, year.coverage) == (pytest.approx(34.5, abs=0.5),
                                          pytest.approx(88.8, abs=2))
    assert year.months["actual"].sum() == 144_118  # the route's 2022 total


def test_a_forecast_with_bands_is_a_scenario_that_plans(history: History,
                                                        tmp_path: Path) -> None:
    scenario = load_scenario(BALKANS)
    table = forecast_scenario(history, scenario)
    assert list(table.columns) == FORECAST_COLUMNS
    assert (table["arrivals_p10"] <= table["arrivals"]).all()
    assert (table["arrivals"] <= table["arrivals_p90"]).all()
    assert set(table["period"]) == set(range(1, scenario.horizon.periods + 1))
    assert set(table["section_id"]) <= {section.id for section in scenario.sections}
    # Fitted up to May 2022 (the last month before the horizon): its weeks are summed days.
    assert table["arrivals"].sum() == pytest.approx(table.groupby("period")["arrivals"]
                                                    .sum().sum())
    banded = scenario.model_copy(update={"forecast": tuple(
        scenario.forecast[0].model_validate(row) for row in table.to_dict("records"))})
    assert banded.content_hash() != scenario.content_hash()
    plan = plan_scenario(banded, SolveOptions(relax=True))
    assert plan.status.has_plan and plan.summary()["coverage"]["coverage_per_cent"] > 50


def test_forecast_command_writes_a_loadable_table_and_its_back_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    tiny_folder: Path,
) -> None:
    out = tmp_path / "forecast"
    assert invoke(monkeypatch, "forecast", str(HISTORY), "--scenario", str(BALKANS),
                  "--out", str(out), "--backtest", "2022-06") == 0
    printed = capsys.readouterr().out
    assert "Back-test from 2022-06: route total MAPE" in printed
    assert sorted(path.name for path in out.iterdir()) == ["backtest.csv", "forecast.csv",
                                                           "forecast.html"]
    page = (out / "forecast.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2  # the forecast, and the back-test with its months
    assert 'id="forecast-ahead"' in page and 'id="backtest-1"' in page
    assert "<td class=\"number\">2022-10</td><td class=\"number\">19,282</td>" in page
    assert "<script" not in page
    written = pd.read_csv(out / "forecast.csv")
    assert list(written.columns) == FORECAST_COLUMNS
    # The table drops into a copy of the scenario and loads.
    copy = tmp_path / "banded"
    import shutil

    shutil.copytree(BALKANS, copy)
    shutil.copy(out / "forecast.csv", copy / "forecast.csv")
    assert len(load_scenario(copy).forecast) == len(written)
    assert invoke(monkeypatch, "forecast", str(HISTORY), "--scenario", str(BALKANS),
                  "--out", str(out), "--cutoff", "2022-7") == 2
    assert "--cutoff 2022-7: not a month (YYYY-MM)" in capsys.readouterr().err
    assert invoke(monkeypatch, "forecast", str(HISTORY), "--scenario", str(BALKANS),
                  "--out", str(out), "--cutoff", "2022-08") == 2
    assert "must be before the horizon's first month (2022-06)" in capsys.readouterr().err
    # Never over someone's own folder.
    assert invoke(monkeypatch, "forecast", str(HISTORY), "--scenario", str(BALKANS),
                  "--out", str(tiny_folder)) == 2
    assert (tiny_folder / "scenario.yaml").exists()
