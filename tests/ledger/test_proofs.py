"""The evidence read path: proofs from one leaf range plus cached upper levels, the one-statement
record lookup, and what must never be cached (anchors, inconsistent storage)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from ledger import anchoring, evidence, ingest, lookup, merkle, sealing, tiles, trace
from ledger.batch import Batch, SealPolicy
from ledger.errors import LedgerInconsistent, NotFound, VerificationError
from ledger.store import Database
from ledger.store.schema import RecordRow
from tests.conftest import DraftFactory

CONTRACT, TX, BLOCK = "0x" + "5f" * 20, "0x" + "aa" * 32, "0x" + "bb" * 32


def _served_path(hashes: list[bytes], index: int) -> list[bytes]:
    """What lookup.inclusion_proof computes, on in-memory leaves and stored levels."""
    size = len(hashes)
    tile = index >> tiles.TILE_HEIGHT
    lo = tile * tiles.TILE_WIDTH
    path = tiles.path_in_tile(hashes[lo:lo + tiles.TILE_WIDTH], index - lo)
    if size <= tiles.TILE_WIDTH:
        return path
    level8 = tiles.unpack(tiles.build(hashes).stored_levels.get(tiles.TILE_HEIGHT, b""))
    if size % tiles.TILE_WIDTH:
        level8.append(merkle.root_from_hashes(hashes[len(level8) * tiles.TILE_WIDTH:]))
    upper = tiles.UpperLevels.compute(level8)
    assert upper.root == merkle.root_from_hashes(hashes)
    return path + upper.path_above(tile)


@pytest.mark.parametrize("size", [1, 2, 3, 255, 256, 257, 511, 512, 513, 1000, 65536, 65537,
                                  70001])
def test_tile_and_upper_paths_are_the_rfc9162_paths(size: int) -> None:
    rng = random.Random(size)
    hashes = [rng.randbytes(32) for _ in range(size)]
    levels = merkle.levels_from_hashes(hashes)
    edges = {0, 1, 255, 256, 257, size // 2, size - 257, size - 256, size - 2, size - 1}
    for index in sorted({i for i in edges if 0 <= i < size} | {rng.randrange(size)}):
        expected = merkle.inclusion_path(lambda lv, i: levels[lv][i], index, size)
        assert _served_path(hashes, index) == expected, index


def _sealed(db: Database, make_draft: DraftFactory, n: int) -> Batch:
    for start in range(0, n, 1000):
        ingest.append(db, [make_draft(330000) for _ in range(min(1000, n - start))])
    (batch,) = sealing.seal_due(db, SealPolicy(max_records=n), force=True)
    return batch


def test_served_proofs_match_the_tile_by_tile_reads(db: Database, make_draft: DraftFactory
                                                    ) -> None:
    b = _sealed(db, make_draft, 1300)  # five level-8 nodes, a carried tail of 20 leaves
    lookup.upper_cache.clear()
    with db.snapshot() as s:
        leaves = s.scalars(select(RecordRow.leaf_hash).order_by(RecordRow.seq)).all()
        for index in [0, 255, 256, 1023, 1279, 1280, 1299, *random.sample(range(1300), 20)]:
            served = lookup.inclusion_proof(s, b, index)
            assert served == lookup.tree(s, b).inclusion_proof(index)
            merkle.verify_inclusion(leaves[index], index, b.size, served, b.root)
    assert len(lookup.upper_cache) == 1  # one entry per batch, made on first use


def test_inconsistent_tiles_are_served_as_stored_and_never_cached(
        db: Database, make_draft: DraftFactory) -> None:
    b = _sealed(db, make_draft, 600)
    with db.transaction() as s:
        s.execute(text("UPDATE batch_tile SET hashes = :h WHERE province = :p AND batch_no = :b"),
                  {"h": bytes(64), "p": b.province, "b": b.batch_no})
    lookup.upper_cache.clear()
    with db.snapshot() as s:
        rid = s.scalars(select(RecordRow.record_id).where(RecordRow.seq == 3)).one()
        assert lookup.inclusion_proof(s, b, 2) == lookup.tree(s, b).inclusion_proof(2)
        bundle = evidence.build(s, rid)
    assert len(lookup.upper_cache) == 0
    with pytest.raises(VerificationError) as failure:
        evidence.check(bundle)
    assert failure.value.reason == "proof-invalid"  # the bundle shows what the database holds


def _record_at(db: Database, seq: int) -> RecordRow:
    with db.snapshot() as s:
        row = s.scalars(select(RecordRow).where(RecordRow.seq == seq)).one()
        s.expunge(row)
        return row


def test_deleted_records_make_their_leaf_range_unprovable(
        db: Database, make_draft: DraftFactory) -> None:
    """An insider deletes a sealed record: proofs through its 256-leaf range cannot be built
    (LedgerInconsistent, naming where), the other ranges are still served and verify."""
    b = _sealed(db, make_draft, 600)  # leaf ranges 1..256, 257..512 and the tail 513..600
    gone, neighbour, elsewhere = _record_at(db, 3), _record_at(db, 5), _record_at(db, 300)
    with db.transaction() as s:
        s.execute(text("DELETE FROM record WHERE province = :p AND seq = 3"), {"p": b.province})
    lookup.upper_cache.clear()
    with db.snapshot() as s:
        with pytest.raises(LedgerInconsistent) as failure:
            evidence.build(s, neighbour.record_id)
        with pytest.raises(LedgerInconsistent):
            lookup.inclusion_proof(s, b, 4)
        with pytest.raises(LedgerInconsistent):
            trace.bundle_of(s, trace.trace(s, "case", neighbour.subject_id).records[0])
        with pytest.raises(NotFound):
            evidence.build(s, gone.record_id)
        bundle = evidence.build(s, elsewhere.record_id)
    assert failure.value.code == "ledger-inconsistent"
    assert str(failure.value) == (f"province {b.province} batch {b.batch_no}: records of seq "
                                  "1..256 are incomplete (255 of 256 stored)")
    assert evidence.check(bundle).index == 299


@pytest.mark.parametrize("tamper", ["delete", "truncate"])
def test_missing_tiles_make_the_batch_unprovable(db: Database, make_draft: DraftFactory,
                                                 tamper: str) -> None:
    b = _sealed(db, make_draft, 600)  # one level-8 tile of two nodes
    rid = _record_at(db, 1).record_id
    with db.transaction() as s:
        if tamper == "delete":
            s.execute(text("DELETE FROM batch_tile WHERE province = :p AND batch_no = :b"),
                      {"p": b.province, "b": b.batch_no})
        else:  # only the first of its two nodes left
            s.execute(text("UPDATE batch_tile SET hashes = :h WHERE province = :p"
                           " AND batch_no = :b"), {"h": bytes(32), "p": b.province,
                                                   "b": b.batch_no})
    lookup.upper_cache.clear()
    with db.snapshot() as s, pytest.raises(LedgerInconsistent) as failure:
        evidence.build(s, rid)
    where = f"province {b.province} batch {b.batch_no}: stored tile 0 of level 8"
    assert str(failure.value) == (f"{where} is missing" if tamper == "delete" else
                                  f"{where} is missing nodes 1..1 (found 0 of 1)")
    assert len(lookup.upper_cache) == 0


def test_anchor_changes_show_at_once(db: Database, make_draft: DraftFactory) -> None:
    """Anchors are read with every bundle: submitted -> confirmed -> demoted by a reorg."""
    b = _sealed(db, make_draft, 300)
    with db.snapshot() as s:
        rid = s.scalars(select(RecordRow.record_id).where(RecordRow.seq == 7)).one()

    def anchor() -> object:
        with db.snapshot() as s:
            return evidence.build(s, rid)["anchor"]

    assert anchor() is None
    anchoring.record_submitted(db, b, chain_id=31337, contract=CONTRACT, tx_hash=TX)
    assert anchor() is None
    anchoring.record_confirmed(db, b, chain_id=31337, contract=CONTRACT, tx_hash=TX,
                               block_number=9, block_hash=BLOCK, gas_used=1)
    assert anchor() == {"chain_id": 31337, "contract": CONTRACT, "tx_hash": TX,
                        "block_number": 9}
    assert anchoring.demote(db, b.province, b.batch_no, TX)
    assert anchor() is None


def test_locate_reads_record_batch_and_anchor(db: Database, make_draft: DraftFactory) -> None:
    b = _sealed(db, make_draft, 5)
    anchoring.record_confirmed(db, b, chain_id=31337, contract=CONTRACT, tx_hash=TX,
                               block_number=9, block_hash=BLOCK, gas_used=70_000)
    (late,) = ingest.append(db, [make_draft(330000)])  # after batch 1: pending
    with db.snapshot() as s:
        rid = s.scalars(select(RecordRow.record_id).where(RecordRow.seq == 5)).one()
        found = lookup.locate(s, rid)
        pending = lookup.locate(s, late.record.record_id)
        with pytest.raises(NotFound):
            lookup.locate(s, "00000000-0000-4000-8000-000000000000")
        row = lookup.record_row(s, rid)
    assert (found.record_id, found.province, found.seq) == (rid, 330000, 5)
    assert (found.canonical, found.leaf_hash) == (row.canonical, row.leaf_hash)
    assert found.batch == b
    assert found.anchor is not None and found.anchor.confirmed
    assert (found.anchor.block_number, found.anchor.gas_used) == (9, 70_000)
    assert pending.batch is None and pending.anchor is None and pending.seq == 6


def test_upper_cache_is_bounded_and_least_recently_used() -> None:
    def levels(n: int) -> tiles.UpperLevels:
        return tiles.UpperLevels.compute([i.to_bytes(32, "big") for i in range(n)])

    one = levels(4)  # 4 + 2 + 1 hashes
    cost = one.nbytes + tiles.UpperCache.ENTRY_OVERHEAD
    cache = tiles.UpperCache(max_bytes=3 * cost)
    for key in range(3):
        cache.put((1, key, 4, b""), one)
    assert cache.get((1, 0, 4, b"")) is one  # batch 0 is now the most recent
    cache.put((1, 3, 4, b""), one)
    assert cache.get((1, 1, 4, b"")) is None  # the least recently used went
    assert [cache.get((1, k, 4, b"")) is one for k in (0, 2, 3)] == [True] * 3
    assert len(cache) == 3 and cache.nbytes <= cache.max_bytes
    cache.put((1, 9, 4, b""), levels(1000))  # larger than the whole budget: not kept
    assert cache.get((1, 9, 4, b"")) is None and len(cache) == 3


def test_bundles_are_the_same_from_a_cold_and_a_warm_cache(
        db: Database, make_draft: DraftFactory) -> None:
    """Batches of every shape (one leaf, one full tile, a carried tail) give one bundle."""
    for size in (1, 256, 257, 1586):
        ingest.append(db, [make_draft(330000) for _ in range(size)])
        sealing.seal_due(db, SealPolicy(max_records=size, max_age=timedelta(days=1)),
                         force=True)
    with db.snapshot() as s:
        ids = s.scalars(select(RecordRow.record_id).order_by(RecordRow.seq)).all()
    picks = [ids[i] for i in (0, 1, 256, 257, 513, 514, 1000, 2099)]
    lookup.upper_cache.clear()
    runs = []
    for _ in range(2):  # the first run fills the cache, the second reads from it
        with db.snapshot() as s:
            runs.append([evidence.build(s, rid) for rid in picks])
    assert runs[0] == runs[1]
    assert [b["batch"]["size"] for b in runs[0]] == [1, 256, 256, 257, 257, 1586, 1586, 1586]
    for bundle in runs[0]:
        evidence.check(bundle)
