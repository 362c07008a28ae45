"""Runs submitted to the service, solved in a bounded pool of worker processes.

A job is a row of the store's ``jobs`` table (see :mod:`planner.runs.service_tables`):
submitting adds it ``queued`` and hands its id to the pool, whose workers (one per core
by default) take jobs in turn; the rest wait in the pool's queue. A worker marks its job
``running``, unpacks the scenario, applies the variants and overrides, and plans and
records it with :func:`planner.api.plan_and_record`, the path ``planner run`` takes,
writing the solve's progress (seconds, best objective, bound, gap) to the job twice a
second. Asked to cancel, a queued job never starts; a running whole-unit solve stops at
the solver's next check and keeps the best plan found so far, recorded as its run.

Jobs live in the store, not in the server: a client that goes away loses nothing, and a
server that stops leaves its unfinished jobs to be marked ``failed`` when it starts again
(a run is recorded in one transaction, so none is ever half-stored).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from planner.errors import PlannerError
from planner.model.options import SolveOptions, Status
from planner.runs.store import RunStore

PROGRESS_SECONDS = 0.5
"""How often a worker writes its solve's progress to the job."""

RESTARTED = "the server stopped before this job finished; submit it again"
STOPPED_FIRST = "the server stopped before this job started; submit it again"
SERVER_STOPPED = 2
"""``jobs.cancel`` when the server stopping asked a running job to stop."""


def default_workers() -> int:
    """One worker per core."""
    return max(1, os.cpu_count() or 1)


def _report(store_path: str, job_id: int, monitor: Any, done: threading.Event) -> None:
    """Write the monitor's progress to the job until ``done``; stop the solve if asked."""
    with RunStore(store_path, create=False, write=True) as store:  # a connection of its own
        while not done.wait(PROGRESS_SECONDS):
            _progress(store, job_id, monitor)


def _progress(store: RunStore, job_id: int, monitor: Any) -> None:
    """Write where the solve stands to the job; stop the solve if the job is cancelled."""
    latest = monitor.latest
    progress: dict[str, Any] = {"seconds": round(monitor.seconds(), 3), "objective": None,
                                "bound": None, "gap": None, "stage": monitor.stage}
    if latest is not None:
        progress.update(objective=latest.objective, bound=latest.bound, gap=latest.gap)
    if store.job_progress(job_id, progress):
        monitor.stop()


def _without(text: str, unpacked_at: tuple[str, str]) -> str:
    """A message with the scenario's temporary folder named as the scenario."""
    folder, name = unpacked_at
    return text.replace(folder, name) if folder else text


def run_job(store_path: str, job_id: int) -> str:
    """Solve job ``job_id`` of the store at ``store_path`` and record its run (in a worker).

    Returns the job's final state. Every failure ends the job ``failed`` with its reason;
    nothing escapes to the pool.
    """
    from planner.api import plan_and_record
    from planner.model.progress import SolveMonitor
    from planner.scenario.variants import load_study
    from planner.service.uploads import unpacked

    with RunStore(store_path, create=False, write=True) as store:
        if not store.start_job(job_id):
            return "cancelled"
        job = store.job(job_id)
        assert job is not None
        request = job.request
        unpacked_at = ("", "")
        try:
            stored = store.scenario(str(request["scenario"]))
            if stored is None:
                raise PlannerError(f"no scenario '{request['scenario']}' in the store")
            monitor = SolveMonitor()
            done = threading.Event()
            reporter = threading.Thread(target=_report,
                                        args=(store_path, job_id, monitor, done), daemon=True)
            with unpacked(stored) as path:
                unpacked_at = (str(path), stored.name)
                study = load_study(path)
                applied = study.apply(study.default(list(request.get("variants") or [])),
                                      request.get("overrides") or {})
                options = SolveOptions(**(request.get("options") or {}))
                reporter.start()
                try:
                    recorded = plan_and_record(applied, options,
                                               source=f"service: {stored.name} "
                                                      f"({stored.id})",
                                               store=store_path, monitor=monitor)
                finally:
                    done.set()
                    reporter.join()
        except PlannerError as error:
            store.finish_job(job_id, "failed", error=_without(str(error), unpacked_at))
            return "failed"
        except Exception as error:  # one broken job must not take the worker down
            detail = "".join(traceback.format_exception_only(error)).strip()
            store.finish_job(job_id, "failed", error=f"internal error: {detail}")
            return "failed"
        run = recorded.run
        run_id = None if run is None else run.id
        plan = recorded.plan
        who = ("the server stopped" if store.job_stop_asked(job_id) == SERVER_STOPPED
               else "stopped on request")
        if not plan.status.has_plan:
            if monitor.interrupted:
                store.finish_job(job_id, "cancelled", run_id=run_id,
                                 error=f"{who} before any plan was found")
                return "cancelled"
            conflicts = "; ".join(plan.result.conflicts[:3])
            why = (f"no plan: the solve ended '{plan.status.value}'"
                   + (f" ({conflicts})" if conflicts else ""))
            store.finish_job(job_id, "failed", run_id=run_id, error=why)
            return "failed"
        if monitor.interrupted and plan.status is not Status.OPTIMAL:
            store.finish_job(job_id, "cancelled", run_id=run_id,
                             error=f"{who}: the best plan found so far is kept")
            return "cancelled"
        store.finish_job(job_id, "succeeded", run_id=run_id)
        return "succeeded"


class JobPool:
    """Worker processes that solve submitted jobs, at most ``workers`` at a time."""

    def __init__(self, store_path: str, workers: int | None = None) -> None:
        self.store_path = store_path
        self.workers = workers or default_workers()
        # Workers start afresh ("spawn"): the server's threads are not copied into them.
        self._pool = ProcessPoolExecutor(self.workers,
                                         mp_context=multiprocessing.get_context("spawn"))

    def submit(self, job_id: int) -> None:
        """Hand a queued job to the pool; a job whose worker dies is marked failed."""
        future = self._pool.submit(run_job, self.store_path, job_id)
        future.add_done_callback(lambda done: self._settle(job_id, done))

    def _settle(self, job_id: int, future: Future[str]) -> None:
        if future.cancelled():
            return  # the pool closed first: the next start marks the job failed
        error = future.exception()
        if error is None:
            return
        with RunStore(self.store_path, create=False, write=True) as store:
            job = store.job(job_id)
            if job is not None and not job.finished_yet:
                store.finish_job(job_id, "failed",
                                 error=f"the worker solving it stopped: {error!r}")

    def close(self) -> None:
        """Stop, and end the workers.

        Queued jobs are marked failed (they will not start); running ones are asked to
        stop, and keep their best plans.
        """
        with RunStore(self.store_path, create=False, write=True) as store:
            # Queued first: a worker may already hold the next job, and must find it ended.
            store.fail_jobs(STOPPED_FIRST, running=False)
            store.stop_running_jobs()
        self._pool.shutdown(wait=True, cancel_futures=True)
