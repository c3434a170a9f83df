"""The on-chain half of evidence verification.

An evidence bundle claims "batch N of province P has root R, covering records
[first_seq, first_seq + size), anchored in contract C on chain X".  The
off-chain half (ledger/) recomputes R from the records; this module asks the
chain whether the claim holds and raises a specific ``AnchorError`` when it does
not -- a verifier must never mistake "could not check" for "checked".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_typing import HexStr
from eth_utils.crypto import keccak
from web3.exceptions import TransactionNotFound

from anchors.chain import Chain, ChainOptions
from anchors.contract import AnchorContract, OnChainBatch
from anchors.errors import ChainMismatch, InclusionRejected, NotAnchored, RootMismatch

BATCH_ANCHORED_TOPIC = keccak(text="BatchAnchored(uint32,uint64,bytes32,uint64,uint64)")


@dataclass(frozen=True)
class InclusionClaim:
    """An RFC 9162 inclusion proof for one leaf of the batch (leaf hash, 0-based index)."""

    leaf_hash: bytes
    index: int
    proof: Sequence[bytes]


@dataclass(frozen=True)
class AnchorCheck:
    """What the chain confirmed; ``confirmations`` = head - anchoring block + 1."""

    chain_id: int
    contract: str
    province: int
    batch_no: int
    block_number: int
    block_hash: str | None
    anchored_at: int
    confirmations: int
    inclusion_checked: bool


def check_anchor(
    chain: Chain | str,
    contract_address: str,
    *,
    chain_id: int,
    province: int,
    batch_no: int,
    root: bytes,
    first_seq: int,
    size: int,
    inclusion: InclusionClaim | None = None,
    block_number: int | None = None,
    tx_hash: str | None = None,
    options: ChainOptions | None = None,
) -> AnchorCheck:
    """Confirm an anchored batch on chain, or raise why not.

    Raises, in the order checked: ``ChainUnreachable``, ``ChainMismatch`` (the
    node is not on ``chain_id``), ``WrongContract``, ``NotAnchored``,
    ``RootMismatch`` (``.fields`` names every differing field), and
    ``InclusionRejected`` when ``inclusion`` is given and the contract's own
    ``verifyInclusion`` says no.  ``block_number`` and ``tx_hash`` (as cited by
    an evidence bundle) are optional: when given they must be the anchoring
    block and a successful tx in it that emitted the matching ``BatchAnchored``,
    else ``RootMismatch`` names them.
    """
    node = chain if isinstance(chain, Chain) else Chain(chain, options)
    if node.chain_id != chain_id:
        raise ChainMismatch(chain_id, node.chain_id)
    contract = AnchorContract.at(node, contract_address)
    on_chain = contract.batch(province, batch_no)
    if on_chain is None:
        raise NotAnchored(province, batch_no)
    differing: dict[str, tuple[Any, Any]] = {}
    for name, expected, actual in (
        ("root", bytes(root), on_chain.root),
        ("first_seq", first_seq, on_chain.first_seq),
        ("size", size, on_chain.size),
    ):
        if expected != actual:
            differing[name] = (expected, actual)
    if block_number is not None and block_number != on_chain.block_number:
        differing["block_number"] = (block_number, on_chain.block_number)
    if tx_hash is not None and not _anchored_by(node, contract.address, tx_hash, on_chain):
        differing["tx_hash"] = (tx_hash, None)
    if differing:
        raise RootMismatch(province, batch_no, differing)
    if inclusion is not None and not contract.verify_inclusion(
        province, batch_no, inclusion.leaf_hash, inclusion.index, inclusion.proof
    ):
        raise InclusionRejected(province, batch_no, inclusion.index)
    head = node.block_number()
    return AnchorCheck(
        chain_id=chain_id,
        contract=contract.address,
        province=province,
        batch_no=batch_no,
        block_number=on_chain.block_number,
        block_hash=node.block_hash(on_chain.block_number),
        anchored_at=on_chain.anchored_at,
        confirmations=head - on_chain.block_number + 1,
        inclusion_checked=inclusion is not None,
    )


def _anchored_by(chain: Chain, contract: str, tx_hash: str, batch: OnChainBatch) -> bool:
    """Whether ``tx_hash`` succeeded in the anchoring block and emitted this BatchAnchored."""
    try:
        receipt = chain.w3.eth.get_transaction_receipt(HexStr(tx_hash))
    except (TransactionNotFound, ValueError):
        return False
    if receipt["status"] != 1 or receipt["blockNumber"] != batch.block_number:
        return False
    # Topics: event signature, indexed province, indexed batchNo (ABI-padded).
    wanted = [
        BATCH_ANCHORED_TOPIC,
        batch.province.to_bytes(32, "big"),
        batch.batch_no.to_bytes(32, "big"),
    ]
    for log in receipt["logs"]:
        if log["address"] == contract and [bytes(t) for t in log["topics"]] == wanted:
            return bytes(log["data"])[:32] == batch.root
    return False
