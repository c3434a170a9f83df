"""Long-running processes: `govtrace serve` (API + worker + by default a local Anvil),
`govtrace api` (API only) and `govtrace worker` (sealing/anchoring only).

Topologies:
- one host, one process: `govtrace serve` (the default; SQLite is fine);
- one host, several API processes: `govtrace serve --workers N` (uvicorn worker processes;
  the sealing/anchoring worker runs once, in the parent);
- several hosts: `govtrace api --workers N` on each, plus `govtrace worker` on one or more
  (PostgreSQL and an external chain). Province leases keep exactly one worker per province.

Every process that opens the database first migrates it (ledger/store/migrate.py).
/healthz reads the workers' heartbeat rows (govtrace/status.py), so any API process answers
for any worker.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from anchors.errors import AnchorError
from api.app import create_app
from api.services import Services
from govtrace import status
from govtrace.chainsetup import open_chain
from govtrace.commands.audit import served_chain_roots
from govtrace.settings import Settings
from govtrace.verification import trusted_verifier
from govtrace.worker import Worker, WorkerOptions
from ledger import timestamps
from ledger.store import Database, migrate
from ledger.supervision import refresh
from ledger.workcalendar import Calendar

log = logging.getLogger(__name__)
#: Settings the API processes do not need and that must not spread through environments.
_SECRET_FIELDS = frozenset({"admin_key", "province_keys"})


def open_database(settings: Settings) -> Database:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return migrate.open_migrated(settings.database_options())


def make_worker(settings: Settings, db: Database) -> Worker:
    calendar, config = Calendar.load(settings.holiday_calendar), settings.supervision_config()
    return Worker(db, settings.seal_policy(), lambda: open_chain(settings, db),
                  WorkerOptions.from_settings(settings),
                  supervise=lambda: refresh.sweep(db, calendar, config, timestamps.now()))


def make_app(settings: Settings, db: Database) -> FastAPI:
    services = Services(db, chain_status=status.reader(db, stale_after=settings.lease_ttl_seconds),
                        verify_bundle=trusted_verifier(settings, db),
                        audit_chain=served_chain_roots(settings, db))
    return create_app(settings, services, auth_cache_seconds=settings.auth_cache_seconds,
                      server=True)


@dataclass
class Runtime:
    """Everything `serve` owns; `close()` releases it in reverse order."""

    settings: Settings
    db: Database
    worker: Worker

    def close(self) -> None:
        self.worker.stop()  # also releases its leases and stops the embedded Anvil
        self.db.dispose()


def start_runtime(settings: Settings) -> Runtime:
    db = open_database(settings)
    worker = make_worker(settings, db)
    try:
        # Connect now so that start-up problems show at once; an external chain that is
        # down is not fatal: ingest and sealing go on, the worker connects when it returns.
        worker.connect()
    except AnchorError as exc:
        if settings.rpc_url is None:
            db.dispose()
            raise
        log.warning("chain not reachable yet (%s); anchoring starts when it is", exc)
    except BaseException:
        db.dispose()
        raise
    worker.start()
    return Runtime(settings, db, worker)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)


def settings_env(settings: Settings) -> dict[str, str]:
    """GOVTRACE_* variables that rebuild `settings` (minus secrets) in a child process."""
    env: dict[str, str] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None or name in _SECRET_FIELDS:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"GOVTRACE_{name.upper()}"] = str(value.resolve() if isinstance(value, Path)
                                              else value)
    env["GOVTRACE_DATABASE_URL"] = settings.database_options().url
    return env


#: Set by the process that runs uvicorn's supervisor, read by its API worker processes.
_SUPERVISOR_PID = "GOVTRACE_SUPERVISOR_PID"
_PR_SET_PDEATHSIG = 1


def die_with_supervisor() -> None:
    """In an API worker process: have the kernel send it SIGTERM when the supervisor dies.

    uvicorn's workers outlive a SIGKILLed `govtrace serve --workers N`: they keep the port
    and take writes that no sealing worker will ever anchor, and a restart cannot bind.
    The supervisor spawns (and respawns) workers from its main thread, which lives as long as
    it does, so the parent-death signal fires exactly when the supervisor is gone. If it died
    before the request took effect, the worker has been re-parented already: stop now."""
    supervisor = os.environ.get(_SUPERVISOR_PID)
    if supervisor is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        log.warning("API worker %d: no parent-death signal (errno %d)", os.getpid(),
                    ctypes.get_errno())
        return
    if os.getppid() != int(supervisor):
        os.kill(os.getpid(), signal.SIGTERM)


def api_app() -> FastAPI:
    """uvicorn factory of each API worker process (settings come from GOVTRACE_* variables)."""
    die_with_supervisor()
    settings = Settings()
    return make_app(settings, Database(settings.database_options()))


def run_api(settings: Settings, db: Database) -> None:
    """Serve HTTP until SIGINT/SIGTERM: in this process, or in `api_workers` processes."""
    if settings.api_workers == 1:
        uvicorn.Server(uvicorn.Config(make_app(settings, db), host=settings.host,
                                      port=settings.port, log_level="info",
                                      access_log=False)).run()
        return
    os.environ.update(settings_env(settings))
    os.environ[_SUPERVISOR_PID] = str(os.getpid())
    uvicorn.run("govtrace.service:api_app", factory=True, workers=settings.api_workers,
                host=settings.host, port=settings.port, log_level="info", access_log=False)


def serve(settings: Settings) -> None:
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler that
    # would end the process before `finally` stops the worker and the embedded Anvil.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    runtime = start_runtime(settings)
    try:
        chain = runtime.worker.chain
        log.info("govtrace: API on http://%s:%s (%d process(es)), chain %s, contract %s",
                 settings.host, settings.port, settings.api_workers,
                 chain and chain.chain.chain_id, chain and chain.contract.address)
        run_api(settings, runtime.db)
    finally:
        runtime.close()


def api(settings: Settings) -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    db = open_database(settings)
    try:
        run_api(settings, db)
    finally:
        db.dispose()


def worker(settings: Settings) -> None:
    db = open_database(settings)
    runner = make_worker(settings, db)
    # Stop after the current pass, then hand the leases over (Worker.close).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: runner.request_stop())
    signal.signal(signal.SIGINT, lambda _signum, _frame: runner.request_stop())
    log.info("govtrace worker %s: sealing and anchoring", runner.worker_id)
    try:
        runner.run_forever()
    finally:
        db.dispose()
