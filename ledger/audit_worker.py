"""What the audit's workers run: its tasks, and the worker process's main loop.

A worker (started by ledger/audit_pool.py, which calls `main([TASK_FD, RESULT_FD])`) reads
the database options, then tasks, from TASK_FD, runs each with `run_task` and writes (True,
result) or (False, exception) to RESULT_FD, in order, until TASK_FD ends. `run_task` is also
how an audit without workers runs its tasks in-process.
"""

from __future__ import annotations

import gc
import os
import pickle
import traceback
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from . import audit_chains, audit_heads, audit_scan
from .audit_pool import read_frame, write_frame
from .store import Database

#: SQLite page cache of a worker's connection, KiB (B-tree interior pages fit many times).
WORKER_CACHE_KIB = 8192


@dataclass(frozen=True, slots=True)
class HeadsTask:
    """Copy every subject head into the chain-check buckets."""

    bucket_dir: str
    buckets: int


Task = audit_scan.ScanTask | audit_chains.ChainTask | HeadsTask
Result = audit_scan.ScanResult | audit_chains.ChainResult | int


def run_task(db: Database, task: Task) -> Result:
    if isinstance(task, audit_scan.ScanTask):
        return audit_scan.scan(db, task)
    if isinstance(task, audit_chains.ChainTask):
        return audit_chains.check_bucket(task)
    return audit_heads.write_heads(db, task.bucket_dir, task.buckets)


def _small_cache(dbapi_conn: Any, _record: Any) -> None:
    """A worker reads each page once, in order: the 64 MiB page cache a writer wants
    (ledger/store/database.py) would only fill up and stay resident."""
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA cache_size=-{WORKER_CACHE_KIB}")
    cursor.close()


def main(argv: list[str]) -> int:
    try:
        return _serve(int(argv[0]), int(argv[1]))
    except (KeyboardInterrupt, BrokenPipeError):  # the coordinator is stopping
        return 1


def _serve(task_fd: int, result_fd: int) -> int:
    with os.fdopen(task_fd, "rb") as tasks, os.fdopen(result_fd, "wb") as results:
        more, options = read_frame(tasks)
        if not more:
            return 0
        db = Database(options)
        if db.is_sqlite:
            event.listen(db.engine, "connect", _small_cache)
        # Everything imported so far lives as long as the worker: out of the collector's
        # sight, a full collection no longer walks SQLAlchemy's ~10^5 objects (measured:
        # the chain check ran 2x faster).
        gc.freeze()
        try:
            while True:
                more, task = read_frame(tasks)
                if not more:
                    return 0
                try:
                    reply: tuple[bool, object] = (True, run_task(db, task))
                except Exception as exc:  # the coordinator re-raises it
                    reply = (False, exc)
                try:
                    write_frame(results, reply)
                except (pickle.PicklingError, TypeError, AttributeError):  # not picklable
                    write_frame(results, (False, RuntimeError(traceback.format_exc())))
        finally:
            db.dispose()
