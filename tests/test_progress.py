"""Progress while a whole-unit run solves, and honest stops: gap, time limit, Ctrl-C."""

from __future__ import annotations

import json
import math
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from planner import SolveOptions, Status, load_scenario, plan_scenario
from planner.api import Planner
from planner.errors import ExitCode
from planner.model.progress import Progress, SolveMonitor
from planner.report.terminal import stop_reason
from planner.runs.store import RunStore, store_path
from planner.scenario.generate import SIZES, generate_scenario
from planner.scenario.write_folder import write_folder

from builders import invoke

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def small():  # a model whose whole-unit solve takes a few seconds and finds several plans
    return generate_scenario(replace(SIZES["S"], seed=1))


class StopAtFirstPlan(SolveMonitor):
    """Asks the solve to stop as soon as it has a plan."""

    def report(self, objective: float, bound: float, *, improved: bool = False) -> bool:
        stop = super().report(objective, bound, improved=improved)
        if improved:
            self.stop()
        return stop


def test_a_solve_that_reaches_its_gap_says_so() -> None:
    plan = plan_scenario(load_scenario(TINY), monitor=SolveMonitor())
    summary = plan.summary()
    assert summary["stopped_by"] == "gap"
    assert summary["solver"]["target_gap"] == pytest.approx(0.001)
    assert stop_reason(summary) == ""
    relaxed = plan_scenario(load_scenario(TINY), SolveOptions(relax=True)).summary()
    assert relaxed["stopped_by"] == "optimal" and relaxed["solver"]["target_gap"] is None


def test_a_stop_on_request_keeps_the_best_plan_so_far(small) -> None:
    monitor = StopAtFirstPlan()
    plan = Planner(SolveOptions(time_limit=60)).plan(small, monitor=monitor)
    assert plan.status is Status.FEASIBLE
    assert plan.result.stopped_by == "interrupt" and monitor.interrupted
    assert not plan.schedule.empty
    assert monitor.timeline[-1].objective == pytest.approx(plan.result.objective)
    assert "stopped on request (Ctrl-C)" in stop_reason(plan.summary())


def test_a_solve_cut_short_by_its_time_limit_says_so() -> None:
    # Size M needs several seconds to reach its gap, so 0.3 s always cuts it short; the small
    # model can reach its gap within 0.3 s on a quiet machine.
    larger = generate_scenario(replace(SIZES["M"], seed=1))
    plan = Planner(SolveOptions(time_limit=0.3)).plan(larger, monitor=SolveMonitor())
    assert plan.result.stopped_by == "time_limit"
    if plan.status is Status.FEASIBLE:
        assert plan.summary()["stopped_by"] == "time_limit"
        assert "stopped at the time limit (0.3 s)" in stop_reason(plan.summary())


def test_ctrl_c_during_the_solve_records_and_prints_the_best_plan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, small, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "small"
    write_folder(folder, small)
    original = SolveMonitor.report

    def ctrl_c_at_first_plan(self: SolveMonitor, objective: float, bound: float, *,
                             improved: bool = False) -> bool:
        if improved and not self.timeline:
            signal.raise_signal(signal.SIGINT)  # as a user's Ctrl-C: to the main thread
        return original(self, objective, bound, improved=improved)

    monkeypatch.setattr(SolveMonitor, "report", ctrl_c_at_first_plan)
    assert invoke(monkeypatch, "run", str(folder), "--json") == ExitCode.OK
    summary = json.loads(capsys.readouterr().out)
    assert (summary["status"], summary["stopped_by"]) == ("feasible", "interrupt")
    with RunStore(store_path(), create=False) as runs:
        assert runs.get(runs.resolve("last")).status == "feasible"


def test_ctrl_c_outside_a_solve_ends_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("planner.scenario.variants.load_study", interrupted)
    assert invoke(monkeypatch, "run", str(TINY)) == 130  # 128 + SIGINT, as shells report it
    assert "Traceback" not in capsys.readouterr().err


def test_the_progress_line_says_where_the_solve_stands() -> None:
    monitor = SolveMonitor()
    assert monitor.line(0.001) == "building the model..."
    monitor.begin()
    monitor.solving = True
    assert monitor.line(0.001).endswith("s, no plan yet")
    monitor.latest = Progress(12.0, 21_800_000.0, 21_700_000.0)
    line = monitor.line(0.001)
    assert "best plan 21,800,000, bound 21,700,000, gap 0.46% (target 0.10%)" in line
    assert line.endswith("Ctrl-C keeps the best plan so far")
    monitor.stop()
    assert monitor.line(0.001).endswith("stopping...")
    monitor.stage = "building a first plan from the relaxation"
    assert monitor.line(0.001).endswith("s, building a first plan from the relaxation")


def test_the_timeline_keeps_each_narrower_gap_even_after_a_plan_without_a_bound() -> None:
    monitor = SolveMonitor()
    monitor.begin()
    monitor.report(100.0, 90.0, improved=True)     # a start, with its bound: gap 10%
    monitor.report(100.0, -math.inf, improved=True)  # the same plan again, no bound yet
    monitor.report(100.0, 95.0)                     # the bound rises: gap 5%
    monitor.report(100.0, 94.0)                     # not narrower: not kept
    monitor.report(100.0, 99.95)                    # gap 0.05%
    assert [p.gap for p in monitor.timeline] == pytest.approx([0.1, None, 0.05, 0.0005])
    reached = monitor.reached(0.001)
    assert reached is not None and reached.bound == 99.95


def test_verbose_streams_the_solver_log_line_by_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, "run", str(TINY), "--verbose") == ExitCode.OK
    err = capsys.readouterr().err
    assert "Solving report" in err and "\n  Status            Optimal\n" in err
