"""Staff sessions for the pages (supervisors, partner-province clerks), and CSRF protection of
their forms.

A supervisor or clerk signs in by pasting an API key. The key is a bearer secret that never expires
by itself, so it is not put in a cookie (signed or not, a stolen cookie would then be the key
for ever, and would travel with every request): the server keeps it in memory and the cookie
carries only a random session id, HttpOnly (no script can read it) and SameSite=Strict (no
other site can make the browser send it). Sessions end after 30 idle minutes, after 8 hours,
on logout, when the key is revoked (checked on every request through the API's
authenticator) and when the process restarts. They live in this process only, which suits
`govtrace serve`'s single process; several processes would need a shared store.

CSRF: forms posted within a session carry that session's token (synchronizer token); the
login form, posted before any session exists, carries a token that must equal a cookie set
with the form (double submit). Requests whose Origin names another site are refused outright.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ledger.keys import Principal

from ..deps import get_context

SESSION_COOKIE = "govtrace_session"
LOGIN_CSRF_COOKIE = "govtrace_login_csrf"
IDLE_SECONDS = 30 * 60
MAX_AGE_SECONDS = 8 * 3600
MAX_SESSIONS = 10_000
#: Roles that may sign in to the pages: supervisors (the dashboard) and the roles that may
#: look a license up (partner provinces' counters; api/access.py VERIFIERS).
SUPERVISORS = frozenset({"supervisor", "admin"})
LICENSE_CHECKERS = frozenset({"partner", "supervisor", "admin"})
SIGN_IN_ROLES = SUPERVISORS | LICENSE_CHECKERS


@dataclass
class Session:
    token: str
    principal: Principal
    csrf: str
    created: float
    last_seen: float


class SessionStore:
    def __init__(self, *, idle: float = IDLE_SECONDS, max_age: float = MAX_AGE_SECONDS,
                 max_sessions: int = MAX_SESSIONS) -> None:
        self.idle, self.max_age, self.max_sessions = idle, max_age, max_sessions
        self._lock = threading.Lock()
        # digest of the session id -> session: the ids themselves are not kept
        self._sessions: dict[bytes, Session] = {}

    @staticmethod
    def _key(sid: str) -> bytes:
        return hashlib.sha256(sid.encode()).digest()

    def _alive(self, s: Session, now: float) -> bool:
        return now - s.last_seen < self.idle and now - s.created < self.max_age

    def create(self, token: str, principal: Principal) -> tuple[str, Session]:
        sid, now = secrets.token_urlsafe(32), time.monotonic()
        session = Session(token, principal, secrets.token_urlsafe(32), now, now)
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                self._sessions = {k: v for k, v in self._sessions.items() if self._alive(v, now)}
                if len(self._sessions) >= self.max_sessions:  # refuse to grow without bound
                    oldest = min(self._sessions, key=lambda k: self._sessions[k].last_seen)
                    del self._sessions[oldest]
            self._sessions[self._key(sid)] = session
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(self._key(sid))
            if session is None:
                return None
            if not self._alive(session, now):
                del self._sessions[self._key(sid)]
                return None
            session.last_seen = now
            return session

    def drop(self, sid: str | None) -> None:
        if sid:
            with self._lock:
                self._sessions.pop(self._key(sid), None)


def store(request: Request) -> SessionStore:
    found = request.app.state.govtrace_sessions
    assert isinstance(found, SessionStore)
    return found


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(
        str(expected).encode(), str(given).encode())


def same_origin(request: Request) -> bool:
    """False when the browser says the form came from another origin. Browsers send Origin
    on every POST; a missing header (old clients, curl) is left to the token check."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def _cookie(response: Response, request: Request, name: str, value: str,
            max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def set_session_cookie(response: Response, request: Request, sid: str) -> None:
    # A session cookie (no Max-Age): closing the browser ends it on the client side too.
    _cookie(response, request, SESSION_COOKIE, sid, None)


def clear_session_cookie(response: Response, request: Request) -> None:
    _cookie(response, request, SESSION_COOKIE, "", 0)


def login_csrf(request: Request) -> str:
    """The login form's token: the one already in the cookie, or a new one."""
    existing = request.cookies.get(LOGIN_CSRF_COOKIE)
    return existing if existing and len(existing) >= 32 else secrets.token_urlsafe(32)


def set_login_csrf_cookie(response: Response, request: Request, token: str) -> None:
    _cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)


async def principal_of(request: Request, token: str) -> Principal | None:
    """The key's principal if it is valid now (revocation included), as the API decides."""
    auth = (await get_context(request)).auth
    return auth.cached(token) or await run_in_threadpool(auth.authenticate, token)


async def signed_in(request: Request, roles: frozenset[str] = SIGN_IN_ROLES
                    ) -> Session | None:
    """The request's live session if its key has one of `roles` now, else None (no cookie,
    expired, key revoked, or a role this page does not admit)."""
    sessions = store(request)
    sid = request.cookies.get(SESSION_COOKIE)
    session = sessions.get(sid)
    if session is None:
        return None
    principal = await principal_of(request, session.token)
    if principal is None or principal.role not in SIGN_IN_ROLES:
        sessions.drop(sid)
        return None
    return session if principal.role in roles else None
