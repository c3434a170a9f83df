"""What /healthz says about the chain, read from the workers' heartbeat rows.

Any API process can answer it (the worker may run in another process or on another host) and
it never waits on the RPC node. The chain counts as reachable when the freshest live worker's
last anchoring pass reached it; "live" means a heartbeat within `stale_after` seconds.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger import worker_status
from ledger.store import Database


def chain_status(db: Database, *, stale_after: float = 30.0) -> dict[str, object]:
    now, rows = worker_status.workers(db)
    live = [w for w in rows if now - w.heartbeat_at <= stale_after]
    workers = [{
        "id": w.worker_id, "host": w.host, "pid": w.pid, "provinces": list(w.provinces),
        "heartbeat_age_seconds": round(max(0.0, now - w.heartbeat_at), 1),
        "reachable": w.chain_reachable, "retry_in_seconds": w.backoff_seconds,
        "last_error": w.last_error, "passes": w.passes,
    } for w in live]
    if not live:
        return {"reachable": False, "last_error": f"no worker heartbeat in the last "
                f"{stale_after:.0f} s (is `govtrace worker` or `serve` running?)",
                "workers": [], "stalled_provinces": {}}
    best = next((w for w in live if w.chain_reachable), live[0])
    stalled = {str(p): r for w in live for p, r in w.stalled.items()}
    return {
        "chain_id": best.chain_id, "contract": best.contract,
        "reachable": best.chain_reachable, "last_error": best.last_error,
        "retry_in_seconds": max(w.backoff_seconds for w in live),
        "stalled_provinces": stalled, "worker_passes": sum(w.passes for w in live),
        "workers": workers,
    }


def reader(db: Database, *, stale_after: float = 30.0) -> Callable[[], dict[str, object]]:
    """`chain_status` bound to `db`, as `api.Services.chain_status` wants it."""
    return lambda: chain_status(db, stale_after=stale_after)
