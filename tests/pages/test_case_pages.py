"""The citizen's case page over HTTP: the query code as the only credential, identical
refusals, the shared attempt limit, evidence downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ledger import sealing
from ledger.batch import SealPolicy
from tests.api.live import SH, Live, issue_keys, live_server
from tests.pages.conftest import browser

ITEM = {"item_code": "310000-GA-HJ-MOVE", "name": "户口迁移", "handling_province": SH,
        "promised_days": 5, "steps": ["submitted", "accepted", "decided", "completed"],
        "cross_province": False}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("cases"), public_query_per_case=6) as server:
        issue_keys(server)
        yield server


def submit_case(live: Live) -> tuple[str, str]:
    """Catalogue ITEM and submit one Shanghai case of it: (case number, query code)."""
    with live.client("admin") as http:
        assert http.post("/v1/catalogue/items", json={"items": [ITEM]}).status_code == 200
    with live.client("op_sh") as http:
        r = http.post("/v1/cases", json={
            "item_code": ITEM["item_code"], "channel": "online",
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
            "applicant": {"name": "李四", "id_type": "resident_id",
                          "id_number": "310101199003071230"},
            "actor": {"department": "SH-GA-HJ", "officer": "P0042"}})
    assert r.status_code == 201, r.text
    return r.json()["case_no"], r.json()["query_code"]


@pytest.fixture(scope="module")
def case(live: Live) -> tuple[str, str]:
    return submit_case(live)


def _main(html: str) -> str:
    found = re.search(r"<main.*</main>", html, re.S)
    assert found is not None
    return found.group(0)


def test_the_right_code_shows_the_case_and_nothing_personal(live: Live,
                                                            case: tuple[str, str]) -> None:
    case_no, code = case
    with browser(live) as http:
        r = http.post("/cases", data={"case_no": case_no, "query_code": code})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "户口迁移" in r.text and 'data-step="submitted"' in r.text
    assert "SH-GA-HJ" in r.text  # the department
    assert "李四" not in r.text and "P0042" not in r.text and "310101199003071230" not in r.text
    assert "刚刚记录，等待封存" in r.text and "/cases/evidence" not in r.text  # not sealed yet


def test_wrong_code_and_unknown_case_are_the_same_page(live: Live,
                                                       case: tuple[str, str]) -> None:
    case_no, _ = case
    other = "310000-20991231-000001"
    with browser(live) as http:
        wrong = http.post("/cases", data={"case_no": case_no, "query_code": "AAAA-BBBB-CCCC"})
        unknown = http.post("/cases", data={"case_no": other, "query_code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == unknown.status_code == 404
    assert _main(wrong.text) == _main(unknown.text).replace(other, case_no)


def test_evidence_download_once_sealed(live: Live, case: tuple[str, str]) -> None:
    case_no, code = case
    with browser(live) as http:
        r = http.post("/cases/evidence", data={"case_no": case_no, "query_code": code,
                                               "step": "0"})
        assert r.status_code == 409 and "还在等待封存" in r.text
        sealing.seal_due(live.db, SealPolicy(), force=True)
        r = http.post("/cases/evidence", data={"case_no": case_no, "query_code": code,
                                               "step": "0"})
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.headers["content-disposition"].startswith("attachment; filename=")
        assert r.json()["record"]["subject"]["id"] == case_no
        r = http.post("/cases/evidence", data={"case_no": case_no, "query_code": "X",
                                               "step": "0"})
        assert r.status_code == 404


def test_attempts_are_limited_per_address_and_case(live: Live, case: tuple[str, str]) -> None:
    case_no, code = case
    with browser(live) as http:
        statuses = [http.post("/cases", data={"case_no": case_no, "query_code": code})
                    .status_code for _ in range(7)]
        assert statuses[-1] == 429, statuses
        r = http.post("/cases", data={"case_no": case_no, "query_code": code})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "尝试次数过多" in r.text
