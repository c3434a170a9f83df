"""Read paths: records, batches and proofs, each in O(log n) reads of the database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from . import tiles
from .anchoring import Anchor
from .batch import Batch
from .canonical import parse
from .errors import NotFound
from .record import Record
from .store.schema import AnchorRow, BatchRow, RecordRow, TileRow


def record_row(session: Session, record_id: str) -> RecordRow:
    row = session.scalar(select(RecordRow).where(RecordRow.record_id == record_id))
    if row is None:
        raise NotFound(f"no record {record_id}")
    return row


def record(session: Session, record_id: str) -> Record:
    return Record.from_json(parse(record_row(session, record_id).canonical))


def batch(session: Session, province: int, batch_no: int) -> Batch:
    row = session.get(BatchRow, (province, batch_no))
    if row is None:
        raise NotFound(f"no batch {batch_no} in province {province}")
    return Batch.from_row(row)


def batches(session: Session, province: int, *, after: int = 0, limit: int = 50
            ) -> list[tuple[Batch, Anchor | None]]:
    """A page of a province's batches (batch_no > after) with their anchors, in one query."""
    rows = session.execute(
        select(BatchRow, AnchorRow)
        .outerjoin(AnchorRow, and_(AnchorRow.province == BatchRow.province,
                                   AnchorRow.batch_no == BatchRow.batch_no))
        .where(BatchRow.province == province, BatchRow.batch_no > after)
        .order_by(BatchRow.batch_no).limit(limit)).all()
    return [(Batch.from_row(b), None if a is None else Anchor.from_row(a)) for b, a in rows]


def batch_of(session: Session, province: int, seq: int) -> Batch | None:
    """The sealed batch covering (province, seq), or None while the record is pending."""
    row = session.scalar(select(BatchRow).where(
        BatchRow.province == province, BatchRow.first_seq <= seq)
        .order_by(BatchRow.first_seq.desc()).limit(1))
    if row is None or not Batch.from_row(row).contains(seq):
        return None
    return Batch.from_row(row)


def tree(session: Session, b: Batch) -> tiles.TiledTree:
    """A proof server for one batch, reading leaf-hash ranges and stored tiles on demand."""

    def fetch(level: int, tile_index: int) -> Sequence[bytes]:
        if level == 0:
            lo = b.first_seq + tile_index * tiles.TILE_WIDTH
            return list(session.scalars(
                select(RecordRow.leaf_hash)
                .where(RecordRow.province == b.province, RecordRow.seq >= lo,
                       RecordRow.seq < min(lo + tiles.TILE_WIDTH, b.first_seq + b.size))
                .order_by(RecordRow.seq)))
        blob = session.scalar(select(TileRow.hashes).where(
            TileRow.province == b.province, TileRow.batch_no == b.batch_no,
            TileRow.level == level, TileRow.tile_index == tile_index))
        if blob is None:
            raise NotFound(f"tile {level}/{tile_index} of batch {b.batch_no} is missing")
        return tiles.unpack(blob)

    return tiles.TiledTree(b.size, fetch)
