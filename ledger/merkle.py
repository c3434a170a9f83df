"""RFC 9162 Merkle tree hashing and proofs (SHA-256, 0x00 leaf / 0x01 node prefixes).

Public API, on raw leaf data:
    leaf_hash(data)                       -> 32-byte leaf hash
    root(leaves)                          -> tree head (MTH) of the leaves
    inclusion_proof(leaves, index)        -> audit path, RFC 9162 §2.1.3.1
    verify_inclusion(leaf_hash, index, size, proof, root)        raises VerificationError
    consistency_proof(leaves, old_size)   -> RFC 9162 §2.1.4.1
    verify_consistency(old_size, new_size, proof, old_root, new_root)  raises VerificationError

The proof generators are written against a `NodeFn` (level, index) -> hash of the *complete*
subtree covering leaves [index*2^level, (index+1)*2^level), so storage can serve proofs from
a few stored levels without materialising the tree (see ledger/tiles.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from .errors import VerificationError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeFn = Callable[[int, int], bytes]

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def leaf_hashes(records: Iterable[bytes]) -> list[bytes]:
    """`leaf_hash` of each, without a Python call per record (sealing from raw data)."""
    sha = _sha256
    return [sha(b"\x00" + data).digest() for data in records]


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def next_level(level: Sequence[bytes]) -> list[bytes]:
    """Hash pairs; an unpaired last node is carried up unchanged (same tree as RFC 9162's split)."""
    sha = _sha256
    pairs = iter(level)  # zip(it, it) pairs neighbours without indexing: ~10% faster
    out = [sha(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=False)]
    if len(level) % 2:
        out.append(level[-1])
    return out


def levels_from_hashes(hashes: Sequence[bytes]) -> list[list[bytes]]:
    """All levels bottom-up; level[l] lists complete nodes plus, possibly, one carried node."""
    levels = [list(hashes)]
    while len(levels[-1]) > 1:
        levels.append(next_level(levels[-1]))
    return levels


def root_from_hashes(hashes: Sequence[bytes]) -> bytes:
    if not hashes:
        return EMPTY_ROOT
    level: Sequence[bytes] = hashes
    while len(level) > 1:
        level = next_level(level)
    return level[0]


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of raw leaf data."""
    return root_from_hashes([leaf_hash(d) for d in leaves])


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_hash(node: NodeFn, lo: int, hi: int) -> bytes:
    """MTH of leaves [lo, hi), where lo is aligned as RFC 9162's recursion guarantees."""
    n = hi - lo
    if n & (n - 1) == 0:  # complete, aligned subtree
        level = n.bit_length() - 1
        return node(level, lo >> level)
    k = _split(n)
    return node_hash(subtree_hash(node, lo, lo + k), subtree_hash(node, lo + k, hi))


def inclusion_path(node: NodeFn, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) from RFC 9162 §2.1.3.1, leaf-side first."""
    if not 0 <= index < size:
        raise IndexError(f"index {index} out of range for tree size {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(subtree_hash(node, lo + k, hi))
            hi = lo + k
        else:
            path.append(subtree_hash(node, lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def consistency_path(node: NodeFn, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[new_size]) from RFC 9162 §2.1.4.1."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"cannot prove consistency from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    lo, hi, m, whole = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(subtree_hash(node, lo + k, hi))
            hi = lo + k
        else:
            proof.append(subtree_hash(node, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        proof.append(subtree_hash(node, lo, hi))
    proof.reverse()
    return proof


def _node_fn(levels: list[list[bytes]]) -> NodeFn:
    return lambda level, index: levels[level][index]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    return inclusion_path(_node_fn(levels_from_hashes([leaf_hash(d) for d in leaves])), index,
                          len(leaves))


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    levels = levels_from_hashes([leaf_hash(d) for d in leaves])
    return consistency_path(_node_fn(levels), old_size, len(leaves))


def root_from_inclusion_proof(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """RFC 9162 §2.1.3.2: the root implied by a proof; raises if the proof's shape is wrong."""
    if not 0 <= index < size:
        raise VerificationError(f"index {index} not below tree size {size}", reason="bad-index")
    if len(leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        raise VerificationError("hashes must be 32 bytes", reason="bad-proof")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("proof longer than the tree is deep", reason="bad-proof")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("proof shorter than the tree is deep", reason="bad-proof")
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Raise VerificationError unless `proof` shows `leaf` at `index` in the tree `root_hash`."""
    if root_from_inclusion_proof(leaf, index, size, proof) != root_hash:
        raise VerificationError("proof does not lead to the expected root", reason="root-mismatch")


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """RFC 9162 §2.1.4.2; raise VerificationError unless old_root is a prefix of new_root."""
    if not 0 <= old_size <= new_size:
        raise VerificationError(f"sizes {old_size} > {new_size}", reason="bad-size")
    if old_size == new_size or old_size == 0:
        if proof:
            raise VerificationError("proof must be empty", reason="bad-proof")
        if old_size == new_size and old_root != new_root:
            raise VerificationError("equal sizes with different roots", reason="root-mismatch")
        return
    if not proof or any(len(p) != HASH_SIZE for p in proof):
        raise VerificationError("malformed consistency proof", reason="bad-proof")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("consistency proof too long", reason="bad-proof")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("consistency proof too short", reason="bad-proof")
    if fr != old_root or sr != new_root:
        raise VerificationError("consistency proof does not match roots", reason="root-mismatch")
