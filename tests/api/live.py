"""Test kit: a real govtrace API under uvicorn on 127.0.0.1, backed by a real SQLite file,
plus record and problem helpers. Keys are created directly in the database with
`ledger.keys.create`, as an administrator would.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import func, select

from api import Services, create_app
from govtrace.settings import Settings
from ledger import keys, timestamps
from ledger.store import Database
from ledger.store.schema import RecordRow

SH, JS, GD = 310000, 320000, 440000
BODY_LIMIT = 1024 * 1024
BATCH_LIMIT = 1000


@dataclass
class Live:
    url: str
    db: Database
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str | None = "op_sh", **headers: str) -> httpx.Client:
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def count(self, province: int | None = None) -> int:
        with self.db.snapshot() as s:
            q = select(func.count()).select_from(RecordRow)
            if province is not None:
                q = q.where(RecordRow.province == province)
            return int(s.scalar(q) or 0)


@contextmanager
def live_server(data_dir: Path, *, schema: bool = True,
                chain_status: Callable[[], dict[str, object]] | None = None,
                auth_cache_seconds: float = 1.0, clock: timestamps.Clock = timestamps.now,
                **overrides: Any) -> Iterator[Live]:
    """`clock`: what the app takes for now (default: the real clock)."""
    settings = Settings(data_dir=data_dir, max_body_bytes=BODY_LIMIT,
                        max_batch_records=BATCH_LIMIT, **overrides)
    db = Database(settings.database_options())
    if schema:
        db.create_schema()
    app = create_app(settings, Services(db, chain_status=chain_status, clock=clock),
                     auth_cache_seconds=auth_cache_seconds)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.005)
    try:
        yield Live(f"http://127.0.0.1:{sock.getsockname()[1]}", db, settings)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        db.dispose()


def issue_keys(live: Live) -> None:
    for name, role, province in [("op_sh", "operator", SH), ("op_js", "operator", JS),
                                 ("supervisor", "supervisor", None), ("admin", "admin", None),
                                 ("partner", "partner", GD)]:
        live.tokens[name], _ = keys.create(live.db, role, province=province, label=name)


def record(province: int = SH, **overrides: Any) -> dict[str, Any]:
    """A fresh valid record draft (new id, new subject) with `overrides` applied."""
    prefix = {SH: "SH", JS: "JS", GD: "GD"}.get(province, "XX")
    draft: dict[str, Any] = {
        "record_id": str(uuid.uuid4()),
        "province": province,
        "kind": "case.accepted",
        "subject": {"type": "case", "id": f"{prefix}-{uuid.uuid4().hex[:16]}"},
        "occurred_at": "2026-11-25T08:00:00+08:00",
        "actor": {"department": f"{prefix}-GA", "officer": "E1043"},
        "payload": {"service": "户籍迁移", "channel": "跨省通办", "step": 1},
    }
    draft.update(overrides)
    return draft


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem of type `code`; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://govtrace.dev/problems/{code}", body
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["instance"] == response.request.url.path
    return body
