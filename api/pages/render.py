"""Rendering pages: the Jinja environment, security headers, and friendly error pages.

Templates autoescape everything (a bundle or a case step can carry any text) and fail on
undefined names rather than print nothing. Every page answers with a Content-Security-Policy
that allows only this origin's stylesheet and images, no script at all and no framing: the
pages need no JavaScript, so nothing injected could run even if escaping were ever missed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ledger import errors, timestamps

from ..middleware import BodyTooLarge
from ..problems import ApiProblem
from . import i18n

log = logging.getLogger("govtrace.pages")
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE.parent / "templates"
STATIC = HERE.parent / "static"

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # Nothing leaks to other sites; same-origin keeps the Origin header on our own form posts
    # (with no-referrer, browsers send `Origin: null`, which the CSRF check must refuse).
    "Referrer-Policy": "same-origin",
    # Pages may show a citizen's case or a supervisor's alerts: never keep them in a cache.
    "Cache-Control": "no-store",
}


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["static"] = static_url
    env.filters["local_time"] = local_time
    return env


#: Times are stored in UTC; the people reading these pages live on Beijing time.
BEIJING = timezone(timedelta(hours=8))


def local_time(value: str | None) -> str:
    """`2026-11-25T01:30:00.000000Z` -> `2026-11-25 09:30` (Beijing time)."""
    if not value:
        return "—"
    try:
        return timestamps.parse(value, field="time").astimezone(BEIJING).strftime(
            "%Y-%m-%d %H:%M")
    except errors.LedgerError:
        return value


@cache
def static_url(name: str) -> str:
    """`/static/<name>?v=<content hash>`: browsers may cache it forever, and still see edits."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


class PageError(Exception):
    """Raised by a page handler: answer `status` with the error page showing message `key`."""

    def __init__(self, status: int, key: str, *, headers: dict[str, str] | None = None,
                 **fields: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.headers = headers
        self.fields = fields


def page(request: Request, template: str, *, status: int = 200,
         headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    lang, explicit = i18n.negotiate(request)
    t = i18n.Translator(lang)
    # The switch link keeps the current GET path; after a POST it leads back to the form.
    switch_url = f"{request.url.path}?lang={t.other}"
    body = environment().get_template(template).render(
        lang=lang, html_lang=i18n.HTML_LANG[lang], t=t, switch_url=switch_url,
        path=request.url.path, **context)
    response = HTMLResponse(body, status_code=status, headers={**HEADERS, **(headers or {})})
    if explicit:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")
    return response


def error_page(request: Request, status: int, key: str, **fields: object) -> HTMLResponse:
    return page(request, "error.html", status=status, status_code=status, message=key,
                fields=fields)


def _status_and_key(exc: Exception) -> tuple[int, str, dict[str, str] | None]:
    if isinstance(exc, PageError):
        return exc.status, exc.key, exc.headers
    if isinstance(exc, ApiProblem):
        return exc.status, f"error.{exc.status}", exc.headers
    if isinstance(exc, BodyTooLarge):
        # The unread rest of the body makes the connection unusable for another request.
        return 413, "error.413", {"Connection": "close"}
    if isinstance(exc, RequestValidationError):
        return 422, "error.422", None
    if isinstance(exc, HTTPException):
        return exc.status_code, f"error.{exc.status_code}", dict(exc.headers or {})
    if isinstance(exc, errors.NotFound):
        return 404, "error.404", None
    if isinstance(exc, errors.LedgerInconsistent):
        log.error("ledger inconsistent on a page: %s; run `govtrace audit`", exc)
        return 500, "error.ledger-inconsistent", None
    if isinstance(exc, errors.StorageError | OperationalError):
        log.error("storage error on a page: %s", exc)
        return 503, "error.503", {"Retry-After": "5"}
    log.error("page failed", exc_info=exc)
    return 500, "error.500", None


class PageRoute(APIRoute):
    """Routes whose every failure becomes an HTML error page with the same status code a
    problem would have had; the API's problem handlers stay for the API's own routes."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                status, key, headers = _status_and_key(exc)
                fields = exc.fields if isinstance(exc, PageError) else {}
                t = i18n.Translator(i18n.negotiate(request)[0])
                if not t.has(key):
                    key = "error.generic"
                response = error_page(request, status, key, **fields)
                response.headers.update(headers or {})
                return response

        return handle
