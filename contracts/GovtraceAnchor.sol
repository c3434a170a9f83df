// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/**
 * @title GovtraceAnchor
 * @notice Anchors Merkle batch roots of government-service records, one append-only
 * chain of batches per Chinese province-level division, on a permissioned EVM chain.
 *
 * @dev Model
 * - A consortium admin holding {REGISTRAR_ROLE} registers each province (GB/T 2260
 *   province-level code, e.g. 110000 Beijing, 440000 Guangdong) together with the one
 *   account allowed to anchor for it, and may later rotate that account.
 * - Each province numbers its batches 1, 2, 3, ... and its records 1, 2, 3, ...; batch
 *   `n` covers records `[firstSeq, firstSeq + size)`. {anchorBatch} accepts only the next
 *   batch number and only the range that starts right after the previous batch, so the
 *   anchored ranges of a province are gap-free and non-overlapping, and an anchored batch
 *   can never be overwritten.
 *
 * Merkle trees (RFC 9162 section 2.1, identical to RFC 6962 section 2.1), hash H = SHA-256:
 * - leaf hash   = SHA-256(0x00 || record bytes)               (computed off chain)
 * - node hash   = SHA-256(0x01 || left child || right child)  (65-byte preimage)
 * - MTH({d0})   = leaf hash of d0; for n > 1 leaves, let k be the largest power of two
 *   smaller than n: MTH(D[0:n]) = node(MTH(D[0:k]), MTH(D[k:n])).
 * - The anchored `root` is MTH over the batch's `size` leaves in sequence order: leaf
 *   index `i` (0-based) is record `firstSeq + i`.
 * - Inclusion proofs are RFC 9162 audit paths (PATH(m, D[n])): sibling hashes ordered
 *   from the leaf up to the root; see {computeRoot} for the exact verification steps.
 *
 * Storage layout (chosen for the gas of {anchorBatch}):
 * - per province, one slot: account (160 bits) | batchCount (48) | nextSeq (48);
 * - per batch, two consecutive slots under one key: root, then firstSeq | size |
 *   anchoredAt | blockNumber (4 x 64 bits).
 */
