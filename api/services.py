"""What the service layer hands the API, and what the API keeps per app instance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from govtrace.settings import Settings
from ledger.store import Database

from .auth import Authenticator
from .writer import GroupCommitter

#: Returns e.g. {"chain_id": 31337, "contract": "0x…", "reachable": True, "latest_block": 42}.
#: Called on every /healthz, so implementations should answer from a cache, not block on RPC.
ChainStatus = Callable[[], dict[str, object]]


@dataclass(frozen=True, slots=True)
class Services:
    """Long-lived components owned by the caller of `create_app` (it also closes them)."""

    database: Database
    chain_status: ChainStatus | None = None


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
