"""Traces across provinces: the chain runs unbroken through the handover, and a step deleted
from or altered in the database is reported as a break at the right place."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from ledger import sealing, trace
from ledger.batch import SealPolicy
from ledger.record import hex32
from ledger.store import Database
from ledger.store.schema import RecordRow
from tests.domain.conftest import SH, ZJ, cross_path, submit


def _trace(db: Database, case_no: str) -> trace.Trace:
    with db.snapshot() as s:
        return trace.trace(s, "case", case_no)


def _cross_case(db: Database) -> str:
    no = submit(db).case.case_no
    cross_path(db, no)
    return no


def test_the_handover_continues_one_chain_across_provinces(ledger_db: Database) -> None:
    no = _cross_case(ledger_db)
    t = _trace(ledger_db, no)
    assert t.complete and t.breaks == []
    assert [r.step for r in t.records] == ["submitted", "accepted", "forwarded", "received",
                                          "review_started", "decided", "completed",
                                          "delivered"]
    assert [r.province for r in t.records] == [SH, SH, SH, ZJ, ZJ, ZJ, ZJ, ZJ]
    forwarded, received = t.records[2], t.records[3]
    # Zhejiang's first record of the case carries the leaf hash of Shanghai's forward.
    assert received.prev == forwarded.leaf_hash and received.province != forwarded.province
    assert all(r.links_to_previous for r in t.records) and t.records[0].prev is None
    assert t.head == t.records[-1].leaf_hash
    assert {r.status for r in t.records} == {"pending"}


def test_statuses_follow_sealing(ledger_db: Database) -> None:
    no = _cross_case(ledger_db)
    sealing.seal_due(ledger_db, SealPolicy(max_records=1000), force=True)
    t = _trace(ledger_db, no)
    assert {r.status for r in t.records} == {"sealed"}
    with ledger_db.snapshot() as s:
        bundles = [trace.bundle_of(s, r) for r in t.records]
    assert all(b is not None and b["record"]["record_id"] == r.record_id
               for b, r in zip(bundles, t.records, strict=True))


def test_a_deleted_middle_step_is_a_break(ledger_db: Database) -> None:
    no = _cross_case(ledger_db)
    before = _trace(ledger_db, no)
    gone = before.records[3]  # Zhejiang's "received"
    with ledger_db.transaction() as s:
        s.execute(delete(RecordRow).where(RecordRow.record_id == gone.record_id))
    t = _trace(ledger_db, no)
    assert not t.complete
    assert [r.step for r in t.records] == ["submitted", "accepted", "forwarded",
                                          "review_started", "decided", "completed",
                                          "delivered"]
    [brk] = t.breaks
    assert (brk.index, brk.record_id, brk.reason) == (3, before.records[4].record_id,
                                                      "missing-predecessor")
    assert hex32(gone.leaf_hash) in brk.detail
    assert not t.records[3].links_to_previous


def test_an_altered_middle_step_is_a_break(ledger_db: Database) -> None:
    no = _cross_case(ledger_db)
    target = _trace(ledger_db, no).records[5]  # "decided"
    with ledger_db.transaction() as s:
        data = s.scalar(select(RecordRow.canonical).where(
            RecordRow.record_id == target.record_id))
        assert data is not None and b'"approved"' in data
        s.execute(update(RecordRow).where(RecordRow.record_id == target.record_id)
                  .values(canonical=data.replace(b'"approved"', b'"denied"')))
    t = _trace(ledger_db, no)
    assert not t.complete and len(t.records) == 8
    reasons = [(b.index, b.reason) for b in t.breaks]
    assert reasons == [(5, "altered"), (6, "missing-predecessor")]
    assert t.records[5].altered and t.records[5].record is not None
    assert t.records[5].record["payload"]["decision"] == "denied"  # shown as stored
    with ledger_db.snapshot() as s:
        assert trace.bundle_of(s, t.records[5]) is None  # no evidence for altered content


def test_a_deleted_latest_step_is_a_break(ledger_db: Database) -> None:
    no = _cross_case(ledger_db)
    last = _trace(ledger_db, no).records[-1]
    with ledger_db.transaction() as s:
        s.execute(delete(RecordRow).where(RecordRow.record_id == last.record_id))
    t = _trace(ledger_db, no)
    assert [b.reason for b in t.breaks] == ["missing-latest"]
    assert t.breaks[0].index == 7


def test_a_deleted_first_step_is_a_break(ledger_db: Database) -> None:
    no = _cross_case(ledger_db)
    first = _trace(ledger_db, no).records[0]
    with ledger_db.transaction() as s:
        s.execute(delete(RecordRow).where(RecordRow.record_id == first.record_id))
    t = _trace(ledger_db, no)
    assert [(b.index, b.reason) for b in t.breaks] == [(0, "missing-predecessor")]
    assert t.records[0].step == "accepted"


def test_an_unknown_subject_has_an_empty_complete_trace(ledger_db: Database) -> None:
    t = _trace(ledger_db, "310000-NOTHING")
    assert t.records == [] and t.complete and t.head is None
