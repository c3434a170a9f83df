"""The audit's worker processes (ledger/audit_pool.py): results in order, a task's exception
comes back as itself, a dead worker fails the audit instead of hanging it, and nothing
outlives the pool."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger.audit_chains import ChainTask
from ledger.audit_pool import WorkerPool
from ledger.audit_scan import ScanTask
from ledger.store import DatabaseOptions


@pytest.fixture
def options(tmp_path: Path) -> DatabaseOptions:
    return DatabaseOptions(url=f"sqlite:///{tmp_path / 'empty.db'}")  # no tables at all


def test_results_come_back_in_order_and_workers_exit(options: DatabaseOptions,
                                                     tmp_path: Path) -> None:
    pool = WorkerPool(2, options)
    futures = [pool.submit(ChainTask(str(tmp_path), bucket)) for bucket in range(6)]
    assert [f.result(timeout=60).subjects for f in futures] == [0] * 6
    processes = [w.process for w in pool.workers]
    pool.close()
    assert all(p.poll() == 0 for p in processes)


def test_a_task_that_fails_raises_its_own_exception(options: DatabaseOptions) -> None:
    pool = WorkerPool(1, options)
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            pool.submit(ScanTask(310000, 1, 10)).result(timeout=60)
        # the worker survives its task's failure
        assert pool.submit(ScanTask(310000, 1, 1)).result(timeout=60).rows == 0
    finally:
        pool.close()


def test_a_dead_worker_fails_the_audit_instead_of_hanging_it(options: DatabaseOptions,
                                                             tmp_path: Path) -> None:
    pool = WorkerPool(1, options)
    worker = pool.workers[0]
    try:
        # Killed while it still starts up (importing takes a third of a second): the task
        # it was given fails, and a worker that is gone takes no more tasks.
        pending = pool.submit(ChainTask(str(tmp_path), 0))
        worker.process.kill()
        with pytest.raises(RuntimeError, match="exited with code -9"):
            pending.result(timeout=60)
        worker.reader.join(timeout=60)
        with pytest.raises(BrokenPipeError):
            pool.submit(ChainTask(str(tmp_path), 1))
    finally:
        pool.close()
    assert worker.process.poll() is not None
