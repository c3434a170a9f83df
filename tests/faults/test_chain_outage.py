"""The chain goes away and misbehaves while `govtrace serve` keeps taking records.

Anvil is stopped and restarted (state kept), then a fault proxy in front of it answers HTTP
502, "nonce too low", "replacement transaction underpriced", a gas estimate that makes the
anchoring tx run out of gas, and a lost answer to eth_sendRawTransaction (the tx went out,
the worker cannot know). Throughout, every write is acknowledged, batches are sealed and wait
as pending anchors (/healthz and /metrics show the lag and the backoff), and once the chain
behaves the backlog drains in batch order. The end state: acknowledged == in the ledger ==
covered by anchored batches, and the database and the contract agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from anchors.anvil import AnvilOptions, AnvilProcess, free_port
from ledger import keys
from tests.faults.kit import Deployment, Spawn, base_env, covered, migrated, wait_http
from tests.faults.kit import wait_until as wait
from tests.faults.ledger_check import assert_converged
from tests.faults.rpcproxy import RpcProxy
from tests.faults.writer import Ledger, write

pytestmark = [pytest.mark.chain, pytest.mark.faults, pytest.mark.slow]
SH, JS = 310000, 320000
PROXY_FAULTS = [
    ("http_error", None, ""),
    ("rpc_error", "eth_sendRawTransaction", "nonce too low"),
    ("rpc_error", "eth_sendRawTransaction", "replacement transaction underpriced"),
    ("low_gas", None, ""),
    ("lose_response", "eth_sendRawTransaction", ""),
]


@pytest.fixture
def anvil_options(tmp_path: Path) -> AnvilOptions:
    return AnvilOptions(port=free_port(), state_path=tmp_path / "anvil-state.json", quiet=True)


@pytest.fixture
def anvil(anvil_options: AnvilOptions) -> Iterator[AnvilProcess]:
    node = AnvilProcess(anvil_options).start()
    yield node
    node.stop()


def _metric(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {labels} missing from /metrics")


def test_outage_and_rpc_faults_lose_and_double_nothing(
        empty_database_url: str, anvil: AnvilProcess, anvil_options: AnvilOptions,
        tmp_path: Path, spawn: Spawn) -> None:
    d = Deployment.create(anvil.url)
    proxy = RpcProxy(anvil.url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**base_env(tmp_path, empty_database_url, port=str(port)), **d.env(proxy.url)}
    serve = spawn(["serve"], env, tmp_path / "serve.log")
    db = migrated(empty_database_url)
    ledger = Ledger()
    restarted: list[AnvilProcess] = []
    try:
        wait_http(url, serve)
        tokens = {p: keys.create(db, "operator", province=p, label=str(p))[0] for p in (SH, JS)}
        n = 0

        def burst(count: int) -> None:
            nonlocal n
            write(url, tokens[SH], SH, ledger, count, start=n)
            write(url, tokens[JS], JS, ledger, count // 2, per_request=5, start=n)
            n += count
            assert not ledger.doubtful  # the chain's trouble never reaches the writers

        def drained() -> None:
            wait("the backlog to drain", lambda: covered(db) == len(ledger.acked), 90, serve)

        burst(40)
        drained()

        anvil.stop()  # the node is gone: ingest and sealing go on
        burst(80)
        health = wait("/healthz to show the lag", lambda: (h := httpx.get(f"{url}/healthz")
                      .json())["status"] == "degraded" and
                      {lag["province"] for lag in h["anchor_lag"]} == {SH, JS} and h, 30, serve)
        assert all(lag["unanchored_records"] > 0 for lag in health["anchor_lag"])
        assert health["chain"]["retry_in_seconds"] > 0
        metrics = httpx.get(f"{url}/metrics").text
        assert _metric(metrics, "govtrace_batches_pending_anchor", province=str(SH)) >= 1
        assert _metric(metrics, "govtrace_records_pending_anchor", province=str(SH)) >= 1
        assert re.search(r"^govtrace_worker_backoff_seconds\{.*\} [1-9]", metrics, re.M)
        record = httpx.get(f"{url}/v1/records/{next(iter(ledger.acked))}",
                           headers={"Authorization": f"Bearer {tokens[SH]}"})
        assert record.status_code == 200

        restarted.append(AnvilProcess(anvil_options).start())  # same port, state restored
        drained()
        assert httpx.get(f"{url}/healthz").json()["status"] == "ok"

        for mode, method, message in PROXY_FAULTS:
            proxy.set(mode, method, message)
            burst(20)
            wait(f"the worker to meet {mode} {message}", lambda m=mode: proxy.hits[m] >= 2,
                 60, serve)
            proxy.clear()
            drained()
        serve.stop()
        result = assert_converged(db, d.contract, len(ledger.acked))
        assert result.batches[SH] >= 5  # batches went through each phase
    finally:
        serve.stop()
        proxy.close()
        for node in restarted:  # the fixture stops only the first node
            node.stop()
        db.dispose()
