"""Appending records to a real SQLite file: seq, prev chains, idempotency, atomicity."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledger import ingest, record, timestamps
from ledger.draft import RecordDraft
from ledger.errors import ChainConflict, DuplicateRecord, InvalidRecord
from ledger.store import Database, DatabaseOptions
from ledger.store.schema import RecordRow
from tests.conftest import DraftFactory, draft_json


def _count(db: Database) -> int:
    with db.snapshot() as s:
        return int(s.scalar(select(func.count()).select_from(RecordRow)) or 0)


def test_seq_is_gapless_per_province(db: Database, make_draft: DraftFactory) -> None:
    out = ingest.append(db, [make_draft(310000), make_draft(320000), make_draft(310000)])
    assert [(a.record.province, a.record.seq) for a in out] == [
        (310000, 1), (320000, 1), (310000, 2)]
    out = ingest.append(db, [make_draft(310000) for _ in range(3)])
    assert [a.record.seq for a in out] == [3, 4, 5]
    assert all(a.created for a in out)


def test_leaf_hash_is_sha256_of_prefixed_canonical_record(db: Database,
                                                          make_draft: DraftFactory) -> None:
    (a,) = ingest.append(db, [make_draft()])
    assert a.leaf_hash == a.record.leaf_hash()
    with db.snapshot() as s:
        row = s.scalars(select(RecordRow)).one()
    assert row.canonical == a.record.canonical_bytes()


def test_prev_links_each_subject_chain(db: Database) -> None:
    steps = [RecordDraft.from_json(draft_json(case="C-1", kind=k))
             for k in ("case.submitted", "case.accepted", "case.decided")]
    out = ingest.append(db, steps[:2]) + ingest.append(db, steps[2:])
    assert out[0].record.prev is None
    assert out[1].record.prev == record.hex32(out[0].leaf_hash)
    assert out[2].record.prev == record.hex32(out[1].leaf_hash)


def test_chain_continues_across_provinces(db: Database) -> None:
    (fwd,) = ingest.append(db, [RecordDraft.from_json(
        draft_json(310000, case="X-1", kind="case.forwarded"))])
    (rcv,) = ingest.append(db, [RecordDraft.from_json(draft_json(
        330000, case="X-1", kind="case.received", prev=record.hex32(fwd.leaf_hash)))])
    assert rcv.record.province == 330000 and rcv.record.seq == 1
    assert rcv.record.prev == record.hex32(fwd.leaf_hash)


def test_first_record_may_link_to_a_leaf_held_elsewhere(db: Database) -> None:
    foreign = "0x" + "7f" * 32
    (a,) = ingest.append(db, [RecordDraft.from_json(draft_json(case="Y-1", prev=foreign))])
    assert a.record.prev == foreign


def test_stale_prev_is_a_conflict_and_writes_nothing(db: Database) -> None:
    (first,) = ingest.append(db, [RecordDraft.from_json(draft_json(case="C-2"))])
    ingest.append(db, [RecordDraft.from_json(draft_json(case="C-2", kind="case.accepted"))])
    stale = RecordDraft.from_json(draft_json(case="C-2", kind="case.decided",
                                             prev=record.hex32(first.leaf_hash)))
    with pytest.raises(ChainConflict):
        ingest.append(db, [RecordDraft.from_json(draft_json(case="OTHER")), stale])
    assert _count(db) == 2


def test_same_id_same_content_is_idempotent(db: Database) -> None:
    body = draft_json()
    (a,) = ingest.append(db, [RecordDraft.from_json(body)])
    (b,) = ingest.append(db, [RecordDraft.from_json(dict(body))])
    assert not b.created and b.record == a.record and b.leaf_hash == a.leaf_hash
    assert _count(db) == 1


def test_same_id_different_content_conflicts_and_changes_nothing(db: Database) -> None:
    body = draft_json()
    ingest.append(db, [RecordDraft.from_json(body)])
    with db.snapshot() as s:
        before = s.scalars(select(RecordRow.canonical)).all()
    altered = RecordDraft.from_json({**body, "payload": {"changed": True}})
    with pytest.raises(DuplicateRecord):
        ingest.append(db, [RecordDraft.from_json(draft_json(case="NEW")), altered])
    with db.snapshot() as s:
        assert s.scalars(select(RecordRow.canonical)).all() == before


def test_repeat_inside_one_request(db: Database) -> None:
    body = draft_json()
    out = ingest.append(db, [RecordDraft.from_json(body), RecordDraft.from_json(body)])
    assert out[0].created and not out[1].created and out[0].record == out[1].record
    with pytest.raises(DuplicateRecord):
        ingest.append(db, [RecordDraft.from_json(draft_json(record_id=body["record_id"],
                                                            case="Q")),
                           RecordDraft.from_json({**draft_json(case="Q"),
                                                  "record_id": body["record_id"]})])


def test_client_salt_is_kept_and_server_salt_is_random(db: Database) -> None:
    salt = "0x" + "11" * 16
    a, b = ingest.append(db, [RecordDraft.from_json(draft_json(case="S1", salt=salt)),
                              RecordDraft.from_json(draft_json(case="S2"))])
    assert a.record.salt == salt
    assert b.record.salt != salt and len(b.record.salt) == 34


def test_invalid_draft_never_reaches_storage(db: Database) -> None:
    with pytest.raises(InvalidRecord):
        RecordDraft.from_json(draft_json(payload={"x": 0.5}))
    assert _count(db) == 0


def test_recorded_at_comes_from_the_clock_read_under_the_write_lock(
        tmp_path: Path, make_draft: DraftFactory) -> None:
    """The clock is read while the writer holds SQLite's write lock, so recorded_at never
    decreases along seq whichever of two writers commits first; a pinned `now` wins."""
    path = tmp_path / "ledger.db"
    db = Database(DatabaseOptions(url=f"sqlite:///{path}"))
    db.create_schema()
    fixed = datetime(2027, 1, 15, 2, 0, tzinfo=UTC)
    locked: list[bool] = []

    def clock() -> datetime:
        probe = sqlite3.connect(path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            locked.append(False)
        except sqlite3.OperationalError:  # "database is locked": a writer holds it
            locked.append(True)
        finally:
            probe.close()
        return fixed

    try:
        (a,) = ingest.append(db, [make_draft()], clock=clock)
        assert locked == [True]
        assert a.record.recorded_at == timestamps.render(fixed)
        pinned = datetime(2026, 12, 1, tzinfo=UTC)
        (b,) = ingest.append(db, [make_draft()], now=pinned, clock=clock)
        assert locked == [True] and b.record.recorded_at == timestamps.render(pinned)
    finally:
        db.dispose()
