"""Tables of the running service, not of the evidence: who holds which lease, which workers
are alive and how they fare. Losing these rows loses no record, batch or anchor."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .schema import Base


class LeaseRow(Base):
    """A named, expiring lock held by one worker (e.g. `province:310000`).

    `token` grows by one whenever the lease changes hands (a fencing token); times are
    seconds since the epoch by the database's clock (see `Database.clock`).
    """

    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    token: Mapped[int] = mapped_column(BigInteger)
    acquired_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


class WorkerRow(Base):
    """The last heartbeat of a sealing/anchoring worker, for /healthz and /metrics."""

    __tablename__ = "worker"

    worker_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(String(128))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[float] = mapped_column(Float)
    heartbeat_at: Mapped[float] = mapped_column(Float)
    passes: Mapped[int] = mapped_column(BigInteger)
    chain_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    contract: Mapped[str | None] = mapped_column(String(42), nullable=True)
    chain_reachable: Mapped[bool] = mapped_column(Boolean)
    backoff_seconds: Mapped[float] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    #: "310000=reason;320000=reason" for provinces whose anchoring stopped in the last pass.
    stalled: Mapped[str] = mapped_column(String(4096))
    #: Comma-separated provinces this worker held leases for in its last pass.
    provinces: Mapped[str] = mapped_column(String(1024))
