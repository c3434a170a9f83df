"""Reconciliation in process, on a real Anvil and a real database: a batch anchored on chain by
a transaction whose receipt was never recorded (the worker died after sending) is recorded by
the next pass exactly as a batch it sends itself: tx hash (from the BatchAnchored event when
the database has none), block, block hash and the receipt's gas used.

A fault proxy (tests/faults/rpcproxy.py) plays nodes that serve less: one that no longer
indexes transactions by hash (the receipt then comes from the block's receipts), one that
serves no receipt at all (the anchor is recorded with gas used unknown, and a warning), and
one that returns no event (the tx cannot be identified: the province waits, explicitly).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_typing import HexStr
from web3.types import TxReceipt

from anchors.anchorer import Anchorer, AnchorerOptions
from anchors.anvil import AnvilProcess
from anchors.chain import Chain
from anchors.confirm import ConfirmationWatcher
from anchors.contract import AnchorContract
from ledger import anchoring, sealing
from ledger.batch import Batch, SealPolicy
from ledger.store import Database
from tests.faults.kit import FAST, Deployment, migrated, write
from tests.faults.rpcproxy import RpcProxy

pytestmark = [pytest.mark.chain, pytest.mark.faults]
SH = 310000
NO_TX_INDEX = {"eth_getTransactionReceipt": None, "eth_getTransactionByHash": None}


@dataclass
class Setup:
    db: Database
    deployment: Deployment
    batches: list[Batch]
    proxy: RpcProxy
    #: the deployment's contract, reached through the proxy
    contract: AnchorContract

    def anchorer(self, options: AnchorerOptions | None = None) -> Anchorer:
        return Anchorer(self.db, self.contract, {SH: self.deployment.keys[SH]}, options)

    def send(self, batch: Batch) -> str:
        """What a worker does before it dies at `after-send`: the tx goes out (and Anvil
        mines it), nothing is recorded. Returns once it is mined: Anvil's automine answers
        the send before the block is in, and a nonce read in between missed the tx (a
        flaky `sent(SH) == sent_before` in a fresh-clone run)."""
        tx_hash = self.deployment.contract.submit_anchor_batch(
            SH, batch.batch_no, batch.first_seq, batch.size, batch.root,
            self.deployment.keys[SH])
        ConfirmationWatcher(self.deployment.contract.chain).wait_mined(tx_hash, timeout=30)
        return tx_hash

    def receipt(self, tx_hash: str) -> TxReceipt:
        """Straight from the node, not through the proxy."""
        return self.deployment.contract.chain.w3.eth.get_transaction_receipt(HexStr(tx_hash))

    def row(self, batch_no: int) -> anchoring.Anchor | None:
        with self.db.snapshot() as s:
            return anchoring.get(s, SH, batch_no)

    def assert_recorded(self, batch_no: int, tx_hash: str, *, gas: bool = True) -> None:
        """The anchor row holds the receipt of `tx_hash` (gas_used None when `gas` is False)."""
        receipt = self.receipt(tx_hash)
        row = self.row(batch_no)
        assert row is not None and row.status == anchoring.CONFIRMED
        assert (row.tx_hash, row.block_number, row.block_hash, row.gas_used) == (
            receipt["transactionHash"].to_0x_hex(), receipt["blockNumber"],
            receipt["blockHash"].to_0x_hex(), receipt["gasUsed"] if gas else None)
        assert (row.chain_id, row.contract) == (self.contract.chain.chain_id,
                                                self.contract.address)
        assert row.confirmed_at is not None


@pytest.fixture
def setup(empty_database_url: str, fault_anvil: AnvilProcess) -> Iterator[Setup]:
    deployment = Deployment.create(fault_anvil.url)
    deployment.contract.register_province(SH, deployment.keys[SH].address, deployment.admin)
    db = migrated(empty_database_url)
    write(db, SH, 30)
    batches = sealing.seal_due(db, SealPolicy(max_records=10), force=True)
    assert [b.batch_no for b in batches] == [1, 2, 3]
    proxy = RpcProxy(fault_anvil.url)
    contract = AnchorContract(Chain(proxy.url, FAST), deployment.contract.address)
    try:
        yield Setup(db, deployment, batches, proxy, contract)
    finally:
        proxy.close()
        db.dispose()


@pytest.mark.parametrize("recorded", ["nothing", "the tx", "another tx"])
def test_reconciled_batch_records_its_receipt(setup: Setup, recorded: str) -> None:
    """Killed after sending batch 1: the database knows nothing (`after-send`), the tx
    (`after-record-submitted`, `after-receipt`), or a tx that lost to it."""
    tx_hash = setup.send(setup.batches[0])
    if recorded != "nothing":
        anchoring.record_submitted(
            setup.db, setup.batches[0], chain_id=setup.contract.chain.chain_id,
            contract=setup.contract.address,
            tx_hash=tx_hash if recorded == "the tx" else "0x" + "ab" * 32)
    sent_before = setup.deployment.sent(SH)

    report = setup.anchorer().run_pass()

    assert report.reconciled == [(SH, 1)] and report.anchored == [(SH, 2), (SH, 3)]
    assert setup.deployment.sent(SH) - sent_before == 2  # batch 1 was not sent again
    setup.assert_recorded(1, tx_hash)
    for batch_no in (2, 3):  # the same facts as the batches this pass sent itself
        row = setup.row(batch_no)
        assert row is not None
        setup.assert_recorded(batch_no, row.tx_hash)


def test_reconciled_batch_waits_for_its_confirmations(setup: Setup) -> None:
    tx_hash = setup.send(setup.batches[0])
    anchorer = setup.anchorer(AnchorerOptions(confirmations=2, receipt_timeout=0.3))
    report = anchorer.run_pass()
    assert SH in report.waiting and not report.reconciled and setup.row(1) is None
    setup.deployment.contract.chain.mine(1)
    report = anchorer.run_pass()
    assert report.reconciled == [(SH, 1)]
    setup.assert_recorded(1, tx_hash)


def test_node_without_tx_index_gas_from_the_block_receipts(setup: Setup) -> None:
    """eth_getTransactionReceipt and eth_getTransactionByHash answer null (as on a node that
    pruned its transaction index): the event names the tx, eth_getBlockReceipts gives its
    receipt."""
    tx_hash = setup.send(setup.batches[0])
    setup.proxy.answer(NO_TX_INDEX)
    report = setup.anchorer(AnchorerOptions(batches_per_pass=1)).run_pass()
    assert report.reconciled == [(SH, 1)], report
    assert setup.proxy.hits["answer"] >= 2
    setup.assert_recorded(1, tx_hash)


def test_node_without_any_receipt_records_gas_unknown(
        setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    """No receipt anywhere: the anchor is recorded from the event and the canonical block,
    with gas used NULL, and a warning says so."""
    tx_hash = setup.send(setup.batches[0])
    setup.proxy.answer({**NO_TX_INDEX, "eth_getBlockReceipts": None})
    with caplog.at_level(logging.WARNING, logger="anchors.anchorer"):
        report = setup.anchorer(AnchorerOptions(batches_per_pass=1)).run_pass()
    assert report.reconciled == [(SH, 1)], report
    setup.assert_recorded(1, tx_hash, gas=False)
    assert any("gas used unknown" in r.getMessage() and tx_hash in r.getMessage()
               for r in caplog.records)


def test_node_without_the_event_leaves_the_batch_waiting(setup: Setup) -> None:
    """eth_getLogs answers nothing: the anchoring tx cannot be named, so nothing is recorded,
    nothing is sent again, the province says why, and a later pass records it all."""
    tx_hash = setup.send(setup.batches[0])
    sent_before = setup.deployment.sent(SH)
    setup.proxy.answer({"eth_getLogs": []})
    report = setup.anchorer().run_pass()
    assert "no BatchAnchored event" in report.stalled[SH] and not report.reconciled
    assert setup.row(1) is None and setup.deployment.sent(SH) == sent_before
    setup.proxy.clear()
    report = setup.anchorer().run_pass()
    assert report.reconciled == [(SH, 1)] and report.anchored == [(SH, 2), (SH, 3)]
    setup.assert_recorded(1, tx_hash)
