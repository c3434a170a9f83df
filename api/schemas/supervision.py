"""Schemas of the supervision alerts and statistics (GET /v1/supervision/alerts, /stats),
for the OpenAPI document; the ledger builds the bodies (ledger/supervision/)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ledger.supervision.config import KINDS, SEVERITIES

Kind = Annotated[str, Field(json_schema_extra={"enum": list(KINDS)})]
Severity = Annotated[str, Field(json_schema_extra={"enum": list(SEVERITIES)})]

LEAF = "0x" + "5c" * 32
ALERT: dict[str, Any] = {
    "alert_id": "overdue:case:310000-20261102-000417", "kind": "overdue", "severity": "red",
    "subject": {"type": "case", "id": "310000-20261102-000417"},
    "case_no": "310000-20261102-000417", "province": 330000,
    "item_code": "330000-AMR-BL-CHANGE",
    "reason": "3 working day(s) past the due date 2026-11-20 (10 working days, 0 suspended); "
              "case is under_review",
    "raised_at": "2026-11-21T16:00:00.000000Z", "updated_at": "2026-11-25T16:00:00.000000Z",
    "anchored": True,
    "facts": [{"record_id": "6f1c2a8e-5b0e-4d5e-9a63-2d6f3c1b7e01", "province": 310000,
               "seq": 42, "leaf_hash": LEAF, "status": "anchored", "batch_no": 3,
               "tx_hash": "0x" + "ab" * 32}]}
ALERT_PAGE: dict[str, Any] = {"alerts": [ALERT], "next_cursor": None}
STATS: dict[str, Any] = {"by": "province", "since": None, "until": None, "groups": [{
    "province": 330000, "received": 12, "handled": 15, "completed": 11, "on_time": 10,
    "on_time_rate": 0.9091, "handling_working_days": {"median": 4.0, "p90": 9},
    "suspensions": 1, "refused": 1, "denied": 1,
    "satisfaction": {"mean": 4.4, "count": 9}}]}


class Fact(BaseModel):
    """A record the alert rests on, and how far it is anchored now."""

    record_id: str
    province: int
    seq: int
    leaf_hash: str
    status: Literal["pending", "sealed", "anchored"]
    batch_no: int | None
    tx_hash: str | None


class Alert(BaseModel):
    alert_id: str
    kind: Kind
    severity: Severity
    subject: dict[str, str]
    case_no: str | None
    province: int = Field(description="The province that must act.")
    item_code: str | None
    reason: str
    raised_at: str = Field(description="When the alert first held (UTC).")
    updated_at: str
    anchored: bool = Field(description="Every fact behind the alert is in a batch whose "
                                       "anchor is confirmed on chain.")
    facts: list[Fact]


class AlertPage(BaseModel):
    alerts: list[Alert]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class Stats(BaseModel):
    by: Literal["province", "item"]
    since: str | None
    until: str | None
    groups: list[dict[str, Any]]
