"""What every page shares: language, security headers, HTML error pages, the catalog."""

from __future__ import annotations

import re
import string

import pytest

from api.pages.catalog import MESSAGES
from tests.api.live import Live
from tests.pages.conftest import browser

PAGES = ["/", "/cases", "/verify", "/explorer", "/explorer/310000", "/supervision/login"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_html_with_a_strict_policy(live: Live, path: str) -> None:
    with browser(live) as http:
        r = http.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp  # no script at all
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    assert '<html lang="zh-CN">' in r.text
    assert "<script" not in r.text and " style=" not in r.text
    # Everything is served from here: no absolute URL in any src or href.
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', r.text)


def test_language_from_query_then_cookie_then_accept_language(live: Live) -> None:
    with browser(live, "en-GB,en;q=0.9") as http:
        assert '<html lang="en">' in http.get("/").text
        r = http.get("/?lang=zh")
        assert '<html lang="zh-CN">' in r.text
        assert "govtrace_lang=zh" in r.headers["set-cookie"]
        assert '<html lang="zh-CN">' in http.get("/explorer").text  # remembered
    with browser(live, "fr, zh;q=0.5") as http:
        assert '<html lang="zh-CN">' in http.get("/").text
    with browser(live, "fr") as http:
        assert '<html lang="zh-CN">' in http.get("/").text  # the default


def test_errors_are_friendly_pages_with_the_api_status(live: Live) -> None:
    with browser(live) as http:
        r = http.get("/explorer/999999")
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "999999 不是省级行政区划代码" in r.text
        r = http.get("/explorer/310000?after=-1")
        assert r.status_code == 422 and "填写的内容有误" in r.text
    # The API keeps answering with problems.
    with browser(live) as http:
        r = http.get("/v1/batches/999999")
    assert r.headers["content-type"] == "application/problem+json"


def test_static_files_are_local_and_versioned(live: Live) -> None:
    with browser(live) as http:
        page = http.get("/").text
        css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]{12})"', page)
        assert css is not None
        assert http.get(css.group(1)).status_code == 200
        assert "@import" not in http.get(css.group(1)).text


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_both_languages_with_the_same_fields() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key
