// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {GovtraceAnchor} from "../GovtraceAnchor.sol";
import {Test} from "./utils/Test.sol";

/// @dev Shared fixture: an anchor administered by `admin`, Beijing and Guangdong registered.
abstract contract AnchorFixture is Test {
    uint32 internal constant BEIJING = 110000;
    uint32 internal constant GUANGDONG = 440000;
    uint32 internal constant SHANGHAI = 310000; // left unregistered

    address internal admin = vm.addr(0xA11CE);
    address internal beijingKey = vm.addr(0xB1);
    address internal guangdongKey = vm.addr(0x6D);
    address internal stranger = vm.addr(0xBAD);

    GovtraceAnchor internal anchor;

    function setUp() public virtual {
        vm.label(admin, "admin");
        vm.label(beijingKey, "beijingKey");
        vm.label(guangdongKey, "guangdongKey");
        vm.label(stranger, "stranger");
        anchor = new GovtraceAnchor(admin);
        vm.startPrank(admin);
        anchor.registerProvince(BEIJING, beijingKey);
        anchor.registerProvince(GUANGDONG, guangdongKey);
        vm.stopPrank();
    }

    function _anchor(uint32 province, address key, uint64 batchNo, uint64 firstSeq, uint64 size, bytes32 root)
        internal
    {
        vm.prank(key);
        anchor.anchorBatch(province, batchNo, firstSeq, size, root);
    }

    function _expectRevert(bytes memory data) internal {
        vm.expectRevert(data);
    }
}

