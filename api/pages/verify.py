"""The verify page: anyone pastes or uploads an evidence bundle and sees the verdict and every
check in plain words. No sign-in: a bundle proves itself against the chain, and the page
shows nothing the bundle does not already contain. A signed-in license checker (partner,
supervisor, admin) also learns whether a license event's license was revoked since, and can
look a license up by identifier (licenses.py).

The form posts as multipart (a file and a text field); without JavaScript the page still
works, which is what a counter PC with locked-down browsers needs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ledger import license_status
from ledger.store import Database
from ledger.verdict import VerificationReport, offline_report

from ..deps import get_context, get_db, get_services
from . import session
from .render import PageError, PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)
#: Bundles are a few kilobytes (a record and ~log2(batch size) hashes); this bounds the work
#: an anonymous visitor can ask for.
MAX_BUNDLE_BYTES = 256 * 1024
VERDICT_STYLE = {"authentic": "ok", "altered": "bad", "revoked": "bad",
                 "not-anchored": "warn", "malformed": "bad", "unavailable": "info",
                 "unknown": "warn"}


async def _staff(request: Request) -> dict[str, Any]:
    """Template context for the license lookup: who is signed in (if a license checker)."""
    current = await session.signed_in(request, session.LICENSE_CHECKERS)
    return {"staff": current, "csrf": current.csrf if current else "", "license": None}


@router.get("/verify")
async def verify_form(request: Request) -> HTMLResponse:
    return page(request, "verify.html", report=None, style=VERDICT_STYLE, bundle_text="",
                **await _staff(request))


def _license_revoked(db: Database, report: VerificationReport, today: date
                     ) -> VerificationReport:
    """An authentic license event whose license has since been revoked: say so. Inclusion
    proves the event, not that nothing came after it (docs/licenses.md)."""
    subject = report.subject
    if report.verdict != "authentic" or subject is None or subject.subject_type != "license":
        return report
    with db.snapshot() as s:
        status = license_status.verify(s, subject.subject_id, today).status
    return replace(report, verdict="revoked") if status == "revoked" else report


async def _bundle_from_form(request: Request) -> tuple[bytes, str]:
    """(bundle bytes, text to show back in the box). The uploaded file wins over the box."""
    form = await request.form(max_files=1, max_fields=8, max_part_size=MAX_BUNDLE_BYTES)
    upload, text = form.get("bundle_file"), form.get("bundle_text")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_BUNDLE_BYTES + 1)
        await upload.close()
        if data:
            if len(data) > MAX_BUNDLE_BYTES:
                raise PageError(413, "verify.too-large", kb=MAX_BUNDLE_BYTES // 1024)
            return data, ""
    if isinstance(text, str) and text.strip():
        data = text.strip().encode()
        if len(data) > MAX_BUNDLE_BYTES:
            raise PageError(413, "verify.too-large", kb=MAX_BUNDLE_BYTES // 1024)
        return data, text
    raise PageError(422, "verify.empty")


@router.post("/verify")
async def verify_submit(request: Request) -> HTMLResponse:
    data, shown = await _bundle_from_form(request)
    verifier = (await get_services(request)).verify_bundle
    # Asking the chain blocks; so does hashing a large record: keep it off the event loop.
    report: VerificationReport = await run_in_threadpool(
        verifier if verifier is not None else offline_report, data)
    staff = await _staff(request)
    if staff["staff"] is not None:  # the license's current status is for license checkers
        report = await run_in_threadpool(_license_revoked, await get_db(request), report,
                                         (await get_context(request)).today())
    # The verdict is the answer, whatever it is: 200. A client that wants a status code per
    # outcome uses `govtrace verify` or the API.
    return page(request, "verify.html", report=report, style=VERDICT_STYLE,
                bundle_text=shown if len(shown) <= 64 * 1024 else "", **staff)
