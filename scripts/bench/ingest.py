"""2. Ingest: durable records/s through the HTTP API, single-record POSTs from concurrent
clients and the batch endpoint (1,000 records per request), with p50/p99 latency, on SQLite
(synchronous=FULL: acknowledged means fsynced) and on PostgreSQL when a server can be had
(scripts/postgres.sh with GOVTRACE_PG_DURABLE=1: fsync and synchronous commit on, checked
before measuring, so its figure is durable too).

Every record is new (fresh id and subject) and carries a distinct occurred_at, as real
traffic would; a warm-up round precedes the measured ones. Keys come in two orders, because
SQLite's cost per record depends on where they land in the ledger's indexes:

- "ordered": record ids are UUIDv7 (`ledger.record_ids`, what govtrace makes and advises
  writers to use) and case numbers are serial within the day (`310000-20261125-00000042`),
  as a province system numbering its cases in order sends them;
- "random": UUIDv4 record ids and random case numbers, the worst case: every record lands on
  index pages of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from govtrace.settings import Settings
from ledger import keys
from ledger.store import Database

from .http import Server, api_server, drive, request
from .keyorder import record_keys
from .stats import figure, percentile

ROOT = Path(__file__).resolve().parents[2]
_T0 = datetime(2026, 11, 25, tzinfo=UTC)
_counter = 0
KEY_ORDERS = ("ordered", "random")


def draft(order: str = "ordered") -> dict[str, Any]:
    global _counter
    _counter += 1
    at = (_T0 + timedelta(microseconds=_counter * 7919)).isoformat()
    record_id, case_no = record_keys(order, _counter)
    return {"record_id": record_id, "province": 310000, "kind": "case.accepted",
            "subject": {"type": "case", "id": case_no},
            "occurred_at": at, "actor": {"department": "SH-GA-HZ", "officer": "E1043"},
            "payload": {"service": "户籍迁移", "channel": "跨省通办", "step": _counter % 7,
                        "applicant": "0x" + uuid.uuid4().hex * 2}}


def _prepare(settings: Settings) -> str:
    db = Database(settings.database_options())
    try:
        db.create_schema()
        token, _ = keys.create(db, "operator", province=310000, label="bench")
    finally:
        db.dispose()
    return token


@dataclass
class _Series:
    """One kind of request over the measured rounds: rates, rates per server CPU-second and
    every request's latency."""

    rates: list[float] = field(default_factory=list)
    per_cpu: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def to_json(self, name: str) -> dict[str, Any]:
        return {f"{name}_records_per_s": figure(self.rates, "records/s").to_json(),
                f"{name}_records_per_server_cpu_s": figure(self.per_cpu,
                                                           "records/CPU-s").to_json(),
                f"{name}_latency_ms": {"p50": percentile(self.latencies, 50) * 1e3,
                                       "p99": percentile(self.latencies, 99) * 1e3}}


def _measure(server: Server, token: str, *, keys: str, batches: int, batch_size: int,
             singles: int, connections: int, batch_connections: int, runs: int
             ) -> dict[str, Any]:
    """Batch requests (if `batches`), then single POSTs (if `singles`), `runs` times after a
    warm-up round (connections, caches, page cache)."""
    out: dict[str, Any] = {"keys": keys, "server_processes": len(server.pids),
                           "balanced": len(server.ports) > 1}
    # (name, records per round, connections, the round's requests)
    plan: list[tuple[str, int, int, Callable[[], list[bytes]]]] = []
    if batches:
        plan.append(("batch", batches * batch_size, batch_connections, lambda: [
            request("POST", "/v1/records:batch", token, orjson.dumps(
                {"records": [draft(keys) for _ in range(batch_size)]}))
            for _ in range(batches)]))
        out.update(batch_connections=batch_connections, batch_size=batch_size)
    if singles:
        plan.append(("single", singles, connections, lambda: [
            request("POST", "/v1/records", token, orjson.dumps(draft(keys)))
            for _ in range(singles)]))
        out["connections"] = connections
    series = {name: _Series() for name, *_ in plan}
    acknowledged = 0
    for i in range(runs + 1):
        for name, records, conns, build in plan:
            reqs = build()
            cpu = server.cpu()
            took, lat, statuses = drive(server.ports, reqs, conns)
            assert set(statuses) == {201}, statuses
            acknowledged += records
            if i:
                series[name].rates.append(records / took)
                series[name].per_cpu.append(records / max(server.cpu() - cpu, 1e-3))
                series[name].latencies.extend(lat)
    for name, s in series.items():
        out.update(s.to_json(name))
    out["acknowledged"] = acknowledged
    return out


