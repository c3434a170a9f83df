"""The anchored-evidence core (issue 2): records, heads, batches, tiles, anchors, keys.

This is also the schema every release before migrations created with `create_all`: such a
database is adopted as this revision (see ledger/store/migrate.py).

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def _batch_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["province", "batch_no"], ["batch.province", "batch.batch_no"])


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("province", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(128), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("revoked_at", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_table(
        "batch",
        sa.Column("province", sa.Integer(), nullable=False),
        sa.Column("batch_no", sa.BigInteger(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("sealed_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("province", "batch_no"),
    )
    op.create_index("ix_batch_first_seq", "batch", ["province", "first_seq"], unique=True)
    op.create_table(
        "ledger_setting",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.String(4096), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "province_head",
        sa.Column("province", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("sealed_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_batch_no", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("province"),
    )
    op.create_table(
        "record",
        sa.Column("province", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("canonical", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("content_digest", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("province", "seq"),
        sa.UniqueConstraint("leaf_hash"),
        sa.UniqueConstraint("record_id"),
    )
    op.create_index("ix_record_subject", "record", ["subject_type", "subject_id"])
    op.create_table(
        "subject_head",
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("last_leaf", sa.LargeBinary(32), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id"),
    )
    op.create_table(
        "anchor",
        sa.Column("province", sa.Integer(), nullable=False),
        sa.Column("batch_no", sa.BigInteger(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(42), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_hash", sa.String(66), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", sa.String(32), nullable=False),
        sa.Column("confirmed_at", sa.String(32), nullable=True),
        sa.Column("gas_used", sa.BigInteger(), nullable=True),
        _batch_fk(),
        sa.PrimaryKeyConstraint("province", "batch_no"),
    )
    op.create_table(
        "batch_tile",
        sa.Column("province", sa.Integer(), nullable=False),
        sa.Column("batch_no", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("tile_index", sa.BigInteger(), nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        _batch_fk(),
        sa.PrimaryKeyConstraint("province", "batch_no", "level", "tile_index"),
    )


def downgrade() -> None:
    for table in ("batch_tile", "anchor", "subject_head", "record", "province_head",
                  "ledger_setting", "batch", "api_key"):
        op.drop_table(table)
