"""The application factory. No state exists at import time (routers are declarations only):
`create_app` wires settings and services into `app.state.govtrace`, where the dependencies in
api/deps.py find them, so any number of apps (tests, several databases) share a process.
"""

from __future__ import annotations

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


def create_app(settings: Settings, services: Services, *,
               auth_cache_seconds: float = DEFAULT_TTL) -> FastAPI:
    """The API over `services`. A valid key is re-checked against the database (revocation)
    at most every `auth_cache_seconds` (0: on every request)."""
    app = GovtraceAPI(
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
        committer=GroupCommitter(services.database),
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
