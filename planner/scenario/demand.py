"""Demand scenarios: the forecasts a robust plan is asked to hold up across.

They come either from the scenario's ``demand_scenarios`` table (named scalings of the
forecast, each with its probability) or are sampled from the forecast's 10-90 % band.

Sampling, as documented in the README: each sample draws one standard normal number per
nationality, ``z = sqrt(rho) * common + sqrt(1 - rho) * own``, with one ``common`` draw
per sample shared by all nationalities (``rho`` is :data:`SAMPLE_CORRELATION`). Every
forecast row of that nationality, at every section and in every period, takes the same
``z``: a forecast's error is mostly a level that holds for months (2022's visa-free route
lifted every week of the autumn), not noise that averages out week by week. A row's
arrivals are then the band's split log-normal at ``z``: in ``log(1 + arrivals)`` the
point forecast moves by ``z / 1.2816`` of the distance to ``arrivals_p90`` (``z > 0``)
or to ``arrivals_p10`` (``z < 0``), so each row's 10th and 90th percentiles are its
band's. Samples are equally likely. The same seed gives the same samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.errors import UsageError
from planner.scenario.records import Arrival
from planner.scenario.schema import Scenario

SAMPLE_CORRELATION = 0.5
"""Share of a sample's (log) deviation that all nationalities have in common."""
Z_90 = 1.2815515655446004
"""The standard normal's 90th percentile."""
SAMPLES_MAX = 1000


@dataclass(frozen=True)
class DemandScenarios:
    """Forecasts of one scenario's rows, each with a name and a probability.

    ``arrivals[k, i]`` is scenario ``k``'s arrivals on the scenario's forecast row ``i``.
    """

    names: tuple[str, ...]
    probabilities: np.ndarray
    arrivals: np.ndarray
    source: str
    """``table`` (the scenario's ``demand_scenarios``), ``samples`` or ``point``."""
    seed: int | None = None

    def __len__(self) -> int:
        return len(self.names)

    def scenario(self, scenario: Scenario, k: int) -> Scenario:
        """``scenario`` with scenario ``k``'s forecast."""
        return with_arrivals(scenario, self.arrivals[k])

    def subset(self, chosen: list[int]) -> DemandScenarios:
        """The scenarios at positions ``chosen`` (probabilities as they are)."""
        return DemandScenarios(tuple(self.names[k] for k in chosen), self.probabilities[chosen],
                               self.arrivals[chosen], self.source, self.seed)

    def envelope(self) -> np.ndarray:
        """The most arrivals any scenario has on each row."""
        return self.arrivals.max(axis=0)

    def table(self) -> list[dict[str, object]]:
        """Each scenario's name, probability and total arrivals."""
        return [{"scenario": name, "probability": round(float(p), 9),
                 "arrivals": round(float(total), 6)}
                for name, p, total in zip(self.names, self.probabilities,
                                          self.arrivals.sum(axis=1), strict=True)]


def with_arrivals(scenario: Scenario, arrivals: np.ndarray) -> Scenario:
    """``scenario`` with ``arrivals`` on its forecast's rows, in order, and no band."""
    forecast = tuple(
        Arrival.model_construct(section_id=row.section_id, period=row.period,
                                nationality_id=row.nationality_id, arrivals=float(value),
                                arrivals_p10=None, arrivals_p90=None)
        for row, value in zip(scenario.forecast, arrivals, strict=True))
    return scenario.model_copy(update={"forecast": forecast})


def point(scenario: Scenario) -> DemandScenarios:
    """The scenario's own forecast as the only demand scenario."""
    return DemandScenarios(("point",), np.ones(1), _points(scenario)[None, :], "point")


def _points(scenario: Scenario) -> np.ndarray:
    return np.array([row.arrivals for row in scenario.forecast], dtype=float)


def from_table(scenario: Scenario) -> DemandScenarios:
    """The scenario's ``demand_scenarios`` table as demand scenarios, in order of name."""
    if not scenario.demand_scenarios:
        raise UsageError("the scenario has no demand_scenarios table: add one, or sample "
                         "demand scenarios from the forecast's band with --samples N")
    base = _points(scenario)
    forecast = scenario.forecast
    names = list(dict.fromkeys(row.name for row in scenario.demand_scenarios))
    arrivals = np.tile(base, (len(names), 1))
    probability = {}
    for row in scenario.demand_scenarios:
        probability[row.name] = row.probability
        matches = np.array([
            (row.section_id is None or arrival.section_id == row.section_id)
            and (row.nationality_id is None or arrival.nationality_id == row.nationality_id)
            and (row.from_period is None or arrival.period >= row.from_period)
            and (row.to_period is None or arrival.period <= row.to_period)
            for arrival in forecast], dtype=bool)
        arrivals[names.index(row.name), matches] *= row.scaling
    return DemandScenarios(tuple(names), np.array([probability[n] for n in names]), arrivals,
                           "table")


def sample(scenario: Scenario, samples: int, seed: int = 0) -> DemandScenarios:
    """``samples`` equally likely forecasts drawn from the forecast's band (module docs)."""
    if not 1 <= samples <= SAMPLES_MAX:
        raise UsageError(f"--samples must be between 1 and {SAMPLES_MAX}, not {samples}")
    forecast = scenario.forecast
    if not forecast:
        raise UsageError("the scenario has no forecast to sample demand scenarios from")
    unbanded = sum(row.arrivals_p10 is None or row.arrivals_p90 is None for row in forecast)
    if unbanded:
        raise UsageError(
            f"{unbanded} of the forecast's {len(forecast)} rows have no arrivals_p10 and "
            "arrivals_p90 to sample from: give the forecast its band (planner forecast "
            "writes one) or a demand_scenarios table")
    middle = np.log1p(_points(scenario))
    low = np.log1p(np.array([row.arrivals_p10 for row in forecast], dtype=float))
    high = np.log1p(np.array([row.arrivals_p90 for row in forecast], dtype=float))
    nationalities = sorted({row.nationality_id for row in forecast})
    column = np.array([nationalities.index(row.nationality_id) for row in forecast])
    draws = np.random.default_rng(seed)
    common = draws.standard_normal((samples, 1))
    own = draws.standard_normal((samples, len(nationalities)))
    z = (np.sqrt(SAMPLE_CORRELATION) * common + np.sqrt(1 - SAMPLE_CORRELATION) * own)[
        :, column]
    spread = np.where(z >= 0, high - middle, middle - low) / Z_90
    arrivals = np.clip(np.expm1(middle + z * spread), 0.0, None)
    width = len(str(samples))
    names = tuple(f"sample_{k + 1:0{width}d}" for k in range(samples))
    return DemandScenarios(names, np.full(samples, 1.0 / samples), arrivals, "samples", seed)


def demand_scenarios(scenario: Scenario, samples: int | None = None,
                     seed: int = 0) -> DemandScenarios:
    """``samples`` drawn from the band if asked, else the scenario's table."""
    if samples is not None:
        return sample(scenario, samples, seed)
    return from_table(scenario)
