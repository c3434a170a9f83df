"""Cases: submit (receiving province), add steps (the state machine decides who and when),
read one with its deadline, list, and the trace across provinces with evidence. Out-of-reach
cases answer 404 like unknown ones."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session
from starlette.responses import Response

from ledger import case, casesteps, trace
from ledger.errors import InvalidStep, NotFound
from ledger.ingest import Appended
from ledger.keys import Principal
from ledger.store.domain_schema import CaseRow

from .. import jsonbody
from ..access import CaseWriterDep, ReaderDep, case_scope, hidden_case, may_read_case
from ..access import may_see_applicant as sees_applicant
from ..casework import Casework, CaseworkDep
from ..deps import ContextDep, DbDep, RawBodyDep
from ..domain_views import case_summary, case_view, receipt, trace_view
from ..openapi import AUTH_PROBLEMS, json_body, ok, problem_responses
from ..problems import ApiProblem
from ..schemas import domain_examples as dx
from ..schemas.cases import Case as CaseModel
from ..schemas.cases import CaseIn, CasePage, StepIn, StepResult, Submitted, Trace
from ..services import AppContext
from . import json_response

router = APIRouter(tags=["cases"])
CaseNoPath = Annotated[str, Path(description="National case number.", examples=[dx.CASE_NO])]
_WRITE = (*AUTH_PROBLEMS, "forbidden", "wrong-province", "not-found", "malformed-json",
          "unsupported-media-type", "invalid-record", "invalid-step", "not-canonicalizable",
          "illegal-transition", "already-exists", "duplicate-record")


def visible_case(s: Session, principal: Principal, case_no: str) -> CaseRow:
    try:
        row = case.get(s, case_no)
    except NotFound:
        raise hidden_case(case_no) from None
    if not may_read_case(principal, row):
        raise hidden_case(case_no)
    return row


def _view(ctx: AppContext, cw: Casework, principal: Principal, case_no: str) -> dict[str, Any]:
    with ctx.db.snapshot() as s:
        row = visible_case(s, principal, case_no)
        person = case.applicant(s, case_no) if sees_applicant(principal, row) else None
        return case_view(s, row, cw.calendar, ctx.today(), applicant=person)


@router.post(
    "/v1/cases", status_code=201, response_model=Submitted, summary="Submit a case (申请)",
    description="Operator keys: the key's province is the receiving province. Registers the "
                "case, keeps the applicant's data in this database, appends the "
                "`case.submitted` record (the applicant as a salted commitment) and returns "
                "the citizen's **query code, shown only here**. 409 already-exists for a "
                "case number already in the ledger.",
    responses={201: ok(Submitted, "Submitted.", dx.SUBMITTED), **problem_responses(*_WRITE)},
    openapi_extra=json_body(CaseIn, {"cross_province": ("Applied in Shanghai, handled in "
                                                        "Zhejiang", dx.SUBMISSION)}),
)
def submit_case(principal: CaseWriterDep, ctx: ContextDep, cw: CaseworkDep,
                body: RawBodyDep) -> Response:
    obj = jsonbody.parse(body)
    if isinstance(obj, dict) and obj.get("receiving_province", principal.province) \
            != principal.province:
        raise ApiProblem("forbidden", f"this key submits cases received in province "
                         f"{principal.province} only; nothing was written")
    assert principal.province is not None
    sub = case.Submission.from_json(obj, principal.province)
    result = case.submit(ctx.db, sub, clock=ctx.clock, skew=ctx.clock_skew)
    no = result.case.case_no
    return json_response({"case_no": no, "query_code": result.query_code,
                          "receipt": receipt(result.appended),
                          "case": _view(ctx, cw, principal, no)},
                         201, {"Location": f"/v1/cases/{no}"})


@router.post(
    "/v1/cases/{case_no}/steps", status_code=201, response_model=StepResult,
    summary="Add a step",
    description="Operator keys of a province involved in the case. The state machine "
                "(docs/cases.md) decides: a step another province writes is 403 "
                "wrong-province; a step not allowed in the current state is 409 "
                "illegal-transition; a payload the step does not admit is 422 invalid-step. "
                "Nothing is written in any of these cases. 200 with `created: false` when "
                "the same record_id and content was already appended.",
    responses={201: ok(StepResult, "Appended.", dx.STEP_RESULT), **problem_responses(*_WRITE)},
    openapi_extra=json_body(StepIn, {
        "accept": ("Receiving province accepts (受理)", dx.STEP_IN),
        "forward": ("Receiving province forwards to the handling one (转办)", dx.FORWARD_IN),
        "receive": ("Handling province receives (continues the hash chain)", dx.RECEIVE_IN),
        "decide": ("Handling province approves (决定)", dx.DECIDE_IN),
        "evaluate": ("The applicant's evaluation (好差评)", dx.EVALUATE_IN)}),
)
def add_step(case_no: CaseNoPath, principal: CaseWriterDep, ctx: ContextDep, cw: CaseworkDep,
             body: RawBodyDep) -> Response:
    obj = jsonbody.parse(body)
    if not isinstance(obj, dict):
        raise InvalidStep("the body must be a JSON object {step, actor, payload, ...}")
    with ctx.db.snapshot() as s:
        visible_case(s, principal, case_no)
    comment = obj.pop("comment", None)
    if comment is not None and (not isinstance(comment, str) or not 0 < len(comment) <= 500):
        raise InvalidStep("comment must be a string of 1 to 500 characters", field="comment")
    assert principal.province is not None
    draft = case.step_draft(case_no, principal.province, obj, now=ctx.now(),
                            skew=ctx.clock_skew)
    appended: Appended = case.record_step(ctx.db, draft, comment=comment, clock=ctx.clock)
    return json_response({"receipt": receipt(appended),
                          "case": _view(ctx, cw, principal, case_no)},
                         201 if appended.created else 200,
                         {"Location": f"/v1/records/{appended.record.record_id}"})


@router.get(
    "/v1/cases/{case_no}", response_model=CaseModel, summary="A case, its state and deadline",
    description="Admin and supervisor: any case; operator and partner: cases their province "
                "receives or handles (else 404). Plain applicant data only for operators of "
                "those provinces. `next_steps` lists what may happen now and who writes it.",
    responses={200: ok(CaseModel, "The case.", dx.CASE),
               **problem_responses(*AUTH_PROBLEMS, "not-found")},
)
def get_case(case_no: CaseNoPath, principal: ReaderDep, ctx: ContextDep,
             cw: CaseworkDep) -> Response:
    return json_response(_view(ctx, cw, principal, case_no))


@router.get(
    "/v1/cases", response_model=CasePage, summary="Cases, by case number",
    description="The cases the key may read. `late=true` keeps overdue cases only (filtered "
                "within the page, so a page may be short; follow `next_after`).",
    responses={200: ok(CasePage, "A page of cases.", dx.CASE_PAGE),
               **problem_responses(*AUTH_PROBLEMS)},
)
def list_cases(
    principal: ReaderDep, ctx: ContextDep, cw: CaseworkDep,
    province: Annotated[int | None, Query(description="Receiving or handling province.")]
    = None,
    state: Annotated[str | None, Query(description="One of the case states.")] = None,
    late: Annotated[bool | None, Query()] = None,
    after: Annotated[str, Query(description="Last case number seen.")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    if state is not None and state not in casesteps.STATES:
        raise ApiProblem("invalid-request", f"state must be one of "
                         f"{', '.join(casesteps.STATES)}", field="state")
    scope = case_scope(principal)
    if province is not None:
        scope = {province} if scope is None or province in scope else set()
    with ctx.db.snapshot() as s:
        rows = case.list_cases(s, provinces=scope, state=state, after=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        views = [case_summary(s, r, cw.calendar, ctx.today()) for r in rows]
    if late is not None:
        views = [v for v in views if v["late"] == late]
    return json_response({"cases": views,
                          "next_after": rows[-1].case_no if more and rows else None})


@router.get(
    "/v1/cases/{case_no}/trace", response_model=Trace,
    summary="The case's steps across provinces, with evidence",
    description="Who may read the case may read its trace (a partner of the receiving or "
                "handling province included). Leaf hashes are recomputed from the stored "
                "records and the order follows `prev` links, so a deleted or altered step "
                "shows in `breaks` and `complete` is false. Each step carries its evidence "
                "bundle once sealed (`evidence: null` before); verify it with `govtrace "
                "verify`, which trusts only the chain.",
    responses={200: ok(Trace, "The trace.", dx.TRACE),
               **problem_responses(*AUTH_PROBLEMS, "not-found")},
)
def get_trace(case_no: CaseNoPath, principal: ReaderDep,
              db: DbDep,
              evidence: Annotated[bool, Query(description="Include evidence bundles.")] = True,
              ) -> Response:
    with db.snapshot() as s:
        visible_case(s, principal, case_no)
        t = trace.trace(s, "case", case_no)
        return json_response(trace_view(s, t, with_evidence=evidence))
