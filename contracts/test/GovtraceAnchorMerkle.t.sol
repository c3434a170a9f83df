// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AnchorFixture} from "./GovtraceAnchor.t.sol";
import {RefMerkle} from "./utils/RefMerkle.sol";

/// @dev Inclusion verification against RFC 6962/9162 test vectors and the Solidity
/// reference builder.
contract GovtraceAnchorMerkleTest is AnchorFixture {
    uint256 internal constant MAX_LEAVES = 64;

    // ------------------------------------------------------------------ known answers

    /// @dev The 8 leaves of the RFC 6962 test data (certificate-transparency merkle tests).
    function _rfc6962Leaves() internal pure returns (bytes32[] memory leaves) {
        bytes[8] memory data = [
            bytes(hex""),
            hex"00",
            hex"10",
            hex"2021",
            hex"3031",
            hex"40414243",
            hex"5051525354555657",
            hex"606162636465666768696a6b6c6d6e6f"
        ];
        leaves = new bytes32[](8);
        for (uint256 i = 0; i < 8; i++) {
            leaves[i] = RefMerkle.leafHash(data[i]);
        }
    }

    function _prefix(bytes32[] memory leaves, uint256 n) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            out[i] = leaves[i];
        }
    }

    function test_refMerkle_matchesRfc6962Roots() public pure {
        bytes32[8] memory roots = [
            bytes32(0x6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d),
            0xfac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125,
            0xaeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77,
            0xd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7,
            0x4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4,
            0x76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef,
            0xddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c,
            0x5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328
        ];
        bytes32[] memory leaves = _rfc6962Leaves();
        for (uint256 n = 1; n <= 8; n++) {
            assertEq(RefMerkle.root(_prefix(leaves, n)), roots[n - 1], "MTH of the first n test leaves");
        }
        assertEq(
            RefMerkle.root(new bytes32[](0)),
            0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,
            "empty tree is SHA-256 of nothing"
        );
    }

    function test_refMerkle_matchesRfc6962InclusionProofs() public pure {
        bytes32[] memory leaves = _rfc6962Leaves();
        bytes32[] memory path = RefMerkle.proof(leaves, 0);
        assertEq(path.length, 3, "leaf 0 of 8: length");
        assertEq(path[0], 0x96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7, "leaf 0 of 8: p0");
        assertEq(path[1], 0x5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e, "leaf 0 of 8: p1");
        assertEq(path[2], 0x6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4, "leaf 0 of 8: p2");

        path = RefMerkle.proof(leaves, 5);
        assertEq(path[0], 0xbc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b, "leaf 5 of 8: p0");
        assertEq(path[1], 0xca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0, "leaf 5 of 8: p1");
        assertEq(path[2], 0xd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7, "leaf 5 of 8: p2");

        path = RefMerkle.proof(_prefix(leaves, 5), 2);
        assertEq(path[0], 0x07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7, "leaf 2 of 5: p0");
        assertEq(path[1], 0xfac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125, "leaf 2 of 5: p1");
        assertEq(path[2], 0xbc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b, "leaf 2 of 5: p2");
    }

    function test_verifyInclusion_acceptsRfc6962VectorAfterAnchoring() public {
        bytes32 root = 0x5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328;
        _anchor(BEIJING, beijingKey, 1, 1, 8, root);

        // Hard-coded RFC 6962 test-data proof for leaf 0 (the empty record).
        bytes32[] memory path = new bytes32[](3);
        path[0] = 0x96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7;
        path[1] = 0x5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e;
        path[2] = 0x6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4;
        bytes32 leaf0 = 0x6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d;
        assertTrue(anchor.verifyInclusion(BEIJING, 1, leaf0, 0, path), "vector proof");
        assertEq(anchor.computeRoot(leaf0, 0, 8, path), root, "computeRoot");
        assertFalse(anchor.verifyInclusion(BEIJING, 1, leaf0, 1, path), "wrong index");
        assertFalse(anchor.verifyInclusion(BEIJING, 2, leaf0, 0, path), "batch 2 not anchored");
        assertFalse(anchor.verifyInclusion(GUANGDONG, 1, leaf0, 0, path), "other province");

        // Every leaf with its reference proof.
        bytes32[] memory leaves = _rfc6962Leaves();
        for (uint64 i = 0; i < 8; i++) {
            assertTrue(anchor.verifyInclusion(BEIJING, 1, leaves[i], i, RefMerkle.proof(leaves, i)), "leaf i");
        }
    }

    function test_verifyInclusion_acceptsEveryLeafOfOddTrees() public {
        bytes32[] memory all = _rfc6962Leaves();
        for (uint64 n = 1; n <= 7; n++) {
            bytes32[] memory leaves = _prefix(all, n);
            _anchor(BEIJING, beijingKey, n, 1 + n * (n - 1) / 2, n, RefMerkle.root(leaves));
            for (uint64 i = 0; i < n; i++) {
                assertTrue(anchor.verifyInclusion(BEIJING, n, leaves[i], i, RefMerkle.proof(leaves, i)), "leaf");
            }
        }
    }

    function test_verifyInclusion_singleLeafTreeNeedsEmptyProof() public {
        bytes32 leaf = RefMerkle.leafHash("only record");
        _anchor(BEIJING, beijingKey, 1, 1, 1, leaf);
        bytes32[] memory empty = new bytes32[](0);
        assertTrue(anchor.verifyInclusion(BEIJING, 1, leaf, 0, empty), "root is the leaf");
        bytes32[] memory extra = new bytes32[](1);
        assertFalse(anchor.verifyInclusion(BEIJING, 1, leaf, 0, extra), "proof too long");
        assertFalse(anchor.verifyInclusion(BEIJING, 1, leaf, 1, empty), "index out of range");
    }

    function test_verifyInclusion_returnsFalseWhenNotAnchored() public view {
        bytes32[] memory empty = new bytes32[](0);
        assertFalse(anchor.verifyInclusion(BEIJING, 1, bytes32(0), 0, empty), "zero leaf, no batch");
        assertFalse(anchor.verifyInclusion(SHANGHAI, 1, keccak256("x"), 0, empty), "unregistered");
    }

    function test_computeRoot_returnsZeroWhenIndexOutOfRange() public view {
        bytes32[] memory empty = new bytes32[](0);
        assertEq(anchor.computeRoot(keccak256("x"), 0, 0, empty), bytes32(0), "empty tree");
        assertEq(anchor.computeRoot(keccak256("x"), 5, 5, empty), bytes32(0), "index == size");
        assertEq(anchor.computeRoot(keccak256("x"), type(uint64).max, 1, empty), bytes32(0), "huge index");
    }

    function test_computeRoot_returnsZeroForWrongProofLength() public view {
        bytes32[] memory leaves = _rfc6962Leaves();
        bytes32[] memory path = RefMerkle.proof(leaves, 3);
        assertEq(anchor.computeRoot(leaves[3], 3, 8, path), RefMerkle.root(leaves), "valid");
        assertEq(anchor.computeRoot(leaves[3], 3, 8, _withLength(path, 2)), bytes32(0), "too short");
        assertEq(anchor.computeRoot(leaves[3], 3, 8, _withLength(path, 4)), bytes32(0), "too long");
    }

    /// @dev RFC 9162 proofs bind the index, not the tree size: leaf 0 has the same audit
    /// path shape in 5- and 6-leaf trees, so the 5-leaf proof "verifies" against size 6
    /// too. This is why verifyInclusion takes the size from the anchored batch.
    function test_computeRoot_treeSizeOnlyMattersThroughProofShape() public view {
        bytes32[] memory leaves = _prefix(_rfc6962Leaves(), 5);
        bytes32[] memory path = RefMerkle.proof(leaves, 0);
        bytes32 root = RefMerkle.root(leaves);
        assertEq(anchor.computeRoot(leaves[0], 0, 6, path), root, "same shape, same result");
        assertEq(anchor.computeRoot(leaves[0], 0, 4, path), bytes32(0), "shorter shape");
        assertEq(anchor.computeRoot(leaves[4], 4, 6, RefMerkle.proof(leaves, 4)), bytes32(0), "other side");
    }

    // ------------------------------------------------------------------ deep trees

    /// @dev Largest anchorable batch: firstSeq 1 plus size must stay within the 48-bit counter.
    uint64 internal constant MAX_SIZE = type(uint48).max - 1;

    /// @dev Anchors, for `province`, a tree of `size` leaves whose leaf `index` has the
    /// proof `path` (any leaf and siblings define one: its root is what computeRoot returns),
    /// then checks verifyInclusion accepts it and rejects a flipped sibling, leaf or index.
    function _checkFabricatedTree(uint32 province, uint64 size, uint64 index, uint256 depth) internal {
        vm.prank(admin);
        anchor.registerProvince(province, beijingKey);
        bytes32 leaf = sha256(abi.encode("deep leaf", depth));
        bytes32[] memory path = new bytes32[](depth);
        for (uint256 i = 0; i < depth; i++) {
            path[i] = sha256(abi.encode(depth, i));
        }
        bytes32 root = anchor.computeRoot(leaf, index, size, path);
        assertNotEq(root, bytes32(0), "fabricated proof has the exact shape");
        assertEq(root, RefMerkle.rfcRoot(leaf, index, size, path), "computeRoot matches the RFC loop");
        _anchor(province, beijingKey, 1, 1, size, root);
        assertTrue(anchor.verifyInclusion(province, 1, leaf, index, path), "deep proof verifies");
        assertFalse(anchor.verifyInclusion(province, 1, leaf ^ bytes32(uint256(1)), index, path), "flipped leaf");
        path[depth - 1] ^= bytes32(uint256(1) << 255);
        assertFalse(anchor.verifyInclusion(province, 1, leaf, index, path), "flipped top sibling");
        path[depth - 1] ^= bytes32(uint256(1) << 255);
        path[depth / 2] ^= bytes32(uint256(1));
        assertFalse(anchor.verifyInclusion(province, 1, leaf, index, path), "flipped middle sibling");
        path[depth / 2] ^= bytes32(uint256(1));
        assertFalse(anchor.verifyInclusion(province, 1, leaf, index ^ 1, path), "wrong index");
        assertFalse(anchor.verifyInclusion(province, 1, leaf, index, _withLength(path, depth - 1)), "too short");
        assertFalse(anchor.verifyInclusion(province, 1, leaf, index, _withLength(path, depth + 1)), "too long");
    }

    /// @dev Proofs of 31 to 48 levels: verifyInclusion unrolls 32 levels at a time, and
    /// anchored sizes (below 2**48) allow at most 48.
    function test_verifyInclusion_acceptsDeepProofs() public {
        _checkFabricatedTree(120000, uint64(1) << 31, 0x5A5A5A5A, 31);
        _checkFabricatedTree(130000, uint64(1) << 32, 0xA5A5A5A5, 32);
        _checkFabricatedTree(140000, (uint64(1) << 32) + 1, (uint64(1) << 32) - 7, 33);
        _checkFabricatedTree(150000, (uint64(1) << 40) + 12345, 0x123456789A, 41);
        _checkFabricatedTree(160000, MAX_SIZE, 0, 48);
    }

    /// @dev verifyInclusion (the contract's one RFC 9162 implementation, shared with computeRoot)
    /// agrees with the literal RFC 9162 loop on the anchored size, for any size up to the 48-bit
    /// limit, any index and any proof, valid or not.
    function testFuzz_verifyInclusion_matchesLiteralRfc9162Loop(
        bytes32 leaf,
        uint64 index,
        uint64 size,
        uint256 lengthSeed,
        bytes32 proofSeed,
        bool exactShape
    ) public {
        if (lengthSeed % 3 == 0) {
            size = uint64(bound(size, 1, 70)); // small trees: every corner of the shape logic
            index = uint64(bound(index, 0, size));
        } else {
            size = uint64(bound(size, 1, MAX_SIZE));
            if (lengthSeed % 3 == 1) index = uint64(bound(index, 0, size - 1));
        }
        uint256 length = bound(lengthSeed, 0, 70);
        if (exactShape && index < size) (, length) = RefMerkle.shape(index, size);
        bytes32[] memory path = new bytes32[](length);
        for (uint256 i = 0; i < length; i++) {
            path[i] = keccak256(abi.encode(proofSeed, i));
        }
        bytes32 expected = RefMerkle.rfcRoot(leaf, index, size, path);
        bool valid = expected != bytes32(0);
        // The anchored root: the proof's own root when its shape is valid, else any root.
        _anchor(BEIJING, beijingKey, 1, 1, size, valid ? expected : keccak256(abi.encode(proofSeed)));
        assertEq(anchor.verifyInclusion(BEIJING, 1, leaf, index, path), valid, "accepted iff the RFC loop accepts");
        if (valid && length > 0) {
            path[uint256(proofSeed) % length] ^= bytes32(uint256(1) << (uint256(leaf) % 256));
            assertFalse(anchor.verifyInclusion(BEIJING, 1, leaf, index, path), "flipped sibling");
        }
    }

    // ------------------------------------------------------------------ fuzz: reference builder vs contract

    /// @dev Random tree of `n` leaves (1..MAX_LEAVES) anchored as Beijing batch 1.
    function _anchorRandomTree(uint256 seed, uint256 nRaw) internal returns (bytes32[] memory leaves) {
        uint256 n = bound(nRaw, 1, MAX_LEAVES);
        leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            leaves[i] = RefMerkle.leafHash(abi.encodePacked(seed, i));
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- n <= MAX_LEAVES
        _anchor(BEIJING, beijingKey, 1, 1, uint64(n), RefMerkle.root(leaves));
    }

    function _withLength(bytes32[] memory path, uint256 len) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](len);
        for (uint256 i = 0; i < len; i++) {
            out[i] = i < path.length ? path[i] : keccak256(abi.encode(i));
        }
    }

    function testFuzz_verifyInclusion_acceptsReferenceProof(uint256 seed, uint256 n, uint256 indexRaw) public {
        bytes32[] memory leaves = _anchorRandomTree(seed, n);
        uint64 index = uint64(bound(indexRaw, 0, leaves.length - 1));
        bytes32[] memory path = RefMerkle.proof(leaves, index);
        assertTrue(anchor.verifyInclusion(BEIJING, 1, leaves[index], index, path), "reference proof verifies");
        assertEq(anchor.computeRoot(leaves[index], index, uint64(leaves.length), path), RefMerkle.root(leaves), "root");
    }

    function testFuzz_verifyInclusion_rejectsFlippedLeafBit(uint256 seed, uint256 n, uint256 indexRaw, uint8 bit)
        public
    {
        bytes32[] memory leaves = _anchorRandomTree(seed, n);
        uint64 index = uint64(bound(indexRaw, 0, leaves.length - 1));
        bytes32 flipped = leaves[index] ^ bytes32(uint256(1) << bit);
        assertFalse(anchor.verifyInclusion(BEIJING, 1, flipped, index, RefMerkle.proof(leaves, index)), "flipped leaf");
    }

    function testFuzz_verifyInclusion_rejectsFlippedProofBit(
        uint256 seed,
        uint256 n,
        uint256 indexRaw,
        uint256 elementRaw,
        uint8 bit
    ) public {
        bytes32[] memory leaves = _anchorRandomTree(seed, bound(n, 2, MAX_LEAVES)); // a non-empty proof
        uint64 index = uint64(bound(indexRaw, 0, leaves.length - 1));
        bytes32[] memory path = RefMerkle.proof(leaves, index);
        path[bound(elementRaw, 0, path.length - 1)] ^= bytes32(uint256(1) << bit);
        assertFalse(anchor.verifyInclusion(BEIJING, 1, leaves[index], index, path), "flipped proof element");
    }

    function testFuzz_verifyInclusion_rejectsWrongIndex(uint256 seed, uint256 n, uint256 indexRaw, uint8 bitRaw)
        public
    {
        bytes32[] memory leaves = _anchorRandomTree(seed, n);
        uint64 index = uint64(bound(indexRaw, 0, leaves.length - 1));
        uint64 wrong = index ^ (uint64(1) << (bitRaw % 64)); // any single-bit flip of the uint64 index
        bytes32[] memory path = RefMerkle.proof(leaves, index);
        assertFalse(anchor.verifyInclusion(BEIJING, 1, leaves[index], wrong, path), "wrong index");
    }

    /// @dev A wrong tree size fails exactly when it changes the proof's shape (see
    /// test_computeRoot_treeSizeOnlyMattersThroughProofShape).
    function testFuzz_computeRoot_wrongTreeSizeFailsUnlessSameShape(
        uint256 seed,
        uint256 n,
        uint256 indexRaw,
        uint256 wrongRaw
    ) public {
        bytes32[] memory leaves = _anchorRandomTree(seed, n);
        uint64 size = uint64(leaves.length);
        uint64 index = uint64(bound(indexRaw, 0, size - 1));
        uint64 wrong = uint64(bound(wrongRaw, 0, 4 * MAX_LEAVES));
        vm.assume(wrong != size);
        bytes32[] memory path = RefMerkle.proof(leaves, index);
        bytes32 got = anchor.computeRoot(leaves[index], index, wrong, path);
        bool sameShape = false;
        if (index < wrong) {
            (uint256 sidesA, uint256 lenA) = RefMerkle.shape(index, size);
            (uint256 sidesB, uint256 lenB) = RefMerkle.shape(index, wrong);
            sameShape = sidesA == sidesB && lenA == lenB;
        }
        assertEq(got == RefMerkle.root(leaves), sameShape, "wrong size accepted iff same shape");
        if (!sameShape) assertEq(got, bytes32(0), "shape mismatch yields zero");
    }

    function testFuzz_verifyInclusion_rejectsWrongProofLength(uint256 seed, uint256 n, uint256 indexRaw, uint256 lenRaw)
        public
    {
        bytes32[] memory leaves = _anchorRandomTree(seed, n);
        uint64 index = uint64(bound(indexRaw, 0, leaves.length - 1));
        bytes32[] memory path = RefMerkle.proof(leaves, index);
        uint256 len = bound(lenRaw, 0, 8);
        vm.assume(len != path.length);
        assertFalse(
            anchor.verifyInclusion(BEIJING, 1, leaves[index], index, _withLength(path, len)), "wrong proof length"
        );
    }

    /// @dev computeRoot (the same code as verifyInclusion) equals the literal RFC 9162 loop for
    /// any leaf, index, tree size (the whole uint64 range) and proof, valid or not.
    function testFuzz_computeRoot_matchesLiteralRfc9162Loop(
        bytes32 leaf,
        uint64 index,
        uint64 treeSize,
        uint256 lengthSeed,
        bytes32 proofSeed,
        bool exactShape
    ) public view {
        uint256 mode = lengthSeed % 4;
        if (mode == 0) {
            // Small trees hit every corner of the shape logic.
            treeSize = uint64(bound(treeSize, 1, 70));
            index = uint64(bound(index, 0, treeSize));
        } else if (mode == 1) {
            // Trees over 2**63 leaves: exact proofs of 64 levels for about half the indices.
            treeSize = uint64(bound(treeSize, (uint256(1) << 63) + 1, type(uint64).max));
            index = uint64(bound(index, 0, treeSize - 1));
        } else if (mode == 2) {
            treeSize = uint64(bound(treeSize, 1, type(uint64).max));
            index = uint64(bound(index, 0, treeSize - 1));
        }
        uint256 length = bound(lengthSeed, 0, 70);
        if (exactShape && index < treeSize) (, length) = RefMerkle.shape(index, treeSize);
        bytes32[] memory path = new bytes32[](length);
        for (uint256 i = 0; i < length; i++) {
            path[i] = keccak256(abi.encode(proofSeed, i));
        }
        bytes32 expected = RefMerkle.rfcRoot(leaf, index, treeSize, path);
        assertEq(anchor.computeRoot(leaf, index, treeSize, path), expected, "same result as the RFC loop");
        if (exactShape && index < treeSize) assertNotEq(expected, bytes32(0), "exact shape is valid");
    }

    /// @dev 64-level proofs exist only for trees over 2**63 leaves, so only computeRoot walks
    /// them (anchored sizes stay below 2**48); the walk takes their first level on its own.
    function test_computeRoot_acceptsProofsOf64Levels() public view {
        uint64 maxSize = type(uint64).max;
        uint64 justOver = (uint64(1) << 63) + 1;
        _check64(maxSize, 0, 64);
        _check64(maxSize, 0x5A5A5A5A5A5A5A5A, 64);
        _check64(maxSize, (uint64(1) << 63) - 1, 64);
        _check64(maxSize, maxSize - 3, 64);
        _check64(maxSize, maxSize - 1, 63); // the last leaf
        _check64(uint64(1) << 63, 0, 63); // 2**63 leaves: 63 levels at most
        _check64(justOver, 0, 64);
        _check64(justOver, 0x3A5A5A5A5A5A5A5A, 64);
        _check64(justOver, uint64(1) << 63, 1); // the last leaf: one sibling, the left subtree
    }

    /// @dev computeRoot equals the RFC loop on an exact proof of `length` levels for
    /// (index, size), and returns zero for one level less or more.
    function _check64(uint64 size, uint64 index, uint256 length) internal view {
        (, uint256 shapeLength) = RefMerkle.shape(index, size);
        assertEq(shapeLength, length, "proof length of the case");
        bytes32 leaf = sha256(abi.encode("leaf", size, index));
        bytes32[] memory path = new bytes32[](length);
        for (uint256 i = 0; i < length; i++) {
            path[i] = sha256(abi.encode(size, index, i));
        }
        bytes32 root = anchor.computeRoot(leaf, index, size, path);
        assertNotEq(root, bytes32(0), "exact shape is valid");
        assertEq(root, RefMerkle.rfcRoot(leaf, index, size, path), "same root as the RFC loop");
        path[0] ^= bytes32(uint256(1));
        assertNotEq(anchor.computeRoot(leaf, index, size, path), root, "flipped first sibling");
        path[0] ^= bytes32(uint256(1));
        path[length - 1] ^= bytes32(uint256(1) << 255);
        assertNotEq(anchor.computeRoot(leaf, index, size, path), root, "flipped last sibling");
        assertEq(anchor.computeRoot(leaf, index, size, _withLength(path, length - 1)), bytes32(0), "too short");
        assertEq(anchor.computeRoot(leaf, index, size, _withLength(path, length + 1)), bytes32(0), "too long");
    }
}
