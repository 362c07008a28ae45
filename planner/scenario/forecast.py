"""Forecasts from history: a scenario's ``forecast`` table, with bands, from monthly detections.

The history is a long table of monthly detections: ``month`` (``YYYY-MM``),
``nationality_id`` and ``detections`` (months missing for a nationality count as none).
Each nationality of the scenario is one series; detections of nationalities the scenario
does not list go to ``OTH`` where it has that nationality (and are otherwise left out,
said so). Each series is fitted, from ``fit_years`` years before the cutoff, with an
exponential smoothing state-space model (statsmodels' ``ETSModel``: additive errors, a
level, additive monthly seasonality, no trend) on ``log(1 + detections)``: the log makes
the season and the errors proportional to the level, as detections are. Its median and
80 % prediction interval (``p10`` to ``p90``) come back to detections. No trend: on the
log scale a trend is a growth rate, and the route's surges (2015, 2022) would be carried
on for months; the shipped back-tests (README) chose this over a damped trend.

Months become the scenario's periods day by day: a month's detections spread evenly over
its days, and a period sums its days. Each nationality's arrivals then split over the
sections as the scenario's current forecast splits them (its share of the nationality's
arrivals over the horizon; a nationality the forecast lacks splits as all arrivals do).
The bands are summed the same way, as if a series' days and sections moved together:
cautious, wider than independent errors would give.

The back-test fits on history up to the cutoff and compares the months after it that the
history holds: the route total's mean absolute percentage error (MAPE) and how often each
series' month fell within its 80 % band.
"""

from __future__ import annotations

import calendar
import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import Problem, ScenarioError, UsageError
from planner.files.atomic import FolderKind, atomic_directory
from planner.files.spreadsheets import write_csv
from planner.scenario.schema import Scenario

OTHER = "OTH"
"""The nationality that takes the detections of those a scenario does not list."""
BAND = 0.8
"""The prediction interval: from the 10th to the 90th percentile."""
FIT_YEARS = 10
"""Years of history each series is fitted on, up to the cutoff: long enough to hold the
seasons of quiet years and surges alike."""
SEASON = 12
HISTORY_COLUMNS = ("month", "nationality_id", "detections")
FORECAST_COLUMNS = ["section_id", "period", "nationality_id", "arrivals", "arrivals_p10",
                    "arrivals_p90"]
BACKTEST_COLUMNS = ["month", "actual", "forecast", "forecast_p10", "forecast_p90",
                    "error_per_cent"]


@dataclass(frozen=True)
class History:
    """Monthly detections by nationality, as read from a file."""

    table: pd.DataFrame
    """``month`` (``pandas.Period``, monthly), ``nationality_id``, ``detections``."""
    source: str

    @property
    def last_month(self) -> pd.Period:
        """The last month the history holds."""
        return pd.Period(self.table["month"].max(), freq="M")


def read_history(path: str | Path) -> History:
    """Read monthly detections; raises one :class:`ScenarioError` with every problem."""
    path = Path(path)
    name = path.name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ScenarioError([Problem(name, None, None, f"cannot read: {error}")],
                            scenario=name) from None
    missing = [column for column in HISTORY_COLUMNS if column not in frame.columns]
    if missing:
        raise ScenarioError([Problem(name, 1, column, "missing column") for column in missing],
                            scenario=name)
    problems: list[Problem] = []
    months: list[pd.Period | None] = []
    counts: list[float] = []
    for row, (month, nationality, detections) in enumerate(
            frame[list(HISTORY_COLUMNS)].itertuples(index=False), start=2):
        try:
            months.append(pd.Period(month.strip(), freq="M"))
            if len(month.strip()) != 7:
                raise ValueError(month)
        except ValueError:
            problems.append(Problem(name, row, "month", f"'{month}' is not a month (YYYY-MM)"))
            months.append(None)
        try:
            value = float(detections)
            if not math.isfinite(value) or value < 0:
                raise ValueError(detections)
            counts.append(value)
        except ValueError:
            problems.append(Problem(name, row, "detections",
                                    f"'{detections}' is not a count of 0 or more"))
            counts.append(0.0)
        if not nationality.strip():
            problems.append(Problem(name, row, "nationality_id", "empty"))
    if problems:
        raise ScenarioError(problems, scenario=name)
    if frame.empty:
        raise ScenarioError([Problem(name, None, None, "no rows")], scenario=name)
    table = pd.DataFrame({"month": months, "nationality_id": frame["nationality_id"].str.strip(),
                          "detections": counts})
    return History(table, str(path))


