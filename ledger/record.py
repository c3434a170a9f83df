"""Records: the unit the ledger hashes, stores and anchors.

A record is a case step or a license event. Its canonical bytes are the RFC 8785 encoding of
`Record.to_json()`; its leaf hash is SHA-256(0x00 ‖ canonical bytes). The random 128-bit salt
keeps leaf hashes from being used to confirm guesses about the record's content.
See docs/protocol.md for the normative description.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import orjson

from . import canonical, merkle
from .errors import InvalidRecord
from .province import check_province

FORMAT_VERSION = 1
#: What writers may submit (drafts). The `audit` subject is written only by the ledger itself:
#: `audit.completed` records of the supervision body (ledger/audit_log.py, docs/audit.md).
SUBJECT_TYPES = ("case", "license")
AUDIT_SUBJECT = "audit"
RECORD_SUBJECT_TYPES = (*SUBJECT_TYPES, AUDIT_SUBJECT)
MAX_PAYLOAD_BYTES = 16 * 1024

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_KIND = re.compile(r"^(case|license|audit)\.[a-z][a-z0-9_]{0,47}$")
_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
_HASH = re.compile(r"^0x[0-9a-f]{64}$")
_SALT = re.compile(r"^0x[0-9a-f]{32}$")


def check_uuid(value: object, field: str = "record_id") -> str:
    if not isinstance(value, str) or not _UUID.match(value):
        raise InvalidRecord(f"{field} must be a lowercase RFC 4122 UUID string", field=field)
    return value


def check_ident(value: object, field: str) -> str:
    if not isinstance(value, str) or not _IDENT.match(value):
        raise InvalidRecord(
            f"{field} must be 1-64 characters of A-Z a-z 0-9 . _ : / - (starting alphanumeric)",
            field=field,
        )
    return value


def check_hash(value: object, field: str) -> str:
    if not isinstance(value, str) or not _HASH.match(value):
        raise InvalidRecord(f"{field} must be 0x followed by 64 lowercase hex digits", field=field)
    return value


def check_salt(value: object, field: str = "salt") -> str:
    if not isinstance(value, str) or not _SALT.match(value):
        raise InvalidRecord(f"{field} must be 0x followed by 32 lowercase hex digits", field=field)
    return value


def check_kind(kind: object, subject_type: str) -> str:
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise InvalidRecord("kind must look like 'case.accepted' or 'license.issued'", field="kind")
    if kind.split(".", 1)[0] != subject_type:
        raise InvalidRecord(f"kind {kind!r} does not match subject type {subject_type!r}",
                            field="kind")
    return kind


def new_salt() -> str:
    # os.urandom is what secrets.token_hex reads; called directly it costs a fifth as much,
    # which shows at one salt per appended record.
    return "0x" + os.urandom(16).hex()


def hex32(data: bytes) -> str:
    return "0x" + data.hex()


def unhex(value: str) -> bytes:
    return bytes.fromhex(value[2:])


@dataclass(frozen=True, slots=True)
class Subject:
    type: str
    id: str

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id}


@dataclass(frozen=True, slots=True)
class Actor:
    department: str
    officer: str | None

    def to_json(self) -> dict[str, Any]:
        return {"department": self.department, "officer": self.officer}


@dataclass(frozen=True, slots=True)
class RecordFrame:
    """A record's canonical bytes with the three members the ledger assigns under its write
    lock (`prev`, `recorded_at`, `seq`) left open: the lock holder only splices them in.

    RFC 8785 orders an object's members by key; the record's keys are fixed ASCII, so the
    order below is `Record.to_json`'s keys sorted, and every member is encoded by itself
    exactly as in the whole (tests/ledger/test_canonical_records.py compares the result
    with the `rfc8785` package). Built by `RecordDraft.frame` outside the lock.
    """

    head: bytes    # {"actor":…,"kind":…,"occurred_at":…,"payload":…,"prev":
    middle: bytes  # ,"province":…,"record_id":…,"recorded_at":
    salted: bytes  # ,"salt":…,"seq":
    tail: bytes    # ,"subject":…,"v":1}

    @classmethod
    def build(cls, head: bytes, province: int, record_id: str, salt: str,
              subject: Subject) -> RecordFrame:
        """`head`: the RFC 8785 bytes of the object {actor, kind, occurred_at, payload}."""
        dumps = orjson.dumps
        return cls(head[:-1] + b',"prev":',
                   b',"province":' + dumps(province) + b',"record_id":' + dumps(record_id)
                   + b',"recorded_at":',
                   b',"salt":' + dumps(salt) + b',"seq":',
                   b',"subject":' + dumps(subject.to_json(), option=orjson.OPT_SORT_KEYS)
                   + b',"v":' + str(FORMAT_VERSION).encode() + b"}")

    def splice(self, prev: str | None, recorded_at: bytes, seq: int) -> bytes:
        """The canonical bytes; `recorded_at` already JSON-encoded (one per transaction)."""
        return b"".join((self.head, orjson.dumps(prev), self.middle, recorded_at, self.salted,
                         str(seq).encode(), self.tail))


@dataclass(frozen=True, slots=True)
class Record:
    """A complete record, exactly as hashed. Build through `ledger.ingest`, or `from_json`."""

    record_id: str
    province: int
    seq: int
    kind: str
    subject: Subject
    occurred_at: str
    recorded_at: str
    actor: Actor
    prev: str | None
    payload: dict[str, Any]
    salt: str

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "record_id": self.record_id,
            "province": self.province,
            "seq": self.seq,
            "kind": self.kind,
            "subject": self.subject.to_json(),
            "occurred_at": self.occurred_at,
            "recorded_at": self.recorded_at,
            "actor": self.actor.to_json(),
            "prev": self.prev,
            "payload": self.payload,
            "salt": self.salt,
        }

    def canonical_bytes(self) -> bytes:
        return canonical.canonicalize(self.to_json())

    def leaf_hash(self) -> bytes:
        return merkle.leaf_hash(self.canonical_bytes())

    @classmethod
    def from_json(cls, obj: Any) -> Record:
        """Strictly parse a record as found in an evidence bundle or the database."""
        from .timestamps import normalize

        if not isinstance(obj, dict):
            raise InvalidRecord("record must be a JSON object")
        expected = {"v", "record_id", "province", "seq", "kind", "subject", "occurred_at",
                    "recorded_at", "actor", "prev", "payload", "salt"}
        if set(obj) != expected:
            raise InvalidRecord(f"record fields must be exactly {sorted(expected)}")
        if obj["v"] != FORMAT_VERSION:
            raise InvalidRecord(f"unsupported record version {obj['v']!r}", field="v")
        subject, actor = obj["subject"], obj["actor"]
        if not isinstance(subject, dict) or set(subject) != {"type", "id"}:
            raise InvalidRecord("subject must be {type, id}", field="subject")
        if subject["type"] not in RECORD_SUBJECT_TYPES:
            raise InvalidRecord("subject.type must be 'case', 'license' or 'audit'",
                                field="subject.type")
        if not isinstance(actor, dict) or set(actor) != {"department", "officer"}:
            raise InvalidRecord("actor must be {department, officer}", field="actor")
        seq = obj["seq"]
        if type(seq) is not int or seq < 1:
            raise InvalidRecord("seq must be a positive integer", field="seq")
        for key in ("occurred_at", "recorded_at"):
            if normalize(obj[key], field=key) != obj[key]:
                raise InvalidRecord(f"{key} is not in canonical form", field=key)
        if not isinstance(obj["payload"], dict):
            raise InvalidRecord("payload must be a JSON object", field="payload")
        officer = actor["officer"]
        return cls(
            record_id=check_uuid(obj["record_id"]),
            province=check_province(obj["province"]),
            seq=seq,
            kind=check_kind(obj["kind"], subject["type"]),
            subject=Subject(subject["type"], check_ident(subject["id"], "subject.id")),
            occurred_at=obj["occurred_at"],
            recorded_at=obj["recorded_at"],
            actor=Actor(
                check_ident(actor["department"], "actor.department"),
                None if officer is None else check_ident(officer, "actor.officer"),
            ),
            prev=None if obj["prev"] is None else check_hash(obj["prev"], "prev"),
            payload=obj["payload"],
            salt=check_salt(obj["salt"]),
        )
