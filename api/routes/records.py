"""Records: append (one, or a batch all-or-nothing), read with status, fetch evidence.

Write path per request: raw body -> one `orjson.loads` -> `RecordDraft.from_json` per record
(the ledger's validation is the only one) -> role/province check -> group commit
(api/writer.py). Write endpoints are `async`: they only wait on the committer's future.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ledger import evidence, lookup
from ledger.canonical import parse as parse_canonical
from ledger.draft import RecordDraft
from ledger.errors import InvalidRecord, NotFound
from ledger.ingest import Appended
from ledger.keys import Principal
from ledger.record import hex32

from .. import jsonbody
from ..deps import (
    LEDGER_WRITE_SECURITY,
    DbDep,
    LedgerWriteDep,
    RecordReaderDep,
    ensure_may_write,
    may_read_province,
)
from ..openapi import AUTH_PROBLEMS, json_body, ok, problem_responses
from ..problems import ApiProblem
from ..schemas import BatchReceipt, EvidenceBundle, Receipt, RecordBatchIn, RecordIn, RecordStatus
from ..schemas import examples as ex
from ..schemas.records import UUID
from ..services import AppContext
from . import anchor_view, batch_view, json_response

router = APIRouter(tags=["records"])

RecordIdPath = Annotated[str, Path(pattern=UUID, description="The record's UUID.",
                                   examples=[ex.RECORD_ID])]
_WRITE_CODES = (*AUTH_PROBLEMS, "forbidden", "malformed-json", "body-too-large",
                "unsupported-media-type", "invalid-record", "not-canonicalizable",
                "duplicate-record", "chain-conflict")
_MAX_REPORTED = 100  # invalid records listed in one problem
_INLINE_BODY_BYTES = 64 * 1024


def _receipt(a: Appended) -> dict[str, Any]:
    r = a.record
    return {"record_id": r.record_id, "province": r.province, "seq": r.seq,
            "leaf_hash": hex32(a.leaf_hash), "recorded_at": r.recorded_at, "created": a.created}


def _draft(obj: Any, ctx: AppContext, diagnosis: jsonbody.LazyDiagnosis,
           index: int | None = None, now: datetime | None = None) -> RecordDraft:
    try:
        return RecordDraft.from_json(obj, now=now or ctx.now(), skew=ctx.clock_skew)
    except InvalidRecord as exc:
        refined = diagnosis.refine(exc, index)
        if refined is exc:
            raise
        raise refined from exc


@router.post(
    "/v1/records", status_code=201, response_model=Receipt,
    summary="Append one record",
    description="Operator keys only, for their own province. 201 when appended; 200 with "
                "`created: false` when the same record id with the same content is already "
                "there (safe retry); 409 when the id holds different content.",
    responses={200: ok(Receipt, "Idempotent repeat: the record was already in the ledger.",
                       {**ex.RECEIPT, "created": False}),
               201: ok(Receipt, "Appended.", ex.RECEIPT), **problem_responses(*_WRITE_CODES)},
    openapi_extra={**json_body(RecordIn, {
        "case_step": ("A case step", ex.DRAFT),
        "linked_step": ("A later step naming its predecessor in `prev`", ex.DRAFT_NEXT),
        "license_event": ("A license event with a client-chosen salt", ex.LICENSE_DRAFT)}),
        "security": LEDGER_WRITE_SECURITY},
)
async def create_record(call: LedgerWriteDep) -> Response:
    principal, ctx, body = call.principal, call.ctx, call.body
    # A one-record body parses and validates in tens of microseconds: cheaper on the event
    # loop than a thread hop. Anything larger (it will be refused anyway) goes to a thread.
    if len(body) <= _INLINE_BODY_BYTES:
        draft = _single_draft(body, ctx)
    else:
        draft = await run_in_threadpool(_single_draft, body, ctx)
    ensure_may_write(principal, [draft.province])
    [appended] = await ctx.committer.append([draft])
    return json_response(_receipt(appended), 201 if appended.created else 200,
                         {"Location": f"/v1/records/{draft.record_id}"})


def _single_draft(body: bytes, ctx: AppContext) -> RecordDraft:
    return _draft(jsonbody.parse(body), ctx, jsonbody.LazyDiagnosis(body))


def _batch_items(obj: Any, limit: int) -> list[Any]:
    if not isinstance(obj, dict) or "records" not in obj:
        raise ApiProblem("invalid-request", 'the body must be an object {"records": [...]}',
                         field="records")
    if unknown := sorted(set(obj) - {"records"}):
        raise ApiProblem("invalid-request", f"unknown field(s): {', '.join(unknown)}",
                         field=unknown[0])
    items = obj["records"]
    if not isinstance(items, list) or not items:
        raise ApiProblem("invalid-request", "records must be a non-empty array",
                         field="records")
    if len(items) > limit:
        raise ApiProblem("too-many-records", f"a batch holds at most {limit} records; this "
                         f"one has {len(items)}", field="records", limit=limit)
    return items


@router.post(
    "/v1/records:batch", status_code=201, response_model=BatchReceipt,
    summary="Append records, all or nothing",
    description="Operator keys only; every record must be for the key's province, else 403 "
                "and nothing is written. Any invalid record fails the whole request (422, "
                "with every invalid record listed in `errors`). 201 when at least one record "
                "was appended, 200 when all were idempotent repeats.",
    responses={200: ok(BatchReceipt, "All records were already in the ledger.",
                       {"records": [{**ex.RECEIPT, "created": False}]}),
               201: ok(BatchReceipt, "Appended.", {"records": [ex.RECEIPT]}),
               **problem_responses(*_WRITE_CODES, "too-many-records")},
    openapi_extra={**json_body(RecordBatchIn, {
        "two_records": ("A case step and a license event",
                        {"records": [ex.DRAFT, ex.LICENSE_DRAFT]})}),
        "security": LEDGER_WRITE_SECURITY},
)
async def create_records(call: LedgerWriteDep) -> Response:
    drafts = await run_in_threadpool(_batch_drafts, call.body, call.ctx)
    ensure_may_write(call.principal, [d.province for d in drafts])
    ctx = call.ctx
    results = await ctx.committer.append(drafts)
    return json_response({"records": [_receipt(a) for a in results]},
                         201 if any(a.created for a in results) else 200)


def _batch_drafts(body: bytes, ctx: AppContext) -> list[RecordDraft]:
    """Parse and validate every record (in a worker thread: 1,000 records take ~15 ms)."""
    items = _batch_items(jsonbody.parse(body), ctx.settings.max_batch_records)
    diagnosis = jsonbody.LazyDiagnosis(body)
    now = ctx.now()
    drafts: list[RecordDraft] = []
    invalid: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        try:
            drafts.append(_draft(item, ctx, diagnosis, i, now))
        except InvalidRecord as exc:
            invalid.append({"index": i, "field": exc.field, "type": exc.code,
                            "detail": str(exc)})
    if invalid:
        first = invalid[0]
        raise ApiProblem(
            "invalid-record",
            f"{len(invalid)} of {len(items)} records are invalid; nothing was written. "
            f"First, at index {first['index']}: {first['detail']}",
            index=first["index"], field=first["field"], errors=invalid[:_MAX_REPORTED])
    return drafts


def _visible(session: Session, principal: Principal, record_id: str) -> lookup.Located:
    """The record with its batch and anchor (one statement), or the same NotFound as for an
    unknown id when out of reach."""
    found = lookup.locate(session, record_id)
    if not may_read_province(principal, found.province):
        raise NotFound(f"no record {record_id}")
    return found


_READ_PROBLEMS = problem_responses(*AUTH_PROBLEMS, "not-found")


@router.get(
    "/v1/records/{record_id}", response_model=RecordStatus,
    summary="A record, its leaf hash, and how far it got",
    description="`status`: pending (not in a batch yet), sealed (in a batch whose anchor is "
                "not confirmed), anchored. Operators see their own province only; any other "
                "record answers 404 like an unknown id.",
    responses={200: ok(RecordStatus, "The record.", ex.RECORD_STATUS), **_READ_PROBLEMS},
)
def get_record(record_id: RecordIdPath, principal: RecordReaderDep, db: DbDep) -> Response:
    with db.snapshot() as s:
        found = _visible(s, principal, record_id)
    batch, anchor = found.batch, found.anchor
    status = ("pending" if batch is None else
              "anchored" if anchor is not None and anchor.confirmed else "sealed")
    return json_response({"record": parse_canonical(found.canonical),
                          "leaf_hash": hex32(found.leaf_hash), "status": status,
                          "batch": None if batch is None else batch_view(batch),
                          "anchor": anchor_view(anchor)})


@router.get(
    "/v1/records/{record_id}/evidence", response_model=EvidenceBundle,
    summary="The evidence bundle of a sealed record",
    description="Format `govtrace.evidence/1`. 409 `not-sealed` while the record waits for "
                "its batch (retry after `Retry-After` seconds). `anchor` is null until the "
                "batch's anchoring transaction is confirmed.",
    responses={200: ok(EvidenceBundle, "The bundle.", ex.EVIDENCE),
               **problem_responses(*AUTH_PROBLEMS, "not-found", "not-sealed",
                                  "ledger-inconsistent")},
)
def get_evidence(record_id: RecordIdPath, principal: RecordReaderDep, db: DbDep) -> Response:
    # One snapshot: the caller's right to see the record is checked on the very row the
    # bundle is built from.
    with db.snapshot() as s:
        bundle = evidence.of_located(s, _visible(s, principal, record_id))
    return json_response(bundle)