contract GovtraceAnchorTest is AnchorFixture {
    event ProvinceRegistered(uint32 indexed province, address indexed account);
    event ProvinceAccountChanged(uint32 indexed province, address indexed previousAccount, address indexed newAccount);
    event BatchAnchored(uint32 indexed province, uint64 indexed batchNo, bytes32 root, uint64 firstSeq, uint64 size);

    bytes32 internal constant ROOT_A = keccak256("root a");
    bytes32 internal constant ROOT_B = keccak256("root b");
    bytes32 internal constant ROOT_C = keccak256("root c");

    // ------------------------------------------------------------------ constructor, roles

    function test_constructor_grantsAdminAndRegistrarRoles() public view {
        assertTrue(anchor.hasRole(anchor.DEFAULT_ADMIN_ROLE(), admin), "admin role");
        assertTrue(anchor.hasRole(anchor.REGISTRAR_ROLE(), admin), "registrar role");
        assertFalse(anchor.hasRole(anchor.REGISTRAR_ROLE(), address(this)), "deployer has no role");
        assertEq(anchor.getRoleAdmin(anchor.REGISTRAR_ROLE()), anchor.DEFAULT_ADMIN_ROLE(), "registrar admin");
        assertTrue(anchor.supportsInterface(type(IAccessControl).interfaceId), "IAccessControl");
    }

    function test_constructor_revertsOnZeroAdmin() public {
        vm.expectRevert(GovtraceAnchor.ZeroAddress.selector);
        new GovtraceAnchor(address(0));
    }

    function test_registrarRole_isKeccakOfName() public view {
        assertEq(anchor.REGISTRAR_ROLE(), keccak256("REGISTRAR_ROLE"), "role id");
    }

    function test_grantRole_newRegistrarCanRegister() public {
        address registrar = vm.addr(0x7E6);
        bytes32 role = anchor.REGISTRAR_ROLE();
        vm.prank(admin);
        anchor.grantRole(role, registrar);
        vm.prank(registrar);
        anchor.registerProvince(SHANGHAI, stranger);
        (address account,,) = anchor.provinceHead(SHANGHAI);
        assertEq(account, stranger, "registered by new registrar");
    }

    // ------------------------------------------------------------------ registerProvince

    function test_registerProvince_storesHeadAndEmits() public {
        vm.expectEmit(true, true, true, true, address(anchor));
        emit ProvinceRegistered(SHANGHAI, stranger);
        vm.prank(admin);
        anchor.registerProvince(SHANGHAI, stranger);
        (address account, uint64 batchCount, uint64 nextSeq) = anchor.provinceHead(SHANGHAI);
        assertEq(account, stranger, "account");
        assertEq(batchCount, 0, "batchCount");
        assertEq(nextSeq, 1, "nextSeq starts at 1");
    }

    function testFuzz_registerProvince_acceptsEveryProvinceLevelCode(uint256 prefix) public {
        uint32 province = uint32(bound(prefix, 10, 99) * 10000);
        vm.assume(province != BEIJING && province != GUANGDONG);
        vm.prank(admin);
        anchor.registerProvince(province, stranger);
        (address account,,) = anchor.provinceHead(province);
        assertEq(account, stranger, "registered");
    }

    function test_registerProvince_revertsOnInvalidCode() public {
        uint32[6] memory bad = [uint32(0), 99999, 100001, 110100, 110101, 1000000];
        for (uint256 i = 0; i < bad.length; i++) {
            _expectRevert(abi.encodeWithSelector(GovtraceAnchor.InvalidProvinceCode.selector, bad[i]));
            vm.prank(admin);
            anchor.registerProvince(bad[i], stranger);
        }
    }

    function testFuzz_registerProvince_revertsOnInvalidCode(uint32 province) public {
        vm.assume(province < 100000 || province > 999999 || province % 10000 != 0);
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.InvalidProvinceCode.selector, province));
        vm.prank(admin);
        anchor.registerProvince(province, stranger);
    }

    function test_registerProvince_revertsOnDuplicate() public {
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.ProvinceAlreadyRegistered.selector, BEIJING));
        vm.prank(admin);
        anchor.registerProvince(BEIJING, stranger);
    }

    function test_registerProvince_revertsForNonRegistrar() public {
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, anchor.REGISTRAR_ROLE()
            )
        );
        vm.prank(stranger);
        anchor.registerProvince(SHANGHAI, stranger);
    }

    function test_registerProvince_revertsOnZeroAccount() public {
        vm.expectRevert(GovtraceAnchor.ZeroAddress.selector);
        vm.prank(admin);
        anchor.registerProvince(SHANGHAI, address(0));
    }

    // ------------------------------------------------------------------ setProvinceAccount

    function test_setProvinceAccount_rotatesKeyAndEmits() public {
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        address newKey = vm.addr(0xB2);

        vm.expectEmit(true, true, true, true, address(anchor));
        emit ProvinceAccountChanged(BEIJING, beijingKey, newKey);
        vm.prank(admin);
        anchor.setProvinceAccount(BEIJING, newKey);

        (address account, uint64 batchCount, uint64 nextSeq) = anchor.provinceHead(BEIJING);
        assertEq(account, newKey, "account rotated");
        assertEq(batchCount, 1, "chain kept");
        assertEq(nextSeq, 11, "sequence kept");

        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnauthorizedAnchorer.selector, BEIJING, beijingKey));
        _anchor(BEIJING, beijingKey, 2, 11, 5, ROOT_B);
        _anchor(BEIJING, newKey, 2, 11, 5, ROOT_B);
        (bytes32 root,,,) = anchor.batch(BEIJING, 2);
        assertEq(root, ROOT_B, "new key anchors");
    }

    function test_setProvinceAccount_revertsWhenNotRegistered() public {
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.ProvinceNotRegistered.selector, SHANGHAI));
        vm.prank(admin);
        anchor.setProvinceAccount(SHANGHAI, stranger);
    }

    function test_setProvinceAccount_revertsForNonRegistrar() public {
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, beijingKey, anchor.REGISTRAR_ROLE()
            )
        );
        vm.prank(beijingKey);
        anchor.setProvinceAccount(BEIJING, stranger);
    }

    function test_setProvinceAccount_revertsOnZeroAccount() public {
        vm.expectRevert(GovtraceAnchor.ZeroAddress.selector);
        vm.prank(admin);
        anchor.setProvinceAccount(BEIJING, address(0));
    }

    // ------------------------------------------------------------------ anchorBatch: success

    function test_anchorBatch_storesBatchAndAdvancesHead() public {
        vm.warp(1_750_000_000);
        vm.roll(4242);
        _anchor(BEIJING, beijingKey, 1, 1, 100, ROOT_A);

        (bytes32 root, uint64 firstSeq, uint64 size, uint64 anchoredAt) = anchor.batch(BEIJING, 1);
        assertEq(root, ROOT_A, "root");
        assertEq(firstSeq, 1, "firstSeq");
        assertEq(size, 100, "size");
        assertEq(anchoredAt, 1_750_000_000, "anchoredAt");
        assertEq(anchor.batchAnchoredBlock(BEIJING, 1), 4242, "block");

        (address account, uint64 batchCount, uint64 nextSeq) = anchor.provinceHead(BEIJING);
        assertEq(account, beijingKey, "account unchanged");
        assertEq(batchCount, 1, "batchCount");
        assertEq(nextSeq, 101, "nextSeq");
    }

    function test_anchorBatch_emitsBatchAnchored() public {
        _anchor(BEIJING, beijingKey, 1, 1, 100, ROOT_A);
        vm.expectEmit(true, true, true, true, address(anchor));
        emit BatchAnchored(BEIJING, 2, ROOT_B, 101, 7);
        _anchor(BEIJING, beijingKey, 2, 101, 7, ROOT_B);
    }

    function test_anchorBatch_chainsConsecutiveBatches() public {
        _anchor(GUANGDONG, guangdongKey, 1, 1, 3, ROOT_A);
        vm.warp(block.timestamp + 60);
        vm.roll(block.number + 5);
        _anchor(GUANGDONG, guangdongKey, 2, 4, 1, ROOT_B);
        _anchor(GUANGDONG, guangdongKey, 3, 5, 1000, ROOT_C);

        (bytes32 root, uint64 firstSeq, uint64 size,) = anchor.batch(GUANGDONG, 2);
        assertEq(root, ROOT_B, "batch 2 root");
        assertEq(firstSeq, 4, "batch 2 firstSeq");
        assertEq(size, 1, "batch 2 size");
        (, uint64 batchCount, uint64 nextSeq) = anchor.provinceHead(GUANGDONG);
        assertEq(batchCount, 3, "batchCount");
        assertEq(nextSeq, 1005, "nextSeq");
    }

    function test_anchorBatch_provincesAreIndependent() public {
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        _anchor(GUANGDONG, guangdongKey, 1, 1, 20, ROOT_B);
        (bytes32 bjRoot,, uint64 bjSize,) = anchor.batch(BEIJING, 1);
        (bytes32 gdRoot,, uint64 gdSize,) = anchor.batch(GUANGDONG, 1);
        assertEq(bjRoot, ROOT_A, "beijing root");
        assertEq(gdRoot, ROOT_B, "guangdong root");
        assertEq(bjSize, 10, "beijing size");
        assertEq(gdSize, 20, "guangdong size");
    }

    function testFuzz_anchorBatch_acceptsAnySizeAndRoot(uint64 size, bytes32 root) public {
        size = uint64(bound(size, 1, type(uint48).max - 1)); // nextSeq = 1 + size must fit in 48 bits
        vm.assume(root != bytes32(0));
        _anchor(BEIJING, beijingKey, 1, 1, size, root);
        (bytes32 stored,, uint64 storedSize,) = anchor.batch(BEIJING, 1);
        assertEq(stored, root, "root");
        assertEq(storedSize, size, "size");
        (,, uint64 nextSeq) = anchor.provinceHead(BEIJING);
        assertEq(nextSeq, uint256(size) + 1, "nextSeq");
    }

    // ------------------------------------------------------------------ anchorBatch: reverts

    function test_anchorBatch_revertsWhenProvinceNotRegistered() public {
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.ProvinceNotRegistered.selector, SHANGHAI));
        _anchor(SHANGHAI, stranger, 1, 1, 1, ROOT_A);
    }

    function test_anchorBatch_revertsForOtherProvincesAccount() public {
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnauthorizedAnchorer.selector, BEIJING, guangdongKey));
        _anchor(BEIJING, guangdongKey, 1, 1, 1, ROOT_A);
    }

    function test_anchorBatch_revertsForRegistrar() public {
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnauthorizedAnchorer.selector, BEIJING, admin));
        _anchor(BEIJING, admin, 1, 1, 1, ROOT_A);
    }

    function test_anchorBatch_revertsOnBatchNumberGap() public {
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnexpectedBatchNumber.selector, BEIJING, 2, 3));
        _anchor(BEIJING, beijingKey, 3, 11, 10, ROOT_B);
    }

    function test_anchorBatch_revertsOnRepeatedBatchNumber() public {
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnexpectedBatchNumber.selector, BEIJING, 2, 1));
        _anchor(BEIJING, beijingKey, 1, 11, 10, ROOT_B);
    }

    function test_anchorBatch_revertsOnBatchNumberZero() public {
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnexpectedBatchNumber.selector, BEIJING, 1, 0));
        _anchor(BEIJING, beijingKey, 0, 1, 10, ROOT_A);
    }

    function test_anchorBatch_revertsOnFirstSeqGap() public {
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.NonContiguousRange.selector, BEIJING, 11, 12));
        _anchor(BEIJING, beijingKey, 2, 12, 10, ROOT_B);
    }

    function test_anchorBatch_revertsOnFirstSeqOverlap() public {
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.NonContiguousRange.selector, BEIJING, 11, 10));
        _anchor(BEIJING, beijingKey, 2, 10, 10, ROOT_B);
    }

    function test_anchorBatch_revertsOnFirstSeqZero() public {
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.NonContiguousRange.selector, BEIJING, 1, 0));
        _anchor(BEIJING, beijingKey, 1, 0, 10, ROOT_A);
    }

    function test_anchorBatch_revertsOnEmptyBatch() public {
        vm.expectRevert(GovtraceAnchor.EmptyBatch.selector);
        _anchor(BEIJING, beijingKey, 1, 1, 0, ROOT_A);
    }

    function test_anchorBatch_revertsOnZeroRoot() public {
        vm.expectRevert(GovtraceAnchor.ZeroRoot.selector);
        _anchor(BEIJING, beijingKey, 1, 1, 10, bytes32(0));
    }

    function test_anchorBatch_revertsOnSequenceOverflow() public {
        uint64 maxSize = type(uint48).max - 1; // nextSeq = 1 + size <= 2**48 - 1
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.ProvinceCounterOverflow.selector, BEIJING));
        _anchor(BEIJING, beijingKey, 1, 1, maxSize + 1, ROOT_A);
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.ProvinceCounterOverflow.selector, BEIJING));
        _anchor(BEIJING, beijingKey, 1, 1, type(uint64).max, ROOT_A); // uint64 sum would wrap

        _anchor(BEIJING, beijingKey, 1, 1, maxSize, ROOT_A);
        (,, uint64 nextSeq) = anchor.provinceHead(BEIJING);
        assertEq(nextSeq, type(uint48).max, "counter full");
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.ProvinceCounterOverflow.selector, BEIJING));
        _anchor(BEIJING, beijingKey, 2, type(uint48).max, 1, ROOT_B);
    }

    /// @dev ERC-7201 location of `namespace`: keccak256(keccak256(namespace) - 1) with the low byte cleared.
    function _erc7201(string memory namespace) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(uint256(keccak256(bytes(namespace))) - 1))) & ~uint256(0xff);
    }

    /// @dev The documented layout: a province head at its namespace base + province, a batch's
    /// two slots at the batches base + 2 * (province << 64 | batchNo).
    function test_storageLayout_namespacedSlots() public {
        vm.warp(1_700_000_000);
        vm.roll(1234);
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        _anchor(BEIJING, beijingKey, 2, 11, 5, ROOT_B);

        uint256 heads = _erc7201("govtrace.anchor.provinces");
        uint256 batches = _erc7201("govtrace.anchor.batches");
        uint256 head = uint256(vm.load(address(anchor), bytes32(heads + BEIJING)));
        assertEq(head, uint256(uint160(beijingKey)) | (2 << 160) | (16 << 208), "Beijing head");
        uint256 guangdong = uint256(vm.load(address(anchor), bytes32(heads + GUANGDONG)));
        assertEq(guangdong, uint256(uint160(guangdongKey)) | (1 << 208), "registered, nothing anchored");

        uint256 slot = batches + 2 * ((uint256(BEIJING) << 64) | 2);
        assertEq(vm.load(address(anchor), bytes32(slot)), ROOT_B, "root slot");
        uint256 meta = uint256(vm.load(address(anchor), bytes32(slot + 1)));
        assertEq(meta, 11 | (5 << 64) | (uint256(1_700_000_000) << 128) | (uint256(1234) << 192), "metadata slot");
        assertEq(vm.load(address(anchor), bytes32(slot - 2)), ROOT_A, "batch 1 right before");
        assertEq(vm.load(address(anchor), bytes32(slot + 2)), bytes32(0), "batch 3 not anchored");
    }

    /// @dev The hand-packed storage words round-trip every field at its extreme value.
    function test_anchorBatch_storesExtremeValuesExactly() public {
        uint64 bigSize = type(uint48).max - 3;
        vm.warp(type(uint64).max);
        vm.roll(type(uint64).max - 1);
        _anchor(BEIJING, beijingKey, 1, 1, bigSize, bytes32(type(uint256).max));
        _anchor(BEIJING, beijingKey, 2, bigSize + 1, 2, ROOT_A);

        (bytes32 root, uint64 firstSeq, uint64 size, uint64 anchoredAt) = anchor.batch(BEIJING, 1);
        assertEq(root, bytes32(type(uint256).max), "root 1");
        assertEq(firstSeq, 1, "firstSeq 1");
        assertEq(size, bigSize, "size 1");
        assertEq(anchoredAt, type(uint64).max, "anchoredAt 1");
        assertEq(anchor.batchAnchoredBlock(BEIJING, 1), type(uint64).max - 1, "block 1");
        (root, firstSeq, size,) = anchor.batch(BEIJING, 2);
        assertEq(root, ROOT_A, "root 2");
        assertEq(firstSeq, bigSize + 1, "firstSeq 2");
        assertEq(size, 2, "size 2");
        (address account, uint64 batchCount, uint64 nextSeq) = anchor.provinceHead(BEIJING);
        assertEq(account, beijingKey, "account survives the packed write");
        assertEq(batchCount, 2, "batchCount");
        assertEq(nextSeq, type(uint48).max, "nextSeq at the 48-bit limit");
    }

    /// @dev With everything wrong at once, the first failing check of the documented order wins.
    function test_anchorBatch_checksInDocumentedOrder() public {
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);

        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.ProvinceNotRegistered.selector, SHANGHAI));
        _anchor(SHANGHAI, stranger, 9, 99, 0, bytes32(0));

        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnauthorizedAnchorer.selector, BEIJING, stranger));
        _anchor(BEIJING, stranger, 9, 99, 0, bytes32(0));

        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnexpectedBatchNumber.selector, BEIJING, 2, 9));
        _anchor(BEIJING, beijingKey, 9, 99, 0, bytes32(0));

        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.NonContiguousRange.selector, BEIJING, 11, 99));
        _anchor(BEIJING, beijingKey, 2, 99, 0, bytes32(0));

        vm.expectRevert(GovtraceAnchor.EmptyBatch.selector);
        _anchor(BEIJING, beijingKey, 2, 11, 0, bytes32(0));

        vm.expectRevert(GovtraceAnchor.ZeroRoot.selector);
        _anchor(BEIJING, beijingKey, 2, 11, 1, bytes32(0));
    }

    function test_anchorBatch_cannotOverwriteAnchoredBatch() public {
        vm.warp(1000);
        vm.roll(77);
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        vm.warp(2000);
        vm.roll(88);

        // Every way of addressing batch 1 again is refused ...
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnexpectedBatchNumber.selector, BEIJING, 2, 1));
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_B);
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnexpectedBatchNumber.selector, BEIJING, 2, 1));
        _anchor(BEIJING, beijingKey, 1, 11, 10, ROOT_B);
        // ... also after a key rotation.
        vm.prank(admin);
        anchor.setProvinceAccount(BEIJING, stranger);
        _expectRevert(abi.encodeWithSelector(GovtraceAnchor.UnexpectedBatchNumber.selector, BEIJING, 2, 1));
        _anchor(BEIJING, stranger, 1, 1, 10, ROOT_B);

        (bytes32 root, uint64 firstSeq, uint64 size, uint64 anchoredAt) = anchor.batch(BEIJING, 1);
        assertEq(root, ROOT_A, "root unchanged");
        assertEq(firstSeq, 1, "firstSeq unchanged");
        assertEq(size, 10, "size unchanged");
        assertEq(anchoredAt, 1000, "anchoredAt unchanged");
        assertEq(anchor.batchAnchoredBlock(BEIJING, 1), 77, "block unchanged");
    }

    // ------------------------------------------------------------------ views

    function test_batch_returnsZeroWhenNotAnchored() public {
        _anchor(BEIJING, beijingKey, 1, 1, 10, ROOT_A);
        (bytes32 root, uint64 firstSeq, uint64 size, uint64 anchoredAt) = anchor.batch(BEIJING, 2);
        assertEq(root, bytes32(0), "root");
        assertEq(firstSeq + size + anchoredAt, 0, "meta");
        assertEq(anchor.batchAnchoredBlock(BEIJING, 2), 0, "block");
        (root,,,) = anchor.batch(GUANGDONG, 1);
        assertEq(root, bytes32(0), "other province");
        (root,,,) = anchor.batch(BEIJING, 0);
        assertEq(root, bytes32(0), "batch 0");
    }

    function test_provinceHead_returnsZeroWhenNotRegistered() public view {
        (address account, uint64 batchCount, uint64 nextSeq) = anchor.provinceHead(SHANGHAI);
        assertEq(account, address(0), "account");
        assertEq(batchCount, 0, "batchCount");
        assertEq(nextSeq, 0, "nextSeq");
    }
}
