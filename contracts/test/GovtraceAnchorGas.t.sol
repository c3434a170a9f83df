// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GovtraceAnchor} from "../GovtraceAnchor.sol";
import {AnchorFixture} from "./GovtraceAnchor.t.sol";

/// @dev Gas figures for the two hot paths, logged with `forge test -vv --match-contract Gas`
/// and guarded by upper bounds so regressions fail CI. Storage written in setUp is cold in
/// each test, as in a real transaction.
contract GovtraceAnchorGasTest is AnchorFixture {
    /// @dev Execution gas of anchorBatch (callee frame, no intrinsic cost).
    uint256 internal constant ANCHOR_EXECUTION_BUDGET = 53_000;

    /// @dev verifyInclusion at depth 20 with the batch's two slots warm (cold: see below); at
    /// most the 6,569 it cost before it shared its implementation with computeRoot.
    uint256 internal constant VERIFY_DEPTH20_WARM_BUDGET = 6_569;

    /// @dev Intrinsic gas of a transaction carrying `data` (EIP-2028 calldata pricing; the
    /// EIP-7623 floor of 21000 + 10 * tokens is far below these transactions' totals).
    function _intrinsicGas(bytes memory data) internal pure returns (uint256 gas) {
        gas = 21_000;
        for (uint256 i = 0; i < data.length; i++) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    function _measureAnchor(uint64 batchNo, uint64 firstSeq, uint64 size, bytes32 root)
        internal
        returns (uint256 execution, uint256 total)
    {
        vm.prank(beijingKey);
        anchor.anchorBatch(BEIJING, batchNo, firstSeq, size, root);
        execution = vm.lastCallGas().gasTotalUsed;
        total = execution
            + _intrinsicGas(abi.encodeCall(GovtraceAnchor.anchorBatch, (BEIJING, batchNo, firstSeq, size, root)));
    }

    function test_gas_anchorBatchFirstBatch() public {
        (uint256 execution, uint256 total) = _measureAnchor(1, 1, 1000, sha256("batch 1"));
        _log("anchorBatch #1 execution gas", execution);
        _log("anchorBatch #1 total tx gas (execution + intrinsic)", total);
        assertLe(execution, ANCHOR_EXECUTION_BUDGET, "anchorBatch execution gas");
    }

    /// @dev Batch size is just a number to the contract: 1 record or 1,000,000 cost the same.
    function test_gas_anchorBatchDoesNotDependOnSize() public {
        _anchor(BEIJING, beijingKey, 1, 1, 5, sha256("batch 1")); // warms the province slot for both
        (uint256 small,) = _measureAnchor(2, 6, 1, sha256("batch 2"));
        (uint256 large,) = _measureAnchor(3, 7, 1_000_000, sha256("batch 3"));
        assertEq(small, large, "size does not change execution gas");
    }

    function test_gas_verifyInclusionDepth20() public {
        // A 2**20-leaf tree cannot be built here, but any leaf and 20 siblings define one:
        // its root is what computeRoot returns for (index, 2**20).
        uint64 treeSize = uint64(1) << 20;
        uint64 index = 0x5A5A5; // mixes left and right steps
        bytes32 leaf = sha256(abi.encodePacked(bytes1(0x00), "record"));
        bytes32[] memory proof = new bytes32[](20);
        for (uint256 i = 0; i < 20; i++) {
            proof[i] = sha256(abi.encode(i));
        }
        bytes32 root = anchor.computeRoot(leaf, index, treeSize, proof);
        assertNotEq(root, bytes32(0), "fabricated root");
        _anchor(BEIJING, beijingKey, 1, 1, treeSize, root);

        // The batch slots were just written, so they are warm here (as with an EIP-2930
        // access list); GovtraceAnchorVerifyGasTest measures the cold case.
        assertTrue(anchor.verifyInclusion(BEIJING, 1, leaf, index, proof), "depth-20 proof");
        uint256 warm = vm.lastCallGas().gasTotalUsed;
        _log("verifyInclusion depth 20, warm storage, execution gas", warm);
        assertLe(warm, VERIFY_DEPTH20_WARM_BUDGET, "verifyInclusion depth-20 execution gas, warm");
        proof[7] ^= bytes32(uint256(1));
        assertFalse(anchor.verifyInclusion(BEIJING, 1, leaf, index, proof), "tampered depth-20 proof");
    }
}

/// @dev Depth-20 verification with cold storage: the batch is anchored in setUp.
///
/// Where the ~10.56k go (opcode trace; docs/performance.md, section 4): 2 cold SLOADs (root,
/// size) 4,200 and 20 SHA-256 precompile calls (100 call + 96 hash) 3,920 are fixed by the
/// interface; Solidity's entry (free memory pointer, callvalue and selector dispatch, ABI
/// decoding and range checks of the fixed signature) and the slot address ~850; the rest is
/// the contract's own work: size and the call into the shared _inclusion ~55, proof shape
/// ~250, address tables ~120, 20 unrolled levels at ~47 each plus ~210 of block tests, table
/// shifts and the final compare. 10,000 would need one cold SLOAD, i.e. root and size in one
/// slot, which only fits by comparing fewer than 256 bits of the root.
contract GovtraceAnchorVerifyGasTest is AnchorFixture {
    uint256 internal constant VERIFY_DEPTH20_COLD_BUDGET = 10_569; // the figure before the shared implementation

    uint64 internal constant TREE_SIZE = uint64(1) << 20;
    uint64 internal constant INDEX = 0x5A5A5;
    bytes32 internal leaf;
    bytes32[] internal proof;

    function setUp() public override {
        super.setUp();
        leaf = sha256(abi.encodePacked(bytes1(0x00), "record"));
        for (uint256 i = 0; i < 20; i++) {
            proof.push(sha256(abi.encode(i)));
        }
        bytes32 root = anchor.computeRoot(leaf, INDEX, TREE_SIZE, proof);
        _anchor(BEIJING, beijingKey, 1, 1, TREE_SIZE, root);
    }

    function test_gas_verifyInclusionDepth20Cold() public view {
        bytes32[] memory p = proof;
        bool ok = anchor.verifyInclusion(BEIJING, 1, leaf, INDEX, p);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        assertTrue(ok, "depth-20 proof");
        _log("verifyInclusion depth 20, cold storage, execution gas", used);
        assertLe(used, VERIFY_DEPTH20_COLD_BUDGET, "verifyInclusion depth-20 execution gas");
    }
}
