"""Authentication (401) and who may read what (role matrix in api/deps.py)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledger import keys
from tests.api.live import JS, SH, Live, assert_problem, live_server, record

PROTECTED = [("POST", "/v1/records"), ("POST", "/v1/records:batch"),
             ("GET", f"/v1/records/{uuid.uuid4()}"),
             ("GET", f"/v1/records/{uuid.uuid4()}/evidence"),
             ("GET", "/v1/batches/310000"), ("GET", "/v1/batches/310000/1")]


def _unauthorized(response: httpx.Response) -> dict[str, Any]:
    body = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")
    return body


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_missing_key_is_401(live: Live, method: str, path: str) -> None:
    with live.client(None) as anonymous:
        _unauthorized(anonymous.request(method, path, json=record()))


@pytest.mark.parametrize("authorization", [
    "Bearer gt_000000000000_nope",  # unknown key id
    "Bearer gt_garbage",  # malformed
    "Bearer not-a-govtrace-key",
    "Basic dXNlcjpwYXNz",  # wrong scheme
    "Bearer",  # no credentials
])
def test_invalid_key_is_401(live: Live, authorization: str) -> None:
    before = live.count()
    with live.client(None, Authorization=authorization) as c:
        _unauthorized(c.post("/v1/records", json=record()))
        _unauthorized(c.get("/v1/batches/310000"))
    assert live.count() == before


def test_wrong_secret_for_a_real_key_is_401(live: Live) -> None:
    token = live.tokens["op_sh"]
    forged = token[: token.rindex("_") + 1] + "x" * 43
    with live.client(None, Authorization=f"Bearer {forged}") as c:
        _unauthorized(c.post("/v1/records", json=record()))


def test_revoked_key_is_401(live: Live) -> None:
    token, key = keys.create(live.db, "operator", province=SH, label="revoked")
    keys.revoke(live.db, key.principal.key_id)
    before = live.count()
    with live.client(None, Authorization=f"Bearer {token}") as c:
        body = _unauthorized(c.post("/v1/records", json=record()))
        assert "revoked" in body["detail"]
        _unauthorized(c.get("/v1/batches/310000"))
    assert live.count() == before


@pytest.mark.parametrize("ttl", [0.0, 0.3])
def test_revocation_takes_effect_within_the_cache_ttl(tmp_path: Path, ttl: float) -> None:
    with live_server(tmp_path, auth_cache_seconds=ttl) as server:
        token, key = keys.create(server.db, "operator", province=SH)
        with server.client(None, Authorization=f"Bearer {token}") as c:
            assert c.post("/v1/records", json=record()).status_code == 201
            keys.revoke(server.db, key.principal.key_id)
            revoked_at = time.monotonic()
            # Within the TTL the cached key may still be honoured; never after it.
            while ttl and c.post("/v1/records", json=record()).status_code == 201:
                assert time.monotonic() - revoked_at < ttl + 0.2, "revocation ignored"
                time.sleep(0.05)
            _unauthorized(c.post("/v1/records", json=record()))


@pytest.fixture(scope="module")
def sh_record(sh: httpx.Client) -> dict[str, Any]:
    rec = record()
    sh.post("/v1/records", json=rec).raise_for_status()
    return rec


@pytest.mark.parametrize("who", ["op_sh", "supervisor", "admin", "partner"])
def test_who_may_read_a_record(live: Live, sh_record: dict[str, Any], who: str) -> None:
    with live.client(who) as c:
        got = c.get(f"/v1/records/{sh_record['record_id']}")
        assert got.status_code == 200
        assert got.json()["record"]["record_id"] == sh_record["record_id"]
        assert got.json()["status"] == "pending"
        # Evidence is readable too: it just is not sealed yet.
        assert_problem(c.get(f"/v1/records/{sh_record['record_id']}/evidence"), 409,
                       "not-sealed")


def _without_instance(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    body.pop("instance")
    return {k: v.replace(response.request.url.path.split("/")[3], "<id>")
            if isinstance(v, str) else v for k, v in body.items()}


@pytest.mark.parametrize("suffix", ["", "/evidence"])
def test_other_province_reads_look_like_unknown_ids(live: Live, sh_record: dict[str, Any],
                                                    suffix: str) -> None:
    unknown = str(uuid.uuid4())
    with live.client("op_js") as js:
        hidden = js.get(f"/v1/records/{sh_record['record_id']}{suffix}")
        missing = js.get(f"/v1/records/{unknown}{suffix}")
    assert_problem(hidden, 404, "not-found")
    assert_problem(missing, 404, "not-found")
    assert _without_instance(hidden) == _without_instance(missing)
    assert dict(hidden.headers).keys() == dict(missing.headers).keys()


def test_any_key_reads_batches(live: Live) -> None:
    for who in live.tokens:
        with live.client(who) as c:
            page = c.get(f"/v1/batches/{JS}")
            assert page.status_code == 200
            assert page.json()["province"] == JS
            assert_problem(c.get(f"/v1/batches/{JS}/999"), 404, "not-found")


def test_keys_are_checked_before_the_body_is_read(live: Live) -> None:
    malformed, json_type = b'{"records": [', {"content-type": "application/json"}
    with live.client(None) as anonymous:
        _unauthorized(anonymous.post("/v1/records:batch", content=malformed, headers=json_type))
    with live.client("supervisor") as supervisor:
        assert_problem(supervisor.post("/v1/records:batch", content=malformed,
                                       headers=json_type), 403, "forbidden")
