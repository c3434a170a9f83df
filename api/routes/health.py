"""Liveness and readiness in one unauthenticated probe.

200 whenever the database answers, even if the chain does not: records are still accepted
and sealed while the chain is away, and anchoring catches up (the lag shows by how much).
503 only when the database fails, because then the service can do nothing useful.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from ledger import anchoring

from ..deps import DbDep, ServicesDep
from ..openapi import ok
from ..schemas import Health
from ..schemas import examples as ex
from ..services import Services
from . import json_response

router = APIRouter(tags=["health"])
log = logging.getLogger("govtrace.api")


def _chain(services: Services) -> dict[str, Any] | None:
    if services.chain_status is None:
        return None
    try:
        return dict(services.chain_status())
    except Exception as exc:
        # A broken chain client must not make the probe fail: report it instead.
        log.warning("chain status failed: %s", exc, exc_info=exc)
        return {"reachable": False, "error": type(exc).__name__}


@router.get(
    "/healthz", response_model=Health,
    summary="Health: database, anchoring lag per province, chain",
    description="No authentication. 200 while the database answers (status `degraded` when "
                "the chain is unreachable); 503 with status `unavailable` when it does not.",
    responses={200: ok(Health, "Serving.", ex.HEALTH),
               503: {"model": Health, "description": "The database is unavailable.",
                     "content": {"application/json": {"example": {
                         "status": "unavailable",
                         "database": {"ok": False, "detail": "OperationalError"},
                         "anchor_lag": [], "chain": None}}}}},
)
def healthz(db: DbDep, services: ServicesDep) -> Response:
    try:
        # Doubles as the database probe: it reads the batch and anchor tables.
        lag = [{"province": lag.province, "unanchored_batches": lag.unanchored_batches,
                "unanchored_records": lag.unanchored_records,
                "oldest_sealed_at": lag.oldest_sealed_at} for lag in anchoring.lag(db)]
        database: dict[str, Any] = {"ok": True}
    except Exception as exc:
        log.error("health check: database failed: %s", exc)
        lag, database = [], {"ok": False, "detail": type(exc).__name__}
    chain = _chain(services)
    if not database["ok"]:
        status = "unavailable"
    elif chain is not None and chain.get("reachable") is False:
        status = "degraded"
    else:
        status = "ok"
    return json_response({"status": status, "database": database, "anchor_lag": lag,
                          "chain": chain}, 503 if status == "unavailable" else 200,
                         {"Cache-Control": "no-store"})

