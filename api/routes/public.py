"""The citizen's progress query: no API key, the query code issued at submission is the
credential. A wrong code, an unknown case and a malformed number get byte-identical 404s
and cost the same PBKDF2 check; attempts are rate-limited per client address and case
(api/ratelimit.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from ledger import querycode, trace
from ledger.store.domain_schema import CaseRow

from ..casework import CaseworkDep
from ..deps import ContextDep
from ..domain_views import public_view
from ..openapi import ok, problem_responses
from ..problems import ApiProblem
from ..schemas import domain_examples as dx
from ..schemas.cases import PublicCase
from . import json_response

router = APIRouter(tags=["public"])


def _not_found(case_no: str) -> ApiProblem:
    # The same words for every failure: nothing tells a wrong code from an unknown case.
    return ApiProblem("not-found", f"no case {case_no} with this query code")


@router.get(
    "/v1/public/cases/{case_no}", response_model=PublicCase,
    summary="A citizen's case progress (no key; query code)",
    description="Steps with their province, time and anchoring status; state; due date and "
                "whether the case is late. Nothing about the applicant, the officers or any "
                "other case. Wrong code and unknown case give the same 404. Too many attempts "
                "from one address (per case, and overall) give 429 with Retry-After.",
    responses={200: ok(PublicCase, "The case's progress.", dx.PUBLIC),
               **problem_responses("not-found", "too-many-requests", "invalid-request")},
)
def public_case(
    case_no: Annotated[str, Path(max_length=64, examples=[dx.CASE_NO])],
    query_code: Annotated[str, Query(max_length=32, description="The code given at "
                                     "submission, e.g. M8BM-M3X6-KR34.",
                                     examples=["M8BM-M3X6-KR34"])],
    request: Request, ctx: ContextDep, cw: CaseworkDep,
) -> Response:
    client = request.client.host if request.client is not None else "unknown"
    wait = cw.limiter.attempt(client, case_no)
    if wait:
        raise ApiProblem("too-many-requests", f"too many attempts from this address; retry "
                         f"in {wait} s", headers={"Retry-After": str(wait)})
    with ctx.db.snapshot() as s:
        row = s.get(CaseRow, case_no)
        stored = None if row is None or row.state == "new" else row.query_code_hash
        if not querycode.matches(query_code, stored) or row is None:
            raise _not_found(case_no)
        t = trace.trace(s, "case", case_no)
        return json_response(public_view(s, row, t, cw.calendar, ctx.today()))
