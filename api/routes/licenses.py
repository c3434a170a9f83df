"""Electronic licenses: issue from an approved case, record status events, read, and verify
(for partner provinces: authentic or not, issuing province, current status and its
evidence). docs/licenses.md says what a verification proves and what it does not."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session
from starlette.responses import Response

from ledger import license, license_status, timestamps, trace
from ledger.errors import NotFound
from ledger.identity import Person
from ledger.keys import Principal
from ledger.store.domain_schema import LicenseRow
from ledger.workcalendar import local_date

from .. import jsonbody
from ..access import (
    CaseWriterDep,
    ReaderDep,
    VerifierDep,
    hidden_license,
    may_read_license,
)
from ..deps import ContextDep, RawBodyDep
from ..domain_views import license_view, receipt, verification_view
from ..openapi import AUTH_PROBLEMS, json_body, ok, problem_responses
from ..problems import ApiProblem
from ..schemas import domain_examples as dx
from ..schemas.licenses import (
    Issued,
    License,
    LicenseEventIn,
    LicenseEventResult,
    LicenseIn,
    Verification,
    VerifyIn,
)
from ..services import AppContext
from . import json_response
from .cases import visible_case

router = APIRouter(tags=["licenses"])
LicenseIdPath = Annotated[str, Path(examples=[dx.LICENSE_ID])]
_WRITE = (*AUTH_PROBLEMS, "forbidden", "wrong-province", "not-found", "malformed-json",
          "unsupported-media-type", "invalid-record", "invalid-step", "illegal-transition",
          "already-exists", "duplicate-record")


def _visible(s: Session, principal: Principal, license_id: str) -> LicenseRow:
    try:
        row = license.get(s, license_id)
    except NotFound:
        raise hidden_license(license_id) from None
    if not may_read_license(principal, row):
        raise hidden_license(license_id)
    return row


def _view(ctx: AppContext, principal: Principal, license_id: str) -> dict[str, Any]:
    with ctx.db.snapshot() as s:
        row = _visible(s, principal, license_id)
        return license_view(row, trace.trace(s, "license", license_id), ctx.today())


@router.post(
    "/v1/licenses", status_code=201, response_model=Issued, summary="Issue a license (签发)",
    description="Operator keys of the case's handling province, once the case is approved "
                "(decided, completed, delivered or evaluated with decision approved); the "
                "type must be the one the item produces; one license per case. The holder "
                "(default: the applicant) is recorded as a salted commitment.",
    responses={201: ok(Issued, "Issued.", dx.ISSUED), **problem_responses(*_WRITE)},
    openapi_extra=json_body(LicenseIn, {"business_licence": ("Zhejiang issues the licence "
                                                             "of a cross-province case",
                                                             dx.ISSUE_IN)}),
)
def issue_license(principal: CaseWriterDep, ctx: ContextDep, body: RawBodyDep) -> Response:
    iss = license.Issuance.from_json(jsonbody.parse(body))
    with ctx.db.snapshot() as s:
        visible_case(s, principal, iss.case_no)
    assert principal.province is not None
    row, appended = license.issue(ctx.db, iss, principal.province, clock=ctx.clock,
                                  skew=ctx.clock_skew)
    return json_response({"license": _view(ctx, principal, row.license_id),
                          "receipt": receipt(appended)},
                         201, {"Location": f"/v1/licenses/{row.license_id}"})


@router.post(
    "/v1/licenses/{license_id}/events", status_code=201, response_model=LicenseEventResult,
    summary="Suspend, reinstate, revoke or expire a license",
    description="Operator keys of the issuing province (any other operator: 404). "
                "valid → suspended → valid; valid/suspended → revoked or expired (final; "
                "expired only after valid_until). 409 illegal-transition otherwise.",
    responses={201: ok(LicenseEventResult, "Recorded.", {"receipt": dx.RECEIPT,
                                                         "license": dx.LICENSE}),
               **problem_responses(*_WRITE)},
    openapi_extra=json_body(LicenseEventIn, {"suspend": ("Suspend pending a check",
                                                         dx.EVENT_IN)}),
)
def add_event(license_id: LicenseIdPath, principal: CaseWriterDep, ctx: ContextDep,
              body: RawBodyDep) -> Response:
    obj = jsonbody.parse(body)
    if not isinstance(obj, dict):
        raise ApiProblem("invalid-request", "the body must be a JSON object")
    with ctx.db.snapshot() as s:
        _visible(s, principal, license_id)
    assert principal.province is not None
    appended = license.record_event(
        ctx.db, license.event_draft(license_id, principal.province, obj, now=ctx.now(),
                                    skew=ctx.clock_skew), clock=ctx.clock)
    return json_response({"receipt": receipt(appended),
                          "license": _view(ctx, principal, license_id)},
                         201 if appended.created else 200)


@router.get(
    "/v1/licenses/{license_id}", response_model=License, summary="A license and its history",
    description="Admin, supervisor and partner keys: any license; operators: licenses their "
                "province issued (else 404).",
    responses={200: ok(License, "The license.", dx.LICENSE),
               **problem_responses(*AUTH_PROBLEMS, "not-found")},
)
def get_license(license_id: LicenseIdPath, principal: ReaderDep, ctx: ContextDep) -> Response:
    return json_response(_view(ctx, principal, license_id))


@router.post(
    "/v1/licenses/verify", response_model=Verification, summary="Verify a license",
    description="Partner, supervisor and admin keys. Give `license_id`, or an evidence "
                "`bundle` of any of the license's records (both: they must agree), and "
                "optionally the `holder` to check. The answer is 200 either way: "
                "`authentic` false carries a `reason`. `evidence` lets the caller check "
                "every event against the chain alone (`govtrace verify-license`); "
                "`freshness` and `statement` say how far the absence of a later revocation "
                "is established.",
    responses={200: ok(Verification, "The verdict.", dx.VERIFIED),
               **problem_responses(*AUTH_PROBLEMS, "forbidden", "malformed-json",
                                   "unsupported-media-type")},
    openapi_extra=json_body(VerifyIn, {
        "by_id": ("By license id", dx.VERIFY_IN),
        "by_bundle": ("From an evidence bundle the holder presented", dx.VERIFY_BUNDLE_IN),
        "with_holder": ("And check the person presenting it", dx.VERIFY_HOLDER_IN)}),
)
def verify_license(principal: VerifierDep, ctx: ContextDep, body: RawBodyDep) -> Response:
    obj = jsonbody.parse(body)
    if not isinstance(obj, dict) or set(obj) - {"license_id", "bundle", "holder"}:
        raise ApiProblem("invalid-request", "the body is {license_id?, bundle?, holder?}")
    license_id, bundle = obj.get("license_id"), obj.get("bundle")
    if license_id is None and bundle is None:
        raise ApiProblem("invalid-request", "give license_id or bundle", field="license_id")
    if license_id is not None and not isinstance(license_id, str):
        raise ApiProblem("invalid-request", "license_id must be a string", field="license_id")
    holder = None if obj.get("holder") is None else Person.from_json(obj["holder"], "holder")
    now = ctx.now()
    as_of = timestamps.render(now)
    with ctx.db.snapshot() as s:
        if bundle is not None:
            from_bundle, refusal = license_status.from_bundle(s, bundle)
            if refusal is None and license_id is not None and from_bundle != license_id:
                refusal = license_status.Verdict(False, "mismatch", f"the bundle is about "
                                                 f"{from_bundle}, not {license_id}")
            if refusal is not None:
                return json_response(verification_view(refusal, None, as_of))
            license_id = from_bundle
        assert license_id is not None
        verdict = license_status.verify(s, license_id, local_date(now))
        matches = None if holder is None or verdict.license is None else \
            license.holder_matches(s, license_id, holder)
        return json_response(verification_view(verdict, matches, as_of))
