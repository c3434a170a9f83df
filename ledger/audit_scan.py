"""One unit of the audit's streaming pass: a contiguous seq range of one province.

A task reads its rows in pages (keyset pagination: `seq >= next` ... `LIMIT page`), so memory
per task is bounded by its range (at most `PIECE` records) whatever the ledger's size, and
the same SQL runs on SQLite and PostgreSQL. The rows are checked by ledger/audit_rows.py and
their links written to the chain check's buckets by ledger/audit_links.py. Tasks are plain
data so worker processes can run them; each returns the little the coordinator needs:
findings, gaps, and for every piece of a sealed batch the recomputed subtree root and the
256-record segments whose recomputed level-8 node differs from the stored tile.

A batch [f, f+n) is cut into pieces aligned at multiples of PIECE from f. Because RFC 9162
splits a tree at the largest power of two below its size, every complete piece is a subtree
and the batch root is the Merkle root over the piece roots (the last piece may be partial).

Text that is not UTF-8 in a row makes SQLite's driver refuse the whole chunk being fetched;
that chunk alone is then read again tolerantly (ledger/audit_values.py) and the page query
resumes after it. Pages are keyed on the last seq read, so a row whose seq is a real number
is read once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from . import merkle, tiles
from .audit_checks import COLUMNS, Row
from .audit_links import MAX_RUNS, Links
from .audit_rows import RowState, careful_rows, fast_rows
from .audit_values import describe, tolerant, undecodable
from .store import Database
from .store.database import driver_sql

PIECE = 1 << 16
PAGE = 8192
CHUNK = 256
SEGMENT = tiles.TILE_WIDTH

#: Keyset: after the last seq read (an int, or a real number the audit reports as inserted).
_ROWS_OF = ("SELECT {} FROM record WHERE province = :p AND seq > :after AND seq < :hi "
            "ORDER BY seq LIMIT :n")
#: The fast check does not need the writer's digest (the last column): one column less to
#: fetch per row.
_ROWS = _ROWS_OF.format(", ".join(COLUMNS[:-1]))
_CAREFUL_ROWS = _ROWS_OF.format(", ".join(COLUMNS))
_TILES = text("SELECT tile_index, hashes FROM batch_tile WHERE province = :p AND batch_no = :b "
              "AND level = :level AND tile_index >= :t0 AND tile_index <= :t1")


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of one sealed batch: [lo, hi), with lo - first_seq a multiple of PIECE."""

    province: int
    batch_no: int
    first_seq: int
    lo: int
    hi: int


@dataclass(frozen=True, slots=True)
class ScanTask:
    province: int
    lo: int
    hi: int
    pieces: tuple[Piece, ...] = ()
    careful: bool = False
    #: Directory for chain-check bucket files; None: this pass does not feed the chain check.
    bucket_dir: str | None = None
    buckets: int = 1


@dataclass(slots=True)
class PieceResult:
    piece: Piece
    root: bytes | None  # None: rows missing, no root
    bad_segments: list[int]  # segment indexes (from the batch start) differing from tiles
    tail_root: bytes | None  # root of the leaves after the last complete segment, if any
    tile_problems: list[str] = field(default_factory=list)  # stored tiles that are malformed


@dataclass(slots=True)
class ScanResult:
    task: ScanTask
    rows: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)  # inclusive seq ranges
    modified: list[dict[str, Any]] = field(default_factory=list)
    reordered: list[dict[str, Any]] = field(default_factory=list)
    inserted: list[dict[str, Any]] = field(default_factory=list)
    pieces: list[PieceResult] = field(default_factory=list)


def read_connection(db: Database) -> Connection:
    """A connection that never takes SQLite's write lock (see ledger/store/database.py)."""
    return db.engine.connect().execution_options(govtrace_read_only=True)


