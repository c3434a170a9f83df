"""Heartbeats of sealing/anchoring workers, so any API process (or host) can report on them.

Each worker writes one row per pass; `/healthz` and `/metrics` read the rows instead of
asking the worker, which may live in another process or on another host.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select

from .store import Database
from .store.ops_schema import WorkerRow

#: Rows of workers silent for this long are deleted by the next heartbeat of any worker.
FORGET_AFTER_SECONDS = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class WorkerState:
    worker_id: str
    host: str
    pid: int
    started_at: float
    heartbeat_at: float = 0.0
    passes: int = 0
    chain_id: int | None = None
    contract: str | None = None
    chain_reachable: bool = False
    backoff_seconds: float = 0.0
    last_error: str | None = None
    stalled: dict[int, str] = field(default_factory=dict)
    provinces: tuple[int, ...] = ()

    @classmethod
    def from_row(cls, r: WorkerRow) -> WorkerState:
        stalled: dict[int, str] = {}
        for entry in filter(None, r.stalled.split(";")):
            code, _, reason = entry.partition("=")
            stalled[int(code)] = reason
        provinces = tuple(int(p) for p in r.provinces.split(",") if p)
        return cls(r.worker_id, r.host, r.pid, r.started_at, r.heartbeat_at, r.passes,
                   r.chain_id, r.contract, r.chain_reachable, r.backoff_seconds, r.last_error,
                   stalled, provinces)


def _clip(text: str | None, limit: int) -> str | None:
    return None if text is None else text[:limit]


def heartbeat(db: Database, state: WorkerState) -> float:
    """Store `state` stamped with the database clock; returns that time."""
    with db.transaction() as s:
        now = db.clock(s)
        row = s.get(WorkerRow, state.worker_id)
        if row is None:
            row = WorkerRow(worker_id=state.worker_id)
            s.add(row)
        row.host, row.pid, row.started_at = state.host[:128], state.pid, state.started_at
        row.heartbeat_at, row.passes = now, state.passes
        row.chain_id, row.contract = state.chain_id, state.contract
        row.chain_reachable, row.backoff_seconds = state.chain_reachable, state.backoff_seconds
        row.last_error = _clip(state.last_error, 1024)
        # Reasons lose their separators so the row parses back; long ones are cut.
        row.stalled = ";".join(f"{p}={r.replace(';', ',')[:300]}"
                               for p, r in sorted(state.stalled.items()))[:4096]
        row.provinces = ",".join(str(p) for p in sorted(state.provinces))[:1024]
        s.execute(delete(WorkerRow).where(WorkerRow.heartbeat_at < now - FORGET_AFTER_SECONDS))
        return now


def remove(db: Database, worker_id: str) -> None:
    with db.transaction() as s:
        s.execute(delete(WorkerRow).where(WorkerRow.worker_id == worker_id))


def workers(db: Database) -> tuple[float, list[WorkerState]]:
    """(the database clock now, every worker row, freshest heartbeat first)."""
    with db.snapshot() as s:
        now = db.clock(s)
        rows = s.scalars(select(WorkerRow).order_by(WorkerRow.heartbeat_at.desc()))
        return now, [WorkerState.from_row(r) for r in rows]


__all__ = ["WorkerState", "heartbeat", "remove", "workers"]
