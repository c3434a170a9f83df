"""Per-record checks of the tamper audit: what one database row can tell about itself.

Two depths. The fast check (every record) recomputes the leaf hash from the canonical bytes,
parses them once and compares the derived columns and the row's coordinates. It is enough
for records whose batch root then matches the anchored root: their bytes are then exactly
the anchored ones, hence canonical and valid. The careful check adds what only costs time:
re-encoding to RFC 8785, full protocol validation, and the writer's content digest. It runs
where no root protects the bytes: pending records and the 256-record segments of a batch
whose recomputed tile node differs from the stored one.

Any column may hold what the ledger never writes (ledger/audit_values.py): `inspect` names
such a column first (`malformed`), then checks what the rest of the row says, reading bytes
stored as text as their UTF-8.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from . import canonical
from .audit_values import as_bytes, bytes_problem, hash_problem, text_problem
from .errors import InvalidRecord
from .record import Record

_sha256 = hashlib.sha256
#: SHA-256 state after the leaf prefix 0x00: `.copy()` is cheaper than hashing a concatenation.
LEAF_PREFIX = _sha256(b"\x00")

#: Columns the audit reads, in this order (`Row` below).
COLUMNS = ("seq", "record_id", "kind", "subject_type", "subject_id", "occurred_at",
           "recorded_at", "canonical", "leaf_hash", "content_digest")
Row = Sequence[Any]
_NAMES = ("record_id", "kind", "subject.type", "subject.id", "occurred_at", "recorded_at")
_TEXT_COLUMNS = tuple(enumerate(COLUMNS[1:7], 1))


@dataclass(frozen=True, slots=True)
class Inspection:
    leaf: bytes  # recomputed from the canonical bytes
    reasons: list[str]  # why the row is modified; empty if it is not
    #: (province, seq) the canonical bytes claim, when it differs from the row's position
    sealed_at: tuple[int, int] | None
    #: (subject key, prev leaf or None) from the canonical bytes, for the chain check
    link: tuple[str, bytes | None] | None


def leaf_of(data: bytes) -> bytes:
    h = LEAF_PREFIX.copy()
    h.update(data)
    return h.digest()


def subject_key(subject_type: str, subject_id: str) -> str:
    return f"{subject_type}:{subject_id}"


def _parsed(data: bytes) -> dict[str, Any] | None:
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) else None


def _link(subject: dict[str, Any], prev: Any) -> tuple[str, bytes | None] | None:
    if not subject:
        return None
    key = f"{subject.get('type')}:{subject.get('id')}"
    if prev is None:
        return key, None
    if isinstance(prev, str) and len(prev) == 66 and prev.startswith("0x"):
        try:
            return key, bytes.fromhex(prev[2:])
        except ValueError:
            pass
    return key, b"\xff" * 32  # unreadable prev: links to nothing, so the chain check flags it


def malformed(row: Row, *, careful: bool) -> list[str]:
    """Columns holding what the ledger never writes (ledger/audit_values.py): not valid
    UTF-8, another type, a hash of another length, NULL. Checked only off the fast path."""
    out = [p for i, name in _TEXT_COLUMNS if (p := text_problem(name, row[i])) is not None]
    for problem in (bytes_problem("canonical", row[7]), hash_problem("leaf_hash", row[8]),
                    hash_problem("content_digest", row[9]) if careful else None):
        if problem is not None:
            out.append(problem)
    return out


def inspect(row: Row, province: int, *, careful: bool) -> Inspection:
    seq, record_id, kind, stype, sid, occurred, recorded, stored_data, stored, digest = row
    reasons = malformed(row, careful=careful)
    data = as_bytes(stored_data)  # text where bytes belong: still check what it says
    leaf = leaf_of(b"" if data is None else data)
    if data is None:  # NULL or a number: no bytes to check
        return Inspection(leaf, reasons, None, None)
    if leaf != stored and type(stored) is bytes and len(stored) == 32:
        reasons.append("canonical bytes do not hash to the stored leaf hash")
    obj = _parsed(data)
    if obj is None:
        reasons.append("canonical bytes are not a JSON object")
        return Inspection(leaf, reasons, None, None)
    subject = obj.get("subject")
    if not isinstance(subject, dict):
        subject = {}
    get = obj.get
    columns = (record_id, kind, stype, sid, occurred, recorded)
    values = (get("record_id"), get("kind"), subject.get("type"), subject.get("id"),
              get("occurred_at"), get("recorded_at"))
    if columns != values:  # one tuple comparison in the common case
        # A column that is not text at all is named as such above.
        differing = [name for name, column, value in zip(_NAMES, columns, values, strict=True)
                     if column != value and type(column) is str]
        if differing:
            reasons.append(f"columns disagree with the canonical bytes: {', '.join(differing)}")
    claimed = (get("province"), get("seq"))
    sealed_at = None
    if claimed != (province, seq):
        if type(claimed[0]) is int and type(claimed[1]) is int:
            sealed_at = (claimed[0], claimed[1])
        else:
            reasons.append("canonical bytes carry no valid province/seq")
    if careful:
        reasons.extend(careful_reasons(obj, data, digest))
    return Inspection(leaf, reasons, sealed_at, _link(subject, get("prev")))


def quick(row: Row, province: int) -> tuple[bytes, str, bytes | None] | None:
    """The fast check for a row that is fine: (leaf, subject key, prev) when the row's leaf,
    columns and coordinates all agree with its bytes, else None, and `inspect` says what is
    wrong. The streaming pass runs an inlined copy of it (ledger/audit_rows.py) and comes
    here only for rows that copy did not pass."""
    try:
        h = LEAF_PREFIX.copy()
        h.update(row[7])  # TypeError: not bytes (ledger/audit_values.py), `inspect` says so
        leaf = h.digest()
        if leaf != row[8]:
            return None
        obj = orjson.loads(row[7])
        get = obj.get
        subject = get("subject")
        if (get("record_id"), get("kind"), subject.get("type"), subject.get("id"),
                get("occurred_at"), get("recorded_at"), get("province"), get("seq")) != (
                row[1], row[2], row[3], row[4], row[5], row[6], province, row[0]):
            return None
        prev = get("prev")
        return leaf, f"{row[3]}:{row[4]}", None if prev is None else bytes.fromhex(prev[2:])
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return None


def careful_reasons(obj: dict[str, Any], data: bytes, digest: object) -> list[str]:
    """What a root would otherwise vouch for: RFC 8785 form, validity, the writer's digest (a
    digest that is no 32-byte hash at all is named by `malformed`)."""
    out: list[str] = []
    try:
        if canonical.canonicalize(obj) != data:
            out.append("stored bytes are not the RFC 8785 encoding of the record")
        Record.from_json(obj)
    except InvalidRecord as exc:
        out.append(f"not a valid record: {exc}")
        return out
    if type(digest) is bytes and len(digest) == 32 and digest not in _digests(obj):
        out.append("content differs from what the writer submitted (content digest)")
    return out


def _digests(obj: dict[str, Any]) -> set[bytes]:
    """Every content digest the writer may have sent: `prev` and `salt` are optional in a
    draft (the ledger fills them in), so four drafts lead to the same record."""
    body = {k: obj[k] for k in ("record_id", "province", "kind", "subject", "occurred_at",
                                "actor", "payload")}
    out = set()
    for prev in {obj["prev"], None}:
        for salt in (obj["salt"], None):
            data = canonical.canonicalize({**body, "prev": prev, "salt": salt})
            out.add(_sha256(data).digest())
    return out
