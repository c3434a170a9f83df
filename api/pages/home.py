"""The start page: what each page is for, in a sentence each."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .render import PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def home(request: Request) -> HTMLResponse:
    return page(request, "home.html")
