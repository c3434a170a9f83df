"""Supervisor sessions over HTTP: sign-in, CSRF, cookie flags, revocation, sign-out."""

from __future__ import annotations

import time

import httpx

from api.pages.session import SessionStore
from ledger import keys
from ledger.keys import Principal
from tests.api.live import Live
from tests.pages.conftest import browser, csrf_of


def _login(http: httpx.Client, live: Live, token: str, **extra: str) -> httpx.Response:
    csrf = csrf_of(http.get("/supervision/login").text)
    return http.post("/supervision/login", data={"csrf": csrf, "api_key": token, **extra},
                     headers={"Origin": live.url})


def test_dashboard_redirects_to_the_sign_in(live: Live) -> None:
    with browser(live) as http:
        r = http.get("/supervision")
    assert r.status_code == 303 and r.headers["location"] == "/supervision/login"


def test_sign_in_refuses_forged_forms(live: Live) -> None:
    token = live.tokens["supervisor"]
    with browser(live) as http:
        csrf = csrf_of(http.get("/supervision/login").text)
        r = http.post("/supervision/login", data={"api_key": token})
        assert r.status_code == 403 and "表单已过期" in r.text
        r = http.post("/supervision/login", data={"api_key": token, "csrf": "x" * 43})
        assert r.status_code == 403
        r = http.post("/supervision/login", data={"api_key": token, "csrf": csrf},
                      headers={"Origin": "https://evil.example"})
        assert r.status_code == 403
        assert "govtrace_session" not in http.cookies


def test_wrong_keys_and_roles_are_refused(live: Live) -> None:
    with browser(live) as http:
        r = _login(http, live, "gt_nope_nope")
        assert r.status_code == 401 and "密钥无效或已被吊销" in r.text
        r = _login(http, live, live.tokens["op_sh"])
        assert r.status_code == 403 and "该密钥的角色不能登录网页" in r.text
        assert "govtrace_session" not in http.cookies


def test_supervisor_session_cookie_and_sign_out(live: Live, batches: int) -> None:
    token = live.tokens["supervisor"]
    with browser(live) as http:
        r = _login(http, live, token)
        assert r.status_code == 303 and r.headers["location"] == "/supervision"
        cookie = next(c for c in r.headers.get_list("set-cookie")
                      if c.startswith("govtrace_session="))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age" not in cookie
        assert token not in cookie and token.split("_", 2)[2] not in cookie
        page = http.get("/supervision?province=310000&severity=bogus")
        assert page.status_code == 200 and "上链延迟" in page.text
        assert 'data-province="310000"' in page.text
        assert 'data-province="320000"' not in page.text
        assert http.post("/supervision/logout", data={}).status_code == 403
        r = http.post("/supervision/logout", data={"csrf": csrf_of(page.text)},
                      headers={"Origin": live.url})
        assert r.status_code == 303
        assert http.get("/supervision").status_code == 303


def test_revoking_the_key_ends_the_session(live: Live) -> None:
    token, key = keys.create(live.db, "supervisor", label="short-lived")
    with browser(live) as http:
        assert _login(http, live, token).status_code == 303
        assert http.get("/supervision").status_code == 200
        keys.revoke(live.db, key.principal.key_id)
        time.sleep(live.settings.auth_cache_seconds + 0.2)  # the API's own revocation delay
        assert http.get("/supervision").status_code == 303


def test_sessions_expire_when_idle_and_when_old() -> None:
    principal = Principal("k", "supervisor", None, "")
    idle = SessionStore(idle=0.05)
    sid, _ = idle.create("t", principal)
    assert idle.get(sid) is not None
    time.sleep(0.1)
    assert idle.get(sid) is None
    old = SessionStore(max_age=0.05)
    sid, _ = old.create("t", principal)
    time.sleep(0.1)
    assert old.get(sid) is None
    assert old.get(None) is None and old.get("made-up") is None


def test_every_audit_category_has_a_label_in_both_languages() -> None:
    # The dashboard's audit panel names each category of a report; a category added to the
    # audit without its label made the whole dashboard answer 500.
    from api.pages.catalog import MESSAGES
    from ledger.audit_report import CATEGORIES

    for category in CATEGORIES:
        zh, en = MESSAGES[f"audit.category.{category}"]
        assert zh and en, category
