// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @dev Straightforward RFC 9162 section 2.1 reference (recursive MTH and PATH over leaf
/// hashes, SHA-256), written for clarity rather than gas so that the contract's assembly
/// verifier can be checked against it.
library RefMerkle {
    /// @dev Leaf hash: SHA-256(0x00 || data).
    function leafHash(bytes memory data) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), data));
    }

    /// @dev Interior node hash: SHA-256(0x01 || left || right).
    function nodeHash(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }

    /// @dev Largest power of two strictly smaller than n (n > 1).
    function split(uint256 n) internal pure returns (uint256 k) {
        k = 1;
        while (k << 1 < n) k <<= 1;
    }

    /// @dev MTH(D[0:n]) over the given leaf hashes; SHA-256("") for the empty tree.
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        if (leaves.length == 0) return sha256("");
        return _mth(leaves, 0, leaves.length);
    }

    /// @dev PATH(m, D[0:n]): audit path of leaf m, leaf level first.
    function proof(bytes32[] memory leaves, uint256 m) internal pure returns (bytes32[] memory path) {
        require(m < leaves.length, "RefMerkle: index out of range");
        path = new bytes32[](_depth(m, leaves.length));
        _path(leaves, m, 0, leaves.length, path, 0);
    }

    function _mth(bytes32[] memory d, uint256 start, uint256 end) private pure returns (bytes32) {
        uint256 n = end - start;
        if (n == 1) return d[start];
        uint256 k = split(n);
        return nodeHash(_mth(d, start, start + k), _mth(d, start + k, end));
    }

    // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]).
    // `out` is filled from the end (root level) backwards, so out[0] is the leaf-level sibling.
    function _path(bytes32[] memory d, uint256 m, uint256 start, uint256 end, bytes32[] memory out, uint256 filled)
        private
        pure
    {
        uint256 n = end - start;
        if (n == 1) return;
        uint256 k = split(n);
        uint256 slot = out.length - 1 - filled;
        if (m < k) {
            out[slot] = _mth(d, start + k, end);
            _path(d, m, start, start + k, out, filled + 1);
        } else {
            out[slot] = _mth(d, start, start + k);
            _path(d, m - k, start + k, end, out, filled + 1);
        }
    }

    /// @dev Length of PATH(m, D[n]).
    function _depth(uint256 m, uint256 n) private pure returns (uint256 depth) {
        while (n > 1) {
            uint256 k = split(n);
            if (m < k) {
                n = k;
            } else {
                m -= k;
                n -= k;
            }
            depth++;
        }
    }

    /// @dev The shape the RFC 9162 verifier walks for (index, size): one bit per proof
    /// element (1 = sibling on the left) and the number of elements. Two tree sizes with
    /// equal shapes accept the same proofs for that index.
    function shape(uint256 index, uint256 size) internal pure returns (uint256 sides, uint256 length) {
        uint256 fn = index;
        uint256 sn = size - 1;
        while (sn != 0) {
            if (fn & 1 == 1 || fn == sn) {
                sides |= uint256(1) << length;
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            fn >>= 1;
            sn >>= 1;
            length++;
        }
    }

    /// @dev RFC 9162 section 2.1.3.2 verification, transcribed literally (zero = invalid).
    function rfcRoot(bytes32 leaf, uint256 index, uint256 size, bytes32[] memory path) internal pure returns (bytes32) {
        if (index >= size) return bytes32(0);
        uint256 fn = index;
        uint256 sn = size - 1;
        bytes32 r = leaf;
        for (uint256 i = 0; i < path.length; i++) {
            if (sn == 0) return bytes32(0);
            if (fn & 1 == 1 || fn == sn) {
                r = nodeHash(path[i], r);
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, path[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? r : bytes32(0);
    }
}
