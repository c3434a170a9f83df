"""Electronic supervision (issue 4): materialised alerts and when each case is next checked
(ledger/store/supervision_schema.py, docs/supervision.md).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervision_case",
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("next_check_at", sa.String(32), nullable=True),
        sa.Column("checked_at", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("case_no"),
    )
    op.create_index("ix_supervision_case_due", "supervision_case", ["stale", "next_check_at"])
    op.create_table(
        "supervision_alert",
        sa.Column("alert_id", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("province", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(512), nullable=False),
        sa.Column("raised_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    op.create_index("ix_supervision_alert_subject", "supervision_alert",
                    ["subject_type", "subject_id"])
    op.create_index("ix_supervision_alert_province", "supervision_alert",
                    ["province", "raised_at"])


def downgrade() -> None:
    op.drop_index("ix_supervision_alert_province", "supervision_alert")
    op.drop_index("ix_supervision_alert_subject", "supervision_alert")
    op.drop_table("supervision_alert")
    op.drop_index("ix_supervision_case_due", "supervision_case")
    op.drop_table("supervision_case")
