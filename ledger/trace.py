"""Traces: every record of one case or license, in chain order, across provinces, with each
record's anchoring status, and every place where the chain of `prev` hashes breaks.

Nothing stored is trusted: each leaf hash is recomputed from the record's stored bytes, and
records are ordered by following `prev` links, not by any column. So a step deleted from the
database shows as a record whose `prev` names a leaf no record hashes to; a step altered in
place shows both as `altered` (its bytes no longer match its leaf hash) and as a broken link
for its successor; a removed latest step shows against the ledger's subject head.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import anchoring, evidence, lookup, merkle
from .anchoring import Anchor
from .batch import Batch
from .canonical import parse
from .errors import LedgerError, LedgerInconsistent
from .record import hex32, unhex
from .store.schema import RecordRow, SubjectHeadRow


@dataclass(slots=True)
class TracedRecord:
    record_id: str
    province: int
    seq: int
    kind: str
    occurred_at: str
    recorded_at: str
    #: The record as stored, parsed; None if its bytes are not even JSON any more.
    record: dict[str, Any] | None
    #: Recomputed from the stored bytes.
    leaf_hash: bytes
    prev: bytes | None
    altered: bool
    links_to_previous: bool = True
    batch: Batch | None = None
    anchor: Anchor | None = None

    @property
    def status(self) -> str:
        if self.batch is None:
            return "pending"
        return "anchored" if self.anchor is not None and self.anchor.confirmed else "sealed"

    @property
    def step(self) -> str:
        return self.kind.partition(".")[2]


@dataclass(frozen=True, slots=True)
class Break:
    index: int
    record_id: str | None
    reason: str  # altered | missing-predecessor | fork | missing-latest | length-mismatch
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "record_id": self.record_id, "reason": self.reason,
                "detail": self.detail}


@dataclass(slots=True)
class Trace:
    subject_type: str
    subject_id: str
    records: list[TracedRecord]
    breaks: list[Break] = field(default_factory=list)
    head: bytes | None = None

    @property
    def complete(self) -> bool:
        return not self.breaks


def _load(row: RecordRow) -> TracedRecord:
    leaf = merkle.leaf_hash(row.canonical)
    try:
        obj = parse(row.canonical)
        prev = obj.get("prev") if isinstance(obj, dict) else None
        record = obj if isinstance(obj, dict) else None
    except (LedgerError, ValueError):
        record, prev = None, None
    return TracedRecord(row.record_id, row.province, row.seq, row.kind, row.occurred_at,
                        row.recorded_at, record, leaf,
                        unhex(prev) if isinstance(prev, str) and len(prev) == 66 else None,
                        altered=leaf != row.leaf_hash)


def trace(session: Session, subject_type: str, subject_id: str) -> Trace:
    rows = session.scalars(select(RecordRow).where(RecordRow.subject_type == subject_type,
                                                   RecordRow.subject_id == subject_id))
    pool = [_load(r) for r in rows]
    head_row = session.get(SubjectHeadRow, (subject_type, subject_id))
    t = Trace(subject_type, subject_id, _chain_order(pool),
              head=None if head_row is None else head_row.last_leaf)
    for r in t.records:
        r.batch = lookup.batch_of(session, r.province, r.seq)
        if r.batch is not None:
            r.anchor = anchoring.get(session, r.batch.province, r.batch.batch_no)
    _find_breaks(t, None if head_row is None else head_row.length)
    return t


def _chain_order(pool: list[TracedRecord]) -> list[TracedRecord]:
    """Follow `prev` links from the first record; restart at each gap in ledger order."""
    leaves = {r.leaf_hash for r in pool}
    children: dict[bytes | None, list[TracedRecord]] = defaultdict(list)
    for r in pool:
        children[r.prev].append(r)

    def key(r: TracedRecord) -> tuple[str, int, int]:
        return (r.recorded_at, r.province, r.seq)

    remaining = sorted(pool, key=key)
    ordered: list[TracedRecord] = []
    placed: set[int] = set()
    while len(placed) < len(pool):
        todo = [r for r in remaining if id(r) not in placed]
        # A segment starts at a record whose predecessor is absent (or at the root).
        starts = [r for r in todo if r.prev is None or r.prev not in leaves] or todo
        cur: TracedRecord | None = starts[0]
        while cur is not None:
            ordered.append(cur)
            placed.add(id(cur))
            nxt = sorted((c for c in children[cur.leaf_hash] if id(c) not in placed), key=key)
            cur = nxt[0] if nxt else None
    return ordered


def _find_breaks(t: Trace, length: int | None) -> None:
    by_prev: dict[bytes | None, int] = defaultdict(int)
    for r in t.records:
        by_prev[r.prev] += 1
    for i, r in enumerate(t.records):
        if r.altered:
            t.breaks.append(Break(i, r.record_id, "altered", "the stored record no longer "
                                  "hashes to its leaf hash: its content was changed"))
        expected = t.records[i - 1].leaf_hash if i else None
        r.links_to_previous = r.prev == expected
        if r.links_to_previous:
            continue
        if by_prev[r.prev] > 1:
            t.breaks.append(Break(i, r.record_id, "fork", "another record names the same "
                                  "predecessor: the chain forks"))
        elif r.prev is None:
            t.breaks.append(Break(i, r.record_id, "missing-predecessor", "a second first "
                                  "record: the chain restarts"))
        else:
            t.breaks.append(Break(i, r.record_id, "missing-predecessor",
                                  f"prev {hex32(r.prev)} is the leaf hash of no record of "
                                  "this subject: the step before was deleted or altered"))
    last = t.records[-1].leaf_hash if t.records else None
    if t.head is not None and last != t.head:
        t.breaks.append(Break(len(t.records), None, "missing-latest",
                              f"the ledger's head for this subject is {hex32(t.head)} after "
                              f"{length} records; the trace ends elsewhere"))
    elif length is not None and length != len(t.records) and not t.breaks:
        t.breaks.append(Break(len(t.records), None, "length-mismatch",
                              f"the ledger counted {length} records for this subject; "
                              f"{len(t.records)} are stored"))


def bundle_of(session: Session, r: TracedRecord) -> dict[str, Any] | None:
    """The evidence bundle of a traced record, or None while unsealed (or unprovable).

    LedgerInconsistent (the batch's stored leaves or tiles are missing) propagates: it is
    damage an operator must see, not a record that merely has no bundle yet."""
    if r.batch is None or r.altered:
        return None
    try:
        return evidence.build(session, r.record_id)
    except LedgerInconsistent:
        raise
    except LedgerError:
        return None
