"""Solves past one machine: tasks on Dask distributed, results back on the submitting machine.

``--dask`` alone starts a :class:`distributed.LocalCluster` on this machine (one worker
process per core, one thread each, on 127.0.0.1, no dashboard), which stops with the
command. ``--dask tcp://host:8786`` joins a scheduler that is already running, with
workers on as many machines as were started (``dask scheduler``; ``dask worker
tcp://host:8786`` on each machine): a worker needs border-planner installed, and nothing
else, since each task carries its scenario.

A task whose worker is lost is run again on another (Dask's scheduler does this up to its
``allowed-failures``, 3 by default); a task that raises is retried :data:`RETRIES` times.
Results come back to the submitting process, which alone writes the run store.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from planner.errors import UsageError

LOCAL = "local"
"""What ``--dask`` without an address stands for: a cluster on this machine."""
RETRIES = 2
"""Times a task that raised is run again before its error is reported."""

Result = TypeVar("Result")


@contextmanager
def dask_client(address: str = LOCAL, *, workers: int | None = None) -> Iterator[Any]:
    """A Dask client: of a new local cluster (``local``), or of the scheduler at ``address``.

    The local cluster has ``workers`` processes (default one per core), and it and the
    client close when the block ends.
    """
    import logging

    from distributed import Client, LocalCluster

    # The cluster's own chatter (worker starts and stops, a lost worker's warnings) is the
    # scheduler's business, not the planner's: only errors reach the terminal.
    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if address == LOCAL:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, host="127.0.0.1", dashboard_address=None)
        try:
            client = Client(cluster)
        except BaseException:
            cluster.close()
            raise
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    if "://" not in address:
        address = f"tcp://{address}"  # host:port
    if not address.startswith(("tcp://", "tls://", "ws://", "wss://")):
        raise UsageError(f"--dask {address}: give a scheduler address such as "
                         "tcp://host:8786, or --dask alone for a cluster on this machine")
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise UsageError(f"--dask {address}: cannot reach the scheduler: {error}") from None
    try:
        yield client
    finally:
        client.close()


def run_tasks(client: Any, function: Callable[..., Result], tasks: Sequence[tuple[Any, ...]],
              done: Callable[[int, Result | None, BaseException | None], None]) -> None:
    """Run ``function(*task)`` for every task on ``client``'s workers.

    ``done(position, result, error)`` is called here, in the submitting process, as each
    task ends (in the order they end), with its result or the error it raised last.
    """
    from distributed import as_completed

    futures = [client.submit(function, *task, pure=False, retries=RETRIES) for task in tasks]
    position = {future.key: number for number, future in enumerate(futures)}
    for future in as_completed(futures):
        number = position[future.key]
        try:
            done(number, future.result(), None)
        except Exception as error:  # the task's own error, after its retries
            done(number, None, error)
        finally:
            future.release()
