"""A deliberately naive RFC 9162 section 2.1 reference, used to feed the contract real proofs.

Independent of ledger/merkle.py on purpose: the anchors suite checks the
contract against the RFC text, not against another implementation of ours.
"""

from __future__ import annotations

import hashlib


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def inclusion_path(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]): siblings from the leaf level up."""
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_path(index, leaves[:k]), root(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), root(leaves[:k])]


def batch(first_seq: int, size: int, tag: str = "") -> list[bytes]:
    """Leaf hashes for records first_seq .. first_seq + size - 1."""
    return [leaf_hash(f"record {tag}{seq}".encode()) for seq in range(first_seq, first_seq + size)]
