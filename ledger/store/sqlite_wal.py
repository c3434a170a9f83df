"""SQLite WAL upkeep for a long-running process: background checkpoints and a writer gate.

Checkpoints. In WAL mode a commit appends pages to the `-wal` file; a *checkpoint* copies
them back into the database file and fsyncs it. By default the committing connection runs
one itself whenever the WAL passes 1,000 pages, so every few commits one writer's request
pays for copying and fsyncing everybody's pages (measured: mean commit of a 16-record group
10.5 ms, against 3.3 ms without). A process that serves writes therefore runs
`WalCheckpointer`: a thread with its own connection that checkpoints PASSIVE-ly (it never
waits for or blocks a writer) every `interval` seconds. Writers keep a high
`wal_autocheckpoint` only as a backstop for processes without one. Durability does not
change: a commit is durable once its WAL frames are fsynced (synchronous=FULL).

Writer gate. SQLite lets one writer in at a time; the others, in BEGIN IMMEDIATE, sleep in
SQLite's busy handler on a fixed back-off (1, 2, 5, 10, 15, 20, 25 ms...), so with several
API processes a waiting group commit often sleeps well past the moment the lock is free.
`WriterGate` makes writers queue on an exclusive `flock` of `<db>-writer.lock` first, which
hands over the moment the holder lets go. It is an optimisation only: a writer that does not
take the gate (another tool) still gets SQLite's own locking, just with the back-off.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("govtrace.store")

#: Backstop for connections of processes without a checkpointer: 10,000 pages (~40 MiB).
#: Larger than SQLite's 1,000 so that one checkpoint covers many commits: pages that many
#: commits dirty (random-key index pages) are copied once, not once per commit.
WAL_AUTOCHECKPOINT_PAGES = 10_000


class WalCheckpointer:
    """Checkpoints `path` every `interval` seconds from a daemon thread until `stop()`."""

    def __init__(self, path: Path, interval: float) -> None:
        self.path = path
        self.interval = interval
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self.checkpoints = 0

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def start(self) -> None:
        """Start the thread (first write transaction does it; idempotent under its lock)."""
        with self._lock:
            if not self.started and not self._stopped.is_set():
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=0, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:  # the file is gone or unreadable: writers backstop
            log.warning("WAL checkpointer for %s not started: %s", self.path, exc)
            return
        try:
            while not self._stopped.wait(self.interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error as exc:
                    # Busy (another process's checkpointer) or a transient I/O error: the
                    # next round, or a writer's backstop, will do it.
                    log.debug("WAL checkpoint of %s skipped: %s", self.path, exc)
        finally:
            conn.close()


class WriterGate:
    """A cross-process FIFO-ish mutex for SQLite writers (exclusive flock on a side file).

    Re-entrant per thread, so a writer that opens a nested write transaction does not wait
    for itself. One file descriptor per thread: flock locks belong to open file
    descriptions, so two threads of one process exclude each other as two processes do.
    """

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + "-writer.lock")
        self._local = threading.local()

    def acquire(self) -> None:
        depth: int = getattr(self._local, "depth", 0)
        if depth == 0:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # releases the GIL while it waits
            except OSError:
                os.close(fd)
                raise
            self._local.fd = fd
        self._local.depth = depth + 1

    def release(self) -> None:
        depth: int = getattr(self._local, "depth", 0)
        if depth == 0:
            return
        self._local.depth = depth - 1
        if depth == 1:
            fd: int = self._local.fd
            del self._local.fd
            os.close(fd)  # closing the descriptor drops its flock


__all__ = ["WAL_AUTOCHECKPOINT_PAGES", "WalCheckpointer", "WriterGate"]