def _grouped(history: History, nationalities: list[str]) -> pd.DataFrame:
    """Detections by month (rows) and scenario nationality (columns), missing months 0."""
    table = history.table.copy()
    known = set(nationalities)
    table["nationality_id"] = [value if value in known else
                               (OTHER if OTHER in known else None)
                               for value in table["nationality_id"]]
    table = table.dropna(subset=["nationality_id"])
    wide = table.pivot_table(index="month", columns="nationality_id", values="detections",
                             aggfunc="sum", fill_value=0.0)
    months = pd.period_range(history.table["month"].min(), history.last_month, freq="M")
    return wide.reindex(index=months, columns=nationalities, fill_value=0.0).fillna(0.0)


def monthly_totals(history: History, nationalities: list[str]) -> pd.Series:
    """The history's detections by month, all the scenario's nationalities together."""
    return _grouped(history, nationalities).sum(axis=1)


def fit_series(series: pd.Series, months: int) -> pd.DataFrame:
    """The next ``months`` of a monthly series: ``median``, ``p10`` and ``p90``.

    Fitted as the module says; a series without a detection in its last two years is
    forecast as none.
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # type: ignore[import-untyped]

    start = series.index[-1] + 1
    index = pd.period_range(start, periods=months, freq="M")
    values = series.to_numpy(dtype=float)
    if values[-2 * SEASON:].sum() <= 0 or len(values) < 2 * SEASON:
        level = float(values[-SEASON:].mean()) if len(values) else 0.0
        flat = np.full(months, level)
        return pd.DataFrame({"median": flat, "p10": flat, "p90": flat}, index=index)
    logged = pd.Series(np.log1p(values), index=pd.date_range(
        series.index[0].to_timestamp(), periods=len(values), freq="MS"))
    model = ETSModel(logged, error="add", trend=None, seasonal="add", seasonal_periods=SEASON)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter: the fit is checked by back-test
        fitted = model.fit(disp=False)
        frame = fitted.get_prediction(start=len(logged), end=len(logged) + months - 1
                                      ).summary_frame(alpha=1 - BAND)
    back = {name: np.clip(np.expm1(frame[column].to_numpy(dtype=float)), 0, None)
            for name, column in (("median", "mean"), ("p10", "pi_lower"), ("p90", "pi_upper"))}
    return pd.DataFrame(back, index=index)


def forecast_months(history: History, nationalities: list[str], cutoff: pd.Period,
                    last: pd.Period, *, fit_years: int = FIT_YEARS) -> pd.DataFrame:
    """Each nationality's months after ``cutoff`` up to ``last``: median and band.

    Long table: ``month``, ``nationality_id``, ``median``, ``p10``, ``p90``.
    """
    wide = _grouped(history, nationalities)
    wide = wide.loc[:cutoff]
    wide = wide.loc[cutoff - (fit_years * 12 - 1):]
    months = (last - cutoff).n
    if months <= 0:
        raise UsageError(f"nothing to forecast: the cutoff {cutoff} is not before {last}")
    frames = []
    for nationality in nationalities:
        fitted = fit_series(wide[nationality], months)
        frames.append(fitted.assign(nationality_id=nationality).rename_axis("month")
                      .reset_index())
    return pd.concat(frames, ignore_index=True)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def to_periods(monthly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Monthly forecasts as the scenario's periods: each month spread evenly over its days.

    Long table: ``period``, ``nationality_id``, ``median``, ``p10``, ``p90``.
    """
    horizon = scenario.horizon
    per_day = monthly.assign(days=[calendar.monthrange(m.year, m.month)[1]
                                   for m in monthly["month"]])
    for column in ("median", "p10", "p90"):
        per_day[column] = per_day[column] / per_day["days"]
    lookup = {(month, nationality): np.array([median, low, high], dtype=float)
              for month, nationality, median, low, high in per_day[
                  ["month", "nationality_id", "median", "p10", "p90"]].itertuples(index=False)}
    rows = []
    for period in range(1, horizon.periods + 1):
        days = _days(horizon.period_start(period), horizon.period_end(period))
        for nationality in monthly["nationality_id"].unique():
            sums = np.zeros(3)
            for day in days:
                key = (pd.Period(day, freq="M"), nationality)
                if key not in lookup:
                    raise UsageError(f"no forecast for {key[0]}: the cutoff must be before "
                                     "the horizon starts")
                sums += lookup[key]
            rows.append((period, nationality, *sums))
    return pd.DataFrame(rows, columns=["period", "nationality_id", "median", "p10", "p90"])


