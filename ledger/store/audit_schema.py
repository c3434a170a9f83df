"""Tables of the tamper audit: the full report of every audit run.

The report itself is not a record (it can be large); the `audit.completed` record that the
audit appends to the supervision body's ledger carries the report's SHA-256, so a report
changed afterwards no longer matches an anchored digest and the next audit says so.
"""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .schema import Base


class AuditReportRow(Base):
    __tablename__ = "audit_report"

    #: Also the record id of the `audit.completed` record that commits to this report.
    audit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    started_at: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(16))
    #: The report as JSON (orjson bytes); its SHA-256 is the record's `report_digest`.
    report: Mapped[bytes] = mapped_column(LargeBinary)
