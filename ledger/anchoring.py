"""The ledger's side of anchoring: which batches still need to go on chain, and where they went.

The chain client lives in `anchors/`; this module only keeps durable state, so the ledger
stays free of web3. Status moves submitted -> confirmed; a reorg moves it back to submitted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from . import timestamps
from .batch import Batch
from .store import Database
from .store.schema import AnchorRow, BatchRow

SUBMITTED = "submitted"
CONFIRMED = "confirmed"


@dataclass(frozen=True, slots=True)
class Anchor:
    province: int
    batch_no: int
    chain_id: int
    contract: str
    tx_hash: str
    block_number: int | None
    block_hash: str | None
    status: str
    submitted_at: str
    confirmed_at: str | None
    #: the anchoring tx's receipt's; None while submitted, and for a confirmed anchor only when
    #: the node served no receipt for a tx found through its event (anchors/anchorer.py)
    gas_used: int | None

    @property
    def confirmed(self) -> bool:
        return self.status == CONFIRMED

    def to_json(self) -> dict[str, object]:
        """The `anchor` object of an evidence bundle."""
        return {"chain_id": self.chain_id, "contract": self.contract, "tx_hash": self.tx_hash,
                "block_number": self.block_number}

    @classmethod
    def from_row(cls, r: AnchorRow) -> Anchor:
        return cls(r.province, r.batch_no, r.chain_id, r.contract, r.tx_hash, r.block_number,
                   r.block_hash, r.status, r.submitted_at, r.confirmed_at, r.gas_used)


@dataclass(frozen=True, slots=True)
class AnchorLag:
    province: int
    unanchored_batches: int
    unanchored_records: int
    oldest_sealed_at: str | None


def unanchored(db: Database, *, province: int | None = None, limit: int = 100) -> list[Batch]:
    """Sealed batches without a confirmed anchor, in (province, batch_no) order."""
    with db.snapshot() as s:
        q = (select(BatchRow).outerjoin(AnchorRow, and_(
                AnchorRow.province == BatchRow.province, AnchorRow.batch_no == BatchRow.batch_no))
             .where((AnchorRow.status.is_(None)) | (AnchorRow.status != CONFIRMED))
             .order_by(BatchRow.province, BatchRow.batch_no).limit(limit))
        if province is not None:
            q = q.where(BatchRow.province == province)
        return [Batch.from_row(r) for r in s.scalars(q)]


def get(session: Session, province: int, batch_no: int) -> Anchor | None:
    row = session.get(AnchorRow, (province, batch_no))
    return None if row is None else Anchor.from_row(row)


def record_submitted(db: Database, batch: Batch, *, chain_id: int, contract: str, tx_hash: str,
                     now: datetime | None = None) -> None:
    """Remember a sent transaction before waiting for it, so a restart can look it up."""
    with db.transaction() as s:
        row = s.get(AnchorRow, (batch.province, batch.batch_no))
        if row is None:
            row = AnchorRow(province=batch.province, batch_no=batch.batch_no)
            s.add(row)
        row.chain_id, row.contract, row.tx_hash = chain_id, contract, tx_hash
        row.status, row.block_number, row.block_hash = SUBMITTED, None, None
        row.submitted_at = timestamps.render(now or timestamps.now())
        row.confirmed_at, row.gas_used = None, None


def record_confirmed(db: Database, batch: Batch, *, chain_id: int, contract: str, tx_hash: str,
                     block_number: int, block_hash: str, gas_used: int | None,
                     now: datetime | None = None) -> None:
    """Record the confirmed receipt of the anchoring tx, whether this worker sent it or found
    it on chain (anchors.anchorer.Anchorer._record is the only caller in the service)."""
    stamp = timestamps.render(now or timestamps.now())
    with db.transaction() as s:
        row = s.get(AnchorRow, (batch.province, batch.batch_no))
        if row is None:
            row = AnchorRow(province=batch.province, batch_no=batch.batch_no, submitted_at=stamp)
            s.add(row)
        row.chain_id, row.contract, row.tx_hash = chain_id, contract, tx_hash
        row.block_number, row.block_hash, row.gas_used = block_number, block_hash, gas_used
        row.status, row.confirmed_at = CONFIRMED, stamp


def recent_confirmed(db: Database, provinces: Collection[int] | None, min_block: int
                     ) -> list[Anchor]:
    """Confirmed anchors (of `provinces`, default all) in blocks >= `min_block`: those a
    reorg could still undo."""
    q = (select(AnchorRow).where(AnchorRow.status == CONFIRMED,
                                 AnchorRow.block_number >= min_block)
         .order_by(AnchorRow.province, AnchorRow.batch_no))
    if provinces is not None:
        q = q.where(AnchorRow.province.in_(list(provinces)))
    with db.snapshot() as s:
        return [Anchor.from_row(r) for r in s.scalars(q)]


def demote(db: Database, province: int, batch_no: int, tx_hash: str) -> bool:
    """Confirmed -> submitted after its block left the canonical chain.

    The tx hash stays, so the anchorer first follows that transaction (it may be re-mined)
    and re-submits only if the node has lost it. False when the row changed meanwhile.
    """
    with db.transaction() as s:
        row = s.get(AnchorRow, (province, batch_no))
        if row is None or row.status != CONFIRMED or row.tx_hash != tx_hash:
            return False
        row.status, row.block_number, row.block_hash, row.confirmed_at = SUBMITTED, None, None, None
        return True


def lag(db: Database) -> list[AnchorLag]:
    """Per province: sealed batches and records not yet confirmed on chain."""
    with db.snapshot() as s:
        rows = s.execute(
            select(BatchRow.province, func.count(), func.sum(BatchRow.size),
                   func.min(BatchRow.sealed_at))
            .outerjoin(AnchorRow, and_(AnchorRow.province == BatchRow.province,
                                       AnchorRow.batch_no == BatchRow.batch_no))
            .where((AnchorRow.status.is_(None)) | (AnchorRow.status != CONFIRMED))
            .group_by(BatchRow.province).order_by(BatchRow.province)).all()
    return [AnchorLag(p, n, int(size or 0), oldest) for p, n, size, oldest in rows]
