"""Schemas of the license routes, for the OpenAPI document (bodies are validated by
ledger.license)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledger import license_events

from . import domain_examples as dx
from .cases import ActorIn, ApplicantIn, ProvinceRef, Receipt
from .records import Ident, RecordId

Status = Annotated[str, Field(json_schema_extra={"enum": list(license_events.STATES)})]


class LicenseIn(BaseModel):
    """Issue the license an approved case produced, as its handling province."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [dx.ISSUE_IN]})
    case_no: Ident
    type_code: Ident = Field(description="Must be the item's license type.")
    number: Ident = Field(description="The document number. Where a license type's number "
                          "is a personal ID (driving licences), use the archive number.")
    issuing_authority: Ident
    valid_from: str = Field(json_schema_extra={"format": "date"})
    valid_until: str | None = Field(None, json_schema_extra={"format": "date"},
                                    description="null: no expiry.")
    holder: ApplicantIn | None = Field(None, description="Omitted: the case's applicant.")
    license_id: Ident | None = None
    actor: ActorIn
    record_id: RecordId | None = None
    occurred_at: str | None = Field(None, json_schema_extra={"format": "date-time"})


class LicenseEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [dx.EVENT_IN]})
    event: Literal["suspended", "reinstated", "revoked", "expired"]
    actor: ActorIn
    payload: dict[str, Any] = Field(default_factory=dict, description="suspended / revoked: "
                                    "{reason}; reinstated: {reason?}; expired: {}.")
    occurred_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    record_id: RecordId | None = None


class LicenseEvent(BaseModel):
    event: str
    label: str
    occurred_at: str
    record_id: str
    leaf_hash: str
    status: Literal["pending", "sealed", "anchored"]


class License(BaseModel):
    """`status` is what to rely on today (a license past `valid_until` is expired even before
    the expiry is recorded); `recorded_status` is the latest event's."""

    model_config = ConfigDict(json_schema_extra={"examples": [dx.LICENSE]})
    license_id: str
    type_code: str
    number: str
    holder_commitment: str
    issuing_authority: str
    issuing_province: ProvinceRef
    valid_from: str
    valid_until: str | None
    case_no: str
    status: Status
    status_label: str
    recorded_status: Status
    events: list[LicenseEvent]
    history_complete: bool
    next_events: list[str]


class Issued(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [dx.ISSUED]})
    license: License
    receipt: Receipt


class LicenseEventResult(BaseModel):
    receipt: Receipt
    license: License


class VerifyIn(BaseModel):
    """Name the license, or hand over an evidence bundle of any of its records (or both, then
    they must agree). With `holder`, also learn whether that person is the holder."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [dx.VERIFY_IN]})
    license_id: Ident | None = None
    bundle: dict[str, Any] | None = None
    holder: ApplicantIn | None = None


class Freshness(BaseModel):
    issuing_province: int
    latest_event_seq: int
    anchored_through_seq: int = Field(description="Last seq of the issuing province covered "
                                      "by a confirmed anchor; compare provinceHead on chain.")
    latest_event_anchored: bool
    as_of: str


class Verification(BaseModel):
    """`authentic` false comes with `reason`: unknown-license, bundle-<protocol reason>,
    not-a-license-record, not-in-ledger, mismatch, chain-broken. docs/licenses.md says what
    a positive answer proves and what it does not."""

    model_config = ConfigDict(json_schema_extra={"examples": [dx.VERIFIED]})
    authentic: bool
    reason: str | None
    detail: str
    license: dict[str, Any] | None
    status: Status | None
    recorded_status: Status | None
    holder_matches: bool | None
    status_record: dict[str, Any] | None
    history_complete: bool | None
    freshness: Freshness | None
    evidence: dict[str, Any] | None = Field(description="govtrace.license-evidence/1: one "
                                            "bundle per sealed event, for `govtrace "
                                            "verify-license`.")
    statement: str


REQUEST_MODELS: tuple[type[BaseModel], ...] = (LicenseIn, LicenseEventIn, VerifyIn)
