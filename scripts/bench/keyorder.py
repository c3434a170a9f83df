"""2b. Key order: `ledger.ingest.append` in-process (no HTTP), 1,000 records per call into
one SQLite file (WAL, synchronous=FULL), CPU µs per record as the ledger grows, for three
ways a writer may choose record ids and case numbers. The ledger's unique index on
`record_id`, its subject index and `subject_head` are keyed by them, so where the keys land
decides how many index pages each commit dirties, writes to the WAL and fsyncs.

- ordered: UUIDv7 ids (`ledger.record_ids`), serial case numbers;
- day: UUIDv7 ids, case numbers random within the day, the form `POST /v1/cases` makes
  (`<province>-<yyyymmdd>-<6 random digits>`);
- random: UUIDv4 ids, random case numbers.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from govtrace.settings import Settings
from ledger import ingest, record_ids
from ledger.draft import RecordDraft
from ledger.store import Database

from .stats import figure

ORDERS = ("ordered", "day", "random")
_T = "2026-11-25T09:30:00+08:00"


def record_keys(order: str, n: int, day_serials: Sequence[int] = ()) -> tuple[str, str]:
    """(record id, case number) of the `n`-th record in key order `order`; "day" takes its
    case numbers' serials from `day_serials` (distinct, in random order). The HTTP ingest
    figures use the same keys (bench.ingest)."""
    if order == "random":
        return str(uuid.uuid4()), f"SH-{uuid.uuid4().hex[:16]}"
    case_no = (f"310000-20261125-{n:08d}" if order == "ordered"
               else f"310000-20261125-{day_serials[n]:06d}")
    return record_ids.new_record_id(), case_no


def _maker(order: str, total: int) -> Callable[[int], RecordDraft]:
    serials = random.Random(7).sample(range(10**6), total) if order == "day" else []

    def make(n: int) -> RecordDraft:
        record_id, case_no = record_keys(order, n, serials)
        return RecordDraft.from_json({
            "record_id": record_id, "province": 310000, "kind": "case.accepted",
            "subject": {"type": "case", "id": case_no}, "occurred_at": _T,
            "actor": {"department": "SH-GA-HZ", "officer": "E1043"},
            "payload": {"service": "户籍迁移", "channel": "跨省通办", "step": n % 7}})

    return make


def _one(order: str, total: int, checkpoints: list[int]) -> dict[str, Any]:
    """CPU µs per record of the appends between consecutive checkpoints (median per call)."""
    data_dir = Path(tempfile.mkdtemp(prefix="govtrace-bench-keys-"))
    db = Database(Settings(data_dir=data_dir, sqlite_synchronous="FULL").database_options())
    try:
        db.create_schema()
        make = _maker(order, total)
        out: dict[str, Any] = {}
        calls: list[float] = []
        for start in range(0, total, 1000):
            drafts = [make(n) for n in range(start, start + 1000)]
            cpu = time.process_time()
            ingest.append(db, drafts)
            calls.append((time.process_time() - cpu) / len(drafts) * 1e6)
            if start + 1000 in checkpoints:
                out[str(start + 1000)] = figure(calls, "µs/record").to_json()
                calls = []
        return out
    finally:
        db.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)


def run(total: int) -> dict[str, Any]:
    checkpoints = [total // 4, total // 2, total]
    return {"records": total, "orders": {order: _one(order, total, checkpoints)
                                         for order in ORDERS}}
