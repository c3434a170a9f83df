"""License lookup on the verify page: a partner-province clerk enters a license identifier
and sees whether it is authentic and its status now (valid, suspended, revoked, expired),
with the issuing province and the anchor of its latest event.

Signed-in only, with the roles the API's `POST /v1/licenses/verify` admits (partner,
supervisor, admin): looking licenses up by identifier is a privilege issue 3 gave to those
roles, and the page does not widen it. The answer is ledger/license_status.verify, the same
function the API uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ledger import license_status
from ledger.store import Database

from ..deps import get_context
from . import session
from .render import PageError, PageRoute, page
from .verify import VERDICT_STYLE

router = APIRouter(route_class=PageRoute, include_in_schema=False)
LICENSE_ID_MAX = 64


@dataclass(frozen=True, slots=True)
class LicenseCheck:
    license_id: str
    #: authentic | revoked | altered | not-anchored | unknown
    verdict: str
    status: str | None = None
    province: int | None = None
    facts: dict[str, Any] | None = None
    latest: dict[str, Any] | None = None
    anchor: dict[str, Any] | None = None
    detail: str = ""


def check_license(db: Database, license_id: str, today: date) -> LicenseCheck:
    with db.snapshot() as s:
        v = license_status.verify(s, license_id, today)
        latest = license_status.status_record(v)
    row = v.license
    if row is None:
        return LicenseCheck(license_id, "unknown", detail=v.detail)
    facts = {"type_code": row.type_code, "number": row.number,
             "issuing_authority": row.issuing_authority, "valid_from": row.valid_from,
             "valid_until": row.valid_until}
    last_bundle = v.bundles[-1] if v.bundles else None
    anchor = last_bundle.get("anchor") if isinstance(last_bundle, dict) else None
    if not v.authentic:
        verdict = "altered"
    elif v.status == "revoked":
        verdict = "revoked"
    elif latest is None or latest["status"] != "anchored":
        verdict = "not-anchored"
    else:
        verdict = "authentic"
    return LicenseCheck(license_id, verdict, v.status, row.issuing_province, facts, latest,
                        anchor, v.detail)


@router.post("/verify/license")
async def verify_license(request: Request) -> Response:
    current = await session.signed_in(request, session.LICENSE_CHECKERS)
    if current is None:
        return RedirectResponse("/supervision/login?next=/verify", status_code=303)
    form = await request.form(max_files=0, max_fields=4, max_part_size=1024)
    given, raw = form.get("csrf"), form.get("license_id")
    if not (session.same_origin(request) and session.tokens_match(
            current.csrf, given if isinstance(given, str) else None)):
        raise PageError(403, "login.csrf")
    license_id = raw.strip() if isinstance(raw, str) else ""
    if not license_id or len(license_id) > LICENSE_ID_MAX:
        raise PageError(422, "license.bad-id")
    ctx = await get_context(request)
    result = await run_in_threadpool(check_license, ctx.db, license_id, ctx.today())
    return page(request, "verify.html", report=None, style=VERDICT_STYLE, bundle_text="",
                license=result, staff=current, csrf=current.csrf)


