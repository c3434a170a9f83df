"""Sealing pending records into batches, per province, in sequence order."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from . import tiles, timestamps
from .batch import Batch, SealPolicy
from .store import Database
from .store.schema import BatchRow, ProvinceHeadRow, RecordRow, TileRow


def seal_due(db: Database, policy: SealPolicy, *, now: datetime | None = None,
             force: bool = False, provinces: Collection[int] | None = None) -> list[Batch]:
    """Seal every batch that is due (all pending records when `force`); returns them in order.

    `provinces` limits sealing to those (the ones this worker holds leases for). Concurrent
    sealers are safe regardless: each batch is built under the province head's row lock.
    """
    now = now or timestamps.now()
    sealed: list[Batch] = []
    with db.snapshot() as session:
        pending = list(session.scalars(select(ProvinceHeadRow.province).where(
            ProvinceHeadRow.last_seq > ProvinceHeadRow.sealed_seq)
            .order_by(ProvinceHeadRow.province)))
    for province in pending:
        if provinces is not None and province not in provinces:
            continue
        while True:
            # One transaction per batch: a crash loses at most the batch being built.
            with db.transaction() as session:
                batch = _seal_next(session, province, policy, now, force)
            if batch is None:
                break
            sealed.append(batch)
    return sealed


def _seal_next(session: Session, province: int, policy: SealPolicy, now: datetime,
               force: bool) -> Batch | None:
    head = session.scalars(select(ProvinceHeadRow).where(
        ProvinceHeadRow.province == province).with_for_update()).one()
    pending = head.last_seq - head.sealed_seq
    if pending <= 0:
        return None
    first_seq = head.sealed_seq + 1
    if pending < policy.max_records and not force:
        oldest = session.scalar(select(RecordRow.recorded_at).where(
            RecordRow.province == province, RecordRow.seq == first_seq))
        assert oldest is not None
        if now - timestamps.parse(oldest, field="recorded_at") < policy.max_age:
            return None
    size = min(pending, policy.max_records)
    leaves = list(session.scalars(
        select(RecordRow.leaf_hash)
        .where(RecordRow.province == province, RecordRow.seq >= first_seq,
               RecordRow.seq < first_seq + size)
        .order_by(RecordRow.seq)))
    if len(leaves) != size:
        raise RuntimeError(f"province {province}: records {first_seq}..{first_seq + size - 1} "
                           f"are not all present ({len(leaves)} found)")
    built = tiles.build(leaves)
    batch = Batch(province, head.last_batch_no + 1, first_seq, size, built.root,
                  timestamps.render(now))
    session.add(BatchRow(province=province, batch_no=batch.batch_no, first_seq=first_seq,
                         size=size, root=built.root, sealed_at=batch.sealed_at))
    session.flush()
    tile_rows = [
        {"province": province, "batch_no": batch.batch_no, "level": level, "tile_index": index,
         "hashes": blob}
        for level, data in built.stored_levels.items()
        for index, blob in tiles.split_tiles(data)
    ]
    if tile_rows:
        session.execute(insert(TileRow), tile_rows)
    head.sealed_seq = first_seq + size - 1
    head.last_batch_no = batch.batch_no
    return batch
