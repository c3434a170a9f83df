"""The worker against a chain endpoint nobody answers: sealing goes on every pass, anchoring
backs off 1x, 2x, 4x ... up to the cap, and the heartbeat row (what /healthz and /metrics
read) says so. When the chain answers again, one pass drains the backlog in order."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from anchors.anvil import AnvilProcess, free_port
from anchors.chain import Chain
from anchors.contract import AnchorContract
from govtrace import status
from govtrace.chainsetup import ChainContext
from govtrace.worker import Worker, WorkerOptions
from ledger import anchoring, worker_status
from ledger.batch import SealPolicy
from ledger.store import Database
from tests.faults.kit import FAST, Deployment, write
from tests.faults.ledger_check import check

pytestmark = pytest.mark.chain
SH = 310000


def test_backoff_is_capped_and_sealing_never_waits(db: Database,
                                                   fault_anvil: AnvilProcess) -> None:
    d = Deployment.create(fault_anvil.url)
    target = {"url": f"http://127.0.0.1:{free_port()}"}  # nobody listens here (yet)

    def connect() -> ChainContext:
        chain = Chain(target["url"], FAST)
        return ChainContext(chain, AnchorContract.at(chain, d.contract.address), d.admin,
                            dict(d.keys))

    worker = Worker(db, SealPolicy(max_records=10, max_age=timedelta(0)), connect,
                    WorkerOptions(min_backoff=0.05, max_backoff=0.2, lease_ttl=30))
    assert status.chain_status(db)["reachable"] is False  # no worker has reported yet
    delays = []
    for i in range(5):
        write(db, SH, 10)
        attempts = worker.status.anchor_attempts
        while worker.status.anchor_attempts == attempts:  # passes while backing off ...
            passes = worker.status.passes
            worker.tick()
            assert worker.status.passes == passes + 1
            time.sleep(0.01)  # ... until the delay is over and anchoring is tried again
        delays.append(worker.status.backoff_seconds)
        sealed = len(anchoring.unanchored(db))
        assert sealed == i + 1  # every pass seals, backing off or not
        if len(delays) == 4:
            break
    assert delays == [0.05, 0.1, 0.2, 0.2]
    _, rows = worker_status.workers(db)
    assert rows[0].backoff_seconds == 0.2 and not rows[0].chain_reachable
    assert "unreachable" in (rows[0].last_error or "")
    health = status.chain_status(db)
    assert health["reachable"] is False and health["retry_in_seconds"] == 0.2

    target["url"] = fault_anvil.url  # the chain is back
    time.sleep(0.25)
    worker.tick()
    assert worker.status.backoff_seconds == 0.0
    assert anchoring.unanchored(db) == []
    assert status.chain_status(db)["reachable"] is True
    result = check(db, d.contract)
    assert result.clean and result.total_covered == 40, result.problems
    worker.close()
    assert worker_status.workers(db)[1] == []  # a clean stop removes its heartbeat
