"""anchors.verify.check_anchor: the happy path and each way a claim can fail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hexbytes import HexBytes

from anchors.contract import AnchorContract, AnchorReceipt
from anchors.errors import (
    AnchorError,
    ChainMismatch,
    ChainUnreachable,
    InclusionRejected,
    NotAnchored,
    RootMismatch,
    WrongContract,
)
from anchors.verify import InclusionClaim, check_anchor
from tests.anchors import rfc9162
from tests.anchors.conftest import ChainKit

pytestmark = pytest.mark.chain

PROVINCE = 320000


@dataclass(frozen=True)
class Anchored:
    kit: ChainKit
    contract: AnchorContract
    leaves: list[bytes]
    receipt: AnchorReceipt

    def claim(self, **overrides: Any) -> dict[str, Any]:
        claim: dict[str, Any] = {
            "chain_id": self.kit.chain.chain_id,
            "province": PROVINCE,
            "batch_no": 2,
            "root": rfc9162.root(self.leaves),
            "first_seq": 4,
            "size": len(self.leaves),
        }
        return {**claim, **overrides}


@pytest.fixture
def anchored(kit: ChainKit, deployed: AnchorContract) -> Anchored:
    """Province with batch 1 (seqs 1..3) and batch 2 (seqs 4..8) anchored."""
    key = kit.make_key()
    deployed.register_province(PROVINCE, key.address, kit.admin)
    deployed.anchor_batch(PROVINCE, 1, 1, 3, rfc9162.root(rfc9162.batch(1, 3)), key)
    leaves = rfc9162.batch(4, 5)
    receipt = deployed.anchor_batch(PROVINCE, 2, 4, 5, rfc9162.root(leaves), key)
    return Anchored(kit, deployed, leaves, receipt)


def test_happy_path_with_confirmations_and_inclusion(anchored: Anchored) -> None:
    chain = anchored.kit.chain
    proof = InclusionClaim(anchored.leaves[2], 2, rfc9162.inclusion_path(2, anchored.leaves))
    check = check_anchor(chain, anchored.contract.address, **anchored.claim(), inclusion=proof)
    assert check.block_number == anchored.receipt.block_number
    assert check.block_hash == anchored.receipt.block_hash
    assert check.anchored_at == chain.block_timestamp(anchored.receipt.block_number)
    assert check.confirmations == chain.block_number() - anchored.receipt.block_number + 1
    assert check.inclusion_checked and check.contract == anchored.contract.address

    chain.mine(3)
    again = check_anchor(chain.url, anchored.contract.address.lower(), **anchored.claim())
    assert again.confirmations == check.confirmations + 3
    assert not again.inclusion_checked


def test_not_anchored(anchored: Anchored) -> None:
    with pytest.raises(NotAnchored) as caught:
        check_anchor(anchored.kit.chain, anchored.contract.address, **anchored.claim(batch_no=3))
    assert (caught.value.province, caught.value.batch_no) == (PROVINCE, 3)
    with pytest.raises(NotAnchored):
        check_anchor(
            anchored.kit.chain, anchored.contract.address, **anchored.claim(province=330000)
        )


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"root": b"\x11" * 32}, ["root"]),
        ({"first_seq": 5}, ["first_seq"]),
        ({"size": 4}, ["size"]),
        ({"root": b"\x11" * 32, "size": 6, "first_seq": 1}, ["root", "first_seq", "size"]),
    ],
    ids=["root", "first_seq", "size", "all"],
)
def test_root_mismatch_names_the_fields(
    anchored: Anchored, overrides: dict[str, Any], fields: list[str]
) -> None:
    claim = anchored.claim(**overrides)
    with pytest.raises(RootMismatch) as caught:
        check_anchor(anchored.kit.chain, anchored.contract.address, **claim)
    assert list(caught.value.fields) == fields
    assert caught.value.field == fields[0]
    for name in fields:
        expected, on_chain = caught.value.fields[name]
        assert expected == claim[name] and on_chain != expected


def test_inclusion_rejected(anchored: Anchored) -> None:
    wrong_leaf = InclusionClaim(
        rfc9162.leaf_hash(b"forged"), 1, rfc9162.inclusion_path(1, anchored.leaves)
    )
    with pytest.raises(InclusionRejected) as caught:
        check_anchor(
            anchored.kit.chain, anchored.contract.address, **anchored.claim(), inclusion=wrong_leaf
        )
    assert caught.value.index == 1


def test_wrong_contract_and_chain(anchored: Anchored) -> None:
    chain = anchored.kit.chain
    with pytest.raises(WrongContract):
        check_anchor(chain, anchored.kit.make_key().address, **anchored.claim())
    with pytest.raises(ChainMismatch) as caught:
        check_anchor(chain, anchored.contract.address, **anchored.claim(chain_id=7))
    assert (caught.value.expected, caught.value.actual) == (7, chain.chain_id)


def test_unreachable_chain(anchored: Anchored, closed_port_url: str) -> None:
    with pytest.raises(ChainUnreachable) as caught:
        check_anchor(closed_port_url, anchored.contract.address, **anchored.claim())
    assert caught.value.url == closed_port_url
    assert isinstance(caught.value, AnchorError)


def test_cited_block_and_tx_are_checked(anchored: Anchored) -> None:
    chain, address = anchored.kit.chain, anchored.contract.address
    cited: dict[str, Any] = {
        "block_number": anchored.receipt.block_number,
        "tx_hash": anchored.receipt.tx_hash,
    }
    check = check_anchor(chain, address, **anchored.claim(), **cited)
    assert check.block_number == cited["block_number"]

    block = chain.w3.eth.get_block(anchored.receipt.block_number - 1)
    batch_one_tx = block["transactions"][0]  # a hash: full_transactions=False
    assert isinstance(batch_one_tx, HexBytes)
    bad_claims: list[tuple[dict[str, Any], str]] = [
        ({"block_number": anchored.receipt.block_number - 1}, "block_number"),
        ({"tx_hash": batch_one_tx.to_0x_hex()}, "tx_hash"),  # anchored batch 1, not 2
        ({"tx_hash": "0x" + "cd" * 32}, "tx_hash"),  # unknown
    ]
    for bad, field in bad_claims:
        with pytest.raises(RootMismatch) as caught:
            check_anchor(chain, address, **anchored.claim(), **{**cited, **bad})
        assert list(caught.value.fields) == [field]
