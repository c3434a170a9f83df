"""Build a large, valid ledger fast, for the evidence and audit benchmarks.

Records are made exactly as `ledger.ingest` makes them (same `Record`, canonical bytes, leaf
hashes, `prev` chains, subject and province heads) but inserted with executemany in big
transactions with SQLite's synchronous=OFF: building 10^6 records through the API would
take minutes and measure ingest, which has its own benchmark. Sealing uses the real
`ledger.sealing`, so roots and tiles are the ledger's own.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

from ledger import canonical, merkle, sealing, timestamps
from ledger.batch import SealPolicy
from ledger.record import Actor, Record, Subject, hex32
from ledger.store import Database, DatabaseOptions
from ledger.store.schema import ProvinceHeadRow, RecordRow, SubjectHeadRow

STEPS = ("case.submitted", "case.accepted", "case.reviewed", "case.decided")
PROVINCE = 310000


def build(path: Path, sizes: list[int], *, province: int = PROVINCE, chunk: int = 20_000
          ) -> Database:
    """A SQLite ledger at `path`: one province, batches of exactly `sizes` records (sealed in
    that order), four steps per case."""
    path.unlink(missing_ok=True)
    db = Database(DatabaseOptions(url=f"sqlite:///{path}", sqlite_synchronous="OFF"))
    db.create_schema()
    recorded = timestamps.render(timestamps.now())
    with db.engine.begin() as conn:
        conn.execute(insert(ProvinceHeadRow), [{"province": province, "last_seq": 0,
                                                "sealed_seq": 0, "last_batch_no": 0}])
    seq, last = 0, b""
    for size in sizes:
        end = seq + size
        while seq < end:
            rows, heads = [], []
            for i in range(seq, min(seq + chunk, end)):
                step = i % len(STEPS)
                case = f"{province}-2026-{i // len(STEPS):08d}"
                record = Record(
                    record_id=str(uuid.uuid4()), province=province, seq=i + 1,
                    kind=STEPS[step], subject=Subject("case", case),
                    occurred_at="2026-11-25T01:30:00.000000Z", recorded_at=recorded,
                    actor=Actor("SH-AMR", f"E{i % 97}"),
                    prev=None if step == 0 else hex32(last),
                    payload={"item": "business-licence-change", "step": step,
                             "applicant": "0x" + "ab" * 32, "备注": "跨省通办"},
                    salt="0x" + uuid.uuid4().hex)
                data = record.canonical_bytes()
                last = merkle.leaf_hash(data)
                draft = {k: v for k, v in record.to_json().items()
                         if k not in ("v", "seq", "recorded_at")}
                digest = hashlib.sha256(canonical.canonicalize(
                    {**draft, "prev": None, "salt": None})).digest()
                rows.append({"province": province, "seq": record.seq,
                             "record_id": record.record_id, "kind": record.kind,
                             "subject_type": "case", "subject_id": case,
                             "occurred_at": record.occurred_at, "recorded_at": recorded,
                             "canonical": data, "leaf_hash": last, "content_digest": digest})
                if step == len(STEPS) - 1 or i == sum(sizes) - 1:
                    heads.append({"subject_type": "case", "subject_id": case,
                                  "last_leaf": last, "length": step + 1})
            seq += len(rows)
            with db.engine.begin() as conn:
                conn.execute(insert(RecordRow), rows)
                if heads:
                    conn.execute(insert(SubjectHeadRow), heads)
                conn.execute(update(ProvinceHeadRow).where(ProvinceHeadRow.province == province)
                             .values(last_seq=seq))
        sealing.seal_due(db, SealPolicy(max_records=size, max_age=timedelta(days=1)),
                         force=True)
    return db


def sample_ids(db: Database, first_seq: int, size: int, count: int, seed: int = 1
               ) -> list[str]:
    """Record ids at random positions of the batch [first_seq, first_seq + size)."""
    rng = random.Random(seed)
    seqs = [first_seq + rng.randrange(size) for _ in range(count)]
    with db.snapshot() as s:
        return [s.execute(select(RecordRow.record_id).where(
            RecordRow.province == PROVINCE, RecordRow.seq == q)).scalar_one() for q in seqs]
