"""Sweeps: the base scenario and its variants, solved in parallel and stored as runs.

Each worker process keeps its model loaded between the runs it is given, so a variant
that changes only data is re-solved warm (see :class:`planner.api.Planner`). One failing
run (a bad override, no plan) is reported and does not stop the others.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.api import Planner
from planner.errors import PlannerError
from planner.runs import record_plan
from planner.solve import SolveOptions
from planner.store import RunStore
from planner.variants import Study, Variant, load_study

BASE_RUN = "base"
"""How a sweep names the base scenario among the variants."""


@dataclass(frozen=True)
class SweepOutcome:
    """One run of a sweep: stored (with its id) or failed (with the reason)."""

    name: str
    run_id: int | None
    status: str
    """The solve's status, or ``failed`` when there was no solve."""
    objective: float | None
    coverage_per_cent: float | None
    seconds: float
    warm_start: bool
    error: str | None = None


_planners: dict[tuple[str, SolveOptions], Planner] = {}
"""In each worker: one planner per scenario and options, kept between runs."""
_studies: dict[str, Study] = {}
"""In each worker: each scenario with its variants, loaded once."""


def run_one(path: str, name: str, options: SolveOptions, store: str,
            sets: dict[str, Any] | None = None) -> SweepOutcome:
    """Solve the base (``name`` is ``base``) or one variant and record it in ``store``."""
    started = time.perf_counter()
    try:
        study = _studies.get(path) or _studies.setdefault(path, load_study(path))
        applied = study.apply(None if name == BASE_RUN else name, sets)
        planner = _planners.setdefault((path, options), Planner(options))
        plan = planner.plan(applied.scenario)
        record = record_plan(plan, variant=applied.variant, changes=applied.changes,
                             options=options, source=path)
        with RunStore(store) as runs:
            stored = runs.record(record)
    except PlannerError as error:
        return SweepOutcome(name, None, "failed", None, None, time.perf_counter() - started,
                            False, str(error))
    except Exception as error:  # one broken run must not end the sweep
        detail = "".join(traceback.format_exception_only(error)).strip()
        return SweepOutcome(name, None, "failed", None, None, time.perf_counter() - started,
                            False, f"internal error: {detail}")
    problem = None
    if not plan.status.has_plan:
        # Recorded all the same (the store keeps what was tried), and reported.
        conflicts = "; ".join(plan.result.conflicts[:3])
        problem = f"no plan: the solve ended '{plan.status.value}'" + (
            f" ({conflicts}{'; ...' if len(plan.result.conflicts) > 3 else ''})"
            if conflicts else "")
    return SweepOutcome(name, stored.id, plan.status.value, plan.result.objective,
                        stored.coverage_per_cent, time.perf_counter() - started,
                        plan.result.warm_start, problem)


def choose(variants: dict[str, Variant], wanted: Sequence[str] | None) -> list[str]:
    """The runs of a sweep: the base, then the wanted variants (all if none named).

    A name that is no variant is kept: its run fails and says so, and the others go on.
    """
    names = list(variants) if wanted is None else [name for name in wanted
                                                   if name != BASE_RUN]
    return [BASE_RUN, *names]


def sweep(path: str | Path, names: Sequence[str], options: SolveOptions, store: str | Path,
          *, jobs: int | None = None, sets: dict[str, Any] | None = None,
          progress: Callable[[SweepOutcome], None] | None = None) -> list[SweepOutcome]:
    """Solve each named run (``base`` or a variant) and store it; outcomes in ``names`` order.

    ``jobs`` worker processes (default: the machine's cores, at most one per run) each take
    runs in turn; ``progress`` is called as each run ends.
    """
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(names)))
    arguments = [(str(path), name, options, str(store), sets) for name in names]
    outcomes: dict[str, SweepOutcome] = {}
    if jobs == 1:
        for argument in arguments:
            outcome = run_one(*argument)
            outcomes[outcome.name] = outcome
            if progress is not None:
                progress(outcome)
    else:
        # Runs are handed out in order, so a worker's next run is usually the next variant:
        # its loaded model is reused whenever only data differ.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(run_one, *argument): argument[1] for argument in arguments}
            for future in as_completed(futures):
                name = futures[future]
                try:
                    outcome = future.result()
                except Exception as error:  # the worker itself died
                    outcome = SweepOutcome(name, None, "failed", None, None, 0.0, False,
                                           f"worker failed: {error}")
                outcomes[name] = outcome
                if progress is not None:
                    progress(outcome)
    return [outcomes[name] for name in names]
