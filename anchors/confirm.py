"""Follow a submitted transaction until it is mined and confirmed on the canonical chain.

Separate from sending because waiting needs no key: after a restart the service
knows only the tx hash it recorded before waiting, and must be able to resume
from there (``ConfirmationWatcher(chain).wait(tx_hash)``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from eth_typing import HexStr
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound
from web3.types import TxParams, TxReceipt

from anchors.chain import Chain, ChainOptions
from anchors.errors import ConfirmationTimeout, Reorged, TransactionDropped, TransactionReverted
from anchors.reverts import RevertDecoder


@dataclass(frozen=True)
class MinedTx:
    """A mined, successful transaction as last seen on the canonical chain."""

    tx_hash: str
    block_number: int
    block_hash: str
    gas_used: int
    contract_address: str | None
    receipt: TxReceipt  # raw, for log decoding

    @classmethod
    def from_receipt(cls, receipt: TxReceipt) -> MinedTx:
        address = receipt.get("contractAddress")
        return cls(
            tx_hash=Web3.to_hex(receipt["transactionHash"]),
            block_number=int(receipt["blockNumber"]),
            block_hash=Web3.to_hex(receipt["blockHash"]),
            gas_used=int(receipt["gasUsed"]),
            contract_address=None if address is None else str(address),
            receipt=receipt,
        )


class ConfirmationWatcher:
    """Polls one chain; all waits are bounded by ``options.timeout`` unless told otherwise."""

    def __init__(
        self,
        chain: Chain,
        decoder: RevertDecoder | None = None,
        options: ChainOptions | None = None,
    ) -> None:
        self.chain = chain
        self.decoder = decoder or RevertDecoder([])
        self.options = options or chain.options

    def wait(
        self, tx_hash: str, *, confirmations: int | None = None, timeout: float | None = None
    ) -> MinedTx:
        """Mined, then confirmed, within one shared ``timeout``."""
        deadline = _deadline(None, timeout, self.options.timeout)
        mined = self.wait_mined(tx_hash, deadline=deadline)
        return self.wait_confirmed(mined, confirmations=confirmations, deadline=deadline)

    def wait_mined(
        self, tx_hash: str, *, timeout: float | None = None, deadline: float | None = None
    ) -> MinedTx:
        """Poll for the receipt.

        A failed (status 0) tx raises ``TransactionReverted``; a tx the node does
        not know at all (never arrived, evicted, reorged out before we looked)
        raises ``TransactionDropped`` at once instead of waiting for the deadline.
        """
        deadline = _deadline(deadline, timeout, self.options.timeout)
        while True:
            receipt = self.receipt(tx_hash)
            if receipt is not None:
                if int(receipt["status"]) != 1:
                    raise self._replay_revert(tx_hash, int(receipt["blockNumber"]))
                return MinedTx.from_receipt(receipt)
            if not self.known(tx_hash):
                raise TransactionDropped(tx_hash)
            self._sleep_or_timeout(tx_hash, deadline, "not mined")

    def wait_confirmed(
        self,
        mined: MinedTx,
        *,
        confirmations: int | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> MinedTx:
        """Wait until ``head >= block + confirmations - 1`` on the canonical chain.

        Every poll re-reads the receipt and checks that its block is still the
        canonical block at that height.  If the tx was re-mined elsewhere (its
        block reorged out, the tx kept in the pool) we follow it and count from
        the new block, so the returned MinedTx may differ from ``mined``.  If the
        tx is gone from the node altogether, ``Reorged`` is raised rather than
        re-submitting: the province head may have moved meanwhile, so the
        caller re-reads it and decides.
        """
        needed = confirmations or self.options.confirmations
        deadline = _deadline(deadline, timeout, self.options.timeout)
        while True:
            receipt = self.receipt(mined.tx_hash)
            if receipt is None:
                if not self.known(mined.tx_hash):
                    raise Reorged(mined.tx_hash, mined.block_number, mined.block_hash)
                detail = "back in the pool after its block was reorged out"
            else:
                current = MinedTx.from_receipt(receipt)
                canonical = self.chain.block_hash(current.block_number) == current.block_hash
                head = self.chain.block_number()
                if canonical and head >= current.block_number + needed - 1:
                    return current
                seen = head - current.block_number + 1
                detail = f"{seen}/{needed} confirmations" if canonical else "block not canonical"
            self._sleep_or_timeout(mined.tx_hash, deadline, detail)

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self.chain.w3.eth.get_transaction_receipt(HexStr(tx_hash))
        except TransactionNotFound:
            return None

    def known(self, tx_hash: str) -> bool:
        """Whether the node knows the tx at all (mined or pending)."""
        try:
            self.chain.w3.eth.get_transaction(HexStr(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def _replay_revert(self, tx_hash: str, block_number: int) -> TransactionReverted:
        """Re-run a failed tx as eth_call on its block's state to recover the error.

        The post-state of the block is used: the failed tx changed nothing, and
        a competing tx earlier in the same block (the usual cause) is included.
        """
        tx = self.chain.w3.eth.get_transaction(HexStr(tx_hash))
        call: dict[str, Any] = {"from": tx["from"], "data": tx["input"], "value": tx["value"]}
        if tx.get("to"):
            call["to"] = tx["to"]
        try:
            self.chain.w3.eth.call(cast(TxParams, call), block_identifier=block_number)
        except ContractLogicError as exc:
            return self.decoder.from_exception(exc, tx_hash=tx_hash)
        # Out of gas, or state changed since: the replay cannot tell which.
        return TransactionReverted(None, ("status 0; replay did not revert",), tx_hash=tx_hash)

    def _sleep_or_timeout(self, tx_hash: str, deadline: float, detail: str) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ConfirmationTimeout(tx_hash, detail)
        time.sleep(min(self.options.poll_interval, remaining))


def _deadline(deadline: float | None, timeout: float | None, default: float) -> float:
    if deadline is not None:
        return deadline
    return time.monotonic() + (default if timeout is None else timeout)
