"""Service-level schemas: health, and the RFC 9457 problem every error is reported as."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import examples as ex


class DatabaseHealth(BaseModel):
    ok: bool
    detail: str | None = None


class AnchorLag(BaseModel):
    province: int
    unanchored_batches: int
    unanchored_records: int
    oldest_sealed_at: str | None


class Health(BaseModel):
    """`ok`: database and chain fine; `degraded`: chain unreachable or failing; `unavailable`:
    database down (then HTTP 503)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.HEALTH]})
    status: Literal["ok", "degraded", "unavailable"]
    database: DatabaseHealth
    anchor_lag: list[AnchorLag] = Field(description="Sealed batches not yet confirmed on "
                                        "chain, per province (provinces without lag omitted).")
    chain: dict[str, Any] | None = Field(description="As reported by the chain client "
                                         "(chain_id, contract, reachable, latest_block); null "
                                         "when this process has none.")


class ProblemItem(BaseModel):
    """One of several problems (e.g. one per invalid record of a batch)."""

    index: int | None = Field(None, description="Record index within the batch.")
    field: str | None = None
    type: str | None = None
    detail: str
    code: str | None = Field(None, description="Validation error code (parameter errors).")


class Problem(BaseModel):
    """RFC 9457 problem details (`application/problem+json`). Branch on `type`."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "https://govtrace.dev/problems/invalid-record", "title": "Invalid record",
        "status": 422, "detail": "occurred_at is in the future", "instance": "/v1/records",
        "field": "occurred_at"}]})
    type: str = Field(description="https://govtrace.dev/problems/<code>, or about:blank.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path.")
    field: str | None = Field(None, description="The offending field, dotted path.")
    index: int | None = Field(None, description="The offending record within a batch.")
    errors: list[ProblemItem] | None = Field(None, description="All problems, when several.")
