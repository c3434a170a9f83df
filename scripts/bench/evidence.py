"""3. Evidence: p50/p99 latency of GET /v1/records/{id}/evidence per batch size (up to a
10^6-record batch), over HTTP from the real app; and how many bundles per second a verifier
checks offline (`ledger.evidence.check`: record hash, coordinates, inclusion proof)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson

from ledger import evidence, keys
from ledger.store import Database

from .dataset import sample_ids
from .http import api_server, drive, request
from .stats import figure, percentile


def run(db: Database, data_dir: Path, sizes: list[int], *, requests: int, runs: int
        ) -> dict[str, Any]:
    token, _ = keys.create(db, "supervisor", label="bench")
    out: dict[str, Any] = {"batches": {}}
    bundles: list[bytes] = []
    with api_server(data_dir) as server:
        first = 1
        for size in sizes:
            ids = sample_ids(db, first, size, requests)
            reqs = [request("GET", f"/v1/records/{rid}/evidence", token) for rid in ids]
            drive(server.port, reqs[: max(10, requests // 10)], 1)  # warm-up
            p50s, p99s = [], []
            for _ in range(runs):
                _, lat, statuses = drive(server.port, reqs, 1)
                assert set(statuses) == {200}, statuses
                p50s.append(percentile(lat, 50) * 1e3)
                p99s.append(percentile(lat, 99) * 1e3)
            out["batches"][str(size)] = {"p50_ms": figure(p50s, "ms").to_json(),
                                         "p99_ms": figure(p99s, "ms").to_json()}
            if size == sizes[-1]:
                with db.snapshot() as s:
                    bundles = [orjson.dumps(evidence.build(s, rid)) for rid in ids[:500]]
            first += size
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for b in bundles:
            evidence.check(b)
        rates.append(len(bundles) / (time.perf_counter() - start))
    out["offline_verify_bundles_per_s"] = figure(rates, "bundles/s").to_json()
    out["largest_batch"] = sizes[-1]
    return out
