"""Batches: contiguous runs of one province's records, sealed into an RFC 9162 tree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .record import hex32
from .store.schema import BatchRow


@dataclass(frozen=True, slots=True)
class SealPolicy:
    """Seal when `max_records` are pending, or when the oldest pending record is `max_age` old."""

    max_records: int = 1000
    max_age: timedelta = timedelta(seconds=10)

    def __post_init__(self) -> None:
        if self.max_records < 1:
            raise ValueError("max_records must be at least 1")


@dataclass(frozen=True, slots=True)
class Batch:
    province: int
    batch_no: int
    first_seq: int
    size: int
    root: bytes
    sealed_at: str

    @property
    def last_seq(self) -> int:
        return self.first_seq + self.size - 1

    def contains(self, seq: int) -> bool:
        return self.first_seq <= seq <= self.last_seq

    def to_json(self) -> dict[str, object]:
        return {
            "province": self.province,
            "batch_no": self.batch_no,
            "first_seq": self.first_seq,
            "size": self.size,
            "root": hex32(self.root),
        }

    @classmethod
    def from_row(cls, row: BatchRow) -> Batch:
        return cls(row.province, row.batch_no, row.first_seq, row.size, row.root, row.sealed_at)
