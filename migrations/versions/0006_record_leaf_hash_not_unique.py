"""Drop the UNIQUE index on record.leaf_hash (issue 6, ingest throughput).

A leaf hash covers the record's province and seq, which the primary key already makes
unique, so two stored records can share a leaf hash only through a SHA-256 collision: the
index guaranteed nothing, and it was the fourth B-tree with random keys that every append
wrote to (docs/performance.md). Nothing looks records up by leaf hash.

On SQLite the table is rebuilt (batch mode): a full copy of `record`, so allow time and disk
for it on a large ledger.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite reflects the inline UNIQUE without a name; this convention names it for batch mode.
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("record", naming_convention=_SQLITE_NAMES) as batch:
            batch.drop_constraint("uq_record_leaf_hash", type_="unique")
    else:
        op.drop_constraint("record_leaf_hash_key", "record", type_="unique")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("record", naming_convention=_SQLITE_NAMES) as batch:
            batch.create_unique_constraint("uq_record_leaf_hash", ["leaf_hash"])
    else:
        op.create_unique_constraint("record_leaf_hash_key", "record", ["leaf_hash"])
