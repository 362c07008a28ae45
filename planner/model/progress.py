"""Watching a whole-unit solve: how far it has got, a stop on request, and how it ended.

A :class:`SolveMonitor` is handed to a solve (:meth:`planner.model.highs.HighsModel.solve`,
:class:`planner.api.Planner`). HiGHS reports to it as it works: the best plan so far, the
proven bound and the gap (:attr:`SolveMonitor.latest`), each better plan with the time it
was found (:attr:`SolveMonitor.timeline`), and its log lines (to ``on_log``). The solve
runs in a thread of its own while the caller's thread waits, so that Ctrl-C there (or
:meth:`SolveMonitor.stop` from anywhere) stops HiGHS at its next check, which keeps the
best plan found so far: the run ends ``feasible``, stopped by ``interrupt``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

STOPPED_BY = ("gap", "optimal", "time_limit", "interrupt")
"""Why a solve that has a plan stopped: a whole-unit solve reached its target gap; an LP
is optimal; the time limit; an interrupt (Ctrl-C, or a stop asked for)."""


@dataclass(frozen=True)
class Progress:
    """Where a whole-unit solve stands: seconds since it began, best plan, bound, gap."""

    seconds: float
    """Wall seconds since the solve began."""
    objective: float | None
    """The best plan's objective so far, ``None`` before the first."""
    bound: float | None
    """The proven lower bound, ``None`` before the root LP."""
    cpu_seconds: float = 0.0
    """CPU seconds of this process (every thread) since the solve began."""

    @property
    def gap(self) -> float | None:
        """The relative gap between the best plan and the bound, as the solver reports it."""
        if self.objective is None or self.bound is None:
            return None
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float, bound: float) -> float:
    """The relative gap between a plan's objective and a lower bound, as HiGHS reckons it."""
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) and abs(value) < 1e30 else None


class SolveMonitor:
    """Follows one solve at a time; reusable for the next.

    ``on_log`` receives each line of the solver's log (``--verbose``).
    """

    def __init__(self, on_log: Callable[[str], None] | None = None) -> None:
        self.on_log = on_log
        self.latest: Progress | None = None
        self.timeline: list[Progress] = []
        """Each better plan, and each narrower gap, as they came."""
        self.solving = False
        """Whether a solve is under way."""
        self.stage: str | None = None
        """What the solve is waiting for, if it says (a plan built beside the search, say)."""
        self._partial = ""
        """The last line of the log, until it is whole."""
        self._stop = threading.Event()
        self._started = time.perf_counter()
        self._cpu_started = time.process_time()

    # --- what the solver calls ----------------------------------------------------------------

    def begin(self) -> None:
        """A solve begins: forget the last one."""
        self.latest = None
        self.timeline = []
        self._stop.clear()
        self._started = time.perf_counter()
        self._cpu_started = time.process_time()

    def seconds(self) -> float:
        """Seconds since the solve began."""
        return time.perf_counter() - self._started

    def report(self, objective: float, bound: float, *, improved: bool = False) -> bool:
        """Take the solver's news; return whether it should stop."""
        progress = Progress(self.seconds(), _finite(objective), _finite(bound),
                            time.process_time() - self._cpu_started)
        self.latest = progress
        gaps = [p.gap for p in self.timeline if p.gap is not None]
        narrower = progress.gap is not None and (not gaps or progress.gap < min(gaps))
        if (improved and progress.objective is not None) or narrower:
            self.timeline.append(progress)
        return self._stop.is_set()

    def reached(self, gap: float) -> Progress | None:
        """The first moment the gap was at most ``gap``, if it came."""
        return next((p for p in self.timeline if p.gap is not None and p.gap <= gap), None)

    def log(self, text: str) -> None:
        """Some of the solver's log: whole lines go to ``on_log``, the rest waits."""
        if self.on_log is None:
            return
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self.on_log(line)

    def _flush_log(self) -> None:
        if self.on_log is not None and self._partial:
            self.on_log(self._partial)
        self._partial = ""

    # --- what the caller does -----------------------------------------------------------------

    def stop(self) -> None:
        """Ask the solve to stop at its next check, keeping the best plan found so far."""
        self._stop.set()

    @property
    def interrupted(self) -> bool:
        """Whether the last solve was asked to stop."""
        return self._stop.is_set()

    def run(self, solve: Callable[[], Any]) -> None:
        """Run ``solve`` in a thread; Ctrl-C meanwhile asks it to stop, then waits for it.

        The waiting thread only sleeps, in short steps, until the solve says it is done:
        an interrupted ``Thread.join`` may report a thread finished that is not.
        """
        failure: list[BaseException] = []
        done = threading.Event()

        def target() -> None:
            try:
                solve()
            except BaseException as error:  # handed to the waiting thread
                failure.append(error)
            finally:
                done.set()

        worker = threading.Thread(target=target, name="solve", daemon=True)
        self.solving = True
        worker.start()
        try:
            while not done.is_set():
                try:
                    time.sleep(0.05)
                except KeyboardInterrupt:
                    self.stop()
        finally:
            self.solving = False
            self._flush_log()
        worker.join()
        if failure:
            raise failure[0]

    def line(self, target_gap: float | None) -> str:
        """One line on where the solve stands, for a terminal."""
        if not self.solving:
            return "building the model..."
        seconds = f"solving whole units: {self.seconds():.0f} s"
        if self.stage is not None:
            return f"{seconds}, {self.stage}"
        latest = self.latest
        if latest is None or latest.objective is None:
            return f"{seconds}, no plan yet"
        bound = "no bound yet" if latest.bound is None else f"bound {latest.bound:,.0f}"
        gap = "" if latest.gap is None else f", gap {100 * latest.gap:.2f}%"
        target = "" if target_gap is None else f" (target {100 * target_gap:.2f}%)"
        stop = "stopping..." if self.interrupted else "Ctrl-C keeps the best plan so far"
        return f"{seconds}, best plan {latest.objective:,.0f}, {bound}{gap}{target}; {stop}"
