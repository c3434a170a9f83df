"""The ledger explorer: batches per province with size, root, anchor and status. Public.

Everything shown is already public on the consortium chain (roots, batch ranges,
transactions); a batch root reveals nothing about the records under it because every leaf
is salted. What the page does add is the per-province volume of records, which the
consortium considers public statistics.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ledger import explorer
from ledger.province import PROVINCES

from ..deps import DbDep, SettingsDep
from .render import PageError, PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 25


@router.get("/explorer")
def explorer_index(request: Request, db: DbDep, settings: SettingsDep) -> HTMLResponse:
    with db.snapshot() as s:
        summaries = explorer.provinces(s)
    return page(request, "explorer_index.html", summaries=summaries,
                confirmations=settings.confirmations)


@router.get("/explorer/{province}")
def explorer_province(
    request: Request, db: DbDep, settings: SettingsDep,
    province: Annotated[int, Path()],
    after: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    if province not in PROVINCES:
        raise PageError(404, "explorer.no-province", province=province)
    with db.snapshot() as s:
        win = explorer.window(s, province, after=after, limit=PAGE_SIZE)
    rows = [(b, a, explorer.status_of(a)) for b, a in win.rows]
    return page(request, "explorer_province.html", province=province, window=win, rows=rows,
                confirmations=settings.confirmations)
