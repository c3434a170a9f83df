"""Tables. Records are append-only: nothing in the ledger ever UPDATEs or DELETEs a record row.

Batch membership is implied by sequence ranges (a batch covers [first_seq, first_seq+size)),
so sealing never touches record rows either.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RecordRow(Base):
    __tablename__ = "record"

    province: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[str] = mapped_column(String(32))
    # The exact bytes hashed into the leaf; the JSON columns above are derived copies for queries.
    canonical: Mapped[bytes] = mapped_column(LargeBinary)
    # Not UNIQUE: it covers (province, seq), the primary key (migration 0006).
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    content_digest: Mapped[bytes] = mapped_column(LargeBinary(32))

    __table_args__ = (Index("ix_record_subject", "subject_type", "subject_id"),)


class SubjectHeadRow(Base):
    """Latest leaf of each case/license chain: makes `prev` O(1) and forks impossible."""

    __tablename__ = "subject_head"

    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_leaf: Mapped[bytes] = mapped_column(LargeBinary(32))
    length: Mapped[int] = mapped_column(BigInteger)


class ProvinceHeadRow(Base):
    """Per-province counters. Updating this row serialises writers of one province."""

    __tablename__ = "province_head"

    province: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    sealed_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_batch_no: Mapped[int] = mapped_column(BigInteger, default=0)


class BatchRow(Base):
    __tablename__ = "batch"

    province: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_no: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    sealed_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_batch_first_seq", "province", "first_seq", unique=True),)


class TileRow(Base):
    """256 consecutive complete nodes of one stored tree level (levels 8, 16, ...)."""

    __tablename__ = "batch_tile"

    province: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_no: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    tile_index: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hashes: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (
        ForeignKeyConstraint(["province", "batch_no"], ["batch.province", "batch.batch_no"]),
    )


class AnchorRow(Base):
    """Where and when a batch root went on chain. status: submitted -> confirmed."""

    __tablename__ = "anchor"

    province: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_no: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    contract: Mapped[str] = mapped_column(String(42))
    tx_hash: Mapped[str] = mapped_column(String(66))
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    block_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[str] = mapped_column(String(32))
    confirmed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    gas_used: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        ForeignKeyConstraint(["province", "batch_no"], ["batch.province", "batch.batch_no"]),
    )


class ApiKeyRow(Base):
    __tablename__ = "api_key"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    role: Mapped[str] = mapped_column(String(16))
    province: Mapped[int | None] = mapped_column(Integer, nullable=True)
    label: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class SettingRow(Base):
    """Small durable facts about this deployment (e.g. the anchor contract in use)."""

    __tablename__ = "ledger_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(4096))
