"""Evidence bundles and batches: what anyone needs to check a record against the chain."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import examples as ex
from .records import Anchor, BatchRef, Record


class BundleBatch(BaseModel):
    province: int
    batch_no: int
    first_seq: int
    size: int
    root: str


class BundleProof(BaseModel):
    index: int = Field(description="Leaf index in the batch: record.seq - batch.first_seq.")
    tree_size: int = Field(description="Equals batch.size.")
    hashes: list[str] = Field(description="RFC 9162 inclusion proof, leaf to root.")


class BundleAnchor(BaseModel):
    chain_id: int
    contract: str
    tx_hash: str
    block_number: int


class EvidenceBundle(BaseModel):
    """Format `govtrace.evidence/1`: checkable offline (record -> leaf -> root) and against
    the anchor contract (root registered for province/batch_no). `anchor` is null until the
    batch's anchoring transaction is confirmed."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.EVIDENCE]})
    format: Literal["govtrace.evidence/1"]
    record: Record
    leaf_hash: str
    batch: BundleBatch
    proof: BundleProof
    anchor: BundleAnchor | None


class BatchStatus(BatchRef):
    """A sealed batch; `anchored` once its anchoring transaction is confirmed (`anchor`
    shows a submitted transaction before that)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.BATCH_STATUS]})
    status: Literal["sealed", "anchored"]
    anchor: Anchor | None


class BatchPage(BaseModel):
    """Batches of one province in batch_no order; pass `next_after` as `after` for more."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.BATCH_PAGE]})
    province: int
    batches: list[BatchStatus]
    next_after: int | None = Field(description="null when this is the last page.")
