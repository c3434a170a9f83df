"""Bad input: every case is a precise 4xx problem, and nothing is written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.live import SH, Live, assert_problem, record

FUTURE = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _without(key: str) -> dict[str, Any]:
    rec = record()
    del rec[key]
    return rec


# (case id, record or raw body, status, problem code, field)
JSON_CASES: list[tuple[str, Any, int, str, str | None]] = [
    ("float", record(payload={"amount": 1.0}), 422, "not-canonicalizable", "payload.amount"),
    ("nested float", record(payload={"a": [{"b": 0.5}]}), 422, "not-canonicalizable",
     "payload.a[0].b"),
    ("int beyond 2^53", record(payload={"n": 2**60}), 422, "not-canonicalizable",
     "payload.n"),
    ("int beyond 64 bits", record(payload={"n": 10**30}), 422, "not-canonicalizable",
     "payload.n"),
    ("negative huge int", record(payload={"n": -(10**25)}), 422, "not-canonicalizable",
     "payload.n"),
    ("float province", {**record(), "province": 310000.0}, 422, "not-canonicalizable", "province"),
    ("unknown field", record(status="done"), 422, "invalid-record", "status"),
    ("missing field", _without("actor"), 422, "invalid-record", "actor"),
    ("timestamp without zone", record(occurred_at="2026-11-25T08:00:00"), 422,
     "invalid-record", "occurred_at"),
    ("timestamp in the future", record(occurred_at=FUTURE), 422, "invalid-record",
     "occurred_at"),
    ("impossible date", record(occurred_at="2026-02-30T08:00:00Z"), 422, "invalid-record",
     "occurred_at"),
    ("city code, not province", record(province=310100), 422, "invalid-record", "province"),
    ("province as string", {**record(), "province": "310000"}, 422, "invalid-record", "province"),
    ("province Taiwan (not in scheme)", record(province=710000), 422, "invalid-record",
     "province"),
    ("uppercase uuid", record(record_id="0F8B7C1E-3C55-4D5E-9A41-6F7D2B9E8A10"), 422,
     "invalid-record", "record_id"),
    ("subject not an object", record(subject="SH-1"), 422, "invalid-record", "subject"),
    ("kind mismatches subject", record(kind="license.issued"), 422, "invalid-record", "kind"),
    ("payload not an object", record(payload=[1, 2]), 422, "invalid-record", "payload"),
    ("officer wrong type", record(actor={"department": "SH-GA", "officer": 7}), 422,
     "invalid-record", "actor.officer"),
    ("full-width id", record(subject={"type": "case", "id": "ＳＨ-1"}), 422,
     "invalid-record", "subject.id"),
    ("payload too deep", record(payload=json.loads('{"a":' * 40 + "1" + "}" * 40)), 422,
     "not-canonicalizable", "payload" + ".a" * 33),
    ("payload too large", record(payload={"blob": "x" * 17000}), 422, "invalid-record",
     "payload"),
    ("array body", [record()], 422, "invalid-record", None),
    ("string body", "record", 422, "invalid-record", None),
    ("null body", None, 422, "invalid-record", None),
    ("number body", 42, 422, "invalid-record", None),
]


@pytest.mark.parametrize(("case", "body", "status", "code", "field"), JSON_CASES,
                         ids=[c[0] for c in JSON_CASES])
def test_bad_record(live: Live, sh: httpx.Client, case: str, body: Any, status: int,
                    code: str, field: str | None) -> None:
    before = live.count()
    response = sh.post("/v1/records", content=json.dumps(body).encode(),
                       headers={"content-type": "application/json"})
    problem = assert_problem(response, status, code)
    assert problem.get("field") == field, problem
    assert live.count() == before


RAW_CASES: list[tuple[str, bytes, int, str]] = [
    ("truncated", b'{"record_id": ', 400, "malformed-json"),
    ("empty", b"", 400, "malformed-json"),
    ("whitespace", b"  \n", 400, "malformed-json"),
    ("NaN", b'{"n": NaN}', 400, "malformed-json"),
    ("trailing comma", b'{"a": 1,}', 400, "malformed-json"),
    ("UTF-8 BOM", b'\xef\xbb\xbf{"a": 1}', 400, "malformed-json"),
    ("invalid UTF-8", b'{"a": "\xff\xfe"}', 400, "malformed-json"),
    ("lone surrogate escape", b'{"a": "\\ud800"}', 400, "malformed-json"),
    ("UTF-16 body", '{"a": 1}'.encode("utf-16"), 400, "malformed-json"),
    ("number beyond double range", b'{"payload": {"x": 1e400}}', 422, "not-canonicalizable"),
]


@pytest.mark.parametrize(("case", "raw", "status", "code"), RAW_CASES,
                         ids=[c[0] for c in RAW_CASES])
@pytest.mark.parametrize("path", ["/v1/records", "/v1/records:batch"])
def test_unparseable_body(live: Live, sh: httpx.Client, case: str, raw: bytes, status: int,
                          code: str, path: str) -> None:
    before = live.count()
    assert_problem(sh.post(path, content=raw, headers={"content-type": "application/json"}),
                   status, code)
    assert live.count() == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          None])
def test_body_must_be_json(sh: httpx.Client, content_type: str | None) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = sh.post("/v1/records", content=json.dumps(record()).encode(), headers=headers)
    assert_problem(response, 415, "unsupported-media-type")


def test_json_content_type_with_charset_is_fine(sh: httpx.Client) -> None:
    response = sh.post("/v1/records", content=json.dumps(record()).encode(),
                       headers={"content-type": "application/json; charset=utf-8"})
    assert response.status_code == 201


def test_unicode_round_trips_exactly(sh: httpx.Client) -> None:
    payload = {
        "申请人": "张三", "emoji": "🏛️✅", "astral key 𝒳": "𠀋𡈽", "combining": "é",
        "precomposed": "é", "nul": "a\u0000b", "rtl": "\u202eabc", "bmp edge": "\uffff",
        "escapes": "line\nbreak\t\"quoted\" \\ /",
    }
    rec = record(payload=payload)
    assert sh.post("/v1/records", json=rec).status_code == 201
    assert sh.get(f"/v1/records/{rec['record_id']}").json()["record"]["payload"] == payload


def test_parameter_validation_is_a_problem_with_errors(sh: httpx.Client) -> None:
    body = assert_problem(sh.get("/v1/batches/310000", params={"limit": 0, "after": -1}),
                          422, "invalid-request")
    assert {e["field"] for e in body["errors"]} == {"query.limit", "query.after"}
    body = assert_problem(sh.get("/v1/records/not-a-uuid"), 422, "invalid-request")
    assert body["field"] == "path.record_id"
    assert_problem(sh.get("/v1/batches/310000/0"), 422, "invalid-request")
    assert_problem(sh.get("/v1/batches/abc"), 422, "invalid-request")
    body = assert_problem(sh.get("/v1/batches/999999"), 422, "invalid-request")
    assert body["field"] == "province"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=json_values)
def test_arbitrary_json_never_fails_server_side(live: Live, sh: httpx.Client,
                                                junk: Any) -> None:
    before = live.count(SH)
    response = sh.post("/v1/records", content=json.dumps(junk).encode(),
                       headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
    assert live.count(SH) == before


payloads = st.dictionaries(
    st.text(max_size=8),
    st.recursive(st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
                 | st.text(max_size=12),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8),
    max_size=5)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=payloads)
def test_any_valid_payload_is_stored_exactly(sh: httpx.Client, payload: Any) -> None:
    rec = record(payload=payload)
    assert sh.post("/v1/records", json=rec).status_code == 201
    assert sh.get(f"/v1/records/{rec['record_id']}").json()["record"]["payload"] == payload
