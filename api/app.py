"""The application factory. No state exists at import time (routers are declarations only):
`create_app` wires settings and services into `app.state.govtrace`, where the dependencies in
api/deps.py find them, so any number of apps (tests, several databases) share a process.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib import metadata
from typing import Any

from fastapi import FastAPI

from govtrace.settings import Settings

from . import casework, pages, problems
from .auth import DEFAULT_TTL, Authenticator
from .middleware import BodyLimitMiddleware
from .openapi import complete_schema
from .routes import batches, health, metrics, records, supervision, supervision_audit
from .services import AppContext, Services
from .writer import GroupCommitter

DESCRIPTION = """\
Blockchain-anchored audit ledger for cross-province government services.

Province systems append **records** (case steps, license events). Records are hashed into
RFC 9162 Merkle **batches** per province; batch roots are **anchored** on an EVM chain; an
**evidence bundle** lets anyone check a record against the chain.

Authenticate with `Authorization: Bearer gt_…`. Errors are RFC 9457 problem details
(`application/problem+json`) whose `type` is `https://govtrace.dev/problems/<code>`.
"""


def _version() -> str:
    try:
        return metadata.version("govtrace")
    except metadata.PackageNotFoundError:  # running from a checkout without installing
        return "0+unknown"


class GovtraceAPI(FastAPI):
    """FastAPI plus the schemas FastAPI cannot infer (raw-parsed request bodies, problems)."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            ctx = self.state.govtrace
            assert isinstance(ctx, AppContext)
            complete_schema(super().openapi(), ctx.settings)
        assert self.openapi_schema is not None
        return self.openapi_schema


@asynccontextmanager
async def _frozen_heap(_app: FastAPI) -> AsyncIterator[None]:
    """Move everything alive at start-up out of the cyclic GC's sight (`gc.freeze`).

    The imported modules, SQLAlchemy metadata, FastAPI routes and OpenAPI models are
    hundreds of thousands of objects that live as long as the process; each full collection
    walked them all, a 40-60 ms pause roughly once a second under load that stalled every
    request in flight (the single-POST p99; docs/performance.md). Only for server processes:
    frozen objects are never collected, which a test process creating many apps would leak.
    """
    gc.collect()
    gc.freeze()
    yield


def create_app(settings: Settings, services: Services, *,
               auth_cache_seconds: float = DEFAULT_TTL, server: bool = False) -> FastAPI:
    """The API over `services`. A valid key is re-checked against the database (revocation)
    at most every `auth_cache_seconds` (0: on every request). `server`: this app is what the
    process serves until it exits (uvicorn), so its start-up heap is frozen for the GC."""
    app = GovtraceAPI(
        lifespan=_frozen_heap if server else None,
        title="govtrace",
        version=_version(),
        description=DESCRIPTION,
        # `/v1/records/` is not `/v1/records`: a redirect would turn a POST into a surprise.
        redirect_slashes=False,
        openapi_tags=[
            {"name": "records", "description": "Append records; read them and their evidence."},
            {"name": "batches", "description": "Sealed batches and their anchors."},
            {"name": "health", "description": "Service health."},
        ],
    )
    app.state.govtrace = AppContext(
        settings=settings,
        services=services,
        committer=GroupCommitter(services.database, clock=services.clock),
        auth=Authenticator(services.database, ttl=auth_cache_seconds),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
    )
    problems.install(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.include_router(records.router)
    app.include_router(batches.router)
    app.include_router(health.router)
    casework.install(app, settings)  # catalogue, cases, licenses, citizen query (issue 3)
    pages.install(app)  # the web pages (api/pages/): HTML for people, same services
    app.include_router(metrics.router)
    app.include_router(supervision_audit.router)  # tamper audit (issue 4)
    app.include_router(supervision.router)  # alerts and statistics (issue 4)
    return app
