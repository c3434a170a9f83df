"""HTTP clients for the fault tests and the soak: write records, remember exactly which were
acknowledged (2xx) and which are in doubt (error, timeout, connection lost), and retry the
doubtful ones with the same record id and content until the ledger has converged."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.faults.kit import draft_json


@dataclass
class Ledger:
    """What the clients know: acknowledged records and records whose fate is unknown."""

    acked: dict[str, dict[str, Any]] = field(default_factory=dict)
    doubtful: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, records: list[dict[str, Any]]) -> None:
        with self.lock:
            for r in records:
                self.acked[r["record_id"]] = r
                self.doubtful.pop(r["record_id"], None)

    def doubt(self, records: list[dict[str, Any]]) -> None:
        with self.lock:
            for r in records:
                if r["record_id"] not in self.acked:
                    self.doubtful[r["record_id"]] = r


def post(http: httpx.Client, token: str, records: list[dict[str, Any]]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if len(records) == 1:
        return http.post("/v1/records", json=records[0], headers=headers)
    return http.post("/v1/records:batch", json={"records": records}, headers=headers)


def write(url: str, token: str, province: int, ledger: Ledger, count: int, *,
          per_request: int = 1, start: int = 0, give_up: bool = False,
          stop: threading.Event | None = None) -> None:
    """Write `count` records; every outcome lands in `ledger`. Raises nothing.

    `give_up`: return at the first transport error (the server died; what was in flight is
    doubtful). `stop`: return when set."""
    with httpx.Client(base_url=url, timeout=15) as http:
        for i in range(start, start + count, per_request):
            if stop is not None and stop.is_set():
                return
            records = [draft_json(province, j) for j in range(i, min(i + per_request,
                                                                     start + count))]
            try:
                response = post(http, token, records)
            except httpx.HTTPError:
                ledger.doubt(records)
                if give_up:
                    return
                continue
            if response.status_code in (200, 201):
                ledger.ack(records)
            else:
                ledger.doubt(records)


def converge(url: str, tokens: dict[int, str], ledger: Ledger, attempts: int = 5) -> None:
    """Retry every doubtful record as is: each must end up acknowledged (200 or 201)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(attempts):
            for record in list(ledger.doubtful.values()):
                try:
                    response = post(http, tokens[record["province"]], [record])
                except httpx.HTTPError:
                    continue
                if response.status_code in (200, 201):
                    ledger.ack([record])
            if not ledger.doubtful:
                return
    raise AssertionError(f"{len(ledger.doubtful)} records never converged")
