"""A worker killed at every point of sealing and anchoring (GOVTRACE_FAULT makes it
`os._exit(137)` there, exactly like SIGKILL) and restarted: it reconciles with the contract,
which is the source of truth, and converges. No batch is anchored twice or skipped, and no
anchoring transaction is sent twice (the province key's nonce counts them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from anchors.anvil import AnvilProcess
from govtrace import faults
from ledger import anchoring
from ledger.store.schema import AnchorRow, BatchRow
from tests.faults.kit import Deployment, Spawn, all_anchored, base_env, migrated, wait_until, write
from tests.faults.ledger_check import assert_converged

pytestmark = [pytest.mark.chain, pytest.mark.faults]
SH = 310000
RECORDS = 120  # with batches of 50: 3 batches


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

    resumed = spawn(["worker"], env, tmp_path / "resume.log")
    try:
        wait_until("every batch anchored", lambda: _state(empty_database_url)[0] == 3
                   and all_anchored(db), 60, resumed)
    finally:
        resumed.stop()
    assert_converged(db, deployment.contract, len(acknowledged))
    # One transaction per batch: the restart reconciled instead of sending again.
    assert deployment.sent(SH) - sent_before == 3
    db.dispose()
