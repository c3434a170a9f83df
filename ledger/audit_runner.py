"""Runs audit tasks in this process or in a pool of processes, with bounded work in flight.

The audit is CPU-bound Python (hashing, JSON parsing), so threads would share one core; a
process pool uses them all. Workers are fresh interpreters (ledger/audit_pool.py), not
forks: the caller may be a threaded server, and a forked child would inherit its locks. Each
worker opens its own database connection from the picklable `DatabaseOptions`. At most
`2 x workers` tasks are in flight and results come back in submission order, so memory does
not grow with the ledger.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future

from .audit_pool import WorkerPool
from .audit_worker import HeadsTask, Result, Task, run_task
from .store import Database

__all__ = ["HeadsTask", "Result", "Runner", "Task", "run_task"]


class Runner:
    """`workers` = 0 runs tasks here, one by one; otherwise in that many processes."""

    def __init__(self, db: Database, workers: int = 0) -> None:
        self.db = db
        self.workers = workers
        self._pool = WorkerPool(workers, db.options) if workers > 0 else None

    def map(self, tasks: Iterable[Task]) -> Iterator[Result]:
        if self._pool is None:
            for task in tasks:
                yield run_task(self.db, task)
            return
        window: deque[Future[Result]] = deque()
        for task in tasks:
            window.append(self._pool.submit(task))
            if len(window) >= 2 * self.workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
