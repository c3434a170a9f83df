"""3. Evidence: p50/p99 latency of GET /v1/records/{id}/evidence per batch size (up to a
10^6-record batch), over HTTP from the real app; the CPU each request costs the server, and
the CPU of building one bundle in-process (`ledger.evidence.build`), which hold when other work
shares the machine and latency does not; and how many bundles per second a verifier checks
offline (`ledger.evidence.check`: record hash, coordinates, inclusion proof)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson

from ledger import evidence, keys, lookup
from ledger.store import Database

from .dataset import sample_ids
from .http import api_server, drive, request
from .stats import Figure, figure, percentile


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
            p50s, p99s, cpus = [], [], []
            for _ in range(runs):
                cpu = server.cpu()
                _, lat, statuses = drive(server.port, reqs, 1)
                cpus.append((server.cpu() - cpu) / len(reqs) * 1e6)
                assert set(statuses) == {200}, statuses
                p50s.append(percentile(lat, 50) * 1e3)
                p99s.append(percentile(lat, 99) * 1e3)
            out["batches"][str(size)] = {
                "p50_ms": figure(p50s, "ms").to_json(),
                "p99_ms": figure(p99s, "ms").to_json(),
                "server_cpu_us_per_request": figure(cpus, "µs").to_json(),
                "build_cpu_us_per_bundle": _build_cpu(db, ids, runs).to_json()}
            if size == sizes[-1]:
                out["first_bundle_of_largest_batch_ms"] = round(_first_bundle_ms(db, ids[0]), 3)
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


def _build_cpu(db: Database, ids: list[str], runs: int) -> Figure:
    """CPU µs per bundle built in this process, one snapshot per bundle as the API does
    (after the batch's upper levels are cached, as in a running server)."""
    with db.snapshot() as s:
        evidence.build(s, ids[0])
    per_bundle = []
    for _ in range(runs):
        start = time.process_time()
        for rid in ids:
            with db.snapshot() as s:
                orjson.dumps(evidence.build(s, rid))
        per_bundle.append((time.process_time() - start) / len(ids) * 1e6)
    return figure(per_bundle, "µs")


def _first_bundle_ms(db: Database, record_id: str) -> float:
    """Wall time of a bundle whose batch a process has not seen yet: it reads the level-8
    tiles and computes the levels above once (ledger/lookup.py)."""
    lookup.upper_cache.clear()
    start = time.perf_counter()
    with db.snapshot() as s:
        evidence.build(s, record_id)
    return (time.perf_counter() - start) * 1e3
