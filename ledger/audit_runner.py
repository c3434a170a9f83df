"""Runs audit tasks in this process or in a pool of processes, with bounded work in flight.

The audit is CPU-bound Python (hashing, JSON parsing), so threads would share one core; a
process pool uses them all. Processes are spawned, not forked: the caller may be a threaded
server, and a forked child would inherit its locks. Each worker opens its own database
connection from the picklable `DatabaseOptions`. At most `2 x workers` tasks are in flight
and results come back in submission order, so memory does not grow with the ledger.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from . import audit_chains, audit_scan
from .store import Database, DatabaseOptions


@dataclass(frozen=True, slots=True)
class HeadsTask:
    """Copy every subject head into the chain-check buckets."""

    bucket_dir: str
    buckets: int


Task = audit_scan.ScanTask | audit_chains.ChainTask | HeadsTask
Result = audit_scan.ScanResult | audit_chains.ChainResult | int

_worker_db: Database | None = None


def _init(options: DatabaseOptions) -> None:
    global _worker_db
    _worker_db = Database(options)


def run_task(db: Database, task: Task) -> Result:
    if isinstance(task, audit_scan.ScanTask):
        return audit_scan.scan(db, task)
    if isinstance(task, audit_chains.ChainTask):
        return audit_chains.check_bucket(task)
    count = 0
    for parts in audit_chains.head_entries(db, task.buckets):
        audit_scan.write_buckets(task.bucket_dir, parts)
        count += sum(len(v) for v in parts.values())
    return count


def _run_in_worker(task: Task) -> Result:
    assert _worker_db is not None
    return run_task(_worker_db, task)


class Runner:
    """`workers` = 0 runs tasks here, one by one; otherwise in that many processes."""

    def __init__(self, db: Database, workers: int = 0) -> None:
        self.db = db
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self._pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init, initargs=(db.options,))

    def map(self, tasks: Iterable[Task]) -> Iterator[Result]:
        if self._pool is None:
            for task in tasks:
                yield run_task(self.db, task)
            return
        window: deque[Future[Result]] = deque()
        for task in tasks:
            window.append(self._pool.submit(_run_in_worker, task))
            if len(window) >= 2 * self.workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
