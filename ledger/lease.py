"""Leases: exactly one worker seals and anchors a province at a time, with takeover.

A lease is a row (name, holder, token, expires_at). A worker takes a free or expired lease,
renews its own before it runs out, and releases it on a clean shutdown. A holder that dies
stops renewing; once its lease expires (ttl seconds after the last renewal) another worker
takes it over and the fencing token grows by one.

The lease is about liveness and tidiness (no two workers racing for the same province's
nonce), not about correctness: sealing locks the province head row and the contract accepts
each batch number once, so even two workers that both believe they hold a lease (a holder
frozen for longer than its ttl) cannot seal or anchor a batch twice.

Rows are read with SELECT ... FOR UPDATE (PostgreSQL) or under SQLite's write lock, and times
come from the database's clock, so workers on different hosts agree on expiry.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from .errors import StorageError
from .store import Database
from .store.ops_schema import LeaseRow


@dataclass(frozen=True, slots=True)
class Lease:
    name: str
    holder: str
    token: int
    acquired_at: float
    expires_at: float

    @classmethod
    def from_row(cls, row: LeaseRow) -> Lease:
        return cls(row.name, row.holder, row.token, row.acquired_at, row.expires_at)


def province_lease(province: int) -> str:
    return f"province:{province}"


def acquire(db: Database, names: Collection[str], holder: str, ttl: float) -> dict[str, Lease]:
    """Take, take over or renew each of `names` for `holder` for `ttl` seconds, in one
    transaction (one write per pass, however many provinces).

    Returns the leases `holder` holds afterwards; a name whose lease another holder still
    has is left out. When two workers create the same new row at once, the loser gets {}
    this time and succeeds or defers on its next call.
    """
    if ttl <= 0:
        raise ValueError("ttl must be positive")
    wanted = sorted(set(names))  # one lock order for every worker: no deadlocks
    if not wanted:
        return {}
    try:
        with db.transaction() as s:
            rows = {r.name: r for r in s.scalars(
                select(LeaseRow).where(LeaseRow.name.in_(wanted))
                .order_by(LeaseRow.name).with_for_update())}
            now = db.clock(s)
            held: dict[str, Lease] = {}
            for name in wanted:
                row = rows.get(name)
                if row is None:
                    row = LeaseRow(name=name, holder=holder, token=1, acquired_at=now,
                                   expires_at=now + ttl)
                    s.add(row)
                elif row.holder == holder and row.expires_at > now:
                    row.expires_at = now + ttl
                elif row.expires_at <= now:
                    # Expired or released: a new era begins (even if it is us again).
                    row.holder, row.token = holder, row.token + 1
                    row.acquired_at, row.expires_at = now, now + ttl
                else:
                    continue
                held[name] = Lease(name, holder, row.token, row.acquired_at, row.expires_at)
            s.flush()
            return held
    except IntegrityError:
        return {}
    except OperationalError as exc:
        raise StorageError(f"database unavailable: {exc.orig}") from exc


def release(db: Database, names: Collection[str], holder: str) -> int:
    """Give up `names` now (clean shutdown) so another worker need not wait for expiry."""
    if not names:
        return 0
    try:
        with db.transaction() as s:
            result = s.execute(update(LeaseRow)
                               .where(LeaseRow.name.in_(sorted(names)),
                                      LeaseRow.holder == holder)
                               .values(expires_at=0.0))
            return int(getattr(result, "rowcount", 0) or 0)
    except OperationalError as exc:
        raise StorageError(f"database unavailable: {exc.orig}") from exc


def current(db: Database) -> list[Lease]:
    """Every lease row (live or expired), by name."""
    with db.snapshot() as s:
        return [Lease.from_row(r) for r in s.scalars(select(LeaseRow).order_by(LeaseRow.name))]


__all__ = ["Lease", "acquire", "current", "province_lease", "release"]
