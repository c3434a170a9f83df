"""The supervision dashboard (supervisor key): alerts, on-time statistics, anchoring lag and
the latest tamper audit, filtered by province and severity. Panels are in panels.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ledger.province import PROVINCES
from ledger.supervision.config import SEVERITIES

from ..deps import get_context, get_db
from . import session
from .i18n import Translator, negotiate
from .panels import Filters, Panel, Supervision, sources
from .render import PageError, PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/supervision")
async def dashboard(
    request: Request,
    province: Annotated[str | None, Query()] = None,
    severity: Annotated[str | None, Query()] = None,
) -> Response:
    current = await session.signed_in(request, session.SUPERVISORS)
    if current is None:
        if await session.signed_in(request) is not None:  # a partner's session
            raise PageError(403, "login.not-supervisor")
        return RedirectResponse("/supervision/login", status_code=303)
    filters = Filters.parse(province, severity)
    t = Translator(negotiate(request)[0])
    db = await get_db(request)
    ctx = await get_context(request)
    sup = Supervision(request.app.state.casework.calendar, ctx.settings.supervision_config(),
                      ctx.now())

    def load() -> list[Panel]:
        return [source(db, filters, t) for source in sources(sup)]

    panels = await run_in_threadpool(load)
    return page(request, "dashboard.html", panels=panels, filters=filters,
                provinces=sorted(PROVINCES), severities=SEVERITIES,
                who=current.principal, csrf=current.csrf)
