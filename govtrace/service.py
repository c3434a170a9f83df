"""`govtrace serve`: the API, the sealing/anchoring worker and (by default) a local Anvil."""

from __future__ import annotations

import logging
import signal
import sys
from dataclasses import dataclass
from types import FrameType

import uvicorn

from api.app import create_app
from api.services import Services
from govtrace.chainsetup import ChainContext, open_chain
from govtrace.settings import Settings
from govtrace.worker import Worker
from ledger.store import Database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything `serve` owns; `close()` releases it in reverse order."""

    settings: Settings
    db: Database
    chain: ChainContext
    worker: Worker

    def chain_status(self) -> dict[str, object]:
        # Answered from the worker's last pass: /healthz must never wait on the RPC node.
        status = self.worker.status
        return {
            "chain_id": self.chain.chain.chain_id,
            "contract": self.chain.contract.address,
            "rpc_url": self.chain.chain.url if self.chain.anvil is not None else "configured",
            "reachable": status.last_error is None,
            "last_error": status.last_error,
            "retry_in_seconds": status.backoff_seconds,
            "stalled_provinces": {str(p): r for p, r in status.stalled.items()},
            "worker_passes": status.passes,
        }

    def close(self) -> None:
        self.worker.stop()
        self.chain.close()
        self.db.dispose()


def start_runtime(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_options())
    db.create_schema()
    try:
        chain = open_chain(settings, db)
    except BaseException:
        db.dispose()
        raise
    worker = Worker(db, chain, settings.seal_policy(), interval=settings.seal_interval_seconds,
                    confirmations=settings.confirmations)
    worker.start()
    return Runtime(settings, db, chain, worker)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)


def serve(settings: Settings) -> None:
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler that
    # would end the process before `finally` stops the worker and the embedded Anvil.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    runtime = start_runtime(settings)
    try:
        app = create_app(settings, Services(runtime.db, chain_status=runtime.chain_status),
                         auth_cache_seconds=settings.auth_cache_seconds)
        log.info("govtrace: API on http://%s:%s, chain %s, contract %s", settings.host,
                 settings.port, runtime.chain.chain.chain_id, runtime.chain.contract.address)
        uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port,
                                      log_level="info", access_log=False)).run()
    finally:
        runtime.close()
