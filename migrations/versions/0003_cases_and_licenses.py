"""Cases and licenses (issue 3): the service-item catalogue, cases with their suspensions and
private applicant data, licenses with their private holder data (ledger/store/domain_schema.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_item",
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_en", sa.String(128), nullable=False),
        sa.Column("handling_province", sa.Integer(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("steps", sa.String(256), nullable=False),
        sa.Column("license_type", sa.String(32), nullable=True),
        sa.Column("cross_province", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("item_code"),
    )
    op.create_index("ix_service_item_handling_province", "service_item",
                    ["handling_province"])
    op.create_table(
        "gov_case",
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("item_name", sa.String(128), nullable=False),
        sa.Column("receiving_province", sa.Integer(), nullable=False),
        sa.Column("handling_province", sa.Integer(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("requires_review", sa.Boolean(), nullable=False),
        sa.Column("requires_delivery", sa.Boolean(), nullable=False),
        sa.Column("license_type", sa.String(32), nullable=True),
        sa.Column("applicant_commitment", sa.String(66), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("last_occurred_at", sa.String(32), nullable=False),
        sa.Column("submitted_at", sa.String(32), nullable=False),
        sa.Column("accepted_at", sa.String(32), nullable=True),
        sa.Column("completed_at", sa.String(32), nullable=True),
        sa.Column("evaluation_score", sa.Integer(), nullable=True),
        sa.Column("query_code_hash", sa.String(160), nullable=False),
        sa.ForeignKeyConstraint(["item_code"], ["service_item.item_code"]),
        sa.PrimaryKeyConstraint("case_no"),
    )
    op.create_index("ix_gov_case_handling", "gov_case", ["handling_province", "case_no"])
    op.create_index("ix_gov_case_receiving", "gov_case", ["receiving_province", "case_no"])
    op.create_table(
        "case_private",
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("province", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("id_type", sa.String(24), nullable=False),
        sa.Column("id_number", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("salt", sa.String(34), nullable=False),
        sa.Column("evaluation_comment", sa.String(1024), nullable=True),
        sa.ForeignKeyConstraint(["case_no"], ["gov_case.case_no"]),
        sa.PrimaryKeyConstraint("case_no"),
    )
    op.create_table(
        "case_suspension",
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("suspended_at", sa.String(32), nullable=False),
        sa.Column("resumed_at", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(["case_no"], ["gov_case.case_no"]),
        sa.PrimaryKeyConstraint("case_no", "n"),
    )
    op.create_table(
        "license",
        sa.Column("license_id", sa.String(64), nullable=False),
        sa.Column("type_code", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("holder_commitment", sa.String(66), nullable=False),
        sa.Column("issuing_authority", sa.String(64), nullable=False),
        sa.Column("issuing_province", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.String(10), nullable=False),
        sa.Column("valid_until", sa.String(10), nullable=True),
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("last_occurred_at", sa.String(32), nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["case_no"], ["gov_case.case_no"]),
        sa.PrimaryKeyConstraint("license_id"),
        sa.UniqueConstraint("case_no"),
    )
    op.create_index("ix_license_issuing_province", "license", ["issuing_province"])
    op.create_table(
        "license_private",
        sa.Column("license_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("id_type", sa.String(24), nullable=False),
        sa.Column("id_number", sa.String(64), nullable=False),
        sa.Column("salt", sa.String(34), nullable=False),
        sa.ForeignKeyConstraint(["license_id"], ["license.license_id"]),
        sa.PrimaryKeyConstraint("license_id"),
    )


def downgrade() -> None:
    op.drop_table("license_private")
    op.drop_index("ix_license_issuing_province", table_name="license")
    op.drop_table("license")
    op.drop_table("case_suspension")
    op.drop_table("case_private")
    op.drop_index("ix_gov_case_receiving", table_name="gov_case")
    op.drop_index("ix_gov_case_handling", table_name="gov_case")
    op.drop_table("gov_case")
    op.drop_index("ix_service_item_handling_province", table_name="service_item")
    op.drop_table("service_item")