def section_shares(scenario: Scenario) -> pd.DataFrame:
    """Each nationality's share by section in the scenario's forecast (rows sum to 1)."""
    if not scenario.forecast:
        raise UsageError("the scenario has no forecast to take each section's share from")
    frame = pd.DataFrame([(row.section_id, row.nationality_id, row.arrivals)
                          for row in scenario.forecast],
                         columns=["section_id", "nationality_id", "arrivals"])
    wide = frame.pivot_table(index="nationality_id", columns="section_id", values="arrivals",
                             aggfunc="sum", fill_value=0.0)
    overall = wide.sum() / wide.to_numpy().sum()
    shares = wide.div(wide.sum(axis=1), axis=0)
    known = [n.id for n in scenario.nationalities] or list(shares.index)
    return pd.DataFrame({n: shares.loc[n] if n in shares.index and wide.loc[n].sum() > 0
                         else overall for n in known}).T.fillna(0.0)


def horizon_months(history: History, scenario: Scenario, cutoff: pd.Period | None = None
                   ) -> tuple[pd.Period, pd.Period]:
    """The cutoff and the horizon's last month.

    The cutoff is ``cutoff``, or the last month before the horizon the history holds; one
    inside the horizon is refused.
    """
    horizon = scenario.horizon
    first = pd.Period(horizon.period_start(1), freq="M")
    last = pd.Period(horizon.period_end(horizon.periods), freq="M")
    cutoff = cutoff if cutoff is not None else min(history.last_month, first - 1)
    if cutoff >= first:
        raise UsageError(f"--cutoff {cutoff}: must be before the horizon's first month "
                         f"({first})")
    return cutoff, last


def forecast_scenario(history: History, scenario: Scenario, *,
                      cutoff: pd.Period | None = None,
                      fit_years: int = FIT_YEARS) -> pd.DataFrame:
    """The scenario's forecast table from ``history``: arrivals (median) and the band.

    ``cutoff`` is the last month fitted on: by default the last month before the horizon
    begins that the history holds.
    """
    cutoff, last = horizon_months(history, scenario, cutoff)
    nationalities = list(section_shares(scenario).index)
    return scenario_table(forecast_months(history, nationalities, cutoff, last,
                                          fit_years=fit_years), scenario)


