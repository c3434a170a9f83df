"""Record schemas. The *In models document requests only: bodies are validated once, by
`ledger.draft.RecordDraft.from_json` (the trust boundary), never by pydantic. The patterns
below mirror ledger/record.py so that generated clients catch mistakes early.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledger.province import PROVINCES
from ledger.record import MAX_PAYLOAD_BYTES

from . import examples as ex

UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
IDENT = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
HASH = r"^0x[0-9a-f]{64}$"

RecordId = Annotated[str, Field(pattern=UUID, description="Lowercase RFC 4122 UUID, chosen "
                                "by the writer; re-sending the same record is idempotent.")]
Province = Annotated[int, Field(description="Province-level GB/T 2260 code, e.g. 310000 "
                                "(Shanghai).", json_schema_extra={"enum": sorted(PROVINCES)})]
Ident = Annotated[str, Field(pattern=IDENT)]
Hash = Annotated[str, Field(pattern=HASH, description="0x + 64 lowercase hex digits")]
Kind = Annotated[str, Field(pattern=r"^(case|license)\.[a-z][a-z0-9_]{0,47}$",
                            description="`case.<step>` or `license.<event>`, matching "
                            "subject.type")]
Payload = Annotated[dict[str, Any], Field(description=(
    f"Free-form JSON object, at most {MAX_PAYLOAD_BYTES} bytes in RFC 8785 form. Integers "
    "within ±(2^53−1), strings, booleans, null, arrays and objects only: no floats "
    "(send decimals as strings, amounts in fen)."))]


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["case", "license"]
    id: Ident


class ActorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: Ident
    officer: Ident | None = None


class RecordIn(BaseModel):
    """A case step or license event, as a province system submits it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ex.DRAFT]})
    record_id: RecordId
    province: Province
    kind: Kind
    subject: SubjectIn
    occurred_at: str = Field(json_schema_extra={"format": "date-time"}, description=(
        "RFC 3339 with a zone (Z or ±hh:mm), at most microsecond precision, not in the "
        "future beyond the allowed clock skew."))
    actor: ActorIn
    payload: Payload
    prev: Hash | None = Field(None, description=(
        "Leaf hash of the subject's latest record. Optional: omitted, the ledger links to "
        "the latest; given and stale, the write fails with 409 chain-conflict."))
    salt: str | None = Field(None, pattern=r"^0x[0-9a-f]{32}$", description=(
        "128-bit salt; omitted, the ledger draws one. It keeps the leaf hash from "
        "confirming guesses about the record's content."))


class RecordBatchIn(BaseModel):
    """Records to append all-or-nothing, all for the caller's province."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"records": [ex.DRAFT, ex.LICENSE_DRAFT]}]})
    records: list[RecordIn] = Field(min_length=1)


class Subject(BaseModel):
    type: Literal["case", "license"]
    id: str


class Actor(BaseModel):
    department: str
    officer: str | None


class Record(BaseModel):
    """A record exactly as hashed: its RFC 8785 bytes are the Merkle leaf's content."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.RECORD]})
    v: Literal[1]
    record_id: str
    province: int
    seq: int = Field(description="Position in the province's log, from 1, gapless.")
    kind: str
    subject: Subject
    occurred_at: str
    recorded_at: str = Field(description="When the ledger accepted the record (UTC).")
    actor: Actor
    prev: str | None
    payload: dict[str, Any]
    salt: str


class Receipt(BaseModel):
    """Where a record landed. `created` is false when the id was already there, same content."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.RECEIPT]})
    record_id: str
    province: int
    seq: int
    leaf_hash: str
    recorded_at: str
    created: bool


class BatchReceipt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"records": [ex.RECEIPT]}]})
    records: list[Receipt] = Field(description="One receipt per submitted record, in order.")


class BatchRef(BaseModel):
    province: int
    batch_no: int
    first_seq: int
    size: int
    root: str = Field(description="RFC 9162 Merkle tree head of the batch's leaves.")
    sealed_at: str


class Anchor(BaseModel):
    chain_id: int
    contract: str
    tx_hash: str
    block_number: int | None
    block_hash: str | None
    status: Literal["submitted", "confirmed"]
    submitted_at: str
    confirmed_at: str | None


class RecordStatus(BaseModel):
    """A record and how far it got: pending (not in a batch), sealed, anchored (confirmed)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.RECORD_STATUS]})
    record: Record
    leaf_hash: str
    status: Literal["pending", "sealed", "anchored"]
    batch: BatchRef | None
    anchor: Anchor | None
