"""Scale past one process: `govtrace api --workers 3` and two `govtrace worker`s share one
database and a zero-gas chain (base fee 0, gas price 0, province keys that hold no ether).

Six clients write concurrently. Per province the seqs stay gapless and unique; at any moment
each province has one live lease holder and the workers' provinces never overlap; when the
worker holding Shanghai is SIGKILLed, the other takes the province over once the lease
expires (the fencing token grows) and anchoring goes on. Nothing is lost or doubled.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from anchors.anvil import AnvilProcess, free_port
from ledger import keys, lease, worker_status
from ledger.store import Database
from tests.faults.kit import (
    PROVINCES,
    Deployment,
    Spawn,
    base_env,
    covered,
    migrated,
    wait_http,
)
from tests.faults.kit import wait_until as wait
from tests.faults.ledger_check import assert_converged
from tests.faults.writer import Ledger, converge, write

pytestmark = [pytest.mark.chain, pytest.mark.faults, pytest.mark.slow]
SH = 310000


def _holders(db: Database) -> dict[int, str]:
    """province -> holder of its live lease."""
    now = db.clock()
    return {int(held.name.split(":")[1]): held.holder for held in lease.current(db)
            if held.expires_at > now}


def _workers_disjoint(db: Database) -> bool:
    now, rows = worker_status.workers(db)
    live = [set(w.provinces) for w in rows if now - w.heartbeat_at < 2]
    return all(not (a & b) for i, a in enumerate(live) for b in live[i + 1:])


def test_many_writers_two_workers_one_holder_per_province(
        empty_database_url: str, zero_gas_anvil: AnvilProcess, tmp_path: Path,
        spawn: Spawn) -> None:
    d = Deployment.create(zero_gas_anvil.url, funded=False)
    assert all(d.contract.chain.w3.eth.get_balance(k.address) == 0 for k in d.keys.values())
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**base_env(tmp_path, empty_database_url, port=str(port), api_workers="3"), **d.env()}
    db = migrated(empty_database_url)
    tokens = {p: keys.create(db, "operator", province=p, label=str(p))[0] for p in PROVINCES}
    api = spawn(["api"], env, tmp_path / "api.log")
    workers = [spawn(["worker"], env, tmp_path / f"worker{i}.log") for i in range(2)]
    ledger, stop = Ledger(), threading.Event()
    clients = [threading.Thread(target=write, args=(url, tokens[p], p, ledger, 100_000),
                                kwargs={"per_request": size, "start": 1_000_000 * i,
                                        "stop": stop})
               for i, (p, size) in enumerate([(p, s) for p in PROVINCES for s in (1, 7)])]
    try:
        wait_http(url, api)
        for c in clients:
            c.start()
        wait("every province leased", lambda: set(_holders(db)) == set(PROVINCES), 30,
             workers[0])
        wait("anchoring under way", lambda: covered(db) >= 300, 60, workers[0])
        assert _workers_disjoint(db)
        before = next(h for h in lease.current(db) if h.name == lease.province_lease(SH))
        victim = next(w for w in workers if str(w.proc.pid if w.proc else "") in before.holder)
        victim.kill()  # no release: the survivor must wait for the lease to expire
        survivor = next(w for w in workers if w is not victim)
        after = wait("the survivor to take Shanghai over", lambda: next(
            (h for h in lease.current(db) if h.name == lease.province_lease(SH)
             and h.holder != before.holder), None), 30, survivor)
        assert after.token == before.token + 1
        assert after.acquired_at >= before.expires_at - 0.5  # not before the lease ran out
        mark = covered(db)
        wait("anchoring to go on", lambda: covered(db) >= mark + 200, 60, survivor)
        stop.set()
        for c in clients:
            c.join(60)
        converge(url, tokens, ledger)
        wait("everything anchored", lambda: covered(db) == len(ledger.acked), 120, survivor)
        assert _workers_disjoint(db)
    finally:
        stop.set()
        api.stop()
        for w in workers:
            w.stop()
    assert_converged(db, d.contract, len(ledger.acked))  # includes gapless, unique seqs
    assert len(ledger.acked) >= 1000
    db.dispose()