def scenario_table(monthly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Monthly forecasts (:func:`forecast_months`) as the scenario's forecast table.

    Months into periods (:func:`to_periods`), then split over the sections.
    """
    shares = section_shares(scenario)
    periods = to_periods(monthly, scenario)
    split = {str(nationality): {str(section): float(share) for section, share in row.items()
                                if float(share) > 0}
             for nationality, row in shares.iterrows()}
    rows = []
    for period, nationality, median, low, high in periods.itertuples(index=False):
        for section, share in split[str(nationality)].items():
            values = [round(float(value) * share, 1) for value in (median, low, high)]
            rows.append((section, int(period), str(nationality), values[0],
                         min(values[1], values[0]), max(values[2], values[0])))
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS).sort_values(
        ["section_id", "period", "nationality_id"], ignore_index=True)


FORECAST_FILE = "forecast.csv"
BACKTEST_FILE = "backtest.csv"
PAGE_FILE = "forecast.html"
FORECAST_FOLDER = FolderKind("earlier forecast", FORECAST_FILE,
                             frozenset({FORECAST_FILE, BACKTEST_FILE, PAGE_FILE}), "forecast")
"""A folder ``planner forecast`` writes: replaced only if it holds nothing else."""


@dataclass(frozen=True)
class Backtest:
    """A forecast's error against the months the history holds after its cutoff."""

    cutoff: pd.Period
    months: pd.DataFrame
    """Per month: the route total ``actual``, ``forecast`` (sum of the medians), the
    summed band, and the error in per cent (:data:`BACKTEST_COLUMNS`)."""
    mape: float
    """Mean absolute percentage error of the route total, per cent."""
    coverage: float
    """Share of (nationality, month) in their 80 % band, per cent."""
    series: int


def backtest(history: History, nationalities: list[str], cutoff: pd.Period,
             months: int = 12, *, fit_years: int = FIT_YEARS) -> Backtest:
    """Fit up to ``cutoff`` and compare with up to ``months`` months the history holds."""
    last = min(history.last_month, cutoff + months)
    if last <= cutoff:
        raise UsageError(f"no history after {cutoff} to back-test against")
    forecast = forecast_months(history, nationalities, cutoff, last, fit_years=fit_years)
    actual = _grouped(history, nationalities).loc[cutoff + 1:last]
    long = actual.stack().reset_index()
    long.columns = pd.Index(["month", "nationality_id", "actual"])
    joined = forecast.merge(long, on=["month", "nationality_id"])
    inside = (joined["actual"] >= joined["p10"] - 1e-9) & (joined["actual"] <= joined["p90"] + 1e-9)
    active = joined[(joined["actual"] > 0) | (joined["median"] > 0.5)]
    totals = joined.groupby("month")[["actual", "median", "p10", "p90"]].sum()
    error = 100 * (totals["median"] - totals["actual"]).abs() / totals["actual"].where(
        totals["actual"] > 0)
    table = pd.DataFrame({"month": totals.index.astype(str), "actual": totals["actual"],
                          "forecast": totals["median"].round(0),
                          "forecast_p10": totals["p10"].round(0),
                          "forecast_p90": totals["p90"].round(0),
                          "error_per_cent": error.round(1)}).reset_index(drop=True)
    coverage = float(100 * inside[active.index].mean()) if len(active) else math.nan
    return Backtest(cutoff, table[BACKTEST_COLUMNS], float(error.mean()), coverage,
                    int(active["nationality_id"].nunique()))


def write_forecast(forecast: pd.DataFrame, out: Path, tests: list[Backtest],
                   page: str) -> list[Path]:
    """Write ``forecast.csv``, ``forecast.html`` (``page``) and any ``backtest.csv``.

    ``backtest.csv`` holds each back-test's months. All files or none; a folder is
    replaced only if it holds nothing but these files.
    """
    with atomic_directory(out, FORECAST_FOLDER) as staging:
        write_csv(forecast, staging / FORECAST_FILE)
        (staging / PAGE_FILE).write_text(page, encoding="utf-8")
        if tests:
            write_csv(pd.concat([test.months.assign(cutoff=str(test.cutoff)) for test in tests],
                                ignore_index=True)[["cutoff", *BACKTEST_COLUMNS]],
                      staging / BACKTEST_FILE)
    return [out / FORECAST_FILE, out / PAGE_FILE, *([out / BACKTEST_FILE] if tests else [])]
