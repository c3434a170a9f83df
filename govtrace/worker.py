"""The background worker of `govtrace serve`: seal due batches, then anchor them, forever.

Chain failures never stop ingest or sealing: batches wait as pending anchors and the worker
retries with capped exponential backoff, draining strictly in batch order when the chain
returns.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from anchors.anchorer import Anchorer, AnchorerOptions, PassReport
from anchors.errors import AnchorError
from govtrace.chainsetup import ChainContext
from ledger import anchoring, sealing
from ledger.batch import SealPolicy
from ledger.errors import LedgerError
from ledger.store import Database

log = logging.getLogger(__name__)


@dataclass
class WorkerStatus:
    passes: int = 0
    last_error: str | None = None
    backoff_seconds: float = 0.0
    stalled: dict[int, str] = field(default_factory=dict)


class Worker:
    def __init__(self, db: Database, chain: ChainContext, policy: SealPolicy, *,
                 interval: float = 1.0, confirmations: int = 1,
                 max_backoff: float = 60.0) -> None:
        self.db = db
        self.chain = chain
        self.policy = policy
        self.interval = interval
        self.max_backoff = max_backoff
        self.anchorer = Anchorer(db, chain.contract, chain.province_keys,
                                 AnchorerOptions(confirmations=confirmations))
        self.status = WorkerStatus()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> PassReport:
        """Seal what is due, register new provinces, anchor what is pending."""
        sealing.seal_due(self.db, self.policy)
        for province in {b.province for b in anchoring.unanchored(self.db)}:
            self.chain.ensure_registered(province)
        return self.anchorer.run_pass()

    def _loop(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            try:
                report = self.run_once()
                self.status.stalled = report.stalled
                self.status.last_error = None
                self.status.backoff_seconds = 0.0
                # A stalled province (chain down, tx pending) retries with backoff too.
                delay = (min(self.max_backoff, max(self.interval, delay * 2 or 1.0))
                         if report.stalled else self.interval)
            except (AnchorError, LedgerError, OSError) as exc:
                delay = min(self.max_backoff, max(1.0, delay * 2))
                self.status.last_error = str(exc)
                log.warning("worker pass failed (retry in %.0fs): %s", delay, exc)
            except Exception:
                delay = min(self.max_backoff, max(1.0, delay * 2))
                log.exception("worker pass crashed (retry in %.0fs)", delay)
            self.status.passes += 1
            self.status.backoff_seconds = delay if delay > self.interval else 0.0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="govtrace-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until nothing is pending sealing-by-force or anchoring (used by tools/tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not anchoring.unanchored(self.db, limit=1):
                return True
            time.sleep(0.2)
        return False
