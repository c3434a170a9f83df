"""Pydantic models for the OpenAPI document and response shapes (see examples.py)."""

from .proofs import BatchPage, BatchStatus, EvidenceBundle
from .records import BatchReceipt, Receipt, RecordBatchIn, RecordIn, RecordStatus
from .service import Health, Problem

__all__ = ["BatchPage", "BatchReceipt", "BatchStatus", "EvidenceBundle", "Health", "Problem",
           "Receipt", "RecordBatchIn", "RecordIn", "RecordStatus"]
