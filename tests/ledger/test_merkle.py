"""RFC 9162 Merkle tree: known answers, an independent implementation, and pymerkle."""

from __future__ import annotations

import hashlib
import random

import pytest
from pymerkle import InmemoryTree

from ledger import merkle
from ledger.errors import VerificationError

# RFC 6962 / certificate-transparency test data (merkle_tree_test.cc, tree sizes 1..8).
LEAVES = [bytes.fromhex(x) for x in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"]]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, path)
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
# (old size, new size, proof)
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


# An independent, deliberately naive transcription of RFC 9162 §2.1 (recursive MTH/PATH).
def _mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < len(d):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(d[:k]) + _mth(d[k:])).digest()


def _path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m < k:
        return [*_path(m, d[:k]), _mth(d[k:])]
    return [*_path(m - k, d[k:]), _mth(d[:k])]


def test_root_matches_rfc6962_vectors() -> None:
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.root([]).hex() == empty
    for n, expected in enumerate(ROOTS, start=1):
        assert merkle.root(LEAVES[:n]).hex() == expected


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proof_matches_rfc6962_vectors(index: int, size: int, path: list[str]) -> None:
    proof = merkle.inclusion_proof(LEAVES[:size], index)
    assert [h.hex() for h in proof] == path
    merkle.verify_inclusion(merkle.leaf_hash(LEAVES[index]), index, size, proof,
                            bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proof_matches_rfc6962_vectors(old: int, new: int, path: list[str]) -> None:
    proof = merkle.consistency_proof(LEAVES[:new], old)
    assert [h.hex() for h in proof] == path
    merkle.verify_consistency(old, new, proof, bytes.fromhex(ROOTS[old - 1]),
                              bytes.fromhex(ROOTS[new - 1]))


def test_every_size_to_300_agrees_with_naive_rfc_and_pymerkle() -> None:
    rng = random.Random(9162)
    leaves = [rng.randbytes(rng.randrange(0, 40)) for _ in range(300)]
    reference = InmemoryTree(algorithm="sha256")
    for n in range(1, 301):
        reference.append_entry(leaves[n - 1])
        prefix = leaves[:n]
        root = merkle.root(prefix)
        assert root == _mth(prefix) == reference.get_root(n)
        for index in {0, n - 1, rng.randrange(n)}:
            proof = merkle.inclusion_proof(prefix, index)
            assert proof == _path(index, prefix)
            theirs = reference.prove_inclusion(index + 1, n).serialize()["path"]
            assert [h.hex() for h in proof] == theirs[1:]  # pymerkle lists the leaf first
            merkle.verify_inclusion(merkle.leaf_hash(prefix[index]), index, n, proof, root)
        old = rng.randrange(0, n + 1)
        merkle.verify_consistency(old, n, merkle.consistency_proof(prefix, old),
                                  _mth(leaves[:old]), root)


@pytest.mark.parametrize("n", [1023, 1024, 1025, 4097, 65537])
def test_large_trees_agree_with_pymerkle(n: int) -> None:
    rng = random.Random(n)
    leaves = [rng.randbytes(16) for _ in range(n)]
    reference = InmemoryTree(algorithm="sha256")
    reference.append_entries(leaves)
    root = merkle.root(leaves)
    assert root == reference.get_root()
    for index in (0, n // 3, n - 1):
        proof = merkle.inclusion_proof(leaves, index)
        assert [h.hex() for h in proof] == reference.prove_inclusion(index + 1).serialize()[
            "path"][1:]
        merkle.verify_inclusion(merkle.leaf_hash(leaves[index]), index, n, proof, root)


def _flip(data: bytes, bit: int) -> bytes:
    buf = bytearray(data)
    buf[bit // 8] ^= 1 << (bit % 8)
    return bytes(buf)


def test_verify_inclusion_rejects_any_altered_input() -> None:
    rng = random.Random(7)
    leaves = [rng.randbytes(8) for _ in range(37)]
    root, index = merkle.root(leaves), 21
    leaf, proof = merkle.leaf_hash(leaves[index]), merkle.inclusion_proof(leaves, index)
    merkle.verify_inclusion(leaf, index, 37, proof, root)
    bad_inputs = [
        (_flip(leaf, 5), index, 37, proof, root),
        (leaf, index + 1, 37, proof, root),
        # Sizes whose tree has another shape at `index`. (Sizes 33..64 share the shape, which
        # is why verifiers take the tree size from the anchored batch, never from the bundle.)
        (leaf, index, 32, proof, root),
        (leaf, index, 65, proof, root),
        (leaf, index, 37, proof[:-1], root),
        (leaf, index, 37, [*proof, root], root),
        (leaf, index, 37, [proof[0], _flip(proof[1], 200), *proof[2:]], root),
        (leaf, index, 37, proof, _flip(root, 0)),
        (leaf, 37, 37, proof, root),
        (leaf[:31], index, 37, proof, root),
    ]
    for args in bad_inputs:
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(*args)


def test_verify_consistency_rejects_wrong_roots_and_proofs() -> None:
    leaves = [bytes([i]) for i in range(20)]
    proof = merkle.consistency_proof(leaves, 7)
    old, new = merkle.root(leaves[:7]), merkle.root(leaves)
    merkle.verify_consistency(7, 20, proof, old, new)
    for args in [(7, 20, proof, _flip(old, 1), new), (7, 20, proof, old, _flip(new, 1)),
                 (7, 20, proof[1:], old, new), (8, 20, proof, old, new), (7, 20, [], old, new),
                 (20, 7, proof, old, new), (20, 20, [], old, new), (0, 20, proof, old, new)]:
        with pytest.raises(VerificationError):
            merkle.verify_consistency(*args)
    merkle.verify_consistency(20, 20, [], new, new)
    merkle.verify_consistency(0, 20, [], merkle.EMPTY_ROOT, new)


def test_inclusion_proof_rejects_index_out_of_range() -> None:
    with pytest.raises(IndexError):
        merkle.inclusion_proof([b"a", b"b"], 2)
