"""Read model of the public ledger explorer: per-province totals and each batch's status.

A batch is `pending` while sealed but not sent, `anchoring` once its transaction is sent and
until it has the configured confirmations, and `final` then (the anchorer records `confirmed`
only after `GOVTRACE_CONFIRMATIONS` blocks, so a confirmed anchor is final by the service's
own policy). A reorg moves a final batch back to anchoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from . import lookup
from .anchoring import CONFIRMED, SUBMITTED, Anchor
from .batch import Batch
from .store.schema import AnchorRow, BatchRow

Status = Literal["pending", "anchoring", "final"]
STATUSES: tuple[Status, ...] = ("pending", "anchoring", "final")


def status_of(anchor: Anchor | None) -> Status:
    if anchor is None:
        return "pending"
    return "final" if anchor.status == CONFIRMED else "anchoring"


@dataclass(frozen=True, slots=True)
class ProvinceSummary:
    province: int
    batches: int
    records: int
    final: int
    anchoring: int
    last_batch_no: int
    last_block: int | None

    @property
    def pending(self) -> int:
        return self.batches - self.final - self.anchoring


def provinces(session: Session) -> list[ProvinceSummary]:
    """Every province that has sealed at least one batch, in code order (one query)."""
    joined = and_(AnchorRow.province == BatchRow.province, AnchorRow.batch_no == BatchRow.batch_no)
    rows = session.execute(
        select(BatchRow.province, func.count(), func.sum(BatchRow.size),
               func.sum(case((AnchorRow.status == CONFIRMED, 1), else_=0)),
               func.sum(case((AnchorRow.status == SUBMITTED, 1), else_=0)),
               func.max(BatchRow.batch_no), func.max(AnchorRow.block_number))
        .outerjoin(AnchorRow, joined)
        .group_by(BatchRow.province).order_by(BatchRow.province)).all()
    return [ProvinceSummary(p, n, int(size or 0), int(final or 0), int(sent or 0), int(last),
                            None if block is None else int(block))
            for p, n, size, final, sent, last, block in rows]


@dataclass(frozen=True, slots=True)
class BatchWindow:
    """Batches `after`+1 … `after`+`limit` of a province, newest first, and where to page."""

    province: int
    last_batch_no: int
    rows: list[tuple[Batch, Anchor | None]]
    newer_after: int | None
    older_after: int | None


def window(session: Session, province: int, *, after: int | None, limit: int) -> BatchWindow:
    """A page of batches. Batch numbers are contiguous from 1, so a page is a number range;
    `after=None` means the newest page, which is what a visitor looks for first."""
    last = session.scalar(select(func.max(BatchRow.batch_no))
                          .where(BatchRow.province == province)) or 0
    start = max(0, last - limit) if after is None else min(max(0, after), max(0, last - 1))
    rows = lookup.batches(session, province, after=start, limit=limit)
    rows.reverse()
    newer = start + limit if start + limit < last else None
    older = max(0, start - limit) if start > 0 else None
    return BatchWindow(province, int(last), rows, newer, older)
