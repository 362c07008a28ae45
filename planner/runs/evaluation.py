"""Evaluating a stored plan on demand scenarios: its deployments kept, each scenario's recourse.

``planner evaluate RUN --samples N`` reads the run's inputs and schedule from the store,
draws the demand scenarios, and solves each scenario's recourse with the run's deployments
fixed (:func:`planner.model.stochastic.evaluate`): what stays uncovered, what is
interpreted remotely and at what cost. On Dask the scenarios go out in chunks, each
solved where it lands; the outcomes come back here and are stored as one evaluation.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.model.keys import OUTCOME_COLUMNS
from planner.model.stochastic import (
    Outcomes,
    Risk,
    evaluate,
    first_stage_cost,
    first_stage_of,
    scenario_models,
)
from planner.runs.records import EVALUATION_COLUMNS, Evaluation, RunRecord
from planner.scenario.demand import DemandScenarios
from planner.scenario.schema import Scenario

CHUNKS_PER_WORKER = 4
"""Chunks of scenarios per Dask worker: enough to share the work out as workers finish."""


def evaluate_chunk(scenario: Scenario, demand: DemandScenarios, whole_units: bool,
                   schedule: pd.DataFrame, cost: float) -> pd.DataFrame:
    """The outcomes of a plan's ``schedule`` (first-stage ``cost``) on ``demand``."""
    models = scenario_models(scenario, demand, whole_units=whole_units)
    return evaluate(models, first_stage_of(models, schedule), cost).table


def evaluate_run(run: RunRecord, demand: DemandScenarios, risk: Risk | None = None, *,
                 address: str | None = None, workers: int | None = None,
                 progress: Callable[[int], None] | None = None) -> Evaluation:
    """Evaluate ``run``'s plan on ``demand``: here, or on Dask at ``address``.

    ``progress`` is told how many scenarios each finished chunk held. The evaluation is
    returned, not stored.
    """
    from planner.runs.cluster import dask_client, run_tasks

    if run.status not in ("optimal", "feasible"):
        raise PlannerError(f"run #{run.id} has no plan to evaluate (it ended '{run.status}')")
    risk = risk or Risk()
    scenario = Scenario.model_validate(run.inputs)
    whole = not run.options.get("relax", False)
    cost = first_stage_cost(run.summary["costs"])
    started = time.perf_counter()
    if address is None:
        table = evaluate_chunk(scenario, demand, whole, run.schedule, cost)
        if progress is not None:
            progress(len(demand))
    else:
        with dask_client(address, workers=workers) as client:
            count = max(1, len(client.scheduler_info().get("workers", {})))
            chunks = [list(part) for part in np.array_split(
                np.arange(len(demand)), min(len(demand), count * CHUNKS_PER_WORKER))]
            tables: dict[int, pd.DataFrame] = {}
            failures: list[str] = []

            def landed(position: int, result: pd.DataFrame | None,
                       error: BaseException | None) -> None:
                if result is None:
                    failures.append(str(error))
                    return
                tables[position] = result
                if progress is not None:
                    progress(len(result))

            run_tasks(client, evaluate_chunk,
                      [(scenario, demand.subset(chunk), whole, run.schedule, cost)
                       for chunk in chunks], landed)
            if failures:
                raise PlannerError(f"{len(failures)} of {len(chunks)} chunks of the "
                                   f"evaluation failed: {failures[0]}")
            table = pd.concat([tables[number] for number in range(len(chunks))],
                              ignore_index=True)[OUTCOME_COLUMNS]
    outcomes = Outcomes(table, time.perf_counter() - started)
    described = {"source": demand.source, "scenarios": len(demand), "seed": demand.seed}
    summary = {"risk": risk.label, "demand": described, "plan": outcomes.summary(risk),
               "seconds": round(outcomes.seconds, 4)}
    return Evaluation(run.id, "evaluate", risk.label, described, summary,
                      table.assign(plan="run")[EVALUATION_COLUMNS])
