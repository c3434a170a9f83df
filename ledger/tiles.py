"""Stored tree levels ("tiles") so a proof costs O(log n) reads, never a whole-batch read.

At sealing we keep every 8th level of the batch's tree (levels 8, 16, ...), complete nodes
only, cut into tiles of 256 hashes. Level 0 is the leaf hashes already stored with the
records. Any complete node at level L is then the root of at most 2^(L mod 8) stored nodes of
level L - L mod 8, which all sit in one tile. A 10^6-leaf batch stores ~3,900 + 15 hashes
beyond its leaves.

Serving proofs (read side): a proof's siblings below level 8 come from the leaf's own
256-leaf range, hashed per request (255 SHA-256). Everything from level 8 up is the same for
every leaf of a batch and never changes once sealed, so `UpperLevels` computes it once per
batch from the stored level-8 nodes and `UpperCache` keeps it, bounded in bytes, keyed by
the batch's root: an entry is only made after its recomputed root matched the stored root.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import merkle
from .errors import LedgerInconsistent

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT

#: Reads stored nodes of a stored level (0, 8, 16, ...) for one tile: returns up to 256 hashes.
TileFetch = Callable[[int, int], Sequence[bytes]]


@dataclass(frozen=True, slots=True)
class BuiltTree:
    root: bytes
    #: level -> concatenated complete nodes of that level, for levels 8, 16, ...
    stored_levels: dict[int, bytes]


def build(leaf_hashes: Sequence[bytes]) -> BuiltTree:
    """Compute the root and the levels to keep, holding only two levels in memory at a time."""
    if not leaf_hashes:
        raise ValueError("a batch has at least one record")
    stored: dict[int, bytes] = {}
    level: Sequence[bytes] = leaf_hashes
    height = 0
    while len(level) > 1:
        level = merkle.next_level(level)
        height += 1
        if height % TILE_HEIGHT == 0:
            complete = len(leaf_hashes) >> height
            if complete:
                stored[height] = b"".join(level[:complete])
    return BuiltTree(root=level[0], stored_levels=stored)


def split_tiles(blob: bytes) -> list[tuple[int, bytes]]:
    """Cut a stored level into (tile_index, bytes) of at most 256 hashes each."""
    width = TILE_WIDTH * merkle.HASH_SIZE
    return [(i // width, blob[i:i + width]) for i in range(0, len(blob), width)]


def unpack(blob: bytes) -> list[bytes]:
    n = merkle.HASH_SIZE
    return [blob[i:i + n] for i in range(0, len(blob), n)]


class TiledTree:
    """Serves complete nodes of one sealed batch from its tiles, caching tiles per instance.

    `name` says which batch it is (e.g. "province 310000 batch 3") in errors."""

    def __init__(self, size: int, fetch: TileFetch, *, name: str = "the batch") -> None:
        self.size = size
        self.name = name
        self._fetch = fetch
        self._tiles: dict[tuple[int, int], Sequence[bytes]] = {}

    def _stored(self, base: int, start: int, count: int) -> Sequence[bytes]:
        tile, offset = divmod(start, TILE_WIDTH)
        key = (base, tile)
        if key not in self._tiles:
            self._tiles[key] = self._fetch(base, tile)
        nodes = self._tiles[key][offset:offset + count]
        if len(nodes) != count:
            raise LedgerInconsistent(
                f"{self.name}: stored tile {tile} of level {base} is missing nodes "
                f"{offset}..{offset + count - 1} (found {len(nodes)} of {count})")
        return nodes

    def node(self, level: int, index: int) -> bytes:
        base = level - level % TILE_HEIGHT
        span = 1 << (level - base)
        return merkle.root_from_hashes(self._stored(base, index * span, span))

    def inclusion_proof(self, index: int) -> list[bytes]:
        return merkle.inclusion_path(self.node, index, self.size)

    def root(self) -> bytes:
        return merkle.subtree_hash(self.node, 0, self.size)


def path_in_tile(leaves: Sequence[bytes], offset: int) -> list[bytes]:
    """The audit path's siblings below level 8, from the leaf's 256-leaf range.

    The range is a complete aligned subtree (or the batch's carried tail), so its own
    levels, with an unpaired last node carried up, are the batch tree's nodes there.
    """
    path: list[bytes] = []
    level = leaves
    while len(level) > 1:
        sibling = offset ^ 1
        if sibling < len(level):  # no sibling: the node is carried up unchanged
            path.append(level[sibling])
        level = merkle.next_level(level)
        offset >>= 1
    return path


@dataclass(frozen=True, slots=True)
class UpperLevels:
    """Levels 8, 9, ... up to the root of one batch's tree, each as concatenated hashes.

    Level 8 lists the stored complete nodes plus, when the batch does not end on a
    256-leaf boundary, the carried root of its tail: with unpaired nodes carried up, every
    node above is the RFC 9162 subtree hash of its leaf range.
    """

    levels: tuple[bytes, ...]

    @classmethod
    def compute(cls, level8: Sequence[bytes]) -> UpperLevels:
        levels = [b"".join(level8)]
        level = level8
        while len(level) > 1:
            level = merkle.next_level(level)
            levels.append(b"".join(level))
        return cls(tuple(levels))

    @property
    def root(self) -> bytes:
        return self.levels[-1]

    @property
    def nbytes(self) -> int:
        return sum(len(blob) for blob in self.levels)

    def path_above(self, tile_index: int) -> list[bytes]:
        """The audit path's siblings from level 8 up, for a leaf in tile `tile_index`."""
        n = merkle.HASH_SIZE
        path: list[bytes] = []
        for blob in self.levels[:-1]:
            sibling = (tile_index ^ 1) * n
            if sibling < len(blob):
                path.append(blob[sibling:sibling + n])
            tile_index >>= 1
        return path


#: Cache key: (province, batch_no, size, root). The root commits to every level cached.
BatchKey = tuple[int, int, int, bytes]


class UpperCache:
    """Least-recently-used `UpperLevels`, at most `max_bytes` of hashes (plus small overhead
    per entry). Thread-safe: API handlers run in a threadpool."""

    #: Rough bytes per entry beyond its hashes (key, tuple, bytes headers, LRU links).
    ENTRY_OVERHEAD = 400

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[BatchKey, UpperLevels] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: BatchKey) -> UpperLevels | None:
        with self._lock:
            upper = self._entries.get(key)
            if upper is not None:
                self._entries.move_to_end(key)
            return upper

    def put(self, key: BatchKey, upper: UpperLevels) -> None:
        cost = upper.nbytes + self.ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = upper
            self._bytes += cost
            while self._bytes > self.max_bytes:
                _, old = self._entries.popitem(last=False)
                self._bytes -= old.nbytes + self.ENTRY_OVERHEAD

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
