"""The OpenAPI document covers the case, license, catalogue and citizen routes completely:
every operation has a summary, documented problems, a success example, and every JSON
request body a schema and examples that the real endpoint accepts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.live import Live

ROUTES = [
    ("get", "/v1/catalogue/items"), ("post", "/v1/catalogue/items"),
    ("get", "/v1/catalogue/items/{item_code}"),
    ("post", "/v1/cases"), ("get", "/v1/cases"), ("get", "/v1/cases/{case_no}"),
    ("post", "/v1/cases/{case_no}/steps"), ("get", "/v1/cases/{case_no}/trace"),
    ("post", "/v1/licenses"), ("get", "/v1/licenses/{license_id}"),
    ("post", "/v1/licenses/{license_id}/events"), ("post", "/v1/licenses/verify"),
    ("get", "/v1/public/cases/{case_no}"),
]


@pytest.fixture(scope="module")
def spec(live: Live) -> dict[str, Any]:
    with live.client(None) as c:
        r = c.get("/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_is_documented_with_examples(spec: dict[str, Any], method: str,
                                                 path: str) -> None:
    op = spec["paths"][path][method]
    assert op["summary"] and op.get("description", op["summary"])
    ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
    assert ok["content"]["application/json"]["example"]
    problems = [v for k, v in op["responses"].items() if k[0] in "45"]
    assert problems and all(v["content"]["application/problem+json"]["examples"]
                            for v in problems)
    if method == "post":
        body = op["requestBody"]["content"]["application/json"]
        ref = body["schema"]["$ref"].rsplit("/", 1)[1]
        assert ref in spec["components"]["schemas"]
        assert body["examples"]


def test_enumerations_come_from_the_state_machine(spec: dict[str, Any]) -> None:
    step = spec["components"]["schemas"]["StepIn"]["properties"]["step"]
    assert "review_started" in step["enum"] and "evaluated" in step["enum"]
    assert "429" in spec["paths"]["/v1/public/cases/{case_no}"]["get"]["responses"]
    tags = {t["name"] for t in spec["tags"]}
    assert {"catalogue", "cases", "licenses", "public"} <= tags


def test_the_documented_submission_example_is_accepted(spec: dict[str, Any],
                                                       live: Live) -> None:
    example = spec["paths"]["/v1/cases"]["post"]["requestBody"]["content"][
        "application/json"]["examples"]["cross_province"]["value"]
    with live.client("op_sh") as c:
        r = c.post("/v1/cases", json=example)
    assert r.status_code == 201, r.text
    with live.client("op_sh") as c:
        step = spec["paths"]["/v1/cases/{case_no}/steps"]["post"]["requestBody"]["content"][
            "application/json"]["examples"]["accept"]["value"]
        r = c.post(f"/v1/cases/{r.json()['case_no']}/steps", json=step)
    assert r.status_code == 201, r.text
