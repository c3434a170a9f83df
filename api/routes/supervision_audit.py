"""The supervision body's tamper audit over HTTP: run one, read a past one.

`POST /v1/supervision/audits` runs the same audit as `govtrace audit` (ledger/audit.py) and
appends its result to the supervision body's ledger as an `audit.completed` record before
answering, so an audit that was run cannot be quietly dropped. It answers when the audit is
done: about five seconds per million records on two cores. Supervisor and admin keys only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ledger import audit_log
from ledger.audit import AuditOptions, run_audit
from ledger.audit_batches import AnchoredRoots
from ledger.errors import NotFound
from ledger.keys import Principal
from ledger.province import PROVINCES

from ..deps import ContextDep, require_role
from ..openapi import AUTH_PROBLEMS, problem_responses
from ..problems import ApiProblem
from ..schemas.records import UUID
from ..services import AppContext
from . import json_response

router = APIRouter(tags=["supervision"])
SupervisorDep = Annotated[Principal, Depends(require_role("supervisor", "admin"))]

_EXAMPLE = {"audit": {"format": "govtrace.audit/1", "verdict": "clean", "counts": {
    "modified": 0, "deleted": 0, "inserted": 0, "reordered": 0, "batches": 0, "gaps": 0,
    "chains": 0, "heads": 0}}, "record": {"record_id": "5b1d…", "province": 110000, "seq": 7}}


def _ok(description: str, example: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"example": example}}}


class AuditRequest(BaseModel):
    """What to audit: every province (`{}`), or some."""

    model_config = ConfigDict(extra="forbid")
    provinces: list[int] | None = Field(None, min_length=1, description=(
        "Province-level GB/T 2260 codes; omitted: all. Case chains that leave these provinces "
        "are still followed."))


def _options(body: AuditRequest, ctx: AppContext) -> AuditOptions:
    provinces = body.provinces
    if provinces is not None and any(p not in PROVINCES for p in provinces):
        raise ApiProblem("invalid-request", "provinces must be province-level GB/T 2260 codes",
                         field="provinces")
    return AuditOptions(provinces=tuple(provinces) if provinces else None,
                        workers=ctx.settings.audit_workers)


def _run(options: AuditOptions, ctx: AppContext, officer: str) -> dict[str, Any]:
    roots: AnchoredRoots | None = None
    reason: str | None = "this API process has no chain configured"
    if ctx.services.audit_chain is not None:
        roots, reason = ctx.services.audit_chain()
    report = run_audit(ctx.db, options, chain=roots, chain_error=reason)
    appended = audit_log.record_audit(ctx.db, report, province=ctx.settings.supervision_province,
                                      body=ctx.settings.supervision_body, officer=officer)
    r = appended.record
    return {"audit": report.to_json(),
            "record": {"record_id": r.record_id, "province": r.province, "seq": r.seq,
                       "leaf_hash": "0x" + appended.leaf_hash.hex()}}


@router.post(
    "/v1/supervision/audits", status_code=201,
    summary="Run a tamper audit and record its result",
    description="Recomputes every leaf hash, batch root and case/license chain from the "
                "database and compares the roots with the anchor contract. `audit.verdict`: "
                "`clean`, `tampered` (see `audit.findings`), or `incomplete` (the database is "
                "consistent but the chain could not be compared). The result is appended to "
                "the supervision body's ledger as an `audit.completed` record (`record`). "
                'Body: `{}` for every province, or `{"provinces": [310000]}`.',
    responses={201: _ok("The audit report and the record that commits to it.", _EXAMPLE),
               **problem_responses(*AUTH_PROBLEMS, "forbidden", "invalid-request",
                                   "malformed-json")},
)
async def create_audit(principal: SupervisorDep, ctx: ContextDep,
                       body: Annotated[AuditRequest, Body(openapi_examples={
                           "all": {"summary": "Every province", "value": {}},
                           "some": {"summary": "Shanghai only", "value": {
                               "provinces": [310000]}}})]) -> Response:
    options = _options(body, ctx)
    result = await run_in_threadpool(_run, options, ctx, principal.key_id)
    return json_response(result, 201,
                         {"Location": f"/v1/supervision/audits/{result['audit']['audit_id']}"})


@router.get(
    "/v1/supervision/audits/{audit_id}",
    summary="A past audit's report",
    description="The report exactly as recorded: its SHA-256 is the `report_digest` in the "
                "payload of the `audit.completed` record with the same id.",
    responses={200: _ok("The report.", _EXAMPLE["audit"]),
               **problem_responses(*AUTH_PROBLEMS, "forbidden", "not-found")},
)
def get_audit(audit_id: Annotated[str, Path(pattern=UUID)], principal: SupervisorDep,
              ctx: ContextDep) -> Response:
    report = audit_log.stored_report(ctx.db, audit_id)
    if report is None:
        raise NotFound(f"no audit {audit_id}")
    return json_response(report)
