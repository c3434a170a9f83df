"""Sealing batches and serving proofs from stored tiles, on a real SQLite file."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ledger import evidence, ingest, lookup, merkle, sealing, tiles, timestamps
from ledger.batch import SealPolicy
from ledger.store import Database
from ledger.store.schema import RecordRow, TileRow
from tests.conftest import DraftFactory


def _fill(db: Database, make_draft: DraftFactory, province: int, n: int) -> None:
    for start in range(0, n, 1000):
        ingest.append(db, [make_draft(province) for _ in range(min(1000, n - start))])


def test_full_batches_seal_into_contiguous_ranges(db: Database, make_draft: DraftFactory
                                                   ) -> None:
    _fill(db, make_draft, 310000, 2500)
    _fill(db, make_draft, 320000, 300)
    policy = SealPolicy(max_records=1000, max_age=timedelta(hours=1))
    batches = sealing.seal_due(db, policy)
    assert [(b.province, b.batch_no, b.first_seq, b.size) for b in batches] == [
        (310000, 1, 1, 1000), (310000, 2, 1001, 1000)]
    assert sealing.seal_due(db, policy) == []
    later = timestamps.now() + timedelta(hours=2)
    batches = sealing.seal_due(db, policy, now=later)
    assert [(b.province, b.batch_no, b.first_seq, b.size) for b in batches] == [
        (310000, 3, 2001, 500), (320000, 1, 1, 300)]


def test_batch_root_is_rfc9162_root_of_its_records(db: Database, make_draft: DraftFactory
                                                    ) -> None:
    _fill(db, make_draft, 330000, 777)
    (batch,) = sealing.seal_due(db, SealPolicy(max_records=1000), force=True)
    with db.snapshot() as s:
        data = s.scalars(select(RecordRow.canonical).order_by(RecordRow.seq)).all()
    assert batch.root == merkle.root(data)


def test_stored_tiles_serve_every_proof_without_whole_batch_reads(
        db: Database, make_draft: DraftFactory) -> None:
    _fill(db, make_draft, 340000, 5000)
    (batch,) = sealing.seal_due(db, SealPolicy(max_records=5000), force=True)
    with db.snapshot() as s:
        hashes = s.scalars(select(RecordRow.leaf_hash).order_by(RecordRow.seq)).all()
        assert s.scalar(select(func.count()).select_from(TileRow)) == 1  # 19 level-8 nodes
        levels = merkle.levels_from_hashes(hashes)
        for index in [0, 1, 255, 256, 2047, 4095, 4096, 4999, *random.sample(range(5000), 30)]:
            served = lookup.tree(s, batch).inclusion_proof(index)
            assert served == merkle.inclusion_path(lambda lv, i: levels[lv][i], index, 5000)
            merkle.verify_inclusion(hashes[index], index, 5000, served, batch.root)


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 65535, 65536, 65537, 70001])
def test_tiled_tree_matches_in_memory_tree(size: int) -> None:
    rng = random.Random(size)
    hashes = [rng.randbytes(32) for _ in range(size)]
    built = tiles.build(hashes)
    assert built.root == merkle.root_from_hashes(hashes)
    stored = {level: tiles.split_tiles(blob) for level, blob in built.stored_levels.items()}
    reads: list[tuple[int, int]] = []

    def fetch(level: int, index: int) -> list[bytes]:
        reads.append((level, index))
        if level == 0:
            return hashes[index * 256:(index + 1) * 256]
        return tiles.unpack(dict(stored[level])[index])

    tree = tiles.TiledTree(size, fetch)
    assert tree.root() == built.root
    for index in {0, size // 2, size - 1, rng.randrange(size)}:
        reads.clear()
        proof = tiles.TiledTree(size, fetch).inclusion_proof(index)
        merkle.verify_inclusion(hashes[index], index, size, proof, built.root)
        assert len(reads) <= 3 * (size.bit_length() // 8 + 1)  # O(log n) tile reads


def test_evidence_bundle_has_the_documented_shape(db: Database, make_draft: DraftFactory
                                                  ) -> None:
    _fill(db, make_draft, 310000, 10)
    sealing.seal_due(db, SealPolicy(), force=True)
    with db.snapshot() as s:
        rid = s.scalars(select(RecordRow.record_id).where(RecordRow.seq == 4)).one()
        bundle = evidence.build(s, rid)
    assert list(bundle) == ["format", "record", "leaf_hash", "batch", "proof", "anchor"]
    assert bundle["format"] == "govtrace.evidence/1"
    assert bundle["batch"]["first_seq"] == 1 and bundle["batch"]["size"] == 10
    assert bundle["proof"]["index"] == 3 and bundle["proof"]["tree_size"] == 10
    assert bundle["anchor"] is None
    checked = evidence.check(bundle)
    assert checked.record.seq == 4 and checked.index == 3
