"""Reorgs and dropped transactions on a real Anvil (evm_snapshot/evm_revert, anvil_reorg,
anvil_dropTransaction), with the real worker driven pass by pass in this process.

An anchor whose block disappears is noticed by the next pass (confirmed anchors near the head
are re-checked), demoted to "submitted", and followed or re-sent; with `confirmations` > 1
evidence carries no anchor until the transaction is that deep. Every test ends with the
database and the contract in agreement, nothing doubled and nothing skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from hexbytes import HexBytes
from web3.exceptions import TransactionNotFound

from anchors.anvil import AnvilOptions, AnvilProcess
from anchors.chain import Chain
from govtrace.chainsetup import ChainContext
from govtrace.worker import Worker, WorkerOptions
from ledger import anchoring, evidence
from ledger.batch import SealPolicy
from ledger.store import Database
from tests.faults.kit import FAST, Deployment, write
from tests.faults.ledger_check import assert_converged

pytestmark = [pytest.mark.chain, pytest.mark.faults]
SH = 310000
POLICY = SealPolicy(max_records=50, max_age=timedelta(0))  # seal everything, every pass


@pytest.fixture
def node() -> Iterator[AnvilProcess]:
    """A private chain: these tests rewrite its history."""
    with AnvilProcess(AnvilOptions(quiet=True)) as anvil:
        yield anvil


def _worker(db: Database, d: Deployment, **options: object) -> Worker:
    context = ChainContext(Chain(d.url, FAST), d.contract, d.admin, dict(d.keys))
    settings: dict[str, object] = {"interval": 0.1, "receipt_timeout": 2.0, **options}
    opts = WorkerOptions(**settings)  # type: ignore[arg-type]
    return Worker(db, POLICY, lambda: context, opts)


def _ready(node: AnvilProcess) -> Deployment:
    d = Deployment.create(node.url)
    d.contract.register_province(SH, d.keys[SH].address, d.admin)
    return d


def _anchor_of(db: Database, record_id: str) -> object:
    with db.snapshot() as s:
        return evidence.build(s, record_id)["anchor"]


def test_confirmed_anchor_reverted_away_is_sent_again(db: Database, node: AnvilProcess) -> None:
    d = _ready(node)
    chain = d.contract.chain
    ids = write(db, SH, 60)
    snapshot = chain.snapshot()
    worker = _worker(db, d)
    first = worker.run_once()
    assert first.anchored == [(SH, 1), (SH, 2)] and _anchor_of(db, ids[0]) is not None

    chain.revert_to(snapshot)  # both anchoring blocks vanish ...
    chain.mine(3)  # ... and empty blocks take their heights
    assert d.contract.batch(SH, 1) is None
    second = worker.run_once()
    assert second.reorged == [(SH, 1), (SH, 2)]
    assert second.anchored == [(SH, 1), (SH, 2)]
    assert_converged(db, d.contract, len(ids))


def test_evidence_is_final_only_after_the_confirmations(db: Database,
                                                        node: AnvilProcess) -> None:
    d = _ready(node)
    chain = d.contract.chain
    ids = write(db, SH, 50)
    snapshot = chain.snapshot()
    worker = _worker(db, d, confirmations=3, receipt_timeout=0.3)
    report = worker.run_once()
    assert report.waiting and SH in report.waiting  # mined, 1 of 3 confirmations
    with db.snapshot() as s:
        pending = anchoring.get(s, SH, 1)
    assert pending is not None and pending.status == anchoring.SUBMITTED
    assert _anchor_of(db, ids[0]) is None  # not final: no anchor in the evidence yet

    chain.revert_to(snapshot)  # the tx and its block are gone before becoming final
    chain.mine(4)
    report = worker.run_once()  # the tx is unknown now: sent again, then waits again
    assert SH in report.waiting
    with db.snapshot() as s:
        resent = anchoring.get(s, SH, 1)
    assert resent is not None and resent.tx_hash != pending.tx_hash
    chain.mine(2)  # now 3 deep: the next pass finds it on chain and records it final
    final = worker.run_once()
    assert final.anchored + final.reconciled == [(SH, 1)]
    bundle_anchor = _anchor_of(db, ids[0])
    assert isinstance(bundle_anchor, dict) and bundle_anchor["tx_hash"] == resent.tx_hash
    assert_converged(db, d.contract, len(ids))


def test_anvil_reorg_replacing_the_anchoring_blocks(db: Database, node: AnvilProcess) -> None:
    d = _ready(node)
    chain = d.contract.chain
    ids = write(db, SH, 100)
    worker = _worker(db, d)
    assert worker.run_once().anchored == [(SH, 1), (SH, 2)]
    chain.mine(1)
    chain.rpc("anvil_reorg", [3, []])  # the last 3 blocks are replaced by empty ones
    report = worker.run_once()
    assert set(report.reorged) == {(SH, 1), (SH, 2)}
    assert_converged(db, d.contract, len(ids))


def test_reorg_that_keeps_the_tx_records_its_new_block(db: Database,
                                                       node: AnvilProcess) -> None:
    d = _ready(node)
    chain = d.contract.chain
    write(db, SH, 50)
    snapshot = chain.snapshot()
    worker = _worker(db, d)
    worker.run_once()
    with db.snapshot() as s:
        before = anchoring.get(s, SH, 1)
    assert before is not None and before.block_number is not None
    raw = chain.w3.eth.get_raw_transaction(before.tx_hash)
    chain.revert_to(snapshot)
    chain.mine(1)
    chain.w3.eth.send_raw_transaction(HexBytes(raw))  # the same tx, one block later
    report = worker.run_once()
    assert report.reorged == [(SH, 1)] and report.reconciled == [(SH, 1)]
    with db.snapshot() as s:
        after = anchoring.get(s, SH, 1)
    assert after is not None and after.tx_hash == before.tx_hash
    assert after.block_number == before.block_number + 1
    assert_converged(db, d.contract, 50)


def test_dropped_pending_transaction_is_sent_again(db: Database, node: AnvilProcess) -> None:
    d = _ready(node)
    chain = d.contract.chain
    write(db, SH, 50)
    worker = _worker(db, d, receipt_timeout=0.3)
    chain.rpc("evm_setAutomine", [False])
    try:
        report = worker.run_once()
        assert SH in report.waiting  # sent, not mined
        with db.snapshot() as s:
            dropped = anchoring.get(s, SH, 1)
        assert dropped is not None
        chain.rpc("anvil_dropTransaction", [dropped.tx_hash])
        with pytest.raises(TransactionNotFound):
            chain.w3.eth.get_transaction(dropped.tx_hash)
    finally:
        chain.rpc("evm_setAutomine", [True])
    # Sent again: the node knows the tx no more (the re-signed tx may well have the same
    # hash: same nonce, same fields, deterministic signature).
    assert worker.run_once().anchored == [(SH, 1)]
    with db.snapshot() as s:
        final = anchoring.get(s, SH, 1)
    assert final is not None and final.status == anchoring.CONFIRMED
    assert_converged(db, d.contract, 50)