def _check_stored(settings: Settings, acknowledged: int) -> None:
    """Every acknowledged record is in the ledger, numbered without gaps: a fast figure from
    a server that lost or doubled records would be worthless."""
    from sqlalchemy import text

    db = Database(settings.database_options())
    try:
        with db.snapshot() as s:
            count, top = s.execute(text("SELECT count(*), max(seq) FROM record")).one()
    finally:
        db.dispose()
    if (count, top) != (acknowledged, acknowledged):
        raise AssertionError(f"{acknowledged} records acknowledged, but the ledger holds "
                             f"{count} numbered up to {top}")


def run_sqlite(*, batches: int, singles: int, connections: int, batch_connections: int,
               processes: int, runs: int, balanced: bool = False, keys: str = "ordered"
               ) -> dict[str, Any]:
    """One fresh ledger per call, so the figures of different key orders or process layouts
    start from the same (empty) state."""
    data_dir = Path(tempfile.mkdtemp(prefix="govtrace-bench-ingest-"))
    try:
        settings = Settings(data_dir=data_dir, sqlite_synchronous="FULL")
        token = _prepare(settings)
        with api_server(data_dir, processes=processes, balanced=balanced,
                        sqlite_synchronous="FULL") as server:
            result = _measure(server, token, keys=keys, batches=batches, batch_size=1000,
                              singles=singles, connections=connections,
                              batch_connections=batch_connections, runs=runs)
        _check_stored(settings, result["acknowledged"])
        return {"backend": "sqlite (WAL, synchronous=FULL)", **result}
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run_postgres(*, batches: int, singles: int, connections: int, batch_connections: int,
                 processes: int, runs: int) -> dict[str, Any]:
    script = ROOT / "scripts" / "postgres.sh"
    if not script.exists():
        return {"backend": "postgresql", "measured": False,
                "reason": "scripts/postgres.sh not present"}
    cluster = Path(tempfile.mkdtemp(prefix="govtrace-bench-pg-"))
    started = subprocess.run([str(script), "start", str(cluster / "pg")], capture_output=True,
                             text=True, check=False, timeout=300,
                             env={**os.environ, "GOVTRACE_PG_DURABLE": "1"})
    if started.returncode != 0:
        return {"backend": "postgresql", "measured": False,
                "reason": f"no PostgreSQL server: {started.stderr.strip()[-300:]}"}
    url = started.stdout.strip().splitlines()[-1]
    try:
        from sqlalchemy import create_engine, text

        from ledger.store.database import normalise_url

        engine = create_engine(normalise_url(url))
        with engine.connect() as conn:
            durability = {name: conn.execute(text(f"SHOW {name}")).scalar()
                          for name in ("fsync", "synchronous_commit", "full_page_writes")}
        engine.dispose()
        # The test server's fsync=off was once "switched back on" here with ALTER SYSTEM, which
        # a command-line setting overrides: that figure was not durable. Checked from now on.
        if set(durability.values()) != {"on"}:
            return {"backend": "postgresql", "measured": False,
                    "reason": f"the server is not durable: {durability}"}
        data_dir = cluster / "data"
        pg_settings = Settings(data_dir=data_dir, database_url=url)
        token = _prepare(pg_settings)
        with api_server(data_dir, processes=processes, database_url=url) as server:
            result = _measure(server, token, keys="ordered", batches=batches,
                              batch_size=1000, singles=singles, connections=connections,
                              batch_connections=batch_connections, runs=runs)
        _check_stored(pg_settings, result["acknowledged"])
        return {"backend": "postgresql (fsync=on, synchronous_commit=on)", "measured": True,
                **result}
    finally:
        subprocess.run([str(script), "stop", str(cluster / "pg")], capture_output=True,
                       check=False, timeout=120)
        shutil.rmtree(cluster, ignore_errors=True)
