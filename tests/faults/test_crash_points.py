"""A worker killed at every point of sealing and anchoring (GOVTRACE_FAULT makes it
`os._exit(137)` there, exactly like SIGKILL) and restarted: it reconciles with the contract,
which is the source of truth, and converges. No batch is anchored twice or skipped, and no
anchoring transaction is sent twice (the province key's nonce counts them). A batch the
restart found on chain is recorded exactly like one it sent: tx hash, block and gas used of
the anchoring tx's receipt. And reconciling is itself crash-safe: a worker killed while
recording a reconciled batch leaves a state the next restart handles the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from web3.types import TxReceipt

from anchors.anvil import AnvilProcess
from govtrace import faults
from ledger import anchoring
from ledger.store import Database
from ledger.store.schema import AnchorRow, BatchRow
from tests.faults.kit import Deployment, Spawn, all_anchored, base_env, migrated, wait_until, write
from tests.faults.ledger_check import assert_converged

pytestmark = [pytest.mark.chain, pytest.mark.faults]
SH = 310000
RECORDS = 120  # with batches of 50: 3 batches


def _rows(db_url: str) -> dict[int, anchoring.Anchor]:
    db = migrated(db_url)
    try:
        with db.snapshot() as s:
            return {a.batch_no: anchoring.Anchor.from_row(a) for a in s.scalars(select(AnchorRow))}
    finally:
        db.dispose()


def _anchoring_txs(deployment: Deployment, province: int) -> dict[int, TxReceipt]:
    """batch_no -> receipt of every anchorBatch tx the province's key sent to this test's
    contract, found by scanning the blocks since the deployment and decoding the calls (not
    through the BatchAnchored events reconciliation itself reads)."""
    contract = deployment.contract
    w3 = contract.chain.w3
    abi = w3.eth.contract(abi=contract.artifact.abi)
    assert contract.deployment is not None
    sender = deployment.keys[province].address
    out: dict[int, TxReceipt] = {}
    for number in range(contract.deployment.block_number, contract.chain.block_number() + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            assert not isinstance(tx, bytes)
            if tx["from"] != sender or tx.get("to") != contract.address:
                continue
            function, args = abi.decode_function_input(tx["input"])
            assert function.fn_name == "anchorBatch" and args["batchNo"] not in out
            out[int(args["batchNo"])] = w3.eth.get_transaction_receipt(tx["hash"])
    return out


def _assert_rows_are_receipts(db_url: str, deployment: Deployment, batches: int
                              ) -> dict[int, anchoring.Anchor]:
    """Every anchor row holds its anchoring tx's receipt: hash, block, gas (never None)."""
    rows, receipts = _rows(db_url), _anchoring_txs(deployment, SH)
    assert sorted(rows) == sorted(receipts) == list(range(1, batches + 1))
    for batch_no, row in rows.items():
        receipt = receipts[batch_no]
        assert receipt["status"] == 1
        assert (row.status, row.tx_hash, row.block_number, row.block_hash, row.gas_used) == (
            anchoring.CONFIRMED, receipt["transactionHash"].to_0x_hex(),
            receipt["blockNumber"], receipt["blockHash"].to_0x_hex(), receipt["gasUsed"])
        assert (row.chain_id, row.contract) == (deployment.contract.chain.chain_id,
                                                deployment.contract.address)
        assert row.confirmed_at is not None
    return rows


def _state(db_url: str) -> tuple[int, dict[int, str]]:
    db = migrated(db_url)
    try:
        with db.snapshot() as s:
            batches = len(list(s.scalars(select(BatchRow.batch_no))))
            status = {a.batch_no: a.status for a in s.scalars(select(AnchorRow))}
        return batches, status
    finally:
        db.dispose()