contract GovtraceAnchor is AccessControl {
    /// @notice Role of the consortium admin that manages the province registry.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /**
     * @dev Head of one province's batch chain; exactly one storage slot.
     * `account` is zero iff the province is not registered. `nextSeq` is the first record
     * sequence number of the next batch (1 once registered); `batchCount` is the number
     * of the last anchored batch (0 for none).
     */
    struct ProvinceState {
        address account;
        uint48 batchCount;
        uint48 nextSeq;
    }

    /// @dev One anchored batch: `root` in the first slot, the metadata packed in the second.
    struct BatchRecord {
        bytes32 root;
        uint64 firstSeq;
        uint64 size;
        uint64 anchoredAt;
        uint64 blockNumber;
    }

    /// @dev Province code => chain head.
    mapping(uint32 province => ProvinceState) private _provinces;

    /// @dev `_batchKey(province, batchNo)` => batch. A flat key saves the second keccak a
    /// nested mapping would cost.
    mapping(uint256 batchKey => BatchRecord) private _batches;

    /// @notice An account argument was the zero address.
    error ZeroAddress();

    /// @notice `province` is not a GB/T 2260 province-level code (100000..999999, a multiple of 10000).
    error InvalidProvinceCode(uint32 province);

    /// @notice `province` was registered before.
    error ProvinceAlreadyRegistered(uint32 province);

    /// @notice `province` has not been registered.
    error ProvinceNotRegistered(uint32 province);

    /// @notice `caller` is not the account registered to anchor for `province`.
    error UnauthorizedAnchorer(uint32 province, address caller);

    /// @notice The batch number must be the province's batch count plus one.
    error UnexpectedBatchNumber(uint32 province, uint64 expected, uint64 actual);

    /// @notice The batch must start at the record right after the previous batch.
    error NonContiguousRange(uint32 province, uint64 expectedFirstSeq, uint64 actualFirstSeq);

    /// @notice A batch must contain at least one record.
    error EmptyBatch();

    /// @notice The zero root is reserved to mean "not anchored".
    error ZeroRoot();

    /// @notice The province's batch or record counter would exceed its 48-bit storage field.
    error ProvinceCounterOverflow(uint32 province);

    /// @notice `province` was registered with `account` as its anchoring account.
    event ProvinceRegistered(uint32 indexed province, address indexed account);

    /// @notice The anchoring account of `province` changed from `previousAccount` to `newAccount`.
    event ProvinceAccountChanged(uint32 indexed province, address indexed previousAccount, address indexed newAccount);

    /// @notice Batch `batchNo` of `province`, records `[firstSeq, firstSeq + size)`, was anchored with Merkle `root`.
    event BatchAnchored(uint32 indexed province, uint64 indexed batchNo, bytes32 root, uint64 firstSeq, uint64 size);

    /**
     * @notice Deploys the anchor with `admin` as role admin and registrar.
     * @param admin Receives {DEFAULT_ADMIN_ROLE} and {REGISTRAR_ROLE}.
     */
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    /**
     * @notice Registers `province` with `account` as the only account allowed to anchor its batches.
     * @dev Checks, in order: caller role, province code, non-zero account, not yet registered.
     * The province starts at batch count 0 and next record sequence number 1.
     * @param province GB/T 2260 province-level code, e.g. 110000.
     * @param account The province's anchoring account.
     */
    function registerProvince(uint32 province, address account) external onlyRole(REGISTRAR_ROLE) {
        if (province < 100000 || province > 999999 || province % 10000 != 0) revert InvalidProvinceCode(province);
        if (account == address(0)) revert ZeroAddress();
        if (_provinces[province].account != address(0)) revert ProvinceAlreadyRegistered(province);
        _provinces[province] = ProvinceState({account: account, batchCount: 0, nextSeq: 1});
        emit ProvinceRegistered(province, account);
    }

    /**
     * @notice Replaces the anchoring account of a registered `province` (key rotation).
     * @dev Checks, in order: caller role, non-zero account, province registered. The batch
     * chain is untouched.
     * @param province A registered province code.
     * @param account The new anchoring account.
     */
    function setProvinceAccount(uint32 province, address account) external onlyRole(REGISTRAR_ROLE) {
        if (account == address(0)) revert ZeroAddress();
        ProvinceState storage state = _provinces[province];
        address previous = state.account;
        if (previous == address(0)) revert ProvinceNotRegistered(province);
        state.account = account;
        emit ProvinceAccountChanged(province, previous, account);
    }

    /**
     * @notice Anchors the Merkle `root` of batch `batchNo` of `province`, which covers
     * records `[firstSeq, firstSeq + size)`.
     * @dev Checks, in this order: the province is registered ({ProvinceNotRegistered}); the
     * caller is its account ({UnauthorizedAnchorer}); `batchNo` is the batch count plus one
     * ({UnexpectedBatchNumber}); `firstSeq` is the province's next sequence number
     * ({NonContiguousRange}); `size > 0` ({EmptyBatch}); `root != 0` ({ZeroRoot}); the 48-bit
     * counters do not overflow ({ProvinceCounterOverflow}). Because `batchNo` must be new,
     * an anchored batch is never overwritten. Cost does not depend on `size`: one cold read
     * and one write of the province slot, two fresh slots for the batch, one event.
     * @param province Registered province code.
     * @param batchNo Batch number, starting at 1.
     * @param firstSeq Sequence number of the batch's first record, starting at 1.
     * @param size Number of records (Merkle leaves) in the batch.
     * @param root RFC 9162 Merkle tree hash (SHA-256) of the batch's leaves.
     */
    function anchorBatch(uint32 province, uint64 batchNo, uint64 firstSeq, uint64 size, bytes32 root) external {
        // One SLOAD of the packed head; everything below works on the copy.
        ProvinceState memory state = _provinces[province];
        if (state.account == address(0)) revert ProvinceNotRegistered(province);
        if (_msgSender() != state.account) revert UnauthorizedAnchorer(province, _msgSender());
        uint64 expectedBatchNo = uint64(state.batchCount) + 1; // cannot overflow: batchCount < 2**48
        if (batchNo != expectedBatchNo) revert UnexpectedBatchNumber(province, expectedBatchNo, batchNo);
        if (firstSeq != state.nextSeq) revert NonContiguousRange(province, state.nextSeq, firstSeq);
        if (size == 0) revert EmptyBatch();
        if (root == bytes32(0)) revert ZeroRoot();
        uint256 nextSeq = uint256(firstSeq) + size;
        if (batchNo > type(uint48).max || nextSeq > type(uint48).max) revert ProvinceCounterOverflow(province);

        // Packed writes by hand: for struct assignments solc re-reads and re-writes a slot
        // once per member (measured: 1,200 gas more per anchor). Layouts, lowest-order bits first as Solidity packs
        // them: head = account | batchCount << 160 | nextSeq << 208; batch meta = firstSeq |
        // size << 64 | anchoredAt << 128 | blockNumber << 192. batchNo and nextSeq were
        // range-checked above; timestamp and number are cut to 64 bits like uint64(...) would.
        ProvinceState storage head = _provinces[province];
        BatchRecord storage record = _batches[_batchKey(province, batchNo)];
        address account = state.account;
        assembly ("memory-safe") {
            sstore(head.slot, or(account, or(shl(160, batchNo), shl(208, nextSeq))))
            sstore(record.slot, root)
            let low64 := 0xffffffffffffffff
            sstore(
                add(record.slot, 1),
                or(or(firstSeq, shl(64, size)), or(shl(128, and(timestamp(), low64)), shl(192, and(number(), low64))))
            )
        }
        emit BatchAnchored(province, batchNo, root, firstSeq, size);
    }

    /**
     * @notice Returns batch `batchNo` of `province`; all zero when it is not anchored.
     * @param province Province code.
     * @param batchNo Batch number.
     * @return root The anchored Merkle root (zero when not anchored).
     * @return firstSeq Sequence number of the batch's first record.
     * @return size Number of records in the batch.
     * @return anchoredAt `block.timestamp` of the anchoring block.
     */
    function batch(uint32 province, uint64 batchNo)
        external
        view
        returns (bytes32 root, uint64 firstSeq, uint64 size, uint64 anchoredAt)
    {
        BatchRecord storage b = _batches[_batchKey(province, batchNo)];
        return (b.root, b.firstSeq, b.size, b.anchoredAt);
    }

    /**
     * @notice Returns the number of the block that anchored batch `batchNo` of `province`
     * (0 when not anchored).
     * @param province Province code.
     * @param batchNo Batch number.
     * @return blockNumber The anchoring block's number.
     */
    function batchAnchoredBlock(uint32 province, uint64 batchNo) external view returns (uint64 blockNumber) {
        return _batches[_batchKey(province, batchNo)].blockNumber;
    }

    /**
     * @notice Returns the chain head of `province`; all zero when it is not registered.
     * @param province Province code.
     * @return account The account allowed to anchor for the province.
     * @return batchCount Number of anchored batches (= number of the last one).
     * @return nextSeq Sequence number the next batch must start at (1 + records anchored so far).
     */
    function provinceHead(uint32 province) external view returns (address account, uint64 batchCount, uint64 nextSeq) {
        ProvinceState memory state = _provinces[province];
        return (state.account, state.batchCount, state.nextSeq);
    }

    /**
     * @notice Checks that `leafHash` is leaf `index` of anchored batch `batchNo` of `province`.
     * @dev Recomputes the root with {computeRoot} using the anchored batch size as the tree
     * size. Returns false (never reverts) when the batch is not anchored, the proof does not
     * fit `(index, size)`, or the recomputed root differs from the anchored one.
     * @param province Province code.
     * @param batchNo Batch number.
     * @param leafHash SHA-256(0x00 || record bytes).
     * @param index 0-based leaf index; the record's sequence number is `firstSeq + index`.
     * @param proof RFC 9162 inclusion proof (audit path), leaf level first.
     * @return True iff the proof is valid for the anchored root.
     */
    function verifyInclusion(uint32 province, uint64 batchNo, bytes32 leafHash, uint64 index, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        BatchRecord storage b = _batches[_batchKey(province, batchNo)];
        bytes32 root = b.root;
        if (root == bytes32(0)) return false;
        return _computeRoot(leafHash, index, b.size, proof) == root;
    }

    /**
     * @notice Recomputes the root of a `treeSize`-leaf tree from leaf `index` and its
     * inclusion proof; returns zero when the proof's shape does not fit `(index, treeSize)`.
     * @dev RFC 9162 section 2.1.3.2, with node(l, r) = SHA-256(0x01 || l || r):
     *   1. if index >= treeSize: invalid.
     *   2. fn = index, sn = treeSize - 1, r = leafHash.
     *   3. for each p in proof, in order:
     *      a. if sn == 0: invalid (proof too long);
     *      b. if fn is odd or fn == sn: r = node(p, r); then, if fn is even, shift fn and
     *         sn right together until fn is odd or fn == 0;
     *         otherwise: r = node(r, p);
     *      c. shift fn and sn right by one.
     *   4. valid iff sn == 0 (proof not too short); the result is r.
     * Note that a proof authenticates the index but not the tree size: proofs of different
     * tree sizes can share a shape, which is why {verifyInclusion} uses the anchored size.
     * @param leafHash SHA-256(0x00 || record bytes).
     * @param index 0-based leaf index.
     * @param treeSize Number of leaves in the tree.
     * @param proof Sibling hashes from the leaf level up.
     * @return The recomputed root, or zero if the proof is invalid for `(index, treeSize)`.
     */
    function computeRoot(bytes32 leafHash, uint64 index, uint64 treeSize, bytes32[] calldata proof)
        external
        view
        returns (bytes32)
    {
        return _computeRoot(leafHash, index, treeSize, proof);
    }

    /// @dev Storage key of batch `batchNo` of `province`: province in bits 64..95, batchNo in bits 0..63.
    function _batchKey(uint32 province, uint64 batchNo) private pure returns (uint256) {
        return (uint256(province) << 64) | batchNo;
    }

    /**
     * @dev {computeRoot} in assembly. The RFC 9162 loop is restated in the equivalent
     * "inner + border" form of transparency-dev/merkle, so that the proof's shape is known
     * up front and every level is the same branch-free step:
     * - Let x = index XOR (treeSize - 1) and inner = bitLength(x): below level `inner` the
     *   leaf's path differs from the last leaf's path; there the sibling is on the left iff
     *   bit i of `index` is set (RFC step 3b with fn odd, or 3b "otherwise").
     * - Above it (fn == sn in the RFC loop) each set bit of index >> inner contributes one
     *   proof element, always a left sibling; levels with no sibling are skipped.
     * - Hence the proof is valid iff proof.length == inner + popcount(index >> inner)
     *   (RFC steps 3a and 4), which equals popcount(index | m) with m = 2**inner - 1.
     * `sides` holds one bit per proof element, 1 = sibling on the left, i.e.
     * index | ~m. Shifted left by 5, a level's bit is directly the byte offset of the
     * running hash inside `left || right` of the 65-byte node preimage 0x01 || left || right.
     * The preimage is assembled just past the free memory pointer (never allocated, hence
     * memory-safe), and each SHA-256 digest is written straight into the half where the
     * next level needs it, so the running hash never returns to the stack.
     *
     * The precompile's success flag is not checked: SHA-256 at 0x02 can only fail by running
     * out of gas, which leaves this frame at most 1/64 of under 100 gas, so the whole call
     * then reverts out of gas instead of returning a wrong result.
     */
    function _computeRoot(bytes32 leafHash, uint256 index, uint256 treeSize, bytes32[] calldata proof)
        private
        view
        returns (bytes32 root)
    {
        if (index >= treeSize) return bytes32(0);
        assembly ("memory-safe") {
            // m = 2**bitLength(x) - 1: smear x's highest set bit down (all values < 2**64).
            let m := xor(index, sub(treeSize, 1))
            m := or(m, shr(1, m))
            m := or(m, shr(2, m))
            m := or(m, shr(4, m))
            m := or(m, shr(8, m))
            m := or(m, shr(16, m))
            m := or(m, shr(32, m))
            // Expected proof length: popcount(index | m), SWAR on 64 bits.
            let c := or(index, m)
            c := sub(c, and(shr(1, c), 0x5555555555555555))
            c := add(and(c, 0x3333333333333333), and(shr(2, c), 0x3333333333333333))
            c := and(add(c, shr(4, c)), 0x0f0f0f0f0f0f0f0f)
            c := and(shr(56, mul(c, 0x0101010101010101)), 0xff)

            if eq(proof.length, c) {
                let sides := shl(5, or(index, not(m))) // bit i + 5 = side of level i
                let buf := mload(0x40)
                mstore8(buf, 0x01) // node domain-separation prefix
                let left := add(buf, 0x01)
                let right := add(buf, 0x21)
                let o := and(sides, 0x20) // offset of the running hash in left || right
                mstore(add(left, o), leafHash)
                let p := proof.offset
                // Four levels per iteration to cut loop overhead.
                for { let quadEnd := add(p, shl(7, shr(2, proof.length))) } lt(p, quadEnd) { p := add(p, 0x80) } {
                    mstore(sub(right, o), calldataload(p))
                    o := and(shr(1, sides), 0x20)
                    pop(staticcall(gas(), 0x02, buf, 0x41, add(left, o), 0x20))
                    mstore(sub(right, o), calldataload(add(p, 0x20)))
                    o := and(shr(2, sides), 0x20)
                    pop(staticcall(gas(), 0x02, buf, 0x41, add(left, o), 0x20))
                    mstore(sub(right, o), calldataload(add(p, 0x40)))
                    o := and(shr(3, sides), 0x20)
                    pop(staticcall(gas(), 0x02, buf, 0x41, add(left, o), 0x20))
                    mstore(sub(right, o), calldataload(add(p, 0x60)))
                    sides := shr(4, sides)
                    o := and(sides, 0x20)
                    pop(staticcall(gas(), 0x02, buf, 0x41, add(left, o), 0x20))
                }
                // The remaining 0 to 3 levels.
                for { let end := add(proof.offset, shl(5, proof.length)) } lt(p, end) { p := add(p, 0x20) } {
                    mstore(sub(right, o), calldataload(p))
                    sides := shr(1, sides)
                    o := and(sides, 0x20)
                    pop(staticcall(gas(), 0x02, buf, 0x41, add(left, o), 0x20))
                }
                root := mload(add(left, o))
            }
        }
    }
}
