"""HTTP-level behaviour: routing, body limits, health states, unexpected errors, OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.live import BODY_LIMIT, Live, assert_problem, issue_keys, live_server, record
from tests.api_domain.test_openapi_domain import ROUTES as DOMAIN_ROUTE_LIST


def test_unknown_route_and_method(sh: httpx.Client) -> None:
    body = assert_problem(sh.get("/v2/records"), 404, "not-found")
    assert "/v2/records" in body["detail"]
    assert_problem(sh.post("/v1/records/", json=record()), 404, "not-found")
    response = sh.delete("/v1/records:batch")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"
    assert_problem(sh.put(f"/v1/records/{record()['record_id']}", json={}), 405,
                   "method-not-allowed")


def test_custom_method_path_is_not_taken_for_a_record_id(live: Live, sh: httpx.Client) -> None:
    # `/v1/records:batch` must reach the batch route, never `/v1/records/{record_id}`.
    assert sh.post("/v1/records:batch", json={"records": [record()]}).status_code == 201
    assert_problem(sh.get("/v1/records:batch"), 405, "method-not-allowed")
    encoded = sh.post("/v1/records%3Abatch", json={"records": [record()]})
    assert encoded.status_code == 201


def test_declared_oversized_body_is_refused_unread(live: Live, sh: httpx.Client) -> None:
    before = live.count()
    big = b"[" + b"0," * (BODY_LIMIT // 2) + b"0]"
    response = sh.post("/v1/records:batch", content=big,
                       headers={"content-type": "application/json"})
    body = assert_problem(response, 413, "body-too-large")
    assert body["limit"] == BODY_LIMIT
    assert live.count() == before


def test_streamed_oversized_body_is_cut_off(live: Live) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"records": ['
        for _ in range(BODY_LIMIT // 1000 + 10):
            yield b" " * 1000  # no Content-Length: sent chunked

    before = live.count()
    with live.client("op_sh") as c:
        response = c.post("/v1/records:batch", content=chunks(),
                          headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "body-too-large")
    assert live.count() == before


def test_body_at_the_limit_is_accepted(sh: httpx.Client) -> None:
    rec = record(payload={})
    raw = httpx.Request("POST", "/", json=rec).content
    padded = raw[:-1] + b" " * (BODY_LIMIT - len(raw)) + b"}"
    assert len(padded) == BODY_LIMIT
    response = sh.post("/v1/records", content=padded,
                       headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text


def test_healthz_needs_no_key(live: Live) -> None:
    with live.client(None) as anonymous:
        response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.headers["cache-control"] == "no-store"


def _failing_chain() -> dict[str, object]:
    raise ConnectionRefusedError("rpc down")


def test_healthz_degraded_when_chain_fails(tmp_path: Path) -> None:
    with live_server(tmp_path, chain_status=_failing_chain) as server, \
            server.client(None) as c:
        response = c.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["chain"] == {"reachable": False, "error": "ConnectionRefusedError"}


def test_healthz_503_when_database_unusable(tmp_path: Path) -> None:
    with live_server(tmp_path, schema=False) as server, server.client(None) as c:
        response = c.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["database"]["ok"] is False
    assert "no such table" not in response.text, "no internals in the answer"


def test_unexpected_error_is_a_bare_500_problem(tmp_path: Path) -> None:
    secret = object()  # a chain client returning something unserialisable: a server bug
    with live_server(tmp_path, chain_status=lambda: {"latest_block": secret}) as server, \
            server.client(None) as c:
        response = c.get("/healthz")
    body = assert_problem(response, 500, "internal-error")
    assert body["detail"] == "the server failed to process the request"
    assert "object" not in response.text and "Traceback" not in response.text


def test_storage_failure_on_write_is_503(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        issue_keys(server)
        with server.db.transaction() as s:
            from sqlalchemy import text
            s.execute(text("DROP TABLE subject_head"))  # the ledger can no longer append
        with server.client("op_sh") as c:
            response = c.post("/v1/records", json=record())
    assert_problem(response, 503, "storage-error")
    assert response.headers["retry-after"] == "1"
    assert "subject_head" not in response.text


@pytest.fixture(scope="module")
def openapi(live: Live) -> dict[str, object]:
    with live.client(None) as c:
        document: dict[str, object] = c.get("/openapi.json").json()
    return document


ROUTES = {("post", "/v1/records"), ("post", "/v1/records:batch"),
          ("get", "/v1/records/{record_id}"), ("get", "/v1/records/{record_id}/evidence"),
          ("get", "/v1/batches/{province}/{batch_no}"), ("get", "/v1/batches/{province}"),
          ("get", "/healthz"),
          # electronic supervision (issue 4; tests/supervision/test_api_supervision.py)
          ("get", "/v1/supervision/alerts"), ("get", "/v1/supervision/stats"),
          # tamper audit (issue 4; tests/audit/test_audit_api.py)
          ("post", "/v1/supervision/audits"), ("get", "/v1/supervision/audits/{audit_id}")}
#: Routes answering other media types than JSON (Prometheus text: tests/ops/test_metrics.py).
TEXT_ROUTES = {("get", "/metrics")}
#: Case, license, catalogue and citizen routes: checked in tests/api_domain/test_openapi_domain.py.
DOMAIN_ROUTES = set(DOMAIN_ROUTE_LIST)


def test_openapi_lists_every_route_with_examples(openapi: dict[str, object]) -> None:
    paths = openapi["paths"]
    assert isinstance(paths, dict)
    assert {(m, p) for p, ops in paths.items() for m in ops} == \
        ROUTES | TEXT_ROUTES | DOMAIN_ROUTES
    for method, path in ROUTES:
        op = paths[path][method]
        success = [v for k, v in op["responses"].items() if k.startswith("2")]
        assert success and all("example" in v["content"]["application/json"]
                               for v in success), (method, path)
        for status, response in op["responses"].items():
            if status.startswith("4"):
                media = response["content"]["application/problem+json"]
                assert media["examples"], (method, path, status)
        if method == "post":
            body = op["requestBody"]["content"]["application/json"]
            assert body["examples"] and body["schema"]["$ref"].startswith("#/components/")
            assert op["security"] == [{"ApiKey": []}]


def test_openapi_components_resolve(openapi: dict[str, object]) -> None:
    components = openapi["components"]
    assert isinstance(components, dict)
    schemas = components["schemas"]
    refs: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"].removeprefix("#/components/schemas/"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(openapi)
    assert refs <= set(schemas), refs - set(schemas)
    batch_in = schemas["RecordBatchIn"]["properties"]["records"]
    assert batch_in["maxItems"] == 1000 and batch_in["minItems"] == 1
    assert schemas["RecordIn"]["additionalProperties"] is False
    assert components["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
