// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GovtraceAnchor} from "../GovtraceAnchor.sol";
import {CommonBase, Test} from "./utils/Test.sol";

/// @dev Drives the anchor with random registrations, key rotations and valid, invalid
/// and arbitrary anchors, keeping a ghost copy of everything that was accepted.
contract AnchorHandler is CommonBase {
    struct GhostBatch {
        bytes32 root;
        uint64 firstSeq;
        uint64 size;
        uint64 anchoredAt;
        uint64 blockNumber;
    }

    GovtraceAnchor public immutable anchor;
    address public immutable registrar;

    /// @dev Four real province codes plus one invalid code (never registrable).
    uint32[5] internal _codes = [uint32(110000), 310000, 440000, 650000, 110101];
    address[4] internal _actors;

    mapping(uint32 province => address) public ghostAccount;
    mapping(uint32 province => GhostBatch[]) internal _ghostBatches;

    /// @dev Calls whose outcome contradicted the specification (must stay 0).
    uint256 public unexpectedOutcomes;
    /// @dev Coverage counters, to see that runs exercise the interesting paths.
    uint256 public successfulAnchors;
    uint256 public rejectedAnchors;

    constructor(GovtraceAnchor anchor_, address registrar_) {
        anchor = anchor_;
        registrar = registrar_;
        for (uint256 i = 0; i < _actors.length; i++) {
            _actors[i] = vm.addr(0x1000 + i);
        }
    }

    // ------------------------------------------------------------------ views for the invariants

    function provinceCodes() external view returns (uint32[5] memory) {
        return _codes;
    }

    function ghostBatchCount(uint32 province) external view returns (uint256) {
        return _ghostBatches[province].length;
    }

    function ghostBatch(uint32 province, uint256 batchNo) external view returns (GhostBatch memory) {
        return _ghostBatches[province][batchNo - 1];
    }

    // ------------------------------------------------------------------ actions

    function registerProvince(uint256 provinceSeed, uint256 actorSeed) external {
        uint32 province = _codes[provinceSeed % _codes.length];
        address account = _actors[actorSeed % _actors.length];
        bool valid = province % 10000 == 0;
        vm.prank(registrar);
        try anchor.registerProvince(province, account) {
            if (!valid || ghostAccount[province] != address(0)) unexpectedOutcomes++;
            ghostAccount[province] = account;
        } catch (bytes memory reason) {
            bytes memory expected = !valid
                ? abi.encodeWithSelector(GovtraceAnchor.InvalidProvinceCode.selector, province)
                : abi.encodeWithSelector(GovtraceAnchor.ProvinceAlreadyRegistered.selector, province);
            if (!valid || ghostAccount[province] != address(0)) {
                if (keccak256(reason) != keccak256(expected)) unexpectedOutcomes++;
            } else {
                unexpectedOutcomes++;
            }
        }
    }

    function rotateAccount(uint256 provinceSeed, uint256 actorSeed) external {
        uint32 province = _codes[provinceSeed % _codes.length];
        address account = _actors[actorSeed % _actors.length];
        vm.prank(registrar);
        try anchor.setProvinceAccount(province, account) {
            if (ghostAccount[province] == address(0)) unexpectedOutcomes++;
            ghostAccount[province] = account;
        } catch {
            if (ghostAccount[province] != address(0)) unexpectedOutcomes++;
        }
    }

    /// @dev The next batch, from the right account; must succeed iff the province is registered.
    function anchorNext(uint256 provinceSeed, uint256 sizeSeed, bytes32 root, uint256 secondsLater) external {
        uint32 province = _codes[provinceSeed % _codes.length];
        (uint64 batchNo, uint64 firstSeq) = _expectedNext(province);
        uint64 size = uint64(bound(sizeSeed, 1, 1_000_000));
        if (root == bytes32(0)) root = bytes32(uint256(1));
        _advanceTime(secondsLater);
        address account = ghostAccount[province];
        vm.prank(account == address(0) ? _actors[0] : account);
        try anchor.anchorBatch(province, batchNo, firstSeq, size, root) {
            if (account == address(0)) unexpectedOutcomes++;
            _record(province, firstSeq, size, root);
        } catch (bytes memory reason) {
            rejectedAnchors++;
            bytes memory expected = abi.encodeWithSelector(GovtraceAnchor.ProvinceNotRegistered.selector, province);
            if (account != address(0) || keccak256(reason) != keccak256(expected)) unexpectedOutcomes++;
        }
    }

    /// @dev An otherwise valid next batch with exactly one defect; must revert with that error.
    function anchorDefective(uint256 provinceSeed, uint256 defect, uint256 actorSeed, uint64 delta) external {
        uint32 province = _codes[provinceSeed % _codes.length];
        address account = ghostAccount[province];
        if (account == address(0)) return; // covered by anchorNext
        (uint64 batchNo, uint64 firstSeq) = _expectedNext(province);
        uint64 size = 1;
        bytes32 root = keccak256(abi.encode(province, batchNo));
        address caller = account;
        bytes memory expected;
        defect %= 5;
        if (defect == 0) {
            caller = _actors[actorSeed % _actors.length];
            if (caller == account) caller = registrar;
            expected = abi.encodeWithSelector(GovtraceAnchor.UnauthorizedAnchorer.selector, province, caller);
        } else if (defect == 1) {
            uint64 wrong = delta % 2 == 0 ? batchNo - 1 : batchNo + 1 + uint64(bound(delta, 0, 1000));
            expected = abi.encodeWithSelector(GovtraceAnchor.UnexpectedBatchNumber.selector, province, batchNo, wrong);
            batchNo = wrong;
        } else if (defect == 2) {
            uint64 wrong = delta % 2 == 0 || firstSeq == 1
                ? firstSeq + 1 + uint64(bound(delta, 0, 1000))
                : firstSeq - 1 - uint64(bound(delta, 0, firstSeq - 1));
            expected = abi.encodeWithSelector(GovtraceAnchor.NonContiguousRange.selector, province, firstSeq, wrong);
            firstSeq = wrong;
        } else if (defect == 3) {
            size = 0;
            expected = abi.encodeWithSelector(GovtraceAnchor.EmptyBatch.selector);
        } else {
            root = bytes32(0);
            expected = abi.encodeWithSelector(GovtraceAnchor.ZeroRoot.selector);
        }
        vm.prank(caller);
        try anchor.anchorBatch(province, batchNo, firstSeq, size, root) {
            unexpectedOutcomes++;
            _record(province, firstSeq, size, root);
        } catch (bytes memory reason) {
            rejectedAnchors++;
            if (keccak256(reason) != keccak256(expected)) unexpectedOutcomes++;
        }
    }

    /// @dev Arbitrary arguments from an arbitrary actor (including re-anchoring old batch
    /// numbers); whatever the contract accepts is recorded and must satisfy the invariants.
    function anchorArbitrary(
        uint256 provinceSeed,
        uint256 actorSeed,
        uint64 batchNo,
        uint64 firstSeq,
        uint64 size,
        bytes32 root
    ) external {
        uint32 province = _codes[provinceSeed % _codes.length];
        (uint64 nextBatchNo, uint64 nextFirstSeq) = _expectedNext(province);
        // Bias towards the interesting neighbourhood of the head.
        batchNo = uint64(bound(batchNo, 0, nextBatchNo + 2));
        firstSeq = uint64(bound(firstSeq, 0, nextFirstSeq + 2));
        size = uint64(bound(size, 0, 3));
        address caller = actorSeed % 5 == 4 ? registrar : _actors[actorSeed % _actors.length];
        vm.prank(caller);
        try anchor.anchorBatch(province, batchNo, firstSeq, size, root) {
            _record(province, firstSeq, size, root);
        } catch {
            rejectedAnchors++;
        }
    }

    // ------------------------------------------------------------------ helpers

    function _expectedNext(uint32 province) internal view returns (uint64 batchNo, uint64 firstSeq) {
        GhostBatch[] storage batches = _ghostBatches[province];
        batchNo = uint64(batches.length + 1);
        firstSeq = batches.length == 0 ? 1 : batches[batches.length - 1].firstSeq + batches[batches.length - 1].size;
    }

    function _record(uint32 province, uint64 firstSeq, uint64 size, bytes32 root) internal {
        successfulAnchors++;
        _ghostBatches[province].push(
            GhostBatch({
                root: root,
                firstSeq: firstSeq,
                size: size,
                anchoredAt: uint64(block.timestamp),
                blockNumber: uint64(block.number)
            })
        );
    }

    function _advanceTime(uint256 secondsLater) internal {
        secondsLater = bound(secondsLater, 0, 1 days);
        vm.warp(block.timestamp + secondsLater);
        vm.roll(block.number + secondsLater / 3 + 1);
    }
}

