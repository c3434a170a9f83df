"""Offline bundle checks name the precise reason for every kind of alteration."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from ledger import anchoring, evidence, ingest, sealing
from ledger.batch import SealPolicy
from ledger.errors import NotFound, NotYetSealed, VerificationError
from ledger.store import Database
from ledger.store.schema import RecordRow
from tests.conftest import DraftFactory

Bundle = dict[str, Any]


@pytest.fixture
def bundle(db: Database, make_draft: DraftFactory) -> Bundle:
    ingest.append(db, [make_draft(310000) for _ in range(37)])
    (batch,) = sealing.seal_due(db, SealPolicy(), force=True)
    anchoring.record_confirmed(db, batch, chain_id=31337, contract="0x" + "5f" * 20,
                               tx_hash="0x" + "aa" * 32, block_number=9,
                               block_hash="0x" + "bb" * 32, gas_used=70000)
    with db.snapshot() as s:
        rid = s.scalars(select(RecordRow.record_id).where(RecordRow.seq == 22)).one()
        return evidence.build(s, rid)


def test_untouched_bundle_passes_and_survives_reformatting(bundle: Bundle) -> None:
    checked = evidence.check(bundle)
    assert checked.anchor is not None and checked.anchor.block_number == 9
    pretty = orjson.dumps(bundle, option=orjson.OPT_INDENT_2)
    assert evidence.check(pretty).leaf_hash == checked.leaf_hash


def _set(path: str, value: Any) -> Callable[[Bundle], None]:
    def mutate(b: Bundle) -> None:
        *parents, last = path.split(".")
        node = b
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _flip_hex(path: str) -> Callable[[Bundle], None]:
    def mutate(b: Bundle) -> None:
        *parents, last = path.split(".")
        node = b
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        key: Any = int(last) if isinstance(node, list) else last
        h = node[key]
        node[key] = h[:-1] + ("0" if h[-1] != "0" else "1")
    return mutate


@pytest.mark.parametrize(("mutate", "reason"), [
    (_set("record.payload.item", "altered"), "record-altered"),
    (_set("record.occurred_at", "2026-11-24T01:30:00.000000Z"), "record-altered"),
    (_set("record.seq", 23), "record-altered"),
    (_set("record.province", 320000), "record-altered"),
    (_flip_hex("record.salt"), "record-altered"),
    (_flip_hex("leaf_hash"), "record-altered"),
    (_set("record.extra", 1), "record-altered"),
    (_flip_hex("proof.hashes.0"), "proof-invalid"),
    (_flip_hex("proof.hashes.5"), "proof-invalid"),
    (_flip_hex("batch.root"), "proof-invalid"),
    (_set("proof.index", 22), "coordinates-mismatch"),
    (_set("proof.tree_size", 38), "coordinates-mismatch"),
    (_set("batch.first_seq", 2), "coordinates-mismatch"),
    (_set("batch.size", 21), "coordinates-mismatch"),
    (_set("batch.province", 320000), "coordinates-mismatch"),
    (_set("format", "govtrace.evidence/2"), "malformed"),
    (_set("proof.hashes", "0x00"), "malformed"),
    (_set("batch.root", "0xABC"), "malformed"),
    (_set("anchor.contract", "nope"), "malformed"),
    (_set("batch.batch_no", -1), "malformed"),
])
def test_each_alteration_is_rejected_with_its_reason(
        bundle: Bundle, mutate: Callable[[Bundle], None], reason: str) -> None:
    altered = copy.deepcopy(bundle)
    mutate(altered)
    with pytest.raises(VerificationError) as info:
        evidence.check(altered)
    assert info.value.reason == reason


def test_dropping_a_proof_hash_is_rejected(bundle: Bundle) -> None:
    bundle["proof"]["hashes"].pop()
    with pytest.raises(VerificationError) as info:
        evidence.check(bundle)
    assert info.value.reason == "proof-invalid"


def test_evidence_for_pending_or_unknown_records(db: Database, make_draft: DraftFactory) -> None:
    (a,) = ingest.append(db, [make_draft()])
    with db.snapshot() as s:
        with pytest.raises(NotYetSealed):
            evidence.build(s, a.record.record_id)
        with pytest.raises(NotFound):
            evidence.build(s, "00000000-0000-4000-8000-000000000000")
