"""Read paths: records, batches and proofs, each in O(log n) reads of the database.

The evidence path (`locate`, `inclusion_proof`) is the API's hottest read: it runs two
statements per bundle on the driver's own cursor, inside the caller's snapshot, because
SQLAlchemy's statement and row handling cost more CPU than the queries themselves
(docs/performance.md, "3. Evidence"). The ORM functions serve everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from . import merkle, tiles
from .anchoring import Anchor
from .batch import Batch
from .canonical import parse
from .errors import LedgerInconsistent, NotFound
from .record import Record
from .store.database import takes_percent, to_percent
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


def _name(b: Batch) -> str:
    return f"province {b.province} batch {b.batch_no}"


def tree(session: Session, b: Batch) -> tiles.TiledTree:
    """A proof server for one batch, reading leaf-hash ranges and stored tiles on demand;
    raises LedgerInconsistent when a leaf hash or stored tile it needs is missing."""

    def fetch(level: int, tile_index: int) -> Sequence[bytes]:
        if level == 0:
            return _leaf_tile(session, b, tile_index)
        blob = session.scalar(select(TileRow.hashes).where(
            TileRow.province == b.province, TileRow.batch_no == b.batch_no,
            TileRow.level == level, TileRow.tile_index == tile_index))
        if blob is None:  # sealing stored every tile a complete node needs
            raise LedgerInconsistent(f"{_name(b)}: stored tile {tile_index} of level {level} "
                                     "is missing")
        return tiles.unpack(blob)

    return tiles.TiledTree(b.size, fetch, name=_name(b))


@dataclass(frozen=True, slots=True)
class Located:
    """A record's stored bytes with its batch (None while pending) and the batch's anchor
    row (None when there is none, whatever its status), as one statement saw them."""

    record_id: str
    province: int
    seq: int
    canonical: bytes
    leaf_hash: bytes
    batch: Batch | None
    anchor: Anchor | None


class _Sql:
    """One statement in both parameter styles: sqlite3 takes `:name`, psycopg `%(name)s`."""

    __slots__ = ("named", "pyformat")

    def __init__(self, sql: str) -> None:
        self.named = sql
        self.pyformat = to_percent(sql)

    def rows(self, session: Session, params: dict[str, Any]) -> Sequence[Any]:
        conn = session.connection()  # the snapshot's transaction, begun if not yet
        sql = self.pyformat if takes_percent(conn.dialect) else self.named
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()


# The batch covering the record is the province's last one starting at or before its seq
# (an index probe on ix_batch_first_seq); the caller checks that it reaches the seq.
_LOCATE = _Sql(
    "SELECT r.province, r.seq, r.canonical, r.leaf_hash,"
    " b.batch_no, b.first_seq, b.size, b.root, b.sealed_at,"
    " a.chain_id, a.contract, a.tx_hash, a.block_number, a.block_hash, a.status,"
    " a.submitted_at, a.confirmed_at, a.gas_used"
    " FROM record r"
    " LEFT JOIN batch b ON b.province = r.province AND b.first_seq = ("
    "  SELECT first_seq FROM batch WHERE province = r.province AND first_seq <= r.seq"
    "  ORDER BY first_seq DESC LIMIT 1)"
    " LEFT JOIN anchor a ON a.province = b.province AND a.batch_no = b.batch_no"
    " WHERE r.record_id = :id")
_LEAVES = _Sql("SELECT leaf_hash FROM record WHERE province = :p AND seq >= :lo AND seq < :hi"
               " ORDER BY seq")
_LEVEL = _Sql("SELECT hashes FROM batch_tile WHERE province = :p AND batch_no = :b"
              " AND level = :level ORDER BY tile_index")

#: Bytes of computed upper tree levels kept per process: 256 KB per 10^6-record batch, a
#: few hundred bytes per 1,000-record batch.
UPPER_CACHE_BYTES = 32 << 20
#: Shared by every session of the process: entries are keyed by content (the root), so
#: several databases in one process (tests) cannot see each other's levels.
upper_cache = tiles.UpperCache(UPPER_CACHE_BYTES)


def locate(session: Session, record_id: str) -> Located:
    """The record, its batch and anchor in one statement; raises NotFound."""
    found = _LOCATE.rows(session, {"id": record_id})
    if not found:
        raise NotFound(f"no record {record_id}")
    (province, seq, canonical, leaf_hash, batch_no, first_seq, size, root, sealed_at,
     *a) = found[0]
    if batch_no is None or not first_seq <= seq < first_seq + size:
        return Located(record_id, province, seq, bytes(canonical), bytes(leaf_hash), None, None)
    b = Batch(province, batch_no, first_seq, size, bytes(root), sealed_at)
    anchor = None if a[0] is None else Anchor(province, batch_no, *a)
    return Located(record_id, province, seq, bytes(canonical), bytes(leaf_hash), b, anchor)


def _leaf_tile(session: Session, b: Batch, tile: int) -> list[bytes]:
    """Leaf hashes of the tile's records; raises LedgerInconsistent when rows are missing."""
    lo = b.first_seq + tile * tiles.TILE_WIDTH
    hi = min(lo + tiles.TILE_WIDTH, b.first_seq + b.size)
    leaves = [bytes(row[0]) for row in _LEAVES.rows(session, {"p": b.province, "lo": lo,
                                                              "hi": hi})]
    if len(leaves) != hi - lo:
        raise LedgerInconsistent(f"{_name(b)}: records of seq {lo}..{hi - 1} are incomplete "
                                 f"({len(leaves)} of {hi - lo} stored)")
    return leaves


def _upper_levels(session: Session, b: Batch) -> tiles.UpperLevels | None:
    """The batch's levels 8 and up, cached; None when the stored tiles and leaves do not
    lead to the batch's root (then nothing is cached and the caller reads tile by tile)."""
    key = (b.province, b.batch_no, b.size, b.root)
    upper = upper_cache.get(key)
    if upper is not None:
        return upper
    blobs = _LEVEL.rows(session, {"p": b.province, "b": b.batch_no, "level": tiles.TILE_HEIGHT})
    level8 = tiles.unpack(b"".join(bytes(row[0]) for row in blobs))
    complete = b.size >> tiles.TILE_HEIGHT
    if len(level8) != complete:
        return None
    if b.size % tiles.TILE_WIDTH:
        level8.append(merkle.root_from_hashes(_leaf_tile(session, b, complete)))
    upper = tiles.UpperLevels.compute(level8)
    if upper.root != b.root:
        return None
    upper_cache.put(key, upper)
    return upper


def inclusion_proof(session: Session, b: Batch, index: int) -> list[bytes]:
    """RFC 9162 audit path of leaf `index`: one leaf-range read, and the cached upper
    levels (one more read, of the level-8 tiles, the first time a process sees a batch).
    Raises LedgerInconsistent when stored leaves or tiles the path needs are missing."""
    tile = index >> tiles.TILE_HEIGHT
    path = tiles.path_in_tile(_leaf_tile(session, b, tile), index - tile * tiles.TILE_WIDTH)
    if b.size <= tiles.TILE_WIDTH:
        return path
    upper = _upper_levels(session, b)
    if upper is None:  # inconsistent storage: serve exactly what the tiles say, as before
        return tree(session, b).inclusion_proof(index)
    return path + upper.path_above(tile)
