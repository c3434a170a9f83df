"""The service-item catalogue: read by any key; written by admins, or by an operator for the
items its own province handles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from ledger import catalogue
from ledger import unit_of_work as uow
from ledger.errors import InvalidRecord
from ledger.province import check_province

from .. import jsonbody
from ..access import CatalogueEditorDep, ReaderDep
from ..deps import ContextDep, DbDep, RawBodyDep
from ..openapi import AUTH_PROBLEMS, json_body, ok, problem_responses
from ..problems import ApiProblem
from ..schemas import domain_examples as dx
from ..schemas.cases import CatalogueIn, CatalogueOut, ServiceItem
from . import json_response

router = APIRouter(tags=["catalogue"])


@router.get(
    "/v1/catalogue/items", response_model=CatalogueOut, summary="Service items",
    description="Any key. Filter by handling province.",
    responses={200: ok(CatalogueOut, "The items.", {"items": [dx.ITEM]}),
               **problem_responses(*AUTH_PROBLEMS)},
)
def list_items(principal: ReaderDep, db: DbDep,
               province: Annotated[int | None, Query(description="Handling province.",
                                                     examples=[330000])] = None) -> Response:
    if province is not None:
        try:
            check_province(province)
        except InvalidRecord as exc:
            raise ApiProblem("invalid-request", str(exc), field="province") from exc
    with db.snapshot() as s:
        items = catalogue.list_items(s, province=province)
    return json_response({"items": [i.to_json() for i in items]})


@router.get(
    "/v1/catalogue/items/{item_code}", response_model=ServiceItem, summary="One service item",
    responses={200: ok(ServiceItem, "The item.", dx.ITEM),
               **problem_responses(*AUTH_PROBLEMS, "not-found")},
)
def get_item(item_code: Annotated[str, Path(examples=["330000-AMR-BL-CHANGE"])],
             principal: ReaderDep, db: DbDep) -> Response:
    with db.snapshot() as s:
        item = catalogue.get(s, item_code)
    return json_response(item.to_json())


@router.post(
    "/v1/catalogue/items", response_model=CatalogueOut, summary="Add or replace items",
    description="All or nothing. Admin keys for any province; operator keys only for items "
                "their province handles (else 403, nothing saved). Replacing an item does "
                "not change cases already submitted: they keep the time limit and steps they "
                "were submitted under.",
    responses={200: ok(CatalogueOut, "Saved.", dx.CATALOGUE),
               **problem_responses(*AUTH_PROBLEMS, "forbidden", "malformed-json",
                                   "unsupported-media-type")},
    openapi_extra=json_body(CatalogueIn, {"one_item": ("A cross-province item",
                                                       dx.CATALOGUE_IN)}),
)
def save_items(principal: CatalogueEditorDep, ctx: ContextDep, body: RawBodyDep) -> Response:
    obj = jsonbody.parse(body)
    if not isinstance(obj, dict) or set(obj) != {"items"}:
        raise ApiProblem("invalid-request", 'the body must be {"items": [...]}', field="items")
    items = catalogue.parse_json(obj)
    if principal.role == "operator":
        foreign = sorted(catalogue.provinces_of(items) - {principal.province or 0})
        if foreign:
            raise ApiProblem("forbidden", f"this key edits only items handled by province "
                             f"{principal.province}, not {foreign[0]}; nothing was saved")
    now = ctx.now()
    created = uow.run(ctx.db, lambda s: catalogue.save(s, items, now=now))
    return json_response({"items": [i.to_json() for i in items],
                          "created": sum(created), "updated": len(created) - sum(created)})
