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
 * Storage layout (chosen for the gas of {anchorBatch} and {verifyInclusion}), at fixed
 * ERC-7201 namespace locations rather than in mappings, so no access hashes a key:
 * - per province, one slot at `_PROVINCES_SLOT + province`: account (160 bits) |
 *   batchCount (48) | nextSeq (48);
 * - per batch, two consecutive slots at `_BATCHES_SLOT + 2 * (province << 64 | batchNo)`:
 *   root, then firstSeq | size | anchoredAt | blockNumber (4 x 64 bits).
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

    /// @dev Base slot of the province heads: the head of `province` is slot
    /// `_PROVINCES_SLOT + province`. ERC-7201 location of namespace "govtrace.anchor.provinces"
    /// (checked by a test). A plain slot number instead of a mapping saves the keccak a
    /// mapping lookup costs on every read and write.
    uint256 private constant _PROVINCES_SLOT = 0xc7c69fa4d1c36cb4a46e72b513494a7bc3e8fcc43808bd32acf8fb4c6e8c5700;

    /// @dev Base slot of the batch records: batch `batchNo` of `province` occupies the two
    /// slots from `_BATCHES_SLOT + 2 * (province << 64 | batchNo)`. ERC-7201 location of
    /// namespace "govtrace.anchor.batches" (checked by a test). Province (32 bits) and batch
    /// number (64 bits) give distinct keys below 2**96, so records never overlap, and the
    /// ranges cannot meet each other or a keccak-derived slot except with negligible
    /// probability, as for any mapping.
    uint256 private constant _BATCHES_SLOT = 0x558006cce7be3eb400f6d4c7b371c3fda32e7624ed313d523118c40e35e96700;

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
        ProvinceState storage head = _province(province);
        if (head.account != address(0)) revert ProvinceAlreadyRegistered(province);
        head.account = account;
        head.nextSeq = 1; // batchCount stays 0
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
        ProvinceState storage state = _province(province);
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
        ProvinceState storage head = _province(province);
        ProvinceState memory state = head;
        if (state.account == address(0)) revert ProvinceNotRegistered(province);
        if (_msgSender() != state.account) revert UnauthorizedAnchorer(province, _msgSender());
        uint64 expectedBatchNo;
        uint256 nextSeq;
        unchecked {
            expectedBatchNo = uint64(state.batchCount) + 1; // batchCount < 2**48
            nextSeq = uint256(firstSeq) + size; // both < 2**64
        }
        if (batchNo != expectedBatchNo) revert UnexpectedBatchNumber(province, expectedBatchNo, batchNo);
        if (firstSeq != state.nextSeq) revert NonContiguousRange(province, state.nextSeq, firstSeq);
        if (size == 0) revert EmptyBatch();
        if (root == bytes32(0)) revert ZeroRoot();
        if (batchNo > type(uint48).max || nextSeq > type(uint48).max) revert ProvinceCounterOverflow(province);

        // Packed writes by hand: for struct assignments solc re-reads and re-writes a slot
        // once per member (measured: 1,200 gas more per anchor). Layouts, lowest-order bits first as Solidity packs
        // them: head = account | batchCount << 160 | nextSeq << 208; batch meta = firstSeq |
        // size << 64 | anchoredAt << 128 | blockNumber << 192. batchNo and nextSeq were
        // range-checked above; timestamp and number are cut to 64 bits like uint64(...) would.
        BatchRecord storage record = _batch(province, batchNo);
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
        BatchRecord storage b = _batch(province, batchNo);
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
        return _batch(province, batchNo).blockNumber;
    }

    /**
     * @notice Returns the chain head of `province`; all zero when it is not registered.
     * @param province Province code.
     * @return account The account allowed to anchor for the province.
     * @return batchCount Number of anchored batches (= number of the last one).
     * @return nextSeq Sequence number the next batch must start at (1 + records anchored so far).
     */
    function provinceHead(uint32 province) external view returns (address account, uint64 batchCount, uint64 nextSeq) {
        ProvinceState storage state = _province(province);
        return (state.account, state.batchCount, state.nextSeq);
    }

    /**
     * @notice Checks that `leafHash` is leaf `index` of anchored batch `batchNo` of `province`.
     * @dev Recomputes the root as {computeRoot} does, with the anchored batch size as the tree
     * size: both run {_inclusion}, the one implementation of the proof check and the hash walk
     * (docs/performance.md, section 4). Returns false (never reverts) when the batch is not
     * anchored, the proof does not fit `(index, size)`, or the recomputed root differs from
     * the anchored one. The batch's two slots are read directly (see {_batch}); an unanchored
     * batch reads as size 0, which `index < size` rejects, so the root needs no zero test.
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
        bytes32 root;
        uint64 size;
        assembly ("memory-safe") {
            let slot := add(_BATCHES_SLOT, shl(1, or(shl(64, province), batchNo)))
            root := sload(slot)
            size := and(shr(64, sload(add(slot, 1))), 0xffffffffffffffff)
        }
        // Ends the call, returning the ABI word at 0x00: root == anchored root (false for a
        // proof of the wrong shape).
        _inclusion(leafHash, index, size, proof, root, 0x00);
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
     * Implemented by {_inclusion}, the same code {verifyInclusion} runs.
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
        // Ends the call, returning the ABI word at 0x21: the recomputed root (zero, from 0x00,
        // for a proof of the wrong shape).
        _inclusion(leafHash, index, treeSize, proof, 0, 0x21);
    }

    /// @dev The head of `province` (see {_PROVINCES_SLOT}).
    function _province(uint32 province) private pure returns (ProvinceState storage head) {
        assembly ("memory-safe") {
            head.slot := add(_PROVINCES_SLOT, province)
        }
    }

    /// @dev Batch `batchNo` of `province` (see {_BATCHES_SLOT}); {verifyInclusion} repeats
    /// this computation in assembly.
    function _batch(uint32 province, uint64 batchNo) private pure returns (BatchRecord storage record) {
        assembly ("memory-safe") {
            record.slot := add(_BATCHES_SLOT, shl(1, or(shl(64, province), batchNo)))
        }
    }

    /**
     * @dev The RFC 9162 inclusion check of both {verifyInclusion} and {computeRoot} (the steps
     * are listed at {computeRoot}). It does not return to its caller: it ends the call with
     * one 32-byte word, which is the ABI encoding of either caller's result:
     * - a zero word when the proof's shape does not fit `(index, treeSize)`: false for
     *   {verifyInclusion}, the zero root for {computeRoot};
     * - otherwise, with the recomputed root r at memory 0x21 and `r == expected` stored at
     *   0x00, the word at `resultAt`: 0x00 (the bool) for {verifyInclusion}, 0x21 (the root)
     *   for {computeRoot}.
     * `index` and `treeSize` are read as 64-bit words: both callers pass clean values
     * (decoded parameters, or the size masked out of its storage slot).
     *
     * The RFC loop is restated in the equivalent "inner + border" form of transparency-dev/merkle,
     * so that the proof's shape is known up front and every level is the same branch-free step:
     * - Let x = index XOR (treeSize - 1) and inner = bitLength(x): below level `inner` the
     *   leaf's path differs from the last leaf's path; there the sibling is on the left iff
     *   bit i of `index` is set (RFC step 3b with fn odd, or 3b "otherwise").
     * - Above it (fn == sn in the RFC loop) each set bit of index >> inner contributes one
     *   proof element, always a left sibling; levels with no sibling are skipped.
     * - Hence the proof is valid iff index < treeSize and proof.length == inner +
     *   popcount(index >> inner) (RFC steps 1, 3a and 4), which equals popcount(index | m)
     *   with m = 2**inner - 1: at most 64 levels (48 for anchored sizes, below 2**48).
     * - `sides` = index | ~m holds one bit per level, 1 = sibling on the left.
     *
     * The walk, with the per-level work moved out of the levels:
     * - Level i's running hash sits in the left or right half of the 65-byte preimage
     *   0x01 || left || right at memory 0x00..0x40 (scratch space; the call ends with `return`,
     *   so Solidity never sees the overwritten free memory pointer): at 0x01 + 0x20 * s_i,
     *   where s_i = bit i of `sides`.
     * - `out` holds these addresses for 32 levels, one per byte (byte 31 - k for the k-th
     *   level from the current one), built by `spread`; `sib` = `out` with 0x20 toggled in
     *   every byte holds the siblings' addresses. A level stores its sibling at its `sib`
     *   byte and hashes the preimage straight into the next level's `out` byte.
     * - Levels run in unrolled blocks of 32, 1, 2, 4, 8 and 16 chosen by the bits of the
     *   proof length: no per-level loop test, and `out`/`sib` move on by a shift per block.
     *   A 64-level proof (computeRoot of a tree over 2**63 leaves) takes one level before
     *   the 32-level block and continues as one of 63.
     * - A valid proof leaves the root in the right half, at 0x21: bit `len` of `sides` is set
     *   because len >= inner (the bits of `m`).
     * - Tests are written `if iszero(x)` where the branch allows: solc then jumps on x itself,
     *   without the ISZERO that `if x` costs (hence `nl` = ~len for the blocks, and the last
     *   block's test skipping to the end).
     *
     * The precompile's success flag is not checked: SHA-256 at 0x02 can only fail by running
     * out of gas, which leaves this frame at most 1/64 of under 100 gas, so the whole call
     * then reverts out of gas instead of returning a wrong result.
     */
    function _inclusion(
        bytes32 leafHash,
        uint64 index,
        uint64 treeSize,
        bytes32[] calldata proof,
        bytes32 expected,
        uint256 resultAt
    ) private view {
        assembly {
            // Byte 31 - k of the result is 0x01 + 0x20 * (bit k of s), for k < 32. Two
            // multiply-and-mask steps put byte j of s's low 32 bits into the low byte of 64-bit
            // lane j (x * (1 + 2**i) equals x | x << i because the copies never overlap); the
            // third copies it into the lane's 8 bytes and keeps bit k of s in byte k (counted
            // from the low end). Adding 0x7f to every byte (at most 0x80, so no carries) sets
            // the top bit of the non-zero ones, which the shift by 2 turns into 0x20.
            function spread(s) -> r {
                r := and(
                    mul(and(s, 0xffffffff), 0x10000000000000000000000000001),
                    0xffff0000000000000000000000000000ffff
                )
                r := and(mul(r, 0x100000000000001), 0xff00000000000000ff00000000000000ff00000000000000ff)
                r := and(mul(r, 0x0101010101010101), 0x8040201008040201804020100804020180402010080402018040201008040201)
                r := or(
                    shr(
                        2,
                        and(
                            add(r, 0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f),
                            0x8080808080808080808080808080808080808080808080808080808080808080
                        )
                    ),
                    0x0101010101010101010101010101010101010101010101010101010101010101
                )
            }
            // 2**bitLength(x) - 1 for x < 2**64: x's highest set bit smeared down.
            function smear(x) -> y {
                y := or(x, shr(1, x))
                y := or(y, shr(2, y))
                y := or(y, shr(4, y))
                y := or(y, shr(8, y))
                y := or(y, shr(16, y))
                y := or(y, shr(32, y))
            }
            // Number of set bits of x < 2**64 (SWAR).
            function popcount(x) -> c {
                c := sub(x, and(shr(1, x), 0x5555555555555555))
                c := add(and(c, 0x3333333333333333), and(shr(2, c), 0x3333333333333333))
                c := byte(24, mul(and(add(c, shr(4, c)), 0x0f0f0f0f0f0f0f0f), 0x0101010101010101))
            }

            // Proof shape: valid iff index < treeSize and proof.length == popcount(index | m).
            let m := smear(xor(index, sub(treeSize, 1)))
            let len := proof.length
            if iszero(and(lt(index, treeSize), eq(len, popcount(or(index, m))))) {
                mstore(0, 0)
                return(0, 0x20)
            }

            let sides := or(index, not(m))
            let out := spread(sides)
            let sib := xor(out, 0x2020202020202020202020202020202020202020202020202020202020202020)
            mstore8(0, 0x01) // node domain-separation prefix
            mstore(byte(31, out), leafHash)
            let p := proof.offset
            // Every level below is the same two statements; for the k-th level of a block:
            // mstore(byte(31 - k, sib), calldataload(add(p, 32 k))), then hash into byte(30 - k, out).
            if iszero(lt(len, 32)) {
                if iszero(lt(len, 64)) {
                    // 64 levels: level 0 here, hashed into the first address of a new table.
                    mstore(byte(31, sib), calldataload(p))
                    sides := shr(1, sides)
                    out := spread(sides)
                    pop(staticcall(gas(), 2, 0, 0x41, byte(31, out), 0x20))
                    p := add(p, 0x20)
                    sib := xor(out, 0x2020202020202020202020202020202020202020202020202020202020202020)
                    len := 63
                }
                // 32 levels; the last one hashes into the first address of the next table.
                mstore(byte(31, sib), calldataload(p))
                pop(staticcall(gas(), 2, 0, 0x41, byte(30, out), 0x20))
                mstore(byte(30, sib), calldataload(add(p, 0x20)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(29, out), 0x20))
                mstore(byte(29, sib), calldataload(add(p, 0x40)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(28, out), 0x20))
                mstore(byte(28, sib), calldataload(add(p, 0x60)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(27, out), 0x20))
                mstore(byte(27, sib), calldataload(add(p, 0x80)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(26, out), 0x20))
                mstore(byte(26, sib), calldataload(add(p, 0xa0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(25, out), 0x20))
                mstore(byte(25, sib), calldataload(add(p, 0xc0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(24, out), 0x20))
                mstore(byte(24, sib), calldataload(add(p, 0xe0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(23, out), 0x20))
                mstore(byte(23, sib), calldataload(add(p, 0x100)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(22, out), 0x20))
                mstore(byte(22, sib), calldataload(add(p, 0x120)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(21, out), 0x20))
                mstore(byte(21, sib), calldataload(add(p, 0x140)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(20, out), 0x20))
                mstore(byte(20, sib), calldataload(add(p, 0x160)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(19, out), 0x20))
                mstore(byte(19, sib), calldataload(add(p, 0x180)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(18, out), 0x20))
                mstore(byte(18, sib), calldataload(add(p, 0x1a0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(17, out), 0x20))
                mstore(byte(17, sib), calldataload(add(p, 0x1c0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(16, out), 0x20))
                mstore(byte(16, sib), calldataload(add(p, 0x1e0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(15, out), 0x20))
                mstore(byte(15, sib), calldataload(add(p, 0x200)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(14, out), 0x20))
                mstore(byte(14, sib), calldataload(add(p, 0x220)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(13, out), 0x20))
                mstore(byte(13, sib), calldataload(add(p, 0x240)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(12, out), 0x20))
                mstore(byte(12, sib), calldataload(add(p, 0x260)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(11, out), 0x20))
                mstore(byte(11, sib), calldataload(add(p, 0x280)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(10, out), 0x20))
                mstore(byte(10, sib), calldataload(add(p, 0x2a0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(9, out), 0x20))
                mstore(byte(9, sib), calldataload(add(p, 0x2c0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(8, out), 0x20))
                mstore(byte(8, sib), calldataload(add(p, 0x2e0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(7, out), 0x20))
                mstore(byte(7, sib), calldataload(add(p, 0x300)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(6, out), 0x20))
                mstore(byte(6, sib), calldataload(add(p, 0x320)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(5, out), 0x20))
                mstore(byte(5, sib), calldataload(add(p, 0x340)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(4, out), 0x20))
                mstore(byte(4, sib), calldataload(add(p, 0x360)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(3, out), 0x20))
                mstore(byte(3, sib), calldataload(add(p, 0x380)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(2, out), 0x20))
                mstore(byte(2, sib), calldataload(add(p, 0x3a0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(1, out), 0x20))
                mstore(byte(1, sib), calldataload(add(p, 0x3c0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(0, out), 0x20))
                mstore(byte(0, sib), calldataload(add(p, 0x3e0)))
                sides := shr(32, sides)
                out := spread(sides)
                pop(staticcall(gas(), 2, 0, 0x41, byte(31, out), 0x20))
                p := add(p, 0x400)
                sib := xor(out, 0x2020202020202020202020202020202020202020202020202020202020202020)
            }
            let nl := not(len)
            if iszero(and(nl, 1)) {
                mstore(byte(31, sib), calldataload(p))
                pop(staticcall(gas(), 2, 0, 0x41, byte(30, out), 0x20))
                p := add(p, 0x20)
                out := shr(8, out)
                sib := shr(8, sib)
            }
            if iszero(and(nl, 2)) {
                mstore(byte(31, sib), calldataload(p))
                pop(staticcall(gas(), 2, 0, 0x41, byte(30, out), 0x20))
                mstore(byte(30, sib), calldataload(add(p, 0x20)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(29, out), 0x20))
                p := add(p, 0x40)
                out := shr(16, out)
                sib := shr(16, sib)
            }
            if iszero(and(nl, 4)) {
                mstore(byte(31, sib), calldataload(p))
                pop(staticcall(gas(), 2, 0, 0x41, byte(30, out), 0x20))
                mstore(byte(30, sib), calldataload(add(p, 0x20)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(29, out), 0x20))
                mstore(byte(29, sib), calldataload(add(p, 0x40)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(28, out), 0x20))
                mstore(byte(28, sib), calldataload(add(p, 0x60)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(27, out), 0x20))
                p := add(p, 0x80)
                out := shr(32, out)
                sib := shr(32, sib)
            }
            if iszero(and(nl, 8)) {
                mstore(byte(31, sib), calldataload(p))
                pop(staticcall(gas(), 2, 0, 0x41, byte(30, out), 0x20))
                mstore(byte(30, sib), calldataload(add(p, 0x20)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(29, out), 0x20))
                mstore(byte(29, sib), calldataload(add(p, 0x40)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(28, out), 0x20))
                mstore(byte(28, sib), calldataload(add(p, 0x60)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(27, out), 0x20))
                mstore(byte(27, sib), calldataload(add(p, 0x80)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(26, out), 0x20))
                mstore(byte(26, sib), calldataload(add(p, 0xa0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(25, out), 0x20))
                mstore(byte(25, sib), calldataload(add(p, 0xc0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(24, out), 0x20))
                mstore(byte(24, sib), calldataload(add(p, 0xe0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(23, out), 0x20))
                p := add(p, 0x100)
                out := shr(64, out)
                sib := shr(64, sib)
            }
            if iszero(and(len, 16)) {
                mstore(0, eq(mload(0x21), expected))
                return(resultAt, 0x20)
            }
            // The last block ends the call in a scope of its own: after a statement of the outer
            // scope, solc would first pop the variables no longer used.
            {
                mstore(byte(31, sib), calldataload(p))
                pop(staticcall(gas(), 2, 0, 0x41, byte(30, out), 0x20))
                mstore(byte(30, sib), calldataload(add(p, 0x20)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(29, out), 0x20))
                mstore(byte(29, sib), calldataload(add(p, 0x40)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(28, out), 0x20))
                mstore(byte(28, sib), calldataload(add(p, 0x60)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(27, out), 0x20))
                mstore(byte(27, sib), calldataload(add(p, 0x80)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(26, out), 0x20))
                mstore(byte(26, sib), calldataload(add(p, 0xa0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(25, out), 0x20))
                mstore(byte(25, sib), calldataload(add(p, 0xc0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(24, out), 0x20))
                mstore(byte(24, sib), calldataload(add(p, 0xe0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(23, out), 0x20))
                mstore(byte(23, sib), calldataload(add(p, 0x100)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(22, out), 0x20))
                mstore(byte(22, sib), calldataload(add(p, 0x120)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(21, out), 0x20))
                mstore(byte(21, sib), calldataload(add(p, 0x140)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(20, out), 0x20))
                mstore(byte(20, sib), calldataload(add(p, 0x160)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(19, out), 0x20))
                mstore(byte(19, sib), calldataload(add(p, 0x180)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(18, out), 0x20))
                mstore(byte(18, sib), calldataload(add(p, 0x1a0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(17, out), 0x20))
                mstore(byte(17, sib), calldataload(add(p, 0x1c0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(16, out), 0x20))
                mstore(byte(16, sib), calldataload(add(p, 0x1e0)))
                pop(staticcall(gas(), 2, 0, 0x41, byte(15, out), 0x20))
                mstore(0, eq(mload(0x21), expected))
                return(resultAt, 0x20)
            }
        }
    }
}