contract GovtraceAnchorInvariantTest is Test {
    GovtraceAnchor internal anchor;
    AnchorHandler internal handler;

    function setUp() public {
        address admin = vm.addr(0xA11CE);
        anchor = new GovtraceAnchor(admin);
        handler = new AnchorHandler(anchor, admin);
        // Start with two registered provinces so that most runs reach deep batch chains.
        handler.registerProvince(0, 0);
        handler.registerProvince(2, 1);
        targetContract(address(handler));
    }

    function invariant_everyCallBehavesAsSpecified() public view {
        assertEq(handler.unexpectedOutcomes(), 0, "a call succeeded or failed against the specification");
    }

    function invariant_headMatchesGhost() public view {
        uint32[5] memory codes = handler.provinceCodes();
        for (uint256 i = 0; i < codes.length; i++) {
            (address account, uint64 batchCount,) = anchor.provinceHead(codes[i]);
            assertEq(account, handler.ghostAccount(codes[i]), "account");
            assertEq(batchCount, handler.ghostBatchCount(codes[i]), "batchCount == successful anchors");
        }
    }

    function invariant_anchoredBatchesNeverChange() public view {
        uint32[5] memory codes = handler.provinceCodes();
        for (uint256 i = 0; i < codes.length; i++) {
            uint256 count = handler.ghostBatchCount(codes[i]);
            for (uint64 k = 1; k <= count; k++) {
                AnchorHandler.GhostBatch memory g = handler.ghostBatch(codes[i], k);
                (bytes32 root, uint64 firstSeq, uint64 size, uint64 anchoredAt) = anchor.batch(codes[i], k);
                assertEq(root, g.root, "root");
                assertEq(firstSeq, g.firstSeq, "firstSeq");
                assertEq(size, g.size, "size");
                assertEq(anchoredAt, g.anchoredAt, "anchoredAt");
                assertEq(anchor.batchAnchoredBlock(codes[i], k), g.blockNumber, "blockNumber");
            }
            // forge-lint: disable-next-line(unsafe-typecast) -- a handful of batches per run
            (bytes32 beyond,,,) = anchor.batch(codes[i], uint64(count + 1));
            assertEq(beyond, bytes32(0), "nothing anchored past the head");
        }
    }

    /// @dev Checked on the contract's own data: batch 1 starts at 1, batch k at the end of
    /// batch k - 1, no batch is empty or has a zero root, and nextSeq is 1 + the sum of sizes.
    function invariant_rangesAreContiguous() public view {
        uint32[5] memory codes = handler.provinceCodes();
        for (uint256 i = 0; i < codes.length; i++) {
            (address account, uint64 batchCount, uint64 nextSeq) = anchor.provinceHead(codes[i]);
            if (account == address(0)) {
                assertEq(batchCount, 0, "unregistered: no batches");
                assertEq(nextSeq, 0, "unregistered: no sequence");
                continue;
            }
            uint256 expectedFirst = 1;
            for (uint64 k = 1; k <= batchCount; k++) {
                (bytes32 root, uint64 firstSeq, uint64 size,) = anchor.batch(codes[i], k);
                assertEq(firstSeq, expectedFirst, "batch starts where the previous one ended");
                assertTrue(size > 0, "non-empty");
                assertNotEq(root, bytes32(0), "root set");
                expectedFirst += size;
            }
            assertEq(nextSeq, expectedFirst, "nextSeq == 1 + sum of sizes");
        }
    }

    /// @dev Not an invariant of the contract: logs how much the run exercised (forge -vv).
    function invariant_coverageLog() public view {
        _log("successful anchors", handler.successfulAnchors());
        _log("rejected anchors", handler.rejectedAnchors());
    }
}
