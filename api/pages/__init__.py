"""Web pages served by the API's own app: server-rendered Jinja templates, one router module
per page, a local stylesheet and no JavaScript. `install(app)` is the only hook the app
factory needs. Pages are left out of the OpenAPI document: they are for people, not clients.

| path | page | who |
|---|---|---|
| `/` | start page | anyone |
| `/cases` | case progress (case number + query code) | citizens |
| `/verify` | verify an evidence bundle | anyone (partner provinces) |
| `/verify/license` (POST) | look a license up by identifier | partner, supervisor, admin |
| `/explorer`, `/explorer/{province}` | batches, roots, anchors | anyone: public chain data |
| `/supervision` | supervision dashboard | supervisor (or admin) key |
| `/supervision/login`, `/logout` | staff sign-in (API key -> session cookie) | staff |
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from . import cases, dashboard, explorer, home, licenses, login, verify
from .render import STATIC
from .session import SessionStore

ROUTERS = (home.router, cases.router, explorer.router, verify.router, licenses.router,
           login.router, dashboard.router)


def install(app: FastAPI) -> None:
    app.state.govtrace_sessions = SessionStore()
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
