"""Sweeps: the base scenario and its variants, solved in parallel and stored as runs.

Each worker process keeps its model loaded between the runs it is given, so a variant
that changes only data is re-solved warm (see :class:`planner.api.Planner`). One failing
run (a bad override, no plan) is reported and does not stop the others.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.api import Planner, plan_and_record
from planner.errors import PlannerError
from planner.model.index import index_shape
from planner.model.options import SolveOptions
from planner.model.requirements import derive_requirements
from planner.runs.records import RunRecord, record_plan
from planner.scenario.variants import Study, Variant, load_study

if TYPE_CHECKING:
    from planner.plan.plan import Plan
    from planner.scenario.variants import Applied

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
        recorded = plan_and_record(applied, source=path, store=store, planner=planner)
    except Exception as error:  # one broken run must not end the sweep
        return failed(name, error, time.perf_counter() - started)
    return outcome_of(name, recorded.plan, recorded.run, time.perf_counter() - started)


def failed(name: str, error: BaseException, seconds: float = 0.0) -> SweepOutcome:
    """The outcome of a run that raised ``error`` before it had a plan."""
    if isinstance(error, PlannerError):
        return SweepOutcome(name, None, "failed", None, None, seconds, False, str(error))
    detail = "".join(traceback.format_exception_only(error)).strip()
    return SweepOutcome(name, None, "failed", None, None, seconds, False,
                        f"internal error: {detail}")


def outcome_of(name: str, plan: Plan, stored: RunRecord | None, seconds: float
               ) -> SweepOutcome:
    """The outcome of a run that was solved (and, with ``stored``, recorded)."""
    problem = None
    if not plan.status.has_plan:
        # Recorded all the same (the store keeps what was tried), and reported.
        conflicts = "; ".join(plan.result.conflicts[:3])
        problem = f"no plan: the solve ended '{plan.status.value}'" + (
            f" ({conflicts}{'; ...' if len(plan.result.conflicts) > 3 else ''})"
            if conflicts else "")
    run_id, coverage = (None, None) if stored is None else (stored.id, stored.coverage_per_cent)
    return SweepOutcome(name, run_id, plan.status.value, plan.result.objective, coverage,
                        seconds, plan.result.warm_start, problem)


def solve_on_worker(applied: Applied, name: str, options: SolveOptions, source: str
                    ) -> tuple[RunRecord, SweepOutcome]:
    """On a Dask worker: plan ``applied`` and return its record, not yet stored.

    Each worker keeps one planner per options, so runs of one shape it is given in turn
    re-solve warm.
    """
    started = time.perf_counter()
    planner = _planners.setdefault((source, options), Planner(options))
    recorded = plan_and_record(applied, source=source, store=None, planner=planner)
    record = record_plan(recorded.plan, variant=applied.variant, changes=applied.changes,
                         options=options, source=source, description=applied.description)
    return record, outcome_of(name, recorded.plan, None, time.perf_counter() - started)


def sweep_on_dask(path: str | Path, names: Sequence[str], options: SolveOptions,
                  store: str | Path, *, address: str, sets: dict[str, Any] | None = None,
                  progress: Callable[[SweepOutcome], None] | None = None,
                  workers: int | None = None) -> list[SweepOutcome]:
    """:func:`sweep` with the solves on Dask (``planner.runs.cluster``), stored here.

    Each variant is applied here and travels to its worker with its scenario, so workers
    need no copy of the files; each record comes back and is stored in ``store``.
    """
    from planner.runs.cluster import dask_client, run_tasks
    from planner.runs.store import RunStore

    study = load_study(path)
    outcomes: dict[str, SweepOutcome] = {}

    def done(outcome: SweepOutcome) -> None:
        outcomes[outcome.name] = outcome
        if progress is not None:
            progress(outcome)

    tasks: list[tuple[Any, ...]] = []
    for name in names:
        try:
            applied = study.apply(None if name == BASE_RUN else name, sets)
        except PlannerError as error:
            done(failed(name, error))
            continue
        tasks.append((applied, name, options, str(path)))

    def landed(position: int, result: tuple[RunRecord, SweepOutcome] | None,
               error: BaseException | None) -> None:
        name = tasks[position][1]
        if result is None:
            done(failed(name, error or RuntimeError("no result")))
            return
        record, outcome = result
        with RunStore(store) as runs:
            stored = runs.record(record)
        done(replace(outcome, run_id=stored.id, coverage_per_cent=stored.coverage_per_cent))

    if tasks:
        with dask_client(address, workers=workers) as client:
            run_tasks(client, solve_on_worker, tasks, landed)
    return [outcomes[name] for name in names]


def choose(variants: dict[str, Variant], wanted: Sequence[str] | None) -> list[str]:
    """The runs of a sweep: the base, then the wanted variants (all if none named).

    A name that is no variant is kept: its run fails and says so, and the others go on.
    """
    names = list(variants) if wanted is None else [name for name in wanted
                                                   if name != BASE_RUN]
    return list(dict.fromkeys([BASE_RUN, *names]))


def lanes(path: str | Path, names: Sequence[str], jobs: int,
          sets: dict[str, Any] | None = None) -> list[list[str]]:
    """The runs split into at most ``jobs`` lanes, one per worker, each solved in turn.

    Runs whose models have the same shape (see ``planner.model.index.index_shape``) share a lane
    where they can, so a worker re-solves warm as often as it can: whole groups go to the
    shortest lane, largest first, and a group longer than a fair share is split. A run
    whose variant does not apply goes last: it fails at once in its lane.
    """
    study = load_study(path)
    groups: list[tuple[Any, list[str]]] = []
    broken: list[str] = []
    for name in names:
        try:
            scenario = study.apply(None if name == BASE_RUN else name, sets).scenario
        except PlannerError:
            broken.append(name)
            continue
        shape = index_shape(scenario, derive_requirements(scenario))
        group = next((members for known, members in groups if known == shape), None)
        if group is None:
            groups.append((shape, [name]))
        else:
            group.append(name)
    # Whole groups (split only where one is longer than a fair share) to the shortest lane.
    count = max(1, min(jobs, len(names)))
    share = -(-len(names) // count)
    pieces = [members[first:first + share] for _, members in groups
              for first in range(0, len(members), share)]
    pieces = sorted(pieces, key=len, reverse=True) + [[name] for name in broken]
    split: list[list[str]] = [[] for _ in range(count)]
    for piece in pieces:
        min(split, key=len).extend(piece)
    return [lane for lane in split if lane]


def _run_lane(path: str, names: Sequence[str], options: SolveOptions, store: str,
              sets: dict[str, Any] | None, events: Any) -> None:
    """In a worker: solve ``names`` in turn, putting each outcome on ``events``."""
    for name in names:
        events.put(run_one(path, name, options, store, sets))


def sweep(path: str | Path, names: Sequence[str], options: SolveOptions, store: str | Path,
          *, jobs: int | None = None, sets: dict[str, Any] | None = None,
          progress: Callable[[SweepOutcome], None] | None = None) -> list[SweepOutcome]:
    """Solve each named run (``base`` or a variant) and store it; outcomes in ``names`` order.

    ``jobs`` worker processes (default: the machine's cores, at most one per run) each take
    one lane of runs (see :func:`lanes`); ``progress`` is called as each run ends.
    """
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(names)))
    split = lanes(path, names, jobs, sets)
    outcomes: dict[str, SweepOutcome] = {}

    def done(outcome: SweepOutcome) -> None:
        outcomes[outcome.name] = outcome
        if progress is not None:
            progress(outcome)

    if len(split) == 1:
        for name in split[0]:
            done(run_one(str(path), name, options, str(store), sets))
        return [outcomes[name] for name in names]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(
            max_workers=len(split), mp_context=context) as pool:
        events = manager.Queue()
        futures = {pool.submit(_run_lane, str(path), lane, options, str(store), sets, events):
                   lane for lane in split}
        while len(outcomes) < len(names):
            try:
                done(events.get(timeout=0.2))
            except queue.Empty:
                if all(future.done() for future in futures):
                    break
        while True:  # whatever a worker put just before it finished
            try:
                done(events.get_nowait())
            except queue.Empty:
                break
        for future, lane in futures.items():
            error = future.exception()
            for name in lane:
                if name not in outcomes:  # the worker itself died
                    done(SweepOutcome(name, None, "failed", None, None, 0.0, False,
                                      f"worker failed: {error}"))
    return [outcomes[name] for name in names]
