"""1. Sealing: leaves/s to build a batch root and its stored tiles, against pymerkle (RFC 9162,
same roots), merkletools (not RFC 9162) and the machine's raw SHA-256 rate.

Two figures for ours: from stored leaf hashes (what `ledger.sealing` does: one node hash per
leaf) and from raw records (leaf hash + node hash per leaf: the same work as the peers, whose
APIs take raw data). The limit is the raw hashlib SHA-256 rate on 65-byte messages, halved:
two hashes per leaf. All three run on the same data, back to back, in each round.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from ledger import merkle, tiles

from .peers import merkletools
from .stats import figure

PYMERKLE_MAX = 1_000_000


def raw_sha256_rate(n: int = 500_000) -> float:
    block = os.urandom(65)
    sha = hashlib.sha256
    start = time.perf_counter()
    for _ in range(n):
        sha(block).digest()
    return n / (time.perf_counter() - start)


def _round(mt: Any, data: list[bytes], hexes: list[str], leaves: list[bytes],
           with_pymerkle: bool) -> tuple[dict[str, float], dict[str, bytes]]:
    """One run of every contender on the same data, back to back."""
    from pymerkle import InmemoryTree

    n = len(data)
    rates: dict[str, float] = {}
    roots: dict[str, bytes] = {}
    start = time.perf_counter()
    tiles.build(leaves)
    rates["ours_from_leaves"] = n / (time.perf_counter() - start)
    start = time.perf_counter()
    roots["ours"] = tiles.build(merkle.leaf_hashes(data)).root
    rates["ours_from_records"] = n / (time.perf_counter() - start)
    if with_pymerkle:
        start = time.perf_counter()
        tree = InmemoryTree(algorithm="sha256")
        for d in data:
            tree.append_entry(d)
        roots["pymerkle"] = tree.get_root(n)
        rates["pymerkle"] = n / (time.perf_counter() - start)
    start = time.perf_counter()
    other = mt.MerkleTools(hash_type="sha256")
    other.add_leaf(hexes, do_hash=True)
    other.make_tree()
    other.get_merkle_root()
    rates["merkletools"] = n / (time.perf_counter() - start)
    return rates, roots


def run(sizes: list[int], runs: int, *, pymerkle_max: int = PYMERKLE_MAX) -> dict[str, Any]:
    mt = merkletools()
    limit_runs = [raw_sha256_rate() / 2 for _ in range(runs)]
    out: dict[str, Any] = {"limit_leaves_per_s": figure(limit_runs, "leaves/s").to_json(),
                           "sizes": {}}
    for n in sizes:
        data = [os.urandom(64) for _ in range(n)]
        hexes = [d.hex() for d in data]  # merkletools hashes strings: prepared untimed
        leaves = merkle.leaf_hashes(data)
        got: dict[str, list[float]] = {}
        for _ in range(runs):
            rates, roots = _round(mt, data, hexes, leaves, n <= pymerkle_max)
            for key, value in rates.items():
                got.setdefault(key, []).append(value)
            if "pymerkle" in roots:
                assert roots["pymerkle"] == roots["ours"], "pymerkle disagrees with our root"
        out["sizes"][str(n)] = {k: figure(v, "leaves/s").to_json() for k, v in got.items()}
    return out
