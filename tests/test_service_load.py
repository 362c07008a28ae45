"""The service under load on this machine: 50 clients reading runs while 10 submit runs.

``planner serve`` runs as its own process on a free localhost port, started and stopped
by the test. Nothing may be lost (every submitted run ends recorded), nothing may get a
5xx, and the reads' latency is printed (median and 95th percentile), not asserted: the
machines this runs on are shared.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from planner.runs.store import RunStore
from planner.service.tokens import Role, create_token

from builders import served

ROOT = Path(__file__).resolve().parents[1]
READERS, READS_EACH, SUBMITTERS = 50, 20, 10


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """A served store on localhost, a planner token and a viewer token; stopped after."""
    folder = tmp_path_factory.mktemp("load")
    store = folder / "runs.sqlite"
    with RunStore(store) as runs:
        planner = create_token(runs, Role.PLANNER)[0]
        viewer = create_token(runs, Role.VIEWER)[0]
    with served(store, folder, "--scenario", str(ROOT / "scenarios" / "tiny"),
                "--workers", "2") as base:
        yield base, planner, viewer


def test_fifty_readers_and_ten_submitters_lose_nothing(
    server: tuple[str, str, str], capsys: pytest.CaptureFixture[str],
) -> None:
    base, planner, viewer = server
    with httpx.Client(base_url=base, timeout=60) as warm:
        scenario = warm.get("/api/v1/scenarios",
                            headers={"Authorization": f"Bearer {viewer}"}).json()[0]["id"]
        first = warm.post("/api/v1/runs", json={"scenario": scenario},
                          headers={"Authorization": f"Bearer {planner}"}).json()
    statuses: list[int] = []
    latencies: list[float] = []

    def read(index: int) -> None:
        paths = ["/api/v1/runs", "/api/v1/jobs", f"/api/v1/jobs/{first['id']}",
                 "/api/v1/scenarios"]
        with httpx.Client(base_url=base, timeout=60,
                          headers={"Authorization": f"Bearer {viewer}"}) as client:
            for call in range(READS_EACH):
                started = time.perf_counter()
                response = client.get(paths[(index + call) % len(paths)])
                latencies.append(time.perf_counter() - started)
                statuses.append(response.status_code)

    def submit(index: int) -> dict[str, Any]:
        with httpx.Client(base_url=base, timeout=60,
                          headers={"Authorization": f"Bearer {planner}"}) as client:
            response = client.post("/api/v1/runs", json={
                "scenario": scenario, "variants": ["more_beds"] if index % 2 else []})
            statuses.append(response.status_code)
            job: dict[str, Any] = response.json()
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                job = client.get(f"/api/v1/jobs/{job['id']}").json()
                if job["state"] in ("succeeded", "failed", "cancelled"):
                    return job
                time.sleep(0.2)
            return job

    started = time.perf_counter()
    with ThreadPoolExecutor(READERS + SUBMITTERS) as pool:
        submitted = [pool.submit(submit, index) for index in range(SUBMITTERS)]
        reads = [pool.submit(read, index) for index in range(READERS)]
        for future in reads:
            future.result()
        jobs = [future.result() for future in submitted]
    wall = time.perf_counter() - started
    assert [status for status in statuses if status >= 500] == []
    assert sorted(set(statuses)) == [200, 202]
    assert len(latencies) == READERS * READS_EACH
    assert [job["state"] for job in jobs] == ["succeeded"] * SUBMITTERS
    with httpx.Client(base_url=base, timeout=60,
                      headers={"Authorization": f"Bearer {viewer}"}) as client:
        recorded = {row["id"]: row for row in client.get("/api/v1/runs").json()}
    assert {job["run_id"] for job in jobs} <= set(recorded)  # nothing lost
    objectives = sorted(recorded[job["run_id"]]["objective"] for job in jobs)
    assert objectives == pytest.approx([635.0] * 5 + [770.0] * 5)  # README.md of tiny
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    with capsys.disabled():
        print(f"\nload: {READERS} readers x {READS_EACH} reads, {SUBMITTERS} runs submitted, "
              f"{wall:.1f} s wall on {os.cpu_count()} cores; reads: median "
              f"{statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
              f"max {ordered[-1] * 1000:.0f} ms")