@pytest.mark.parametrize("point", faults.POINTS)
def test_killed_at_each_point_restart_converges(
        point: str, empty_database_url: str, fault_anvil: AnvilProcess, tmp_path: Path,
        spawn: Spawn) -> None:
    deployment = Deployment.create(fault_anvil.url)
    db = migrated(empty_database_url)
    acknowledged = write(db, SH, RECORDS)
    env = {**base_env(tmp_path, empty_database_url), **deployment.env()}
    sent_before = deployment.sent(SH)  # the session chain's dev keys serve every test

    crashing = spawn(["worker"], {**env, "GOVTRACE_FAULT": point}, tmp_path / "crash.log")
    assert crashing.wait(60) == faults.EXIT_CODE, crashing.tail()
    batches, status = _state(empty_database_url)
    on_chain = deployment.contract.province_head(SH).batch_count
    # What the crash left behind, point by point: the cases reconciliation must handle.
    if point == "after-seal":
        assert batches >= 1 and status == {} and on_chain == 0
    elif point == "after-send":
        assert status == {} and on_chain == 1  # on chain, unknown to the database
    elif point in ("after-record-submitted", "after-receipt"):
        assert status == {1: anchoring.SUBMITTED} and on_chain == 1
    else:
        assert status == {1: anchoring.CONFIRMED} and on_chain == 1
    left = _rows(empty_database_url)
    sent_by_crashed = _anchoring_txs(deployment, SH)

    rows = _resume_converges(spawn, env, tmp_path, empty_database_url, db, deployment,
                             len(acknowledged), sent_before)
    if point != "after-seal":
        assert rows[1].tx_hash == sent_by_crashed[1]["transactionHash"].to_0x_hex()
    if 1 in left:
        assert rows[1].tx_hash == left[1].tx_hash
    db.dispose()


def _resume_converges(spawn: Spawn, env: dict[str, str], tmp_path: Path, url: str, db: Database,
                      deployment: Deployment, acknowledged: int, sent_before: int
                      ) -> dict[int, anchoring.Anchor]:
    """A worker started without faults anchors all three batches; the ledger converges with
    one transaction per batch (the restart reconciled instead of sending again), and every
    anchor row, batch 1's included (sent by the crashed worker, reconciled by the restart),
    is recorded as fully as the batches the restart sent itself: tx, block and gas."""
    resumed = spawn(["worker"], env, tmp_path / "resume.log")
    try:
        wait_until("every batch anchored", lambda: _state(url)[0] == 3
                   and all_anchored(db), 60, resumed)
    finally:
        resumed.stop()
    assert_converged(db, deployment.contract, acknowledged)
    assert deployment.sent(SH) - sent_before == 3
    return _assert_rows_are_receipts(url, deployment, 3)


@pytest.mark.parametrize("second", ["after-receipt", "after-confirm"])
@pytest.mark.parametrize("first", ["after-send", "after-record-submitted"])
def test_killed_again_while_reconciling(
        first: str, second: str, empty_database_url: str, fault_anvil: AnvilProcess,
        tmp_path: Path, spawn: Spawn) -> None:
    """Killed after sending batch 1 (its hash unknown to the database, or recorded as
    submitted), then killed again while the restart records batch 1 as reconciled: the first
    `after-receipt`/`after-confirm` the restart passes is that reconciliation, since it is
    recorded by the same code as a sent batch. A third start converges; nothing is sent
    twice and batch 1 carries the crashed worker's receipt."""
    deployment = Deployment.create(fault_anvil.url)
    db = migrated(empty_database_url)
    acknowledged = write(db, SH, RECORDS)
    env = {**base_env(tmp_path, empty_database_url), **deployment.env()}
    sent_before = deployment.sent(SH)

    crashing = spawn(["worker"], {**env, "GOVTRACE_FAULT": first}, tmp_path / "crash1.log")
    assert crashing.wait(60) == faults.EXIT_CODE, crashing.tail()
    left = _state(empty_database_url)[1]
    assert left == ({} if first == "after-send" else {1: anchoring.SUBMITTED})
    sent = _anchoring_txs(deployment, SH)
    assert list(sent) == [1]

    reconciling = spawn(["worker"], {**env, "GOVTRACE_FAULT": second},
                        tmp_path / "crash2.log")
    assert reconciling.wait(60) == faults.EXIT_CODE, reconciling.tail()
    # It died in batch 1's reconciliation, before sending anything.
    assert list(_anchoring_txs(deployment, SH)) == [1]
    assert deployment.contract.province_head(SH).batch_count == 1
    if second == "after-receipt":  # nothing written yet: the first crash's state is intact
        assert _state(empty_database_url)[1] == left
    else:  # written: already complete, gas included, before any later batch
        assert _state(empty_database_url)[1] == {1: anchoring.CONFIRMED}
        row = _rows(empty_database_url)[1]
        receipt = sent[1]
        assert (row.tx_hash, row.block_number, row.block_hash, row.gas_used) == (
            receipt["transactionHash"].to_0x_hex(), receipt["blockNumber"],
            receipt["blockHash"].to_0x_hex(), receipt["gasUsed"])

    rows = _resume_converges(spawn, env, tmp_path, empty_database_url, db, deployment,
                             len(acknowledged), sent_before)
    assert rows[1].tx_hash == sent[1]["transactionHash"].to_0x_hex()
    db.dispose()
