"""`govtrace serve --workers 2` SIGKILLed (whole process group) while clients write.

Every record acknowledged with a 2xx is in the ledger afterwards, with exactly the content
sent. A record whose request failed is either entirely there or absent, and a batch request
is all there or all absent. Retrying the doubtful ones with the same ids converges: the ledger
then holds exactly the acknowledged records, with gapless seqs, all of them anchored.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from anchors.anvil import AnvilProcess, free_port
from ledger import keys
from ledger.store import Database
from tests.faults.kit import Deployment, Spawn, base_env, covered, migrated, wait_http
from tests.faults.kit import wait_until as wait
from tests.faults.ledger_check import assert_converged
from tests.faults.writer import Ledger, converge, write

pytestmark = [pytest.mark.chain, pytest.mark.faults, pytest.mark.slow]
SH, JS = 310000, 320000


def _stored(http: httpx.Client, token: str, record: dict[str, Any]) -> bool:
    """True when the record is in the ledger with this content, False when absent."""
    r = http.get(f"/v1/records/{record['record_id']}", headers={"Authorization":
                                                                f"Bearer {token}"})
    if r.status_code == 404:
        return False
    assert r.status_code == 200, r.text
    stored = r.json()["record"]
    assert {k: stored[k] for k in ("province", "kind", "subject", "occurred_at", "actor",
                                   "payload")} == \
        {k: record[k] for k in ("province", "kind", "subject", "occurred_at", "actor",
                                "payload")}
    return True


def test_killed_api_loses_no_acknowledged_record(empty_database_url: str,
                                                 fault_anvil: AnvilProcess,
                                                 tmp_path: Path, spawn: Spawn) -> None:
    d = Deployment.create(fault_anvil.url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**base_env(tmp_path, empty_database_url, port=str(port), api_workers="2"),
           **d.env()}
    db: Database = migrated(empty_database_url)
    tokens = {p: keys.create(db, "operator", province=p, label=str(p))[0] for p in (SH, JS)}
    serve = spawn(["serve"], env, tmp_path / "serve.log")
    wait_http(url, serve)
    ledger = Ledger()
    writers = [threading.Thread(target=write, args=(url, tokens[p], p, ledger, 4000),
                                kwargs={"per_request": size, "start": 10_000 * i,
                                        "give_up": True})
               for i, (p, size) in enumerate([(SH, 1), (SH, 5), (JS, 1), (JS, 20)])]
    for t in writers:
        t.start()
    wait("some acknowledged writes", lambda: len(ledger.acked) >= 300, 60, serve)
    serve.kill()  # mid-flight: requests are being parsed, committed, answered
    for t in writers:
        t.join(120)
    assert ledger.doubtful, "the kill should have caught requests in flight"

    serve = spawn(["serve"], env, tmp_path / "serve2.log")
    try:
        wait_http(url, serve)
        with httpx.Client(base_url=url, timeout=30) as http:
            for record in ledger.acked.values():
                assert _stored(http, tokens[record["province"]], record), record["record_id"]
            fates = {rid: _stored(http, tokens[r["province"]], r)
                     for rid, r in ledger.doubtful.items()}
        # A batch is atomic: the doubtful records of one request share one fate.
        by_request: dict[tuple[int, int], set[bool]] = {}
        for rid, r in ledger.doubtful.items():
            size = 5 if r["province"] == SH and r["payload"]["n"] >= 10_000 else \
                20 if r["province"] == JS and r["payload"]["n"] >= 30_000 else 1
            key = (r["province"], r["payload"]["n"] // size if size > 1 else r["payload"]["n"])
            by_request.setdefault(key, set()).add(fates[rid])
        assert all(len(f) == 1 for f in by_request.values())
        converge(url, tokens, ledger)
        wait("everything anchored", lambda: covered(db) == len(ledger.acked), 120, serve)
    finally:
        serve.stop()
    assert_converged(db, d.contract, len(ledger.acked))
    db.dispose()
