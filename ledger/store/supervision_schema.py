"""Tables of electronic supervision (电子监察, issue 4): the current alerts, and per case when
its alerts must next be recomputed.

Alerts are a read model, derived from the ledger's records and rebuilt at will: no alert is
ever a fact of its own. `supervision_case` makes refreshing cheap and current: an append marks
the case `stale` in its own transaction (so no step can slip past), and `next_check_at` is
when the clock alone could change the case's alerts (the next local midnight for an open
case; none once nothing but a new step can change them).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .schema import Base


class SupervisedCaseRow(Base):
    __tablename__ = "supervision_case"

    case_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Set by every append to the case; cleared by the refresh that saw those records.
    stale: Mapped[bool] = mapped_column(Boolean)
    #: UTC timestamp (canonical form) at which time-based rules must be re-run; null: never.
    next_check_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    checked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (Index("ix_supervision_case_due", "stale", "next_check_at"),)


class AlertRow(Base):
    """One alert that currently holds. The id is `kind:subject`, so a rule that keeps firing
    updates its alert (and keeps `raised_at`) instead of piling up copies."""

    __tablename__ = "supervision_alert"

    alert_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    #: case | item | province
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    #: The province that must act (for a case: the one whose move it is).
    province: Mapped[int] = mapped_column(Integer)
    item_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(String(512))
    #: When this alert first held (UTC), kept while it keeps holding.
    raised_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    #: JSON list of the records behind the alert: [{record_id, province, seq, leaf_hash}].
    facts: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_supervision_alert_subject", "subject_type", "subject_id"),
        Index("ix_supervision_alert_province", "province", "raised_at"),
    )
