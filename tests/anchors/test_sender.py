"""Signing, fees, confirmations and reorg detection against real Anvil nodes."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from eth_account import Account
from eth_typing import HexStr

from anchors.anvil import AnvilOptions, AnvilProcess, dev_account
from anchors.chain import Chain
from anchors.confirm import ConfirmationWatcher
from anchors.contract import AnchorContract
from anchors.errors import (
    ConfirmationTimeout,
    FeeModeUnsupported,
    Reorged,
    RpcFailed,
    TransactionDropped,
    TransactionReverted,
)
from anchors.sender import TransactionSender, fee_fields
from tests.anchors import rfc9162
from tests.anchors.conftest import FAST, ChainKit

pytestmark = pytest.mark.chain

ROOT = rfc9162.root(rfc9162.batch(1, 4))


def _transfer(sender: TransactionSender, to: str) -> dict[str, object]:
    mined = sender.send({"to": to})
    return dict(sender.chain.w3.eth.get_transaction(HexStr(mined.tx_hash)))


def test_eip1559_chain_uses_dynamic_fees(kit_1559: ChainKit) -> None:
    fees = fee_fields(kit_1559.chain)
    base_fee = int(kit_1559.chain.latest_block()["baseFeePerGas"])
    assert base_fee > 0
    assert fees["maxFeePerGas"] >= base_fee + fees["maxPriorityFeePerGas"] > base_fee
    tx = _transfer(TransactionSender(kit_1559.chain, dev_account(1)), dev_account(2).address)
    assert tx["type"] == 2 and int(str(tx["maxFeePerGas"])) > 0


def test_unfunded_key_sends_for_free_on_zero_gas_chain(kit_zero_gas: ChainKit) -> None:
    chain = kit_zero_gas.chain
    assert chain.latest_block()["baseFeePerGas"] == 0
    assert fee_fields(chain) == {"maxFeePerGas": 0, "maxPriorityFeePerGas": 0}
    key = Account.create()
    assert chain.w3.eth.get_balance(key.address) == 0
    tx = _transfer(TransactionSender(chain, key), dev_account(1).address)
    assert tx["type"] == 2 and tx["maxFeePerGas"] == 0


def test_forced_legacy_zero_price_on_zero_gas_chain(kit_zero_gas: ChainKit) -> None:
    options = replace(FAST, fee_mode="legacy", gas_price=0)
    tx = _transfer(
        TransactionSender(kit_zero_gas.chain, Account.create(), options=options),
        dev_account(1).address,
    )
    assert (tx["type"], tx["gasPrice"]) == (0, 0)


def test_pre_london_chain_gets_legacy_transactions() -> None:
    # A genesis without base fee (Besu/Geth before London, min gas price 0).
    with AnvilProcess(AnvilOptions(hardfork="berlin", gas_price=0)) as node:
        chain = Chain(node.url, FAST)
        assert "baseFeePerGas" not in chain.latest_block()
        assert fee_fields(chain) == {"gasPrice": 0}
        tx = _transfer(TransactionSender(chain, Account.create()), dev_account(1).address)
        assert (tx["type"], tx["gasPrice"]) == (0, 0)
        forced = replace(FAST, fee_mode="eip1559")
        with pytest.raises(FeeModeUnsupported):
            fee_fields(chain, forced)


def test_unfunded_key_on_paid_chain_is_rpc_failure(kit_1559: ChainKit) -> None:
    sender = TransactionSender(kit_1559.chain, Account.create())
    with pytest.raises(RpcFailed, match=r"(?i)insufficient funds"):
        sender.send({"to": dev_account(1).address})


def test_mined_revert_is_decoded_by_replay(kit_1559: ChainKit) -> None:
    # A fixed gas limit skips estimation, so the failing tx really is mined.
    contract = AnchorContract.deploy(kit_1559.chain, kit_1559.admin)
    key = kit_1559.make_key()
    contract.register_province(110000, key.address, kit_1559.admin)
    fixed = AnchorContract.at(
        kit_1559.chain, contract.address, options=replace(FAST, gas_limit=300_000)
    )
    before = kit_1559.chain.block_number()
    with pytest.raises(TransactionReverted) as caught:
        fixed.anchor_batch(110000, 7, 1, 4, ROOT, key)
    assert caught.value.error_name == "UnexpectedBatchNumber"
    assert caught.value.error_args == (110000, 1, 7)
    assert caught.value.tx_hash is not None
    receipt = kit_1559.chain.w3.eth.get_transaction_receipt(HexStr(caught.value.tx_hash))
    assert receipt["status"] == 0 and receipt["blockNumber"] == before + 1


def test_concurrent_sends_get_distinct_nonces(kit_1559: ChainKit) -> None:
    sender = TransactionSender(kit_1559.chain, dev_account(3))
    start = kit_1559.chain.w3.eth.get_transaction_count(sender.address)
    hashes: list[str] = []
    threads = [
        threading.Thread(target=lambda: hashes.append(sender.send({"to": sender.address}).tx_hash))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    nonces = sorted(kit_1559.chain.w3.eth.get_transaction(HexStr(h))["nonce"] for h in hashes)
    assert nonces == list(range(start, start + 6))


def test_waits_for_confirmations(fresh_anvil: AnvilProcess) -> None:
    chain = Chain(fresh_anvil.url, FAST)
    sender = TransactionSender(chain, dev_account(1), options=replace(FAST, confirmations=4))
    tx_hash = sender.submit({"to": dev_account(2).address})

    def mine_slowly() -> None:
        for _ in range(3):
            time.sleep(0.15)
            chain.mine(1)

    miner = threading.Thread(target=mine_slowly)
    miner.start()
    started = time.monotonic()
    confirmed = sender.watcher.wait(tx_hash)
    miner.join()
    assert time.monotonic() - started >= 0.4  # really waited for the 3 extra blocks
    assert chain.block_number() >= confirmed.block_number + 3


def test_confirmation_timeout(fresh_anvil: AnvilProcess) -> None:
    chain = Chain(fresh_anvil.url, FAST)
    sender = TransactionSender(chain, dev_account(1))
    mined = sender.send({"to": dev_account(2).address})
    started = time.monotonic()
    with pytest.raises(ConfirmationTimeout, match="1/5 confirmations") as caught:
        sender.watcher.wait_confirmed(mined, confirmations=5, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 2
    assert caught.value.tx_hash == mined.tx_hash
    # The same tx confirms once blocks arrive: the timeout is resumable.
    chain.mine(4)
    assert sender.watcher.wait_confirmed(mined, confirmations=5).block_hash == mined.block_hash


def test_pending_tx_times_out_and_unknown_tx_is_dropped(fresh_anvil: AnvilProcess) -> None:
    chain = Chain(fresh_anvil.url, FAST)
    watcher = ConfirmationWatcher(chain)
    chain.rpc("evm_setAutomine", [False])
    try:
        pending = TransactionSender(chain, dev_account(1)).submit({"to": dev_account(2).address})
        with pytest.raises(ConfirmationTimeout, match="not mined"):
            watcher.wait(pending, timeout=0.2)
        chain.mine(1)  # the pending tx lands once a block is produced
        assert watcher.wait(pending).block_number == chain.block_number() == 1
    finally:
        chain.rpc("evm_setAutomine", [True])
    started = time.monotonic()
    with pytest.raises(TransactionDropped) as caught:
        watcher.wait("0x" + "ab" * 32, timeout=5)
    assert time.monotonic() - started < 1  # no waiting for a tx nobody knows
    assert not isinstance(caught.value, Reorged)


def test_reorged_out_transaction_is_detected(fresh_anvil: AnvilProcess) -> None:
    chain = Chain(fresh_anvil.url, FAST)
    contract = AnchorContract.deploy(chain, dev_account(0))
    key = dev_account(1)
    contract.register_province(110000, key.address, dev_account(0))
    snapshot = chain.snapshot()
    tx_hash = contract.submit_anchor_batch(110000, 1, 1, 4, ROOT, key)
    mined = ConfirmationWatcher(chain).wait_mined(tx_hash)
    assert contract.batch(110000, 1) is not None

    chain.revert_to(snapshot)  # the block holding the tx disappears ...
    chain.mine(3)  # ... and other blocks take its height
    assert chain.block_hash(mined.block_number) != mined.block_hash
    with pytest.raises(Reorged) as caught:
        ConfirmationWatcher(chain).wait_confirmed(mined, confirmations=2)
    assert (caught.value.tx_hash, caught.value.block_number) == (tx_hash, mined.block_number)
    with pytest.raises(TransactionDropped):  # resuming from the hash alone, e.g. after restart
        contract.wait_receipt(tx_hash)
    assert contract.batch(110000, 1) is None
    # Re-submitting after re-reading the head works (pending nonce, no gap).
    head = contract.province_head(110000)
    again = contract.anchor_batch(110000, head.batch_count + 1, head.next_seq, 4, ROOT, key)
    assert contract.batch(110000, 1) is not None and again.tx_hash != tx_hash


def test_tx_reincluded_in_another_block_is_followed(fresh_anvil: AnvilProcess) -> None:
    """A reorg that drops the block but not the tx: confirmations restart at its new block."""
    chain = Chain(fresh_anvil.url, FAST)
    sender = TransactionSender(chain, dev_account(1))
    chain.mine(2)
    snapshot = chain.snapshot()
    mined = sender.send({"to": dev_account(2).address})
    raw = chain.w3.eth.get_raw_transaction(HexStr(mined.tx_hash))

    chain.revert_to(snapshot)
    chain.mine(1)  # the old height is taken by an empty block ...
    assert chain.w3.to_hex(chain.w3.eth.send_raw_transaction(raw)) == mined.tx_hash  # ... and
    # the same signed tx lands one block later, as after a real reorg.
    followed = sender.watcher.wait_confirmed(mined, confirmations=1)
    assert followed.tx_hash == mined.tx_hash
    assert followed.block_number == mined.block_number + 1
    assert followed.block_hash != mined.block_hash
    assert chain.block_hash(followed.block_number) == followed.block_hash
