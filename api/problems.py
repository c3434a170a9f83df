"""RFC 9457 problem details: the only error format the API speaks.

Every error leaves as `application/problem+json` with `type`, `title`, `status`, `detail`
and `instance` (the request path), plus extension members where they help a client fix the
request: `field` (which record field was wrong), `index` (which record of a batch), `errors`
(one entry per problem when there are several).

`type` is `https://govtrace.dev/problems/<code>`; `<code>` is stable across releases and,
for ledger errors, equals `LedgerError.code`. Clients should branch on `type` (or `status`),
never on `title` or `detail`, which are for humans and may change.

Only this module turns `ledger.errors` into HTTP; routes raise ledger errors or `ApiProblem`.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ledger import errors

TYPE_BASE = "https://govtrace.dev/problems/"
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("govtrace.api")

#: code -> (status, title). Titles are fixed per type, as RFC 9457 asks.
CATALOG: dict[str, tuple[int, str]] = {
    "malformed-json": (400, "Malformed JSON"),
    "unauthorized": (401, "Authentication required"),
    "forbidden": (403, "Forbidden"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "duplicate-record": (409, "Record id already used with different content"),
    "chain-conflict": (409, "Chain conflict"),
    "conflict": (409, "Conflict"),
    "not-sealed": (409, "Record not yet sealed"),
    "body-too-large": (413, "Request body too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "invalid-record": (422, "Invalid record"),
    "not-canonicalizable": (422, "Record is not canonicalizable"),
    "invalid-request": (422, "Invalid request"),
    "too-many-records": (422, "Too many records"),
    "verification-failed": (422, "Verification failed"),
    "illegal-transition": (409, "Step not allowed in the current state"),
    "already-exists": (409, "Already exists"),
    "invalid-step": (422, "Invalid case step or license event"),
    "wrong-province": (403, "Another province writes this step"),
    "too-many-requests": (429, "Too many requests"),
    "internal-error": (500, "Internal server error"),
    # 500, not 503: the stored data is damaged, so retrying cannot help; its own type lets
    # monitoring tell it from a bug.
    "ledger-inconsistent": (500, "Ledger data inconsistent"),
    "storage-error": (503, "Storage unavailable"),
}


class ApiProblem(Exception):
    """Raised anywhere in the API to answer with a problem of a catalogued `code`."""

    def __init__(self, code: str, detail: str, *, headers: dict[str, str] | None = None,
                 **extensions: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.status, self.title = CATALOG[code]
        self.detail = detail
        self.headers = headers
        self.extensions = {k: v for k, v in extensions.items() if v is not None}


def render(code: str, detail: str, instance: str, **extensions: Any) -> bytes:
    status, title = CATALOG[code]
    return _dump(TYPE_BASE + code, title, status, detail, instance, extensions)


def _dump(type_uri: str, title: str, status: int, detail: str, instance: str,
          extensions: dict[str, Any]) -> bytes:
    body: dict[str, Any] = {"type": type_uri, "title": title, "status": status,
                            "detail": detail, "instance": instance}
    body.update((k, v) for k, v in extensions.items() if v is not None)
    return orjson.dumps(body)


def response(code: str, detail: str, request: Request, *,
             headers: dict[str, str] | None = None, **extensions: Any) -> Response:
    body = render(code, detail, request.url.path, **extensions)
    return Response(body, status_code=CATALOG[code][0], headers=headers, media_type=MEDIA_TYPE)


def _storage_problem() -> ApiProblem:
    return ApiProblem("storage-error", "the ledger database is temporarily unavailable; "
                      "retry later", headers={"Retry-After": "1"})


def from_ledger(exc: errors.LedgerError) -> ApiProblem:
    """Map a ledger error to a problem; the most specific class in the tree wins."""
    if isinstance(exc, errors.InvalidRecord):
        return ApiProblem(exc.code if exc.code in CATALOG else "invalid-record", str(exc),
                          field=exc.field)
    if isinstance(exc, errors.Conflict):
        return ApiProblem(exc.code if exc.code in CATALOG else "conflict", str(exc))
    if isinstance(exc, errors.Forbidden):
        return ApiProblem(exc.code if exc.code in CATALOG else "forbidden", str(exc))
    if isinstance(exc, errors.NotFound):
        return ApiProblem("not-found", str(exc))
    if isinstance(exc, errors.NotYetSealed):
        return ApiProblem("not-sealed", f"{exc}; an evidence bundle exists once its batch is "
                          "sealed (usually within seconds): retry later",
                          headers={"Retry-After": "5"})
    if isinstance(exc, errors.VerificationError):
        return ApiProblem("verification-failed", str(exc), reason=exc.reason)
    if isinstance(exc, errors.LedgerInconsistent):
        log.error("ledger inconsistent: %s; run `govtrace audit`", exc)
        return ApiProblem("ledger-inconsistent", f"{exc}: the ledger's stored data is "
                          "incomplete, so no proof can be built; operators should run "
                          "`govtrace audit` to locate the damage and restore it from a backup")
    if isinstance(exc, errors.StorageError):
        # The ledger's message may name tables or SQL: keep it in the log, not the answer.
        log.error("storage error: %s", exc)
        return _storage_problem()
    log.error("unmapped ledger error %s: %s", type(exc).__name__, exc)
    return ApiProblem("internal-error", "the server failed to process the request")


async def _api_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return response(exc.code, exc.detail, request, headers=exc.headers, **exc.extensions)


async def _ledger_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.LedgerError)
    return await _api_problem(request, from_ledger(exc))


async def _database_error(request: Request, exc: Exception) -> Response:
    # The ledger wraps only some database failures in StorageError; an OperationalError
    # (locked past the timeout, disk full, I/O error, connection lost) means the same.
    log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
    return await _api_problem(request, _storage_problem())


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    items = [{"field": ".".join(str(p) for p in e.get("loc", ())), "detail": e.get("msg", ""),
              "code": e.get("type", "")} for e in exc.errors()]
    if any(i["code"] == "json_invalid" for i in items):
        return response("malformed-json", "request body is not valid JSON", request)
    field = items[0]["field"] if items else None
    detail = f"{field}: {items[0]['detail']}" if items else "invalid request"
    return response("invalid-request", detail, request, field=field, errors=items)


_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not-found",
               405: "method-not-allowed", 413: "body-too-large", 415: "unsupported-media-type"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code)
    if exc.status_code == 404:
        detail = f"no resource at {request.method} {request.url.path}"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    else:
        detail = str(exc.detail)
    if code is not None:
        return response(code, detail, request, headers=dict(exc.headers or {}))
    # A status we have no type for: RFC 9457 says use about:blank with the status phrase.
    body = _dump("about:blank", HTTPStatus(exc.status_code).phrase, exc.status_code, detail,
                 request.url.path, {})
    return Response(body, status_code=exc.status_code, headers=exc.headers,
                    media_type=MEDIA_TYPE)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Starlette's ServerErrorMiddleware calls this, then re-raises so the server logs too;
    # we log with the request line because the server's log line lacks it.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return response("internal-error", "the server failed to process the request", request)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(errors.LedgerError, _ledger_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
