"""Case progress for citizens: case number + query code -> the case's timeline.

The query code is the credential, so it travels only in POST bodies (never in a URL, where
logs, history and referrers would keep it), and the answer is never cached. A wrong code, an
unknown case and a malformed number give the same page with the same status (404), after the
same PBKDF2 check; every attempt, including each evidence download, counts against the same
per-address limits as `GET /v1/public/cases/{case_no}` (api/ratelimit.py).

No CSRF token here: these forms change nothing and carry no ambient authority (no cookie
grants anything), so a forged submission could learn nothing the forger did not type.

What the page shows is issue 3's public view (api/domain_views.public_view) plus each step's
department: departments are offices, not people; officers, the applicant and the payload
stay hidden. The evidence bundle of a step is the record as hashed (it must be, to verify),
and it is the citizen's own case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ledger import querycode, trace
from ledger.store import Database
from ledger.store.domain_schema import CaseRow

from ..casework import Casework, get_casework
from ..deps import get_context, get_db
from ..domain_views import public_view
from .render import HEADERS, PageError, PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Credentials:
    case_no: str
    query_code: str


@dataclass(frozen=True, slots=True)
class Progress:
    view: dict[str, Any]
    departments: list[str]


async def _credentials(request: Request) -> tuple[Credentials, dict[str, str]]:
    form = await request.form(max_files=0, max_fields=6, max_part_size=1024)
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    return Credentials(fields.get("case_no", "")[:64], fields.get("query_code", "")[:32]), fields


async def _count_attempt(request: Request, cw: Casework, case_no: str) -> None:
    client = request.client.host if request.client is not None else "unknown"
    wait = cw.limiter.attempt(client, case_no)
    if wait:
        raise PageError(429, "cases.too-many", headers={"Retry-After": str(wait)},
                        seconds=wait)


def _open(s: Session, creds: Credentials) -> CaseRow | None:
    row = s.get(CaseRow, creds.case_no) if creds.case_no else None
    stored = None if row is None or row.state == "new" else row.query_code_hash
    # matches() runs the slow hash even without a stored one: timing tells nothing either.
    if not querycode.matches(creds.query_code, stored) or row is None:
        return None
    return row


def _department(r: trace.TracedRecord) -> str:
    actor = (r.record or {}).get("actor")
    department = actor.get("department") if isinstance(actor, dict) else None
    return department if isinstance(department, str) else "—"


def _progress(db: Database, cw: Casework, creds: Credentials, today: date
              ) -> Progress | None:
    with db.snapshot() as s:
        row = _open(s, creds)
        if row is None:
            return None
        t = trace.trace(s, "case", row.case_no)
        return Progress(public_view(s, row, t, cw.calendar, today),
                        [_department(r) for r in t.records])


@router.get("/cases")
def case_form(request: Request) -> HTMLResponse:
    return page(request, "cases.html", progress=None, case_no="", query_code="", error=None)


@router.post("/cases")
async def case_progress(request: Request) -> HTMLResponse:
    creds, _ = await _credentials(request)
    cw = await get_casework(request)
    await _count_attempt(request, cw, creds.case_no)
    progress = await run_in_threadpool(_progress, await get_db(request), cw, creds,
                                       (await get_context(request)).today())
    if progress is None:
        return page(request, "cases.html", status=404, progress=None, case_no=creds.case_no,
                    query_code="", error="cases.not-found")
    return page(request, "cases.html", progress=progress, case_no=creds.case_no,
                query_code=creds.query_code, error=None)


def _bundle(db: Database, creds: Credentials, step: int) -> dict[str, Any] | None:
    with db.snapshot() as s:
        row = _open(s, creds)
        if row is None:
            raise PageError(404, "cases.not-found")
        records = trace.trace(s, "case", row.case_no).records
        if not 0 <= step < len(records):
            raise PageError(404, "error.404")
        return trace.bundle_of(s, records[step])


@router.post("/cases/evidence")
async def case_evidence(request: Request) -> Response:
    creds, fields = await _credentials(request)
    step = fields.get("step", "")
    cw = await get_casework(request)
    await _count_attempt(request, cw, creds.case_no)
    bundle = await run_in_threadpool(_bundle, await get_db(request), creds,
                                     int(step) if step.isdigit() else -1)
    if bundle is None:
        raise PageError(409, "cases.not-sealed")
    name = f"govtrace-evidence-{re.sub(r'[^A-Za-z0-9-]', '_', creds.case_no)}-{int(step) + 1}"
    disposition = f'attachment; filename="{name}.json"'
    return Response(orjson.dumps(bundle, option=orjson.OPT_INDENT_2),
                    media_type="application/json",
                    headers={**HEADERS, "Content-Disposition": disposition})
