"""Stored tree levels ("tiles") so a proof costs O(log n) reads, never a whole-batch read.

At sealing we keep every 8th level of the batch's tree (levels 8, 16, ...), complete nodes
only, cut into tiles of 256 hashes. Level 0 is the leaf hashes already stored with the
records. Any complete node at level L is then the root of at most 2^(L mod 8) stored nodes of
level L - L mod 8, which all sit in one tile. A 10^6-leaf batch stores ~3,900 + 15 hashes
beyond its leaves, and a proof reads about three tiles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import merkle

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
    """Serves complete nodes of one sealed batch from its tiles, caching tiles per instance."""

    def __init__(self, size: int, fetch: TileFetch) -> None:
        self.size = size
        self._fetch = fetch
        self._tiles: dict[tuple[int, int], Sequence[bytes]] = {}

    def _stored(self, base: int, start: int, count: int) -> Sequence[bytes]:
        tile, offset = divmod(start, TILE_WIDTH)
        key = (base, tile)
        if key not in self._tiles:
            self._tiles[key] = self._fetch(base, tile)
        nodes = self._tiles[key][offset:offset + count]
        if len(nodes) != count:
            raise LookupError(f"tile ({base}, {tile}) is missing nodes")
        return nodes

    def node(self, level: int, index: int) -> bytes:
        base = level - level % TILE_HEIGHT
        span = 1 << (level - base)
        return merkle.root_from_hashes(self._stored(base, index * span, span))

    def inclusion_proof(self, index: int) -> list[bytes]:
        return merkle.inclusion_path(self.node, index, self.size)

    def root(self) -> bytes:
        return merkle.subtree_hash(self.node, 0, self.size)
