"""Dependencies: app context, authentication, and the role rules, all in this one place.

Role matrix for records and batches (cases, licenses and citizens: api/access.py; the whole
matrix: docs/roles.md):

| action                       | admin | supervisor | partner | operator                |
|------------------------------|-------|------------|---------|-------------------------|
| append records               |  403  |    403     |   403   | own province, else 403  |
| read a record / its evidence |  yes  |    yes     |   yes   | own province, else 404  |
| read batches                 |  yes  |    yes     |   yes   | yes                     |

A record outside the caller's reach answers exactly like an unknown id (404), so a key
cannot probe which record ids exist in other provinces.

Dependencies are `async def` so FastAPI runs them inline on the event loop; the one that may
block (a key not in the authentication cache) hands its query to the threadpool itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from govtrace.settings import Settings
from ledger.keys import Principal
from ledger.store import Database

from .problems import ApiProblem
from .services import AppContext, Services

Role = Literal["admin", "operator", "supervisor", "partner"]
#: Roles that may read any province's records (an operator reads only its own province).
READ_ALL_PROVINCES: frozenset[str] = frozenset({"admin", "supervisor", "partner"})
WRITERS: tuple[Role, ...] = ("operator",)
RECORD_READERS: tuple[Role, ...] = ("admin", "supervisor", "partner", "operator")

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="gt_<key_id>_<secret>",
    description="API key issued by `govtrace keys create`; send `Authorization: Bearer gt_…`.",
)


async def get_context(request: Request) -> AppContext:
    ctx = request.app.state.govtrace
    assert isinstance(ctx, AppContext)
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_db(request: Request) -> Database:
    return (await get_context(request)).db


async def get_settings(request: Request) -> Settings:
    return (await get_context(request)).settings


async def get_services(request: Request) -> Services:
    return (await get_context(request)).services


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem("unauthorized", detail,
                      headers={"WWW-Authenticate": 'Bearer realm="govtrace"'})


async def get_principal(
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    return await _authenticate(ctx, credentials)


async def _authenticate(ctx: AppContext, credentials: HTTPAuthorizationCredentials | None
                        ) -> Principal:
    if credentials is None:
        raise _unauthorized("send an API key as `Authorization: Bearer gt_…`")
    token = credentials.credentials
    # Cache hits cost no I/O and stay on the event loop; misses query the database in the
    # threadpool.
    principal = ctx.auth.cached(token) or await run_in_threadpool(ctx.auth.authenticate, token)
    if principal is None:
        # One answer for unknown, malformed and revoked keys: nothing to learn by probing.
        raise _unauthorized("the API key is invalid or has been revoked")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only `roles`; any other authenticated key gets 403."""
    allowed = frozenset(roles)
    wanted = ", ".join(roles)

    async def dependency(principal: PrincipalDep) -> Principal:
        _check_role(principal, allowed, wanted)
        return principal

    return dependency


def _check_role(principal: Principal, allowed: frozenset[str], wanted: str) -> None:
    if principal.role not in allowed:
        raise ApiProblem("forbidden", f"this action needs role {wanted}; "
                         f"the key has role {principal.role}")


RecordReaderDep = Annotated[Principal, Depends(require_role(*RECORD_READERS))]


def may_read_province(principal: Principal, province: int) -> bool:
    return principal.role in READ_ALL_PROVINCES or (
        principal.role == "operator" and principal.province == province)


def ensure_may_write(principal: Principal, provinces: Sequence[int]) -> None:
    """403 unless the key may write for every one of `provinces` (one per record)."""
    refused = [i for i, p in enumerate(provinces) if not principal.may_write(p)]
    if not refused:
        return
    if len(provinces) == 1:
        raise ApiProblem("forbidden", f"this key writes only for province {principal.province}, "
                         f"not {provinces[0]}; nothing was written")
    shown = ", ".join(map(str, refused[:20])) + (" …" if len(refused) > 20 else "")
    raise ApiProblem(
        "forbidden",
        f"this key writes only for province {principal.province}; {len(refused)} record(s) "
        f"(index {shown}) are for another province; nothing was written",
        indexes=refused[:100],
    )


async def read_json_body(request: Request) -> bytes:
    """The raw request body, parsed later exactly once by the endpoint; 415 unless JSON."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/")
                                            and media.endswith("+json")):
        raise ApiProblem("unsupported-media-type",
                         f"send the body as application/json, not {media or 'untyped'}")
    return await request.body()


#: Declare after the principal dependency: FastAPI resolves dependencies in parameter order,
#: so unauthenticated callers are turned away before their body is read.
RawBodyDep = Annotated[bytes, Depends(read_json_body)]


@dataclass(frozen=True, slots=True)
class LedgerWrite:
    """What a ledger write endpoint needs: the writer's key, the app, the raw JSON body."""

    principal: Principal
    ctx: AppContext
    body: bytes


_WRITER_ROLES = frozenset(WRITERS)


async def ledger_write(request: Request) -> LedgerWrite:
    """An operator's principal, `ContextDep` and `RawBodyDep` as one dependency, with the
    same checks in the same order (401, 403, then 415 before the body is read). FastAPI's
    dependency resolution cost more per request than the rest of a single-record append
    (docs/performance.md). Routes taking it declare their bearer security in the OpenAPI
    document themselves (`LEDGER_WRITE_SECURITY`)."""
    ctx = await get_context(request)
    principal = await _authenticate(ctx, await bearer(request))
    _check_role(principal, _WRITER_ROLES, ", ".join(WRITERS))
    return LedgerWrite(principal, ctx, await read_json_body(request))


LedgerWriteDep = Annotated[LedgerWrite, Depends(ledger_write)]
#: The OpenAPI `security` of a route that takes `LedgerWriteDep` (the scheme is `bearer`'s).
LEDGER_WRITE_SECURITY: list[dict[str, list[str]]] = [{"ApiKey": []}]
