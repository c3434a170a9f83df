"""`govtrace evidence` as an operator runs it (the installed command, a real SQLite file) on
a ledger whose sealed batch lost a record: a one-line error and exit 1, not a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from ledger import evidence, ingest, sealing
from ledger.batch import SealPolicy
from ledger.store import Database, DatabaseOptions
from tests.conftest import DraftFactory

GOVTRACE = str(Path(sys.executable).parent / "govtrace")


def _evidence(url: str, record_id: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GOVTRACE, "evidence", record_id, "--database-url", url],
                          capture_output=True, text=True, timeout=60, check=False)


def test_evidence_of_a_damaged_batch_fails_cleanly(tmp_path: Path,
                                                   make_draft: DraftFactory) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    db = Database(DatabaseOptions(url=url))
    db.create_schema()
    try:
        damaged = ingest.append(db, [make_draft(310000) for _ in range(4)])
        (b,) = sealing.seal_due(db, SealPolicy(), force=True)
        (intact,) = ingest.append(db, [make_draft(310000)])
        sealing.seal_due(db, SealPolicy(), force=True)
        with db.transaction() as s:
            s.execute(text("DELETE FROM record WHERE province = 310000 AND seq = 2"))
    finally:
        db.dispose()

    failed = _evidence(url, damaged[0].record.record_id)
    assert failed.returncode == 1, failed.stderr
    assert failed.stdout == "" and "Traceback" not in failed.stderr
    assert failed.stderr.splitlines() == [
        f"error: province 310000 batch {b.batch_no}: records of seq 1..4 are incomplete "
        "(3 of 4 stored): the ledger's stored data is incomplete; run `govtrace audit` to "
        "locate the damage"]

    ok = _evidence(url, intact.record.record_id)
    assert ok.returncode == 0, ok.stderr
    assert evidence.check(json.loads(ok.stdout)).record.record_id == intact.record.record_id