def scan(db: Database, task: ScanTask) -> ScanResult:
    result = ScanResult(task)
    state = RowState(task.province, task.lo, Links(task.bucket_dir, task.buckets),
                     gaps=result.gaps, modified=result.modified, reordered=result.reordered,
                     inserted=result.inserted)
    check = careful_rows if task.careful else fast_rows
    with read_connection(db) as conn:
        # The driver's own cursor: SQLAlchemy's Row objects cost a microsecond per row, a
        # sixth of the whole per-record budget. Reads only, so no transaction is needed
        # across pages: rows at or below the heads read at the start never change legally.
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        sql = driver_sql(db.engine.dialect, _CAREFUL_ROWS if task.careful else _ROWS)
        after: Any = task.lo - 1
        while state.expected < task.hi:
            cursor.execute(sql, {"p": task.province, "after": after, "hi": task.hi,
                                 "n": PAGE})
            # A page is taken CHUNK rows at a time: rows checked while they are still in the
            # CPU cache cost ~15% less than a page fetched whole (8 MB) and checked after.
            got, again = 0, False
            while True:
                try:
                    rows = cursor.fetchmany(CHUNK)
                except Exception as exc:
                    if not undecodable(exc):
                        raise
                    # Text that is not UTF-8 somewhere in this chunk: read it again
                    # tolerantly (ledger/audit_values.py), then the page query afresh.
                    rows, again = _tolerant_chunk(conn, sql, task, after), True
                if not rows:
                    break
                check(state, rows)
                after = rows[-1][0]
                got += len(rows)
                if len(state.links.runs) >= MAX_RUNS:
                    state.links.flush()
                if again:
                    break
            if not got:
                break
            result.rows += got
        if state.expected < task.hi:
            result.gaps.append((state.expected, task.hi - 1))
        state.links.flush()
        if task.pieces:
            _pieces(conn, task, result, state.leaves)
    return result


def _tolerant_chunk(conn: Connection, sql: str, task: ScanTask, after: Any) -> list[Row]:
    with tolerant(conn):
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(sql, {"p": task.province, "after": after, "hi": task.hi, "n": CHUNK})
        return list(cursor.fetchall())


def _pieces(conn: Connection, task: ScanTask, result: ScanResult, leaves: list[bytes]
            ) -> None:
    """Roots of each piece and its segments compared with the stored level-8 tiles."""
    for piece in task.pieces:
        if any(a < piece.hi and b >= piece.lo for a, b in result.gaps):
            result.pieces.append(PieceResult(piece, None, [], None))
            continue
        own = leaves[piece.lo - task.lo:piece.hi - task.lo]
        level = own
        for _ in range(tiles.TILE_HEIGHT):  # level 8: complete nodes, then the carried tail
            level = merkle.next_level(level)
        nodes = level[:len(own) // SEGMENT]
        problems: list[str] = []
        bad = _bad_segments(conn, task.province, piece, nodes, problems)
        result.pieces.append(PieceResult(
            piece, merkle.root_from_hashes(level), bad,
            level[len(nodes)] if len(level) > len(nodes) else None, problems))


def tile_problem(level: int, index: object, blob: object) -> str | None:
    """A stored tile that is not 1..256 whole 32-byte hashes (ledger/tiles.py)."""
    if type(blob) is bytes and blob and len(blob) % merkle.HASH_SIZE == 0 \
            and len(blob) <= tiles.TILE_WIDTH * merkle.HASH_SIZE:
        return None
    what = (f"{describe(blob)}, not bytes" if type(blob) is not bytes
            else f"{len(blob)} bytes, not 1 to {tiles.TILE_WIDTH} whole 32-byte hashes")
    return f"stored tile (level {level}, index {index}) holds {what}"


def _bad_segments(conn: Connection, province: int, piece: Piece, nodes: list[bytes],
                  problems: list[str]) -> list[int]:
    if not nodes:
        return []
    first = (piece.lo - piece.first_seq) // SEGMENT
    t0, t1 = first // SEGMENT, (first + len(nodes) - 1) // SEGMENT
    with tolerant(conn):  # a few rows per piece: the tolerant read costs nothing here
        rows = conn.execute(_TILES, {"p": province, "b": piece.batch_no,
                                     "level": tiles.TILE_HEIGHT, "t0": t0, "t1": t1}).all()
    stored: dict[int, bytes] = {}
    for index, blob in rows:
        problem = tile_problem(tiles.TILE_HEIGHT, index, blob)
        if problem is not None:
            problems.append(problem)
        stored[index] = blob if type(blob) is bytes else b""
    bad = []
    for i, node in enumerate(nodes):
        index = first + i
        blob = stored.get(index // SEGMENT, b"")
        offset = (index % SEGMENT) * merkle.HASH_SIZE
        if blob[offset:offset + merkle.HASH_SIZE] != node:
            bad.append(index)
    return bad
