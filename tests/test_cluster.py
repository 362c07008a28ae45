"""Sweeps and evaluations on Dask distributed: the same results as here, workers lost or not.

Each test starts its own cluster on 127.0.0.1 (two worker processes, no dashboard) and
stops it when done.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from planner.model.options import SolveOptions
from planner.model.stochastic import Risk
from planner.runs.evaluation import evaluate_run
from planner.runs.store import RunStore
from planner.runs.sweep import SweepOutcome, sweep, sweep_on_dask
from planner.scenario.demand import sample
from planner.scenario.schema import Scenario

from builders import invoke, within

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny"
WESTERN_BALKANS = ROOT / "scenarios" / "western_balkans_2022"
TINY_RUNS = ["base", "more_beds", "quiet_day3", "more_beds+quiet_day3"]


@pytest.fixture
def cluster() -> Iterator[str]:
    """A two-worker cluster on this machine; its scheduler's address."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as local:
        yield local.scheduler_address


def stored(store: Path) -> dict[str, tuple[float, pd.DataFrame]]:
    """Each stored run's objective and schedule, by its name (variant or base)."""
    with RunStore(store, create=False) as runs:
        records = [runs.get(int(run_id)) for run_id in runs.runs()["id"]]
    key = ["period", "section_id", "contribution_id"]
    return {record.variant or "base": (
        float(record.objective or 0.0),
        record.schedule[[*key, "quantity", "starts"]].sort_values(key, ignore_index=True))
        for record in records}


def assert_same_runs(first: Path, second: Path, *, schedules: bool = True) -> None:
    """The same runs with the same objectives and (``schedules``) the same schedules.

    An LP may have several optimal schedules, and a warm re-solve may find another one.
    """
    mine, theirs = stored(first), stored(second)
    assert sorted(mine) == sorted(theirs)
    for name, (objective, schedule) in mine.items():
        assert objective == pytest.approx(theirs[name][0], rel=1e-9), name
        if schedules:
            pd.testing.assert_frame_equal(schedule, theirs[name][1], check_dtype=False)


def test_sweep_on_dask_stores_what_the_process_pool_stores(tmp_path: Path,
                                                           cluster: str) -> None:
    options = SolveOptions()
    pool, dask = tmp_path / "pool.sqlite", tmp_path / "dask.sqlite"
    with within(300):
        local = sweep(TINY, TINY_RUNS, options, pool, jobs=2)
        remote = sweep_on_dask(TINY, TINY_RUNS, options, dask, address=cluster)
    assert [outcome.error for outcome in local + remote] == [None] * 8
    assert [outcome.name for outcome in remote] == TINY_RUNS
    assert all(outcome.run_id is not None for outcome in remote)
    assert_same_runs(pool, dask)


def test_sweep_survives_a_worker_killed_mid_run(tmp_path: Path, cluster: str) -> None:
    """The first run to finish kills a worker still solving: its run is solved again."""
    names = ["base", "summer_surge", "extra_pledge", "visa_alignment"]
    options = SolveOptions(relax=True)
    killed: list[str] = []

    def kill_a_busy_worker(outcome: SweepOutcome) -> None:
        if killed:
            return
        with distributed.Client(cluster) as client:
            busy = [worker for worker, keys in client.processing().items() if keys]
            pids = client.run(os.getpid)
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

    with within(600):
        outcomes = sweep_on_dask(WESTERN_BALKANS, names, options, tmp_path / "dask.sqlite",
                                 address=cluster, progress=kill_a_busy_worker)
        sweep(WESTERN_BALKANS, names, options, tmp_path / "pool.sqlite", jobs=2)
    assert killed, "no worker was busy when the first run ended"
    assert [outcome.error for outcome in outcomes] == [None] * len(names)
    assert [outcome.status for outcome in outcomes] == ["optimal"] * len(names)
    assert_same_runs(tmp_path / "pool.sqlite", tmp_path / "dask.sqlite", schedules=False)


def test_a_variant_that_does_not_apply_fails_alone_on_dask(tmp_path: Path,
                                                           cluster: str) -> None:
    outcomes = sweep_on_dask(TINY, ["base", "no_such_variant"], SolveOptions(),
                             tmp_path / "runs.sqlite", address=cluster)
    assert outcomes[0].error is None and outcomes[0].run_id == 1
    assert outcomes[1].status == "failed"
    assert "no_such_variant" in (outcomes[1].error or "")


def test_evaluation_on_dask_equals_the_one_here(tmp_path: Path, cluster: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "runs.sqlite"
    assert invoke(monkeypatch, "run", str(WESTERN_BALKANS), "--relax", "--store",
                  str(store)) == 0
    with RunStore(store, create=False) as runs:
        record = runs.get(1)
    demand = sample(Scenario.model_validate(record.inputs), 12, seed=5)
    here = evaluate_run(record, demand, Risk())
    there = evaluate_run(record, demand, Risk(), address=cluster)
    columns = ["scenario", "total_cost", "shortfall", "coverage_per_cent"]
    pd.testing.assert_frame_equal(here.outcomes[columns], there.outcomes[columns],
                                  check_exact=False, rtol=1e-7)
    assert here.summary["plan"]["expected_shortfall"] == pytest.approx(
        there.summary["plan"]["expected_shortfall"], rel=1e-7)


def test_a_scheduler_address_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(monkeypatch, "sweep", str(TINY), "--dask", "ftp://scheduler:8786",
                  "--store", str(tmp_path / "runs.sqlite")) == 2
    assert ("give a scheduler address such as tcp://host:8786"
            in capsys.readouterr().err.replace("\n", " "))
