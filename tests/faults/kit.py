"""Real components for the fault tests: a deployed contract on a real Anvil, govtrace
processes (`serve`, `api`, `worker`) run as children in their own process groups so a test
can SIGKILL them whole, and record factories. No mocks: faults are real kills, real node
stops and real RPC errors (tests/faults/rpcproxy.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select

from anchors.anvil import dev_account
from anchors.chain import Chain, ChainOptions
from anchors.contract import AnchorContract
from ledger import anchoring, ingest
from ledger.draft import RecordDraft
from ledger.store import Database, DatabaseOptions, migrate
from ledger.store.schema import AnchorRow, BatchRow

GOVTRACE = str(Path(sys.executable).parent / "govtrace")
FAST = ChainOptions(poll_interval=0.05, timeout=20.0)
PROVINCES = (310000, 320000, 330000)


@dataclass
class Deployment:
    """A GovtraceAnchor deployed for one test; provinces get fresh keys (zero-gas chains:
    unfunded keys prove that fees really are zero)."""

    url: str
    contract: AnchorContract
    admin: LocalAccount
    keys: dict[int, LocalAccount]

    @classmethod
    def create(cls, url: str, *, funded: bool = True) -> Deployment:
        chain = Chain(url, FAST)
        admin = dev_account(0)
        contract = AnchorContract.deploy(chain, admin)
        keys = {p: (dev_account(i + 1) if funded else Account.create())
                for i, p in enumerate(PROVINCES)}
        return cls(url, contract, admin, keys)

    def env(self, rpc_url: str | None = None) -> dict[str, str]:
        return {
            "GOVTRACE_RPC_URL": rpc_url or self.url,
            "GOVTRACE_CONTRACT_ADDRESS": self.contract.address,
            "GOVTRACE_ADMIN_KEY": self.admin.key.hex(),
            "GOVTRACE_PROVINCE_KEYS": ",".join(f"{p}={k.key.hex()}" for p, k in self.keys.items()),
        }

    def sent(self, province: int) -> int:
        """Transactions the province's key has had mined (its nonce)."""
        return int(self.contract.chain.w3.eth.get_transaction_count(self.keys[province].address))


def base_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """Fast sealing and short backoff and leases, so faults show and heal within seconds."""
    return {
        "GOVTRACE_DATA_DIR": str(data_dir), "GOVTRACE_DATABASE_URL": database_url,
        "GOVTRACE_SEAL_MAX_AGE_SECONDS": "0.5", "GOVTRACE_SEAL_INTERVAL_SECONDS": "0.2",
        "GOVTRACE_SEAL_MAX_RECORDS": "50", "GOVTRACE_ANCHOR_MAX_BACKOFF_SECONDS": "2",
        "GOVTRACE_LEASE_TTL_SECONDS": "3", "GOVTRACE_ANCHOR_TIMEOUT_SECONDS": "10",
        **{f"GOVTRACE_{k.upper()}": v for k, v in extra.items()},
    }


@dataclass
class Proc:
    """One `govtrace ...` child in its own process group (uvicorn workers included)."""

    args: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> Proc:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([GOVTRACE, *self.args], env={**os.environ, **self.env},
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL the whole group: no shutdown code runs, like a power cut."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.running:
            assert self.proc is not None
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


#: The `spawn` fixture (tests/faults/conftest.py): start a Proc, stopped at teardown.
Spawn = Callable[[list[str], dict[str, str], Path], Proc]


def wait_until(what: str, predicate: Callable[[], Any], timeout: float = 60.0,
               proc: Proc | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and not proc.running:
            raise AssertionError(f"{what}: process exited\n{proc.tail()}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{proc.tail()}" if proc else ""))


def wait_http(url: str, proc: Proc, timeout: float = 60.0) -> None:
    def up() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code in (200, 503)
        except httpx.TransportError:
            return False
    wait_until(f"{url} to answer", up, timeout, proc)


def migrated(url: str) -> Database:
    db = Database(DatabaseOptions(url=url))
    migrate.upgrade(db)
    return db


def draft_json(province: int, n: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": str(uuid.uuid4()), "province": province, "kind": "case.submitted",
        "subject": {"type": "case", "id": f"{province}-F-{uuid.uuid4().hex[:12]}"},
        # The ledger's own rendering (UTC, microseconds), so stored and sent compare equal.
        "occurred_at": "2026-11-25T01:30:00.000000Z",
        "actor": {"department": f"D{province}", "officer": f"E{n % 17}"},
        "payload": {"n": n, "备注": "跨省通办"},
    }
    body.update(overrides)
    return body


def write(db: Database, province: int, count: int) -> list[str]:
    drafts = [RecordDraft.from_json(draft_json(province, i)) for i in range(count)]
    return [a.record.record_id for a in ingest.append(db, drafts)]


def all_anchored(db: Database) -> bool:
    return not anchoring.unanchored(db, limit=1)


def covered(db: Database) -> int:
    """Records inside batches whose anchor is confirmed (cheap; ledger_check does it all)."""
    with db.snapshot() as s:
        return int(s.scalar(select(func.coalesce(func.sum(BatchRow.size), 0)).join(
            AnchorRow, (AnchorRow.province == BatchRow.province)
            & (AnchorRow.batch_no == BatchRow.batch_no))
            .where(AnchorRow.status == anchoring.CONFIRMED)) or 0)

