"""Evidence bundles (format `govtrace.evidence/1`): build them, and check them offline.

A bundle lets anyone check one record against the chain without trusting the province's
database. Offline checks (this module) prove the record is the leaf at `proof.index` of a
tree with root `batch.root`; the on-chain check (anchors.verify) proves that root was
anchored for (province, batch_no) with the same first_seq and size. docs/protocol.md is the
normative description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from . import lookup, merkle
from .batch import Batch
from .canonical import canonicalize, parse
from .errors import InvalidRecord, NotYetSealed, VerificationError
from .record import Record, hex32, unhex

FORMAT = "govtrace.evidence/1"
_HASH = re.compile(r"^0x[0-9a-f]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


@dataclass(frozen=True, slots=True)
class AnchorRef:
    chain_id: int
    contract: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True, slots=True)
class CheckedBundle:
    """What a bundle claims, after its offline checks passed."""

    record: Record
    leaf_hash: bytes
    batch: Batch
    index: int
    proof: tuple[bytes, ...]
    anchor: AnchorRef | None


def build(session: Session, record_id: str) -> dict[str, Any]:
    """The evidence bundle for a record; raises NotFound / NotYetSealed / LedgerInconsistent."""
    return of_located(session, lookup.locate(session, record_id))


def of_located(session: Session, found: lookup.Located) -> dict[str, Any]:
    """The bundle for a record already read with `lookup.locate` in this snapshot (the API
    checks the caller may see the record first); raises NotYetSealed, or LedgerInconsistent
    when stored rows the proof needs are missing."""
    b = found.batch
    if b is None:
        raise NotYetSealed(f"record {found.record_id} is waiting to be sealed into a batch")
    index = found.seq - b.first_seq
    proof = lookup.inclusion_proof(session, b, index)
    anchor = found.anchor
    return {
        "format": FORMAT,
        "record": parse(found.canonical),
        "leaf_hash": hex32(found.leaf_hash),
        "batch": b.to_json(),
        "proof": {"index": index, "tree_size": b.size, "hashes": [hex32(h) for h in proof]},
        "anchor": anchor.to_json() if anchor is not None and anchor.confirmed else None,
    }


def _fail(message: str, reason: str = "malformed") -> VerificationError:
    return VerificationError(message, reason=reason)


def _int(obj: dict[str, Any], key: str, where: str, minimum: int = 0) -> int:
    value = obj.get(key)
    if type(value) is not int or value < minimum:
        raise _fail(f"{where}.{key} must be an integer >= {minimum}")
    return value


def _hash(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not _HASH.match(value):
        raise _fail(f"{where} must be 0x-prefixed lowercase hex of 32 bytes")
    return unhex(value)


def _section(bundle: dict[str, Any], key: str) -> dict[str, Any]:
    value = bundle.get(key)
    if not isinstance(value, dict):
        raise _fail(f"bundle.{key} must be an object")
    return value


def check(bundle: Any) -> CheckedBundle:
    """Run every check that needs no chain; raise VerificationError(reason=...) on failure.

    Reasons: malformed, record-altered, coordinates-mismatch, proof-invalid.
    """
    if isinstance(bundle, bytes | str):
        bundle = parse(bundle.encode() if isinstance(bundle, str) else bundle)
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise _fail(f"not a {FORMAT} bundle")
    b, p = _section(bundle, "batch"), _section(bundle, "proof")
    try:
        data = canonicalize(bundle.get("record"))
        record = Record.from_json(bundle.get("record"))
    except InvalidRecord as exc:
        raise _fail(f"record is not a valid govtrace record: {exc}", "record-altered") from exc
    leaf = merkle.leaf_hash(data)
    if leaf != _hash(bundle.get("leaf_hash"), "leaf_hash"):
        raise _fail("record does not hash to leaf_hash: the record was altered", "record-altered")
    batch = Batch(_int(b, "province", "batch", 1), _int(b, "batch_no", "batch", 1),
                  _int(b, "first_seq", "batch", 1), _int(b, "size", "batch", 1),
                  _hash(b.get("root"), "batch.root"), "")
    index, tree_size = _int(p, "index", "proof"), _int(p, "tree_size", "proof", 1)
    hashes = p.get("hashes")
    if not isinstance(hashes, list):
        raise _fail("proof.hashes must be a list")
    path = [_hash(h, f"proof.hashes[{i}]") for i, h in enumerate(hashes)]
    if record.province != batch.province or not batch.contains(record.seq):
        raise _fail("record's province/seq are outside the batch", "coordinates-mismatch")
    if index != record.seq - batch.first_seq or tree_size != batch.size:
        raise _fail("proof index/tree_size disagree with the batch", "coordinates-mismatch")
    try:
        merkle.verify_inclusion(leaf, index, tree_size, path, batch.root)
    except VerificationError as exc:
        raise _fail(f"inclusion proof invalid: {exc}", "proof-invalid") from exc
    return CheckedBundle(record, leaf, batch, index, tuple(path),
                         _anchor(bundle.get("anchor")))


def _anchor(a: Any) -> AnchorRef | None:
    if a is None:
        return None
    if not isinstance(a, dict):
        raise _fail("bundle.anchor must be an object or null")
    contract, tx = a.get("contract"), a.get("tx_hash")
    if not isinstance(contract, str) or not _ADDRESS.match(contract):
        raise _fail("anchor.contract must be a 0x-prefixed 20-byte address")
    _hash(tx, "anchor.tx_hash")
    assert isinstance(tx, str)
    return AnchorRef(_int(a, "chain_id", "anchor", 1), contract, tx,
                     _int(a, "block_number", "anchor"))
