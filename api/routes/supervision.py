"""Electronic supervision over HTTP: the current alerts, and on-time statistics.

Supervision bodies only (supervisor and admin keys, docs/roles.md). Both read the
materialised alerts after `ensure_current`, which refreshes whatever a new step or the clock
made stale since the worker's last sweep, so an answer never lags the ledger.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ledger import timestamps
from ledger.errors import InvalidInput, InvalidRecord
from ledger.keys import Principal
from ledger.province import PROVINCES
from ledger.supervision import alerts, refresh, stats
from ledger.workcalendar import local_date

from ..casework import CaseworkDep
from ..deps import ContextDep, require_role
from ..openapi import AUTH_PROBLEMS, ok, problem_responses
from ..schemas import supervision as sx
from . import json_response

router = APIRouter(tags=["supervision"])
SupervisorDep = Annotated[Principal, Depends(require_role("supervisor", "admin"))]
ProvinceQ = Annotated[int | None, Query(description="GB/T 2260 province code.",
                                        examples=[330000])]
SinceQ = Annotated[str | None, Query(description="RFC 3339, inclusive.",
                                     examples=["2026-11-01T00:00:00+08:00"])]
UntilQ = Annotated[str | None, Query(description="RFC 3339, exclusive.")]


def _instant(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return timestamps.normalize(value, field=field)
    except InvalidRecord as exc:
        raise InvalidInput(str(exc), field=field) from None


def _provinces(province: int | None) -> frozenset[int] | None:
    if province is not None and province not in PROVINCES:
        raise InvalidInput("province must be a province-level GB/T 2260 code",
                           field="province")
    return None if province is None else frozenset({province})


@router.get(
    "/v1/supervision/alerts", response_model=sx.AlertPage,
    summary="Current alerts (电子监察)",
    description="Alerts that hold now, newest first: `overdue` and `out_of_order` and "
                "`not_received` (red), `due_soon`, `stalled`, `anchor_lag`, `refusal_rate` "
                "and `denial_rate` (yellow); docs/supervision.md defines each. Every alert "
                "lists the records behind it with their anchoring status; `anchored` is true "
                "when all of them are confirmed on chain. Filters combine; `since`/`until` "
                "select by `raised_at`. Unknown filter values are 422 invalid-request.",
    responses={200: ok(sx.AlertPage, "A page of alerts.", sx.ALERT_PAGE),
               **problem_responses(*AUTH_PROBLEMS, "forbidden")},
)
def list_alerts(
    principal: SupervisorDep, ctx: ContextDep, cw: CaseworkDep,
    province: ProvinceQ = None,
    severity: Annotated[str | None, Query(description="red or yellow.")] = None,
    kind: Annotated[str | None, Query(description="An alert kind.")] = None,
    item_code: Annotated[str | None, Query(description="A service item.")] = None,
    case_no: Annotated[str | None, Query(description="One case's alerts.")] = None,
    since: SinceQ = None, until: UntilQ = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the last page.")]
    = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    f = alerts.AlertFilter(_provinces(province), severity, kind, item_code, case_no,
                           _instant(since, "since"), _instant(until, "until"))
    refresh.ensure_current(ctx.db, cw.calendar, ctx.settings.supervision_config(), ctx.now())
    with ctx.db.snapshot() as s:
        page, nxt = alerts.page(s, f, cursor=cursor, limit=limit)
    return json_response({"alerts": page, "next_cursor": nxt})


@router.get(
    "/v1/supervision/stats", response_model=sx.Stats,
    summary="Case statistics per province or service item",
    description="Over the cases submitted in [`since`, `until`): per handling province "
                "(`by=province`, which also counts the cases each province `received` at its "
                "counters) or per service item: cases handled, completed, on time, on-time "
                "rate, median and p90 handling time in working days (suspended days left "
                "out), suspensions, refusals, denials, and satisfaction from evaluations.",
    responses={200: ok(sx.Stats, "Statistics.", sx.STATS),
               **problem_responses(*AUTH_PROBLEMS, "forbidden")},
)
def get_stats(
    principal: SupervisorDep, ctx: ContextDep, cw: CaseworkDep,
    by: Annotated[Literal["province", "item"], Query()] = "province",
    province: ProvinceQ = None, since: SinceQ = None, until: UntilQ = None,
) -> Response:
    lo, hi = _instant(since, "since"), _instant(until, "until")
    if lo is not None and hi is not None and lo >= hi:
        raise InvalidInput("since must be before until", field="since")
    now = ctx.now()
    with ctx.db.snapshot() as s:
        groups: list[dict[str, Any]] = stats.case_stats(
            s, cw.calendar, local_date(now), by=by, since=lo, until=hi,
            provinces=_provinces(province))
    return json_response({"by": by, "since": lo, "until": hi, "groups": groups})
