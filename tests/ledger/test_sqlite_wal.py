"""SQLite WAL upkeep (ledger/store/sqlite_wal.py): the writer gate and background checkpoints,
on real database files and real processes."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ledger import ingest
from ledger.draft import RecordDraft
from ledger.store import Database, DatabaseOptions
from ledger.store.sqlite_wal import WriterGate

_HOLD = """
import sys, time
from pathlib import Path
from ledger.store.sqlite_wal import WriterGate
gate = WriterGate(Path(sys.argv[1]))
gate.acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
released = time.time()
gate.release()
print(released, flush=True)
"""


def _draft(i: int) -> RecordDraft:
    return RecordDraft.from_json({
        "record_id": f"00000000-0000-4000-8000-{i:012d}", "province": 310000,
        "kind": "case.accepted", "subject": {"type": "case", "id": f"SH-WAL-{i}"},
        "occurred_at": "2026-11-25T08:00:00+08:00", "actor": {"department": "SH-GA"},
        "payload": {"n": i}})


def test_writer_gate_waits_for_another_process(tmp_path: Path) -> None:
    db_path = tmp_path / "l.db"
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db_path), "0.5"],
                              stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    gate = WriterGate(db_path)
    gate.acquire()
    acquired = time.time()
    gate.release()
    released = float(holder.stdout.readline())
    assert holder.wait(10) == 0
    assert acquired >= released


def test_writer_gate_is_reentrant_per_thread_and_excludes_other_threads(tmp_path: Path) -> None:
    gate = WriterGate(tmp_path / "l.db")
    gate.acquire()
    gate.acquire()  # a nested write transaction must not wait for itself
    got = threading.Event()

    def other() -> None:
        gate.acquire()
        got.set()
        gate.release()

    thread = threading.Thread(target=other)
    thread.start()
    gate.release()
    assert not got.wait(0.2), "released once of twice: still held"
    gate.release()
    assert got.wait(5), "fully released: the other thread gets it"
    thread.join(5)


def test_transaction_releases_the_gate_after_a_failed_write(tmp_path: Path) -> None:
    db = Database(DatabaseOptions(url=f"sqlite:///{tmp_path / 'l.db'}"))
    db.create_schema()
    with pytest.raises(RuntimeError), db.transaction():
        raise RuntimeError("boom")
    acquired = threading.Event()

    def writer() -> None:
        with db.transaction():
            acquired.set()

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join(5)
    assert acquired.is_set()
    db.dispose()


def _checkpointed_records(path: Path, tmp_path: Path) -> int:
    """Records in the database file itself, i.e. copied out of the WAL by a checkpoint: a
    copy of the main file without its -wal sees nothing else."""
    copy = tmp_path / "main-file-only.db"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM record").fetchone()[0])
        except sqlite3.OperationalError:  # not even the schema was checkpointed
            return 0


def test_background_checkpointer_copies_the_wal_and_stops_on_dispose(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    db = Database(DatabaseOptions(url=f"sqlite:///{path}", sqlite_checkpoint_interval=0.05))
    db.create_schema()
    checkpointer = db._checkpointer
    assert checkpointer is not None and not checkpointer.started
    for i in range(20):
        ingest.append(db, [_draft(i)])
    assert checkpointer.started
    # Two rounds after the last commit: the second began after it, whatever the timing.
    wanted = checkpointer.checkpoints + 2
    deadline = time.monotonic() + 10
    while checkpointer.checkpoints < wanted and time.monotonic() < deadline:
        time.sleep(0.02)
    assert checkpointer.checkpoints >= wanted
    assert _checkpointed_records(path, tmp_path) == 20
    db.dispose()
    assert not checkpointer._thread.is_alive()


def test_without_a_checkpointer_writers_keep_the_wal_within_the_backstop(tmp_path: Path
                                                                           ) -> None:
    path = tmp_path / "l.db"
    db = Database(DatabaseOptions(url=f"sqlite:///{path}"))
    db.create_schema()
    assert db._checkpointer is None
    for i in range(20):
        ingest.append(db, [_draft(i)])
    time.sleep(0.2)
    assert _checkpointed_records(path, tmp_path) == 0  # still only in the WAL
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
    assert pages == 10_000
    db.dispose()
