"""Staff sign-in and sign-out for the pages (see session.py for why a session id, not the
key, goes into the cookie). After signing in, the visitor returns to the page that sent
them (`next`, one of a fixed set of local paths: never an open redirect)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import session
from .render import PageError, PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)
DASHBOARD = "/supervision"
NEXT_PAGES = frozenset({DASHBOARD, "/verify"})


def _next(value: object) -> str:
    return value if isinstance(value, str) and value in NEXT_PAGES else DASHBOARD


def _login_page(request: Request, next_page: str, *, status: int = 200,
                error: str | None = None) -> Response:
    token = session.login_csrf(request)
    response = page(request, "login.html", status=status, csrf=token, error=error,
                    next_page=next_page)
    session.set_login_csrf_cookie(response, request, token)
    return response


@router.get("/supervision/login")
async def login_form(request: Request) -> Response:
    next_page = _next(request.query_params.get("next"))
    if await session.signed_in(request) is not None:
        return RedirectResponse(next_page, status_code=303)
    return _login_page(request, next_page)


@router.post("/supervision/login")
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=4, max_part_size=4096)
    given = form.get("csrf")
    if not session.same_origin(request) or not session.tokens_match(
            request.cookies.get(session.LOGIN_CSRF_COOKIE), given if isinstance(given, str)
            else None):
        raise PageError(403, "login.csrf")
    key, next_page = form.get("api_key"), _next(form.get("next"))
    token = key.strip() if isinstance(key, str) else ""
    principal = await session.principal_of(request, token) if token else None
    if principal is None:
        # Same answer for malformed, unknown and revoked keys, as the API gives.
        return _login_page(request, next_page, status=401, error="login.invalid")
    if principal.role not in session.SIGN_IN_ROLES:
        return _login_page(request, next_page, status=403, error="login.role-refused")
    sid, _ = session.store(request).create(token, principal)
    response = RedirectResponse(next_page, status_code=303)
    session.set_session_cookie(response, request, sid)
    # The login token has done its job; a new one is issued with the next login form.
    response.delete_cookie(session.LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/supervision/logout")
async def logout(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=4, max_part_size=4096)
    current = await session.signed_in(request)
    given = form.get("csrf")
    if current is not None and not (session.same_origin(request) and session.tokens_match(
            current.csrf, given if isinstance(given, str) else None)):
        raise PageError(403, "login.csrf")
    session.store(request).drop(request.cookies.get(session.SESSION_COOKIE))
    response = RedirectResponse("/supervision/login", status_code=303)
    session.clear_session_cookie(response, request)
    return response

