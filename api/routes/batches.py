"""Batches: one sealed batch with its anchor, and a paged list per province (the explorer)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from ledger import anchoring, lookup
from ledger.anchoring import Anchor
from ledger.batch import Batch
from ledger.errors import InvalidRecord
from ledger.province import check_province

from ..deps import DbDep, PrincipalDep
from ..openapi import AUTH_PROBLEMS, ok, problem_responses
from ..problems import ApiProblem
from ..schemas import BatchPage, BatchStatus
from ..schemas import examples as ex
from . import anchor_view, batch_view, json_response

router = APIRouter(tags=["batches"])

#: Batch numbers are stored as signed 64-bit integers; anything larger names no batch and
#: must be refused as a bad parameter, not reach the database (found by schemathesis).
MAX_BATCH_NO = 2**63 - 1
ProvincePath = Annotated[int, Path(description="Province-level GB/T 2260 code.",
                                   examples=[310000])]
MAX_PAGE = 500


def _province(code: int) -> int:
    try:
        return check_province(code)
    except InvalidRecord as exc:
        raise ApiProblem("invalid-request", str(exc), field="province") from exc


def _view(batch: Batch, anchor: Anchor | None) -> dict[str, Any]:
    confirmed = anchor is not None and anchor.confirmed
    return {**batch_view(batch), "status": "anchored" if confirmed else "sealed",
            "anchor": anchor_view(anchor)}


@router.get(
    "/v1/batches/{province}/{batch_no}", response_model=BatchStatus,
    summary="One sealed batch and its anchor",
    description="Any authenticated key. `status` is anchored once the anchoring transaction "
                "is confirmed; `anchor` shows a submitted transaction before that.",
    responses={200: ok(BatchStatus, "The batch.", ex.BATCH_STATUS),
               **problem_responses(*AUTH_PROBLEMS, "not-found")},
)
def get_batch(province: ProvincePath,
              batch_no: Annotated[int, Path(ge=1, le=MAX_BATCH_NO, examples=[1])],
              principal: PrincipalDep, db: DbDep) -> Response:
    code = _province(province)
    with db.snapshot() as s:
        batch = lookup.batch(s, code, batch_no)
        anchor = anchoring.get(s, code, batch_no)
    return json_response(_view(batch, anchor))


@router.get(
    "/v1/batches/{province}", response_model=BatchPage,
    summary="Sealed batches of a province, oldest first",
    description="Any authenticated key. Page with `after` (the last batch_no seen; the "
                "response's `next_after`) and `limit`.",
    responses={200: ok(BatchPage, "A page of batches.", ex.BATCH_PAGE),
               **problem_responses(*AUTH_PROBLEMS)},
)
def list_batches(
    province: ProvincePath, principal: PrincipalDep, db: DbDep,
    after: Annotated[int, Query(ge=0, le=MAX_BATCH_NO,
                                description="Return batches with batch_no > after.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    code = _province(province)
    with db.snapshot() as s:
        page = lookup.batches(s, code, after=after, limit=limit + 1)
    more = len(page) > limit
    page = page[:limit]
    return json_response({"province": code, "batches": [_view(b, a) for b, a in page],
                          "next_after": page[-1][0].batch_no if more else None})
