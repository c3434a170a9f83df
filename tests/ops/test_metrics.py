"""/metrics (Prometheus text format) and /healthz's chain section, over real HTTP, both read
from the database: what any API process of any host can report about the whole deployment."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from govtrace import status
from ledger import lease, sealing, worker_status
from ledger.batch import SealPolicy
from tests.api.live import SH, issue_keys, live_server, record


def _samples(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_metrics_and_health_follow_the_ledger_and_the_workers(tmp_path: Path) -> None:
    with live_server(tmp_path, chain_status=None) as live:
        issue_keys(live)
        with live.client() as http:
            for _ in range(7):
                assert http.post("/v1/records", json=record()).status_code == 201
            text = httpx.get(f"{live.url}/metrics").text
            assert httpx.get(f"{live.url}/metrics").headers["content-type"].startswith(
                "text/plain; version=0.0.4")
            m = _samples(text)
            p = f'province="{SH}"'
            assert m[f"govtrace_records_total{{{p}}}"] == 7
            assert m[f"govtrace_records_pending_seal{{{p}}}"] == 7
            assert m[f"govtrace_batches_pending_anchor{{{p}}}"] == 0
            assert "# TYPE govtrace_records_total counter" in text

            sealing.seal_due(live.db, SealPolicy(max_records=5), force=True)
            time.sleep(0.05)
            m = _samples(httpx.get(f"{live.url}/metrics").text)
            assert m[f"govtrace_records_pending_seal{{{p}}}"] == 0
            assert m[f"govtrace_batches_sealed_total{{{p}}}"] == 2
            assert m[f"govtrace_batches_pending_anchor{{{p}}}"] == 2
            assert m[f"govtrace_records_pending_anchor{{{p}}}"] == 7
            assert m[f"govtrace_anchor_lag_seconds{{{p}}}"] >= 0.05

            lease.acquire(live.db, [lease.province_lease(SH)], "host-a:1:w", ttl=60)
            worker_status.heartbeat(live.db, worker_status.WorkerState(
                worker_id="host-a:1:w", host="host-a", pid=1, started_at=time.time(),
                passes=12, chain_id=31337, contract="0x" + "11" * 20, chain_reachable=False,
                backoff_seconds=8.0, last_error="chain endpoint unreachable",
                stalled={SH: "chain endpoint unreachable"}, provinces=(SH,)))
            m = _samples(httpx.get(f"{live.url}/metrics").text)
            w = 'worker="host-a:1:w",host="host-a"'
            assert m[f"govtrace_worker_up{{{w}}}"] == 1
            assert m[f"govtrace_worker_backoff_seconds{{{w}}}"] == 8.0
            assert m[f"govtrace_worker_chain_reachable{{{w}}}"] == 0
            assert m[f"govtrace_worker_stalled_provinces{{{w}}}"] == 1
            assert m[f'govtrace_province_lease_token{{province="{SH}",holder="host-a:1:w"}}'] == 1

        chain = status.chain_status(live.db)
        assert chain["reachable"] is False and chain["retry_in_seconds"] == 8.0
        assert chain["stalled_provinces"] == {str(SH): "chain endpoint unreachable"}
        assert [w["id"] for w in chain["workers"]] == ["host-a:1:w"]  # type: ignore[index]
        assert status.chain_status(live.db, stale_after=-1)["workers"] == []  # all stale


@pytest.mark.parametrize(("now", "days"), [
    ("2026-11-25T04:00:00+00:00", 37),
    ("2026-12-30T20:00:00+00:00", 1),   # already 31 December in China (UTC+8)
    ("2027-01-15T04:00:00+00:00", 0),   # past the shipped 2026 calendar
])
def test_metrics_count_the_days_left_in_the_calendar(tmp_path: Path, now: str, days: int
                                                     ) -> None:
    with live_server(tmp_path, clock=lambda: datetime.fromisoformat(now)) as live:
        text = httpx.get(f"{live.url}/metrics").text
    assert "# TYPE govtrace_calendar_days_covered gauge" in text
    assert _samples(text)["govtrace_calendar_days_covered"] == days
