"""Batch roots in the tamper audit: assemble recomputed roots, compare stored and anchored ones.

Pieces of a batch come back from the streaming pass in any order; once all are in, the batch
root is the Merkle root over the piece roots (see ledger/audit_scan.py). It is compared with
the stored root and, when a chain is given, with the root, first seq and size the contract
holds. A batch whose records no longer hash to the reference root (the anchored one, or the
stored one when the chain was not checked) is re-examined carefully where the stored tiles
point, and its records lose their authentication (ledger/audit_attribution.py) except in
segments the tiles vouch for.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import text

from . import merkle, tiles
from .audit_report import AuditReport
from .audit_scan import SEGMENT, Piece, PieceResult, read_connection, tile_problem
from .audit_values import hash_problem, tolerant
from .errors import AuditChainUnavailable
from .store import Database


@dataclass(frozen=True, slots=True)
class AnchoredBatch:
    root: bytes
    first_seq: int
    size: int


class AnchoredRoots(Protocol):
    """The chain side, as the audit needs it (implemented over web3 in anchors/)."""

    chain_id: int
    contract: str

    def batch(self, province: int, batch_no: int) -> AnchoredBatch | None:
        """The anchored batch, or None; raises AuditChainUnavailable when it cannot tell."""

    def batch_count(self, province: int) -> int:
        """How many batches the province has anchored."""


@dataclass
class OpenBatch:
    province: int
    batch_no: int
    first_seq: int
    size: int
    stored_root: bytes  # or, stored by someone else, anything: see `hash_problem`
    pieces: int
    anchored: Future[AnchoredBatch | None] | None
    results: dict[int, PieceResult] = field(default_factory=dict)


class Unauthenticated:
    """Seq ranges, per province, whose bytes no root vouches for (bisect lookups)."""

    def __init__(self) -> None:
        self._ranges: dict[int, list[tuple[int, int]]] = {}

    def add(self, province: int, lo: int, hi: int) -> None:  # inclusive
        bisect.insort(self._ranges.setdefault(province, []), (lo, hi))

    def __call__(self, province: int, seq: int) -> bool:
        """True when (province, seq) is authenticated."""
        ranges = self._ranges.get(province, [])
        i = bisect.bisect_right(ranges, (seq, 1 << 62)) - 1
        return not (i >= 0 and ranges[i][0] <= seq <= ranges[i][1])


_TILE_LEVEL = text("SELECT tile_index, hashes FROM batch_tile WHERE province = :p AND "
                   "batch_no = :b AND level = :level ORDER BY tile_index")


def pieces_of(province: int, batch_no: int, first_seq: int, size: int, piece: int
              ) -> list[Piece]:
    return [Piece(province, batch_no, first_seq, lo, min(lo + piece, first_seq + size))
            for lo in range(first_seq, first_seq + size, piece)]


def _seg_ranges(b: OpenBatch, segments: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s in sorted(segments):
        lo = b.first_seq + s * SEGMENT
        hi = min(lo + SEGMENT, b.first_seq + b.size) - 1
        if out and out[-1][1] + 1 == lo:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


class BatchChecker:
    def __init__(self, db: Database, report: AuditReport, unauth: Unauthenticated,
                 careful: Callable[[int, int, int], None], piece: int) -> None:
        self.db = db
        self.report = report
        self.unauth = unauth
        self.careful = careful  # schedules a careful scan of (province, lo, hi inclusive)
        self.piece = piece
        self.open: dict[tuple[int, int], OpenBatch] = {}

    def add(self, result: PieceResult) -> None:
        p = result.piece
        b = self.open[(p.province, p.batch_no)]
        b.results[p.lo] = result
        if len(b.results) == b.pieces:
            del self.open[(b.province, b.batch_no)]
            self._finish(b)

    def _finish(self, b: OpenBatch) -> None:
        results = [b.results[lo] for lo in sorted(b.results)]
        roots = [r.root for r in results]
        recomputed = merkle.root_from_hashes([r for r in roots if r is not None]) \
            if all(r is not None for r in roots) else None
        problems: list[str] = []
        root_problem = hash_problem("stored root", b.stored_root)
        if root_problem is not None:
            problems.append(root_problem)
        anchored, chain = None, b.anchored is not None and self.report.chain.checked
        try:
            anchored = b.anchored.result() if chain and b.anchored is not None else None
        except AuditChainUnavailable as exc:  # carry on with what the database can tell
            self.report.chain.checked, self.report.chain.reason, chain = False, str(exc), False
        reference = b.stored_root
        if chain:
            if anchored is None:
                self.report.chain.batches_not_yet_anchored += 1
            else:
                self.report.chain.batches_anchored += 1
                reference = anchored.root
                if anchored.root != b.stored_root and root_problem is None:
                    problems.append("stored root differs from the anchored root")
                if (anchored.first_seq, anchored.size) != (b.first_seq, b.size):
                    problems.append(f"anchored range is seq {anchored.first_seq}.."
                                    f"{anchored.first_seq + anchored.size - 1}")
        if recomputed is None:
            problems.append("records are missing, so the root cannot be recomputed")
        elif recomputed != b.stored_root and root_problem is None:
            problems.append("records no longer hash to the stored root")
        if recomputed is not None and anchored is not None and recomputed != anchored.root:
            problems.append("records no longer hash to the anchored root")
        bad = [s for r in results for s in r.bad_segments]
        segments = _seg_ranges(b, bad)
        for problem in [p for r in results for p in r.tile_problems]:
            if problem not in problems:
                problems.append(problem)
        if recomputed == reference:
            if bad or self._upper_tiles_differ(b, results, problems):
                problems.append("stored tiles differ from the records (served proofs would "
                                "fail)")
        else:
            authentic = self._tiles_reproduce(b, results, reference, problems)
            if authentic and bad:
                for lo, hi in segments:
                    self.unauth.add(b.province, lo, hi)
                    self.careful(b.province, lo, hi)
            else:
                self.unauth.add(b.province, b.first_seq, b.first_seq + b.size - 1)
                for lo, hi in segments or [(b.first_seq, b.first_seq + b.size - 1)]:
                    self.careful(b.province, lo, hi)
        if problems:
            self.report.add("batches", {
                "province": b.province, "batch_no": b.batch_no, "first_seq": b.first_seq,
                "size": b.size, "problems": problems, "stored_root": _hex(b.stored_root),
                "recomputed_root": _hex(recomputed),
                "chain_root": _hex(anchored.root if anchored else None),
                "segments": [list(s) for s in segments]})

    def _stored_level(self, b: OpenBatch, level: int, problems: list[str]) -> list[bytes] | None:
        """The stored nodes of one level, or None when a tile is malformed (then named in
        `problems`): no node of that level can then be trusted."""
        with read_connection(self.db) as conn, tolerant(conn):
            rows = conn.execute(_TILE_LEVEL, {"p": b.province, "b": b.batch_no,
                                              "level": level}).all()
        malformed = [p for index, blob in rows
                     if (p := tile_problem(level, index, blob)) is not None]
        problems.extend(p for p in malformed if p not in problems)
        return None if malformed else tiles.unpack(b"".join(blob for _, blob in rows))

    def _tiles_reproduce(self, b: OpenBatch, results: list[PieceResult], root: bytes,
                         problems: list[str]) -> bool:
        """Whether stored level-8 nodes plus the recomputed tail give the reference root: then
        they are authentic, and a segment matching them is too."""
        tail = results[-1].tail_root
        nodes = self._stored_level(b, tiles.TILE_HEIGHT, problems)
        if nodes is None or len(nodes) != b.size // SEGMENT or (not nodes and tail is None):
            return False
        return merkle.root_from_hashes(nodes + ([tail] if tail is not None else [])) == root

    def _upper_tiles_differ(self, b: OpenBatch, results: list[PieceResult],
                            problems: list[str]) -> bool:
        """With 2^16-record pieces, complete piece roots are the stored level-16 nodes."""
        if self.piece != 1 << 16 or b.size < self.piece:
            return False
        complete = [r.root for r in results if r.piece.hi - r.piece.lo == self.piece]
        nodes = self._stored_level(b, 16, problems)
        return nodes is None or nodes[:len(complete)] != complete


def _hex(value: object) -> str | None:
    """A root for the report; a stored one that is no bytes at all is named in `problems`."""
    return "0x" + value.hex() if isinstance(value, bytes) else None
