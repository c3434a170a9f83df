"""Build, sign and send transactions with a local key.

Keys never leave the process: transactions are signed with eth_account and sent
with ``eth_sendRawTransaction`` (nodes of a permissioned network hold no
province keys).  One ``TransactionSender`` per key per process: sends are
serialised by a lock and take the node's *pending* nonce each time, which stays
right after a dropped/reorged transaction (a locally incremented counter would
leave a nonce gap and stall every later transaction).

Fees: EIP-1559 when the latest block has a base fee, legacy ``gasPrice``
otherwise (``ChainOptions.fee_mode`` can force either).  Permissioned chains are
often free-gas -- Besu with ``zeroBaseFee`` (``baseFeePerGas = 0``) or a
pre-London genesis with ``min-gas-price=0`` -- and a province key may hold no
ether, so a node-suggested tip (Anvil suggests 1 gwei even at base fee 0) would
make the transaction unpayable.  Hence at base fee 0 the default tip is 0.
"""

from __future__ import annotations

import threading
from typing import Any, cast

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.exceptions import ContractLogicError, MethodUnavailable, Web3RPCError
from web3.types import TxParams

from anchors.chain import Chain, ChainOptions
from anchors.confirm import ConfirmationWatcher, MinedTx
from anchors.errors import FeeModeUnsupported, RpcFailed
from anchors.reverts import RevertDecoder


def fee_fields(chain: Chain, options: ChainOptions | None = None) -> dict[str, int]:
    """``{"maxFeePerGas", "maxPriorityFeePerGas"}`` or ``{"gasPrice"}`` for the next tx."""
    options = options or chain.options
    base_fee = chain.latest_block().get("baseFeePerGas")
    legacy = options.fee_mode == "legacy" or (options.fee_mode == "auto" and base_fee is None)
    if legacy:
        if options.gas_price is not None:
            return {"gasPrice": options.gas_price}
        return {"gasPrice": int(chain.w3.eth.gas_price)}
    if base_fee is None:
        raise FeeModeUnsupported("fee_mode='eip1559' but the latest block has no baseFeePerGas")
    tip = _priority_fee(chain, options, int(base_fee))
    return {
        "maxFeePerGas": int(base_fee) * options.max_fee_multiplier + tip,
        "maxPriorityFeePerGas": tip,
    }


def _priority_fee(chain: Chain, options: ChainOptions, base_fee: int) -> int:
    if options.priority_fee is not None:
        return options.priority_fee
    if base_fee == 0:
        return 0
    try:
        return int(chain.w3.eth.max_priority_fee)
    except (MethodUnavailable, Web3RPCError):
        # Clients without eth_maxPriorityFeePerGas/feeHistory: derive the tip
        # from the legacy price suggestion instead.
        return max(0, int(chain.w3.eth.gas_price) - base_fee)


class TransactionSender:
    """Signs with one local key; ``send`` = submit, then wait mined and confirmed."""

    def __init__(
        self,
        chain: Chain,
        key: LocalAccount | str | bytes,
        decoder: RevertDecoder | None = None,
        options: ChainOptions | None = None,
    ) -> None:
        self.chain = chain
        self.account: LocalAccount = key if isinstance(key, LocalAccount) else Account.from_key(key)
        self.decoder = decoder or RevertDecoder([])
        self.options = options or chain.options
        self.watcher = ConfirmationWatcher(chain, self.decoder, self.options)
        self._lock = threading.Lock()

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def send(self, tx: TxParams) -> MinedTx:
        """Submit and wait for ``options.confirmations`` within ``options.timeout``."""
        return self.watcher.wait(self.submit(tx))

    def submit(self, tx: TxParams) -> str:
        """Fill nonce/gas/fees, sign, send; returns the tx hash.

        A transaction that would revert is caught by gas estimation and raised
        here as ``TransactionReverted`` -- nothing is sent.  With a fixed
        ``options.gas_limit`` there is no estimation: the tx is mined, fails,
        and the watcher decodes the error by replaying it.
        """
        w3 = self.chain.w3
        with self._lock:
            full: dict[str, Any] = {"value": 0, **tx}
            full["from"] = self.address
            full["chainId"] = self.chain.chain_id
            full["nonce"] = w3.eth.get_transaction_count(self.address, "pending")
            full.update(fee_fields(self.chain, self.options))
            full["gas"] = self.options.gas_limit or self._estimate(cast(TxParams, full))
            signed = self.account.sign_transaction(full)
            try:
                return Web3.to_hex(w3.eth.send_raw_transaction(signed.raw_transaction))
            except ContractLogicError as exc:  # some nodes simulate on admission
                raise self.decoder.from_exception(exc) from exc
            except Web3RPCError as exc:
                raise RpcFailed("eth_sendRawTransaction", exc.message) from exc

    def _estimate(self, tx: TxParams) -> int:
        call = {k: v for k, v in tx.items() if k in ("from", "to", "data", "value")}
        try:
            estimate = self.chain.w3.eth.estimate_gas(cast(TxParams, call))
        except ContractLogicError as exc:
            raise self.decoder.from_exception(exc) from exc
        except Web3RPCError as exc:
            raise RpcFailed("eth_estimateGas", exc.message) from exc
        return estimate * (100 + self.options.gas_margin_percent) // 100
