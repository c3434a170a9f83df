"""The sealing/anchoring worker of `govtrace serve` and `govtrace worker`.

Every `interval` seconds a pass: renew the province leases (exactly one worker seals and
anchors a province; see ledger/lease.py), seal the batches that are due, and, unless anchoring
is backing off, anchor them. Chain failures never stop sealing: batches wait as pending
anchors, and anchoring retries after 1, 2, 4 ... seconds (capped), draining each province
strictly in batch order when the chain returns. The chain is connected lazily, so a worker
(and the API beside it) starts even while the chain is down. Each pass ends with a heartbeat
row that /healthz and /metrics read, whichever process serves them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from anchors.anchorer import Anchorer, AnchorerOptions, PassReport
from anchors.errors import AnchorError
from govtrace import faults
from govtrace.chainsetup import ChainContext
from govtrace.settings import Settings
from ledger import anchoring, lease, sealing, worker_status
from ledger.batch import SealPolicy
from ledger.errors import LedgerError
from ledger.store import Database
from ledger.store.schema import ProvinceHeadRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    interval: float = 1.0
    confirmations: int = 1
    receipt_timeout: float = 60.0
    min_backoff: float = 1.0
    max_backoff: float = 60.0
    lease_ttl: float = 30.0
    reorg_window: int = 64
    fault: str | None = None
    #: Provinces this worker may take (those it holds anchoring keys for); None: any.
    provinces: frozenset[int] | None = None

    @classmethod
    def from_settings(cls, s: Settings) -> WorkerOptions:
        return cls(interval=s.seal_interval_seconds, confirmations=s.confirmations,
                   receipt_timeout=s.anchor_timeout_seconds,
                   max_backoff=s.anchor_max_backoff_seconds, lease_ttl=s.lease_ttl_seconds,
                   reorg_window=s.reorg_window_blocks, fault=s.fault,
                   provinces=frozenset(s.province_key_map()) or None)


@dataclass
class WorkerStatus:
    passes: int = 0
    #: Anchoring passes attempted (the others were skipped while backing off).
    anchor_attempts: int = 0
    last_error: str | None = None
    backoff_seconds: float = 0.0
    chain_reachable: bool = False
    stalled: dict[int, str] = field(default_factory=dict)
    provinces: tuple[int, ...] = ()


class Worker:
    def __init__(self, db: Database, policy: SealPolicy, connect: Callable[[], ChainContext],
                 options: WorkerOptions | None = None, *, worker_id: str | None = None,
                 supervise: Callable[[], object] | None = None) -> None:
        self.db = db
        self.policy = policy
        self.options = options or WorkerOptions()
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.status = WorkerStatus()
        self.chain: ChainContext | None = None
        self._connect = connect
        #: The supervision sweep (ledger/supervision/refresh.py), run once per pass.
        self._supervise = supervise
        self._step = faults.crash_hook(self.options.fault)
        self._started = time.time()
        self._leases: dict[int, float] = {}  # province -> monotonic time our lease runs out
        self._renewed = float("-inf")
        self._backoff = 0.0
        self._next_anchor = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one pass -------------------------------------------------------------------------

    def run_once(self) -> PassReport:
        """One full pass now, ignoring any backoff (the `govtrace anchor` command). Connects
        first, so that a first run deploys (or checks) the contract even with nothing to do."""
        self.connect()
        provinces = self._claim(force=True)
        self._seal(provinces)
        report = self._anchor(provinces)
        self._heartbeat()
        return report

    def tick(self) -> None:
        """One loop iteration: claim, seal, and anchor unless backing off."""
        try:
            provinces = self._claim()
            self._seal(provinces)
        except (LedgerError, SQLAlchemyError) as exc:
            self.status.last_error = f"database: {exc}"
            log.warning("worker pass failed: %s", exc)
            return  # without the database there is nothing to do (nor a heartbeat to write)
        self._sweep()
        if time.monotonic() >= self._next_anchor:
            self.status.anchor_attempts += 1
            try:
                report = self._anchor(provinces)
                failed = bool(report.stalled)
                self.status.last_error = None
            except (AnchorError, LedgerError, SQLAlchemyError, OSError) as exc:
                failed, self.status.last_error = True, str(exc)
                log.warning("anchoring pass failed: %s", exc)
            except Exception as exc:  # a bug must not end the loop; it is logged in full
                failed, self.status.last_error = True, f"{type(exc).__name__}: {exc}"
                log.exception("anchoring pass crashed")
            if failed:
                self._backoff = min(self.options.max_backoff,
                                    max(self.options.min_backoff, self._backoff * 2))
            else:
                self._backoff = 0.0
            self._next_anchor = time.monotonic() + self._backoff
        self.status.backoff_seconds = self._backoff
        self.status.passes += 1
        try:
            self._heartbeat()
        except (LedgerError, SQLAlchemyError) as exc:
            log.warning("heartbeat failed: %s", exc)

    def _sweep(self) -> None:
        """Supervision alerts whose clock ran out; a failure is logged and never stops
        sealing or anchoring (the alerts catch up on the next pass or on read)."""
        if self._supervise is None:
            return
        try:
            self._supervise()
        except (LedgerError, SQLAlchemyError) as exc:
            log.warning("supervision sweep failed: %s", exc)

    def _claim(self, *, force: bool = False) -> set[int]:
        """Renew our leases and try for every other known province, every ttl/3 seconds."""
        now = time.monotonic()
        if force or now - self._renewed >= self.options.lease_ttl / 3:
            with self.db.snapshot() as s:
                known = set(s.scalars(select(ProvinceHeadRow.province)))
            if self.options.provinces is not None:
                # A province is left to the workers that hold its key: taking its lease
                # without one would stall it for everybody.
                known &= self.options.provinces
            held = lease.acquire(self.db, [lease.province_lease(p) for p in known],
                                 self.worker_id, self.options.lease_ttl)
            self._renewed = now
            self._leases = {int(name.split(":")[1]): now + self.options.lease_ttl
                            for name in held}
            self.status.provinces = tuple(sorted(self._leases))
        return {p for p, until in self._leases.items() if until > now}

    def may_send(self, province: int) -> bool:
        """Held, with a margin: a send must not start in the last third of the lease.

        Renews first when due, since one pass may wait on several receipts."""
        self._claim()
        until = self._leases.get(province)
        return until is not None and until - time.monotonic() > self.options.lease_ttl / 3

    def _seal(self, provinces: set[int]) -> None:
        if provinces and sealing.seal_due(self.db, self.policy, provinces=provinces):
            self._step("after-seal")

    def _anchor(self, provinces: set[int]) -> PassReport:
        if not provinces:
            return PassReport()
        chain = self.connect()
        for province in sorted({b.province for b in anchoring.unanchored(self.db)}
                               & provinces):
            chain.ensure_registered(province)
        report = self._anchorer(chain).run_pass(provinces)
        self.status.stalled = report.stalled
        self.status.chain_reachable = True
        return report

    def connect(self) -> ChainContext:
        """The chain context, connecting (or starting the embedded Anvil) on first use."""
        if self.chain is None:
            self.status.chain_reachable = False
            self.chain = self._connect()
        return self.chain

    def _anchorer(self, chain: ChainContext) -> Anchorer:
        # One receipt wait never outlasts a lease renewal period; an unconfirmed tx stays
        # recorded and the next pass goes on waiting for it.
        options = AnchorerOptions(confirmations=self.options.confirmations,
                                  receipt_timeout=min(self.options.receipt_timeout,
                                                      self.options.lease_ttl / 3),
                                  reorg_window=self.options.reorg_window)
        return Anchorer(self.db, chain.contract, chain.province_keys, options,
                        on_step=self._step, may_send=self.may_send)

    def _heartbeat(self) -> None:
        chain = self.chain
        worker_status.heartbeat(self.db, worker_status.WorkerState(
            worker_id=self.worker_id, host=socket.gethostname(), pid=os.getpid(),
            started_at=self._started, passes=self.status.passes,
            chain_id=None if chain is None else chain.chain.chain_id,
            contract=None if chain is None else chain.contract.address,
            chain_reachable=self.status.last_error is None and chain is not None,
            backoff_seconds=self.status.backoff_seconds, last_error=self.status.last_error,
            stalled=dict(self.status.stalled), provinces=self.status.provinces))

    # --- the loop -------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except Exception:  # a bug in one pass must not end the worker; logged in full
                log.exception("worker pass crashed")
            self._stop.wait(max(0.0, self.options.interval - (time.monotonic() - started)))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="govtrace-worker", daemon=True)
        self._thread.start()

    def run_forever(self) -> None:
        """The loop in the calling thread, until `stop()` (from a signal handler)."""
        try:
            self._loop()
        finally:
            self.close()

    def request_stop(self) -> None:
        """Ask the loop to end after the current pass (safe from a signal handler)."""
        self._stop.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
            self.close()

    def close(self) -> None:
        """Hand the provinces over at once (no ttl wait), forget our heartbeat, stop Anvil."""
        try:
            lease.release(self.db, [lease.province_lease(p) for p in self._leases],
                          self.worker_id)
            worker_status.remove(self.db, self.worker_id)
        except (LedgerError, SQLAlchemyError) as exc:
            log.warning("could not release leases: %s", exc)
        self._leases = {}
        if self.chain is not None:
            self.chain.close()
            self.chain = None

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until nothing is pending anchoring (used by tools/tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not anchoring.unanchored(self.db, limit=1):
                return True
            time.sleep(0.2)
        return False

