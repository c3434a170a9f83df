"""What the service layer hands the API, and what the API keeps per app instance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from govtrace.settings import Settings
from ledger import timestamps
from ledger.audit_batches import AnchoredRoots
from ledger.store import Database
from ledger.verdict import VerificationReport
from ledger.workcalendar import local_date

from .auth import Authenticator
from .writer import GroupCommitter

#: Returns e.g. {"chain_id": 31337, "contract": "0x…", "reachable": True, "latest_block": 42}.
#: Called on every /healthz, so implementations should answer from a cache, not block on RPC.
ChainStatus = Callable[[], dict[str, object]]
#: Checks an evidence bundle (raw bytes) against the trusted chain and contract, check by
#: check. Blocking (it asks the chain): call it from a worker thread. The API may not import
#: web3, so `govtrace serve` supplies it (govtrace/verification.py:report_bundle).
BundleVerifier = Callable[[bytes], VerificationReport]
#: The anchored roots the tamper audit compares with, or None and why not (blocking: it
#: connects to the chain). Supplied by `govtrace serve` (govtrace/commands/audit.py).
AuditChain = Callable[[], tuple[AnchoredRoots | None, str | None]]
Clock = timestamps.Clock


@dataclass(frozen=True, slots=True)
class Services:
    """Long-lived components owned by the caller of `create_app` (it also closes them)."""

    database: Database
    chain_status: ChainStatus | None = None
    #: None: the verify page runs only the offline checks and says so.
    verify_bundle: BundleVerifier | None = None
    #: None: audits check the database only and report the chain comparison as skipped.
    audit_chain: AuditChain | None = None
    #: What the API takes for "now": records' recorded_at and the future-date check, case
    #: numbers' dates, deadlines, license validity, supervision alerts. The real clock unless
    #: a test or a rehearsal sets one (a live server at a chosen date). Audits keep the real
    #: clock: their times are those of the run itself.
    clock: Clock = timestamps.now


@dataclass(frozen=True, slots=True)
class AppContext:
    """Everything request handlers need, hung off `app.state.govtrace` (no module globals)."""

    settings: Settings
    services: Services
    committer: GroupCommitter
    auth: Authenticator
    clock_skew: timedelta = field(default=timedelta(minutes=5))

    @property
    def db(self) -> Database:
        return self.services.database

    @property
    def clock(self) -> Clock:
        return self.services.clock

    def now(self) -> datetime:
        return self.services.clock()

    def today(self) -> date:
        """The date in China (UTC+8) now: what deadlines and license validity count in."""
        return local_date(self.services.clock())
