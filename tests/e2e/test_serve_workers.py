"""`govtrace serve --workers 2` on embedded defaults: two API processes share the SQLite file
beside the worker and the embedded Anvil. Concurrent writers through both, every record
stored once and anchored, a bundle verified against the chain alone, and SIGTERM leaves
nothing running (no Anvil, no API process holding the port)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from anchors.anvil_support import port_is_free
from ledger.record_ids import new_record_id
from tests import processes
from tests.e2e.service import Service

pytestmark = [pytest.mark.chain, pytest.mark.slow]
PROVINCE = 310000
WRITERS, PER_WRITER = 6, 100


def _record(writer: int, i: int) -> dict[str, Any]:
    return {"record_id": new_record_id(), "province": PROVINCE, "kind": "case.accepted",
            "subject": {"type": "case", "id": f"310000-20261125-{writer:02d}{i:05d}"},
            "occurred_at": "2026-11-25T09:30:00+08:00", "actor": {"department": "SH-GA"},
            "payload": {"n": i}}


def _write(url: str, token: str, writer: int, acknowledged: list[str]) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    records = [_record(writer, i) for i in range(PER_WRITER)]
    with httpx.Client(base_url=url, timeout=30) as http:  # one keep-alive connection each
        r = http.post("/v1/records:batch", headers=auth, json={"records": records[:50]})
        assert r.status_code == 201, r.text
        for rec in records[50:]:
            r = http.post("/v1/records", headers=auth, json=rec)
            assert r.status_code == 201, r.text
    acknowledged.extend(rec["record_id"] for rec in records)


def test_two_api_processes_with_the_embedded_anvil(tmp_path: Path) -> None:
    with Service(tmp_path / "data", api_workers="2", seal_max_records="200") as svc:
        created = svc.cli("keys", "create", "--role", "operator", "--province", str(PROVINCE))
        assert created.returncode == 0, created.stderr
        token = created.stdout.strip()
        acknowledged: list[str] = []
        threads = [threading.Thread(target=_write, args=(svc.url, token, w, acknowledged))
                   for w in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(acknowledged)) == WRITERS * PER_WRITER

        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=svc.url, timeout=30) as http:
            deadline = time.monotonic() + 120
            while True:
                page = http.get(f"/v1/batches/{PROVINCE}", headers=auth,
                                params={"limit": 100}).json()
                batches = page["batches"]
                anchored = [b for b in batches if b["status"] == "anchored"]
                if sum(b["size"] for b in anchored) == len(acknowledged):
                    break
                assert time.monotonic() < deadline, f"not all anchored in time: {batches}"
                time.sleep(0.5)
            # Contiguous: gapless seq numbers across both processes' commits.
            ordered = sorted(batches, key=lambda b: b["batch_no"])
            assert [b["first_seq"] for b in ordered] == [
                1 + sum(b["size"] for b in ordered[:i]) for i in range(len(ordered))]
            bundle = http.get(f"/v1/records/{acknowledged[-1]}/evidence", headers=auth).json()
        path = tmp_path / "bundle.json"
        path.write_text(json.dumps(bundle))
        verdict = svc.cli("verify", str(path), "--rpc", svc.rpc_url)
        assert verdict.returncode == 0, verdict.stdout + verdict.stderr
        port = svc.port
    # Service.stop has already asserted the embedded Anvil is gone; the API processes too:
    assert port_is_free("127.0.0.1", port)


def test_a_sigkilled_serve_leaves_no_api_process_or_anvil(tmp_path: Path) -> None:
    """SIGKILL runs no clean-up: the parent-death signal must stop the API processes (they
    would keep the port and take writes nobody anchors) and the embedded Anvil."""
    svc = Service(tmp_path / "data", api_workers="2").start()
    assert svc.proc is not None
    children = processes.children(svc.proc.pid)
    try:
        assert len(children) >= 3  # Anvil, two API processes (and the resource tracker)
        svc.proc.kill()
        svc.proc.wait(10)
        left = processes.outliving(children, 20)
        assert not left, f"outlived the SIGKILLed serve: {left}"
        assert port_is_free("127.0.0.1", svc.port)
    finally:
        for c in children:
            if processes.running(c):
                os.kill(c, signal.SIGKILL)
        svc.stop()  # asserts the embedded Anvil does not answer
