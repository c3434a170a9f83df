"""Rough write throughput of the API (not a test; run by hand from the repository root):

    .venv/bin/python -m tests.api.bench_api [--batches 30] [--singles 4000] [--sync FULL]

Starts the real app under uvicorn in a child process (so the load generator does not share
its GIL) on a fresh SQLite file, then drives it over keep-alive connections with a minimal
asyncio HTTP/1.1 client that costs far less CPU per request than the server does.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson


def serve(data_dir: str, sync: str, sock: socket.socket) -> None:
    import uvicorn

    from api import Services, create_app
    from govtrace.settings import Settings
    from ledger.store import Database

    settings = Settings(data_dir=Path(data_dir), sqlite_synchronous=sync)
    db = Database(settings.database_options())
    app = create_app(settings, Services(db))
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run([sock])


def draft(province: int = 310000) -> dict[str, Any]:
    return {"record_id": str(uuid.uuid4()), "province": province, "kind": "case.accepted",
            "subject": {"type": "case", "id": f"SH-{uuid.uuid4().hex[:16]}"},
            "occurred_at": "2026-11-25T08:00:00+08:00",
            "actor": {"department": "SH-GA-HZ", "officer": "E1043"},
            "payload": {"service": "户籍迁移", "channel": "跨省通办", "step": 1}}


def request(path: str, token: str, body: bytes) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def drive(port: int, requests: list[bytes], connections: int) -> tuple[float, dict[int, int]]:
    statuses: dict[int, int] = {}
    queue = list(reversed(requests))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            writer.write(queue.pop())
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            status = int(status_line.split()[1])
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - start, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=4000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sync", default="FULL")
    args = parser.parse_args()

    from govtrace.settings import Settings
    from ledger import keys
    from ledger.store import Database

    data_dir = tempfile.mkdtemp(prefix="govtrace-bench-")
    db = Database(Settings(data_dir=Path(data_dir)).database_options())
    db.create_schema()
    token, _ = keys.create(db, "operator", province=310000, label="bench")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    child = multiprocessing.get_context("spawn").Process(
        target=serve, args=(data_dir, args.sync, sock), daemon=True)
    child.start()
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        batches = [request("/v1/records:batch", token, orjson.dumps(
            {"records": [draft() for _ in range(args.batch_size)]})) for _ in range(args.batches)]
        for conns in (1, 4):
            part = batches[: len(batches) // 2] if conns == 1 else batches[len(batches) // 2:]
            took, statuses = asyncio.run(drive(port, part, conns))
            print(f"records:batch x{args.batch_size}, {conns} conn: "
                  f"{len(part) * args.batch_size / took:,.0f} records/s {statuses}")
        singles = [request("/v1/records", token, orjson.dumps(draft()))
                   for _ in range(args.singles)]
        for conns in (1, args.connections):
            part = singles[: len(singles) // 4] if conns == 1 else singles[len(singles) // 4:]
            took, statuses = asyncio.run(drive(port, part, conns))
            print(f"single POST, {conns} conn: {len(part) / took:,.0f} requests/s {statuses}")
    finally:
        child.terminate()
        child.join()


if __name__ == "__main__":
    main()
