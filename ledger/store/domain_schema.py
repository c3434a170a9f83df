"""Tables of the service domain: the catalogue, cases and licenses (issue 3).

These rows are the *current state* the state machines check against; the history is the
ledger's records, which these rows never replace. Plain personal data (applicant, holder,
free-text evaluation comments) live only in the `*_private` tables, which no API response
for other provinces, no record and no chain transaction ever contains.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .schema import Base


class ServiceItemRow(Base):
    """One service item (事项) of a province's catalogue."""

    __tablename__ = "service_item"

    item_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    handling_province: Mapped[int] = mapped_column(Integer, index=True)
    promised_days: Mapped[int] = mapped_column(Integer)
    #: Space-separated step names in order, e.g. "submitted accepted review_started ...".
    steps: Mapped[str] = mapped_column(String(256))
    license_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cross_province: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[str] = mapped_column(String(32))


class CaseRow(Base):
    """A case (办件). Item facts are copied at submission: a later catalogue change must not
    move the promised deadline of a case already running."""

    __tablename__ = "gov_case"  # `case` is an SQL keyword

    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64), ForeignKey("service_item.item_code"))
    item_name: Mapped[str] = mapped_column(String(128))
    receiving_province: Mapped[int] = mapped_column(Integer)
    handling_province: Mapped[int] = mapped_column(Integer)
    promised_days: Mapped[int] = mapped_column(Integer)
    requires_review: Mapped[bool] = mapped_column(Boolean)
    requires_delivery: Mapped[bool] = mapped_column(Boolean)
    license_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    applicant_commitment: Mapped[str] = mapped_column(String(66))
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(24))
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    steps: Mapped[int] = mapped_column(Integer, default=0)
    last_occurred_at: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    completed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    evaluation_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: PBKDF2 of the citizen's query code (ledger/querycode.py); the code itself is never kept.
    query_code_hash: Mapped[str] = mapped_column(String(160))

    __table_args__ = (
        Index("ix_gov_case_receiving", "receiving_province", "case_no"),
        Index("ix_gov_case_handling", "handling_province", "case_no"),
    )


class CaseSuspensionRow(Base):
    """A special procedure (特别程序) that stopped the clock; open while resumed_at is null."""

    __tablename__ = "case_suspension"

    case_no: Mapped[str] = mapped_column(String(64), ForeignKey("gov_case.case_no"),
                                         primary_key=True)
    n: Mapped[int] = mapped_column(Integer, primary_key=True)
    suspended_at: Mapped[str] = mapped_column(String(32))
    resumed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class CasePrivateRow(Base):
    """Plain personal data of a case, held by the receiving province's database only."""

    __tablename__ = "case_private"

    case_no: Mapped[str] = mapped_column(String(64), ForeignKey("gov_case.case_no"),
                                         primary_key=True)
    province: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    id_type: Mapped[str] = mapped_column(String(24))
    id_number: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: 16 random bytes (hex): applicant commitment = SHA-256(salt ‖ canonical id).
    salt: Mapped[str] = mapped_column(String(34))
    #: The applicant's free-text evaluation; its record carries only a keyed digest.
    evaluation_comment: Mapped[str | None] = mapped_column(String(1024), nullable=True)


class LicenseRow(Base):
    """An electronic license (电子证照) and its current status."""

    __tablename__ = "license"

    license_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(64))
    holder_commitment: Mapped[str] = mapped_column(String(66))
    issuing_authority: Mapped[str] = mapped_column(String(64))
    issuing_province: Mapped[int] = mapped_column(Integer, index=True)
    valid_from: Mapped[str] = mapped_column(String(10))
    valid_until: Mapped[str | None] = mapped_column(String(10), nullable=True)
    case_no: Mapped[str] = mapped_column(String(64), ForeignKey("gov_case.case_no"),
                                         unique=True)
    state: Mapped[str] = mapped_column(String(16))
    events: Mapped[int] = mapped_column(Integer, default=0)
    last_occurred_at: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[str] = mapped_column(String(32))


class LicensePrivateRow(Base):
    """Plain holder data of a license, held by the issuing province's database only."""

    __tablename__ = "license_private"

    license_id: Mapped[str] = mapped_column(String(64), ForeignKey("license.license_id"),
                                            primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    id_type: Mapped[str] = mapped_column(String(24))
    id_number: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str] = mapped_column(String(34))
