"""Record drafts: what a province system submits, before the ledger assigns seq and time.

Validation here is the trust boundary for every writer (API, CLI, tests): strict types,
no unknown fields, canonicalisable payload, timestamps with a zone and not in the future.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import canonical, timestamps
from .errors import CanonicalizationError, InvalidRecord
from .province import check_province
from .record import (
    MAX_PAYLOAD_BYTES,
    SUBJECT_TYPES,
    Actor,
    RecordFrame,
    Subject,
    check_hash,
    check_ident,
    check_kind,
    check_salt,
    check_uuid,
)
from .record_ids import new_record_id

REQUIRED = frozenset({"record_id", "province", "kind", "subject", "occurred_at", "actor",
                      "payload"})
OPTIONAL = frozenset({"prev", "salt"})
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class RecordDraft:
    record_id: str
    province: int
    kind: str
    subject: Subject
    occurred_at: str
    actor: Actor
    payload: dict[str, Any]
    prev: str | None = None
    salt: str | None = None
    #: Set by `from_json`, which validated the payload: (that payload object, whether its
    #: keys need JCS's UTF-16 sort). Every other member of a validated draft (and of its
    #: record) is an ASCII string or a small integer, so the record's canonical bytes then
    #: need no second validation pass (ledger/ingest.py). Kept with the object it is about:
    #: a draft copied with another payload (`dataclasses.replace`) is validated again.
    #: Drafts are values: a payload must not be changed in place after validation.
    _validated: tuple[dict[str, Any], bool] | None = field(default=None, compare=False,
                                                           repr=False)

    @property
    def payload_reference(self) -> bool | None:
        """Whether the validated payload needs the reference sort; None: not validated."""
        if self._validated is None or self._validated[0] is not self.payload:
            return None
        return self._validated[1]

    def encode(self, obj: dict[str, Any]) -> bytes:
        """RFC 8785 bytes of `obj`, made of this draft's payload and protocol members."""
        reference = self.payload_reference
        if reference is None:
            return canonical.canonicalize(obj)
        return canonical.encode(obj, reference)

    def frame(self, salt: str) -> RecordFrame | None:
        """This draft's record bytes with `prev`, `recorded_at` and `seq` left open (ingest
        fills them in under its write lock); None unless validated by `from_json`."""
        reference = self.payload_reference
        if reference is None:
            return None
        head = canonical.encode({"actor": self.actor.to_json(), "kind": self.kind,
                                 "occurred_at": self.occurred_at, "payload": self.payload},
                                reference)
        return RecordFrame.build(head, self.province, self.record_id, salt, self.subject)

    def content_digest(self) -> bytes:
        """Digest of what the client said; a retry with the same content has the same digest."""
        body = {
            "record_id": self.record_id,
            "province": self.province,
            "kind": self.kind,
            "subject": self.subject.to_json(),
            "occurred_at": self.occurred_at,
            "actor": self.actor.to_json(),
            "payload": self.payload,
            "prev": self.prev,
            "salt": self.salt,
        }
        return hashlib.sha256(self.encode(body)).digest()

    @classmethod
    def from_json(
        cls, obj: Any, *, now: datetime | None = None, skew: timedelta = DEFAULT_CLOCK_SKEW
    ) -> RecordDraft:
        if not isinstance(obj, dict):
            raise InvalidRecord("a record must be a JSON object")
        keys = set(obj)
        if missing := REQUIRED - keys:
            raise InvalidRecord(f"missing field(s): {', '.join(sorted(missing))}",
                                field=sorted(missing)[0])
        if unknown := keys - REQUIRED - OPTIONAL:
            raise InvalidRecord(f"unknown field(s): {', '.join(sorted(unknown))}",
                                field=sorted(unknown)[0])
        subject = obj["subject"]
        if not isinstance(subject, dict) or set(subject) != {"type", "id"}:
            raise InvalidRecord("subject must be an object {type, id}", field="subject")
        if subject["type"] not in SUBJECT_TYPES:
            raise InvalidRecord("subject.type must be 'case' or 'license'", field="subject.type")
        actor = obj["actor"]
        if not isinstance(actor, dict) or not {"department"} <= set(actor) <= {"department",
                                                                             "officer"}:
            raise InvalidRecord("actor must be an object {department, officer?}", field="actor")
        officer = actor.get("officer")
        payload = obj["payload"]
        if not isinstance(payload, dict):
            raise InvalidRecord("payload must be a JSON object", field="payload")
        try:
            reference = canonical.needs_reference(payload)
            encoded = canonical.encode(payload, reference)
        except CanonicalizationError as exc:
            where = (exc.field or "$").replace("$", "payload", 1)
            raise CanonicalizationError(str(exc).replace("$", "payload", 1),
                                        field=where) from exc
        if len(encoded) > MAX_PAYLOAD_BYTES:
            raise InvalidRecord(f"payload exceeds {MAX_PAYLOAD_BYTES} bytes", field="payload")
        occurred = timestamps.parse(obj["occurred_at"], field="occurred_at")
        if occurred > (now or timestamps.now()) + skew:
            raise InvalidRecord("occurred_at is in the future", field="occurred_at")
        prev, salt = obj.get("prev"), obj.get("salt")
        return cls(
            record_id=check_uuid(obj["record_id"]),
            province=check_province(obj["province"]),
            kind=check_kind(obj["kind"], subject["type"]),
            subject=Subject(subject["type"], check_ident(subject["id"], "subject.id")),
            occurred_at=timestamps.render(occurred),
            actor=Actor(
                check_ident(actor["department"], "actor.department"),
                None if officer is None else check_ident(officer, "actor.officer"),
            ),
            payload=payload,
            prev=None if prev is None else check_hash(prev, "prev"),
            salt=None if salt is None else check_salt(salt),
            _validated=(payload, reference),
        )


def request_draft(province: int, kind: str, subject: Subject, request: dict[str, Any],
                  payload: dict[str, Any], *, now: datetime,
                  skew: timedelta = DEFAULT_CLOCK_SKEW) -> RecordDraft:
    """The record a domain request (a submission, step, issuance or license event) makes.

    The request may name its record_id (a retry must reuse it to stay idempotent) and
    occurred_at; without them the record gets a new UUIDv7 and `now`. Its actor is taken as
    given, and validated with everything else by `RecordDraft.from_json`.
    """
    return RecordDraft.from_json({
        "record_id": request.get("record_id") or new_record_id(), "province": province,
        "kind": kind, "subject": subject.to_json(),
        "occurred_at": request.get("occurred_at") or timestamps.render(now),
        "actor": request.get("actor"), "payload": payload}, now=now, skew=skew)
