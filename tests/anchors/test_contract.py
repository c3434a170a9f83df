"""GovtraceAnchor through AnchorContract on real Anvil nodes (EIP-1559 and zero-gas)."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr

from anchors.contract import REGISTRAR_ROLE, AnchorContract
from anchors.errors import TransactionReverted, WrongContract
from anchors.sender import TransactionSender
from tests.anchors import rfc9162
from tests.anchors.conftest import ChainKit

pytestmark = pytest.mark.chain

BEIJING, SHANGHAI, GUANGDONG = 110000, 310000, 440000


def _register(contract: AnchorContract, kit: ChainKit, province: int) -> LocalAccount:
    key = kit.make_key()
    contract.register_province(province, key.address, kit.admin)
    return key


def test_deploy_register_anchor_and_read_back(kit: ChainKit, deployed: AnchorContract) -> None:
    assert deployed.deployment is not None
    assert deployed.deployment.chain_id == kit.chain.chain_id
    assert deployed.has_role(REGISTRAR_ROLE, kit.admin.address)
    key = _register(deployed, kit, BEIJING)
    assert deployed.province_head(BEIJING).account == key.address

    sizes = [3, 1, 5]
    first_seq, receipts, roots = 1, [], []
    for batch_no, size in enumerate(sizes, start=1):
        roots.append(rfc9162.root(rfc9162.batch(first_seq, size)))
        receipts.append(deployed.anchor_batch(BEIJING, batch_no, first_seq, size, roots[-1], key))
        first_seq += size

    head = deployed.province_head(BEIJING)
    assert (head.batch_count, head.next_seq) == (3, 1 + sum(sizes))
    seq = 1
    for batch_no, (size, root, receipt) in enumerate(
        zip(sizes, roots, receipts, strict=True), start=1
    ):
        on_chain = deployed.batch(BEIJING, batch_no)
        assert on_chain is not None
        assert (on_chain.root, on_chain.first_seq, on_chain.size) == (root, seq, size)
        assert on_chain.block_number == receipt.block_number
        assert kit.chain.block_hash(receipt.block_number) == receipt.block_hash
        assert receipt.contract == deployed.address and receipt.gas_used > 0
        assert on_chain.anchored_at == kit.chain.block_timestamp(receipt.block_number)
        seq += size
    assert deployed.batch(BEIJING, 4) is None
    assert deployed.batch(SHANGHAI, 1) is None


def test_unregistered_province_head_is_empty(deployed: AnchorContract) -> None:
    head = deployed.province_head(GUANGDONG)
    assert not head.registered
    assert (head.account, head.batch_count, head.next_seq) == (None, 0, 0)


ROOT = rfc9162.root(rfc9162.batch(1, 2))


@pytest.mark.parametrize(
    ("province", "batch_no", "first_seq", "size", "root", "signer", "error", "args"),
    [
        # batch 1 (seqs 1..2) is anchored by the test first; "province" signs unless noted
        (BEIJING, 3, 3, 1, ROOT, "province", "UnexpectedBatchNumber", (BEIJING, 2, 3)),  # gap
        (BEIJING, 1, 1, 2, ROOT, "province", "UnexpectedBatchNumber", (BEIJING, 2, 1)),  # repeat
        (BEIJING, 2, 5, 1, ROOT, "province", "NonContiguousRange", (BEIJING, 3, 5)),
        (BEIJING, 2, 2, 1, ROOT, "province", "NonContiguousRange", (BEIJING, 3, 2)),  # overlap
        (BEIJING, 2, 3, 0, ROOT, "province", "EmptyBatch", ()),
        (BEIJING, 2, 3, 1, b"\x00" * 32, "province", "ZeroRoot", ()),
        (SHANGHAI, 2, 3, 1, ROOT, "province", "UnauthorizedAnchorer", (SHANGHAI, "<signer>")),
        (BEIJING, 2, 3, 1, ROOT, "other", "UnauthorizedAnchorer", (BEIJING, "<signer>")),
        (GUANGDONG, 1, 1, 1, ROOT, "province", "ProvinceNotRegistered", (GUANGDONG,)),
    ],
    ids=[
        "gap",
        "repeat",
        "seq-gap",
        "seq-overlap",
        "size0",
        "zero-root",
        "other-province",
        "stranger",
        "unregistered",
    ],
)
def test_anchor_reverts_with_custom_error(
    kit: ChainKit,
    deployed: AnchorContract,
    province: int,
    batch_no: int,
    first_seq: int,
    size: int,
    root: bytes,
    signer: str,
    error: str,
    args: tuple[Any, ...],
) -> None:
    beijing = _register(deployed, kit, BEIJING)
    shanghai_owner = _register(deployed, kit, SHANGHAI)
    deployed.anchor_batch(BEIJING, 1, 1, 2, ROOT, beijing)
    key = beijing if signer == "province" else kit.make_key()
    expected_args = tuple(key.address if a == "<signer>" else a for a in args)

    with pytest.raises(TransactionReverted) as caught:
        deployed.anchor_batch(province, batch_no, first_seq, size, root, key)

    assert caught.value.error_name == error
    assert caught.value.error_args == expected_args
    # Nothing changed on chain.
    assert deployed.province_head(BEIJING).batch_count == 1
    assert deployed.province_head(SHANGHAI).account == shanghai_owner.address


def test_registry_errors_and_key_rotation(kit: ChainKit, deployed: AnchorContract) -> None:
    old = _register(deployed, kit, BEIJING)
    with pytest.raises(TransactionReverted) as dup:
        deployed.register_province(BEIJING, old.address, kit.admin)
    assert (dup.value.error_name, dup.value.error_args) == ("ProvinceAlreadyRegistered", (BEIJING,))
    with pytest.raises(TransactionReverted) as bad_code:
        deployed.register_province(123456, old.address, kit.admin)
    assert (bad_code.value.error_name, bad_code.value.error_args) == (
        "InvalidProvinceCode",
        (123456,),
    )
    with pytest.raises(TransactionReverted) as not_registrar:
        deployed.register_province(SHANGHAI, old.address, old)
    assert not_registrar.value.error_name == "AccessControlUnauthorizedAccount"
    assert not_registrar.value.error_args == (old.address, REGISTRAR_ROLE)

    new = kit.make_key()
    deployed.set_province_account(BEIJING, new.address, kit.admin)
    with pytest.raises(TransactionReverted) as stale_key:
        deployed.anchor_batch(BEIJING, 1, 1, 1, ROOT, old)
    assert stale_key.value.error_args == (BEIJING, old.address)
    deployed.anchor_batch(BEIJING, 1, 1, 1, ROOT, new)
    assert deployed.province_head(BEIJING).account == new.address


def test_inclusion_proofs_against_rfc9162(kit: ChainKit, deployed: AnchorContract) -> None:
    key = _register(deployed, kit, BEIJING)
    leaves = rfc9162.batch(1, 7)
    root = rfc9162.root(leaves)
    deployed.anchor_batch(BEIJING, 1, 1, 7, root, key)
    for index, leaf in enumerate(leaves):
        proof = rfc9162.inclusion_path(index, leaves)
        assert deployed.verify_inclusion(BEIJING, 1, leaf, index, proof)
        assert deployed.compute_root(leaf, index, 7, proof) == root
    proof3 = rfc9162.inclusion_path(3, leaves)
    assert not deployed.verify_inclusion(BEIJING, 1, leaves[4], 3, proof3)  # wrong leaf
    assert not deployed.verify_inclusion(BEIJING, 1, leaves[3], 2, proof3)  # wrong index
    assert not deployed.verify_inclusion(BEIJING, 2, leaves[3], 3, proof3)  # not anchored
    assert deployed.compute_root(leaves[3], 3, 7, proof3[:-1]) is None  # too short
    assert deployed.compute_root(leaves[0], 7, 7, []) is None  # index out of range
    with pytest.raises(ValueError, match="32 bytes"):
        deployed.verify_inclusion(BEIJING, 1, b"short", 0, [])


# Init code "copy 10 bytes of runtime and return them" + runtime "return uint256(1)".
CONSTANT_ONE = "0x600a600c600039600a6000f3" + "600160005260206000f3"
# Same init, runtime "revert(0, 0)" padded to 10 bytes.
ALWAYS_REVERT = "0x600a600c600039600a6000f3" + "60006000fd0000000000"


@pytest.mark.parametrize(
    ("init_code", "reason"),
    [(CONSTANT_ONE, "unexpected value"), (ALWAYS_REVERT, "ABI probe failed")],
    ids=["constant", "revert"],
)
def test_at_rejects_other_contracts(kit_1559: ChainKit, init_code: str, reason: str) -> None:
    mined = TransactionSender(kit_1559.chain, kit_1559.admin).send({"data": HexStr(init_code)})
    assert mined.contract_address is not None
    assert kit_1559.chain.code_at(mined.contract_address)
    with pytest.raises(WrongContract, match=reason):
        AnchorContract.at(kit_1559.chain, mined.contract_address)


def test_at_rejects_accounts_without_code(kit_1559: ChainKit) -> None:
    with pytest.raises(WrongContract, match="no code"):
        AnchorContract.at(kit_1559.chain, kit_1559.make_key().address)
    with pytest.raises(WrongContract, match="not an address"):
        AnchorContract.at(kit_1559.chain, "0x1234")


def test_at_accepts_a_deployment_strictly(kit: ChainKit, deployed: AnchorContract) -> None:
    attached = AnchorContract.at(kit.chain, deployed.address.lower(), strict=True)
    assert attached.address == deployed.address
    assert attached.province_head(BEIJING) == deployed.province_head(BEIJING)


def test_compute_root_matches_reference_for_every_small_tree(kit_1559: ChainKit) -> None:
    """Every (size, index) up to 17 leaves: covers all RFC 9162 path shapes that small."""
    contract = AnchorContract.deploy(kit_1559.chain, kit_1559.admin)
    leaves = rfc9162.batch(1, 17, tag="exhaustive-")
    for size in range(1, 18):
        tree = leaves[:size]
        expected = rfc9162.root(tree)
        for index in range(size):
            proof = rfc9162.inclusion_path(index, tree)
            assert contract.compute_root(tree[index], index, size, proof) == expected
        # A proof for the wrong tree size must not reproduce the root.
        if size > 1:
            proof = rfc9162.inclusion_path(size - 1, tree)
            assert contract.compute_root(tree[-1], size - 1, size + 1, proof) != expected


def test_out_of_range_arguments_are_caller_errors(kit: ChainKit, deployed: AnchorContract) -> None:
    # A province beyond uint32 is a caller bug: ValueError, not WrongContract/AnchorError.
    with pytest.raises(ValueError, match="uint32"):
        deployed.province_head(2**32)
    with pytest.raises(ValueError, match="anchorBatch"):
        deployed.anchor_batch(BEIJING, -1, 1, 1, ROOT, kit.make_key())
