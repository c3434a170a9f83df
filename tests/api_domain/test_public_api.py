"""The citizen's query: the right code shows progress and nothing personal; a wrong code and
an unknown case are indistinguishable; attempts are rate-limited per address and case, and
per address overall."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.live import Live, assert_problem, live_server
from tests.api_domain.kit import BL_ZJ, CROSS_PATH, SH, ZJ, at, cross_case, drive, setup, submit

PER_CASE, PER_IP, WINDOW = 4, 9, 2.0


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("public"), public_query_per_case=PER_CASE,
                     public_query_per_ip=PER_IP, public_query_window_seconds=WINDOW,
                     sqlite_synchronous="NORMAL") as server:
        setup(server)
        yield server


def _fresh_window() -> None:
    time.sleep(WINDOW + 0.1)


def _query(live: Live, case_no: str, code: str, who: str | None = None) -> httpx.Response:
    with live.client(who) as c:
        return c.get(f"/v1/public/cases/{case_no}", params={"query_code": code})


def test_the_citizen_sees_progress_and_nothing_personal(limited: Live) -> None:
    _fresh_window()
    with limited.client("op_sh") as c:
        sub = submit(c, BL_ZJ, SH, occurred_at=at(2, 8))
    no, code = sub["case_no"], sub["query_code"]
    drive(limited, no, CROSS_PATH[:4])
    with limited.client(None) as c:
        r = c.get(f"/v1/public/cases/{no}", params={"query_code": code.lower()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "under_review" and body["chain_complete"]
    assert [s["step"] for s in body["steps"]] == ["submitted", "accepted", "forwarded",
                                                 "received", "review_started"]
    assert [s["province"]["code"] for s in body["steps"]] == [SH, SH, SH, ZJ, ZJ]
    assert all(s["anchored"] is False for s in body["steps"])
    assert body["deadline"]["due_date"] is not None
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("张三", "resident_id", "applicant", "officer", "department",
                   "commitment", "E0001", code):
        assert secret not in text, secret


def test_wrong_code_and_unknown_case_look_the_same(limited: Live) -> None:
    _fresh_window()
    no = cross_case(limited, upto=0)
    other = "310000-20260101-000000"
    responses = [_query(limited, no, "AAAA-BBBB-CCCC"), _query(limited, no, "garbage!"),
                 _query(limited, other, "AAAA-BBBB-CCCC")]
    bodies = [assert_problem(r, 404, "not-found") for r in responses]
    assert bodies[0] == bodies[1]
    assert {k: v for k, v in bodies[0].items() if k not in ("detail", "instance")} == \
        {k: v for k, v in bodies[2].items() if k not in ("detail", "instance")}
    assert bodies[0]["detail"].replace(no, "N") == bodies[2]["detail"].replace(other, "N")
    assert responses[0].headers.keys() == responses[2].headers.keys()


def test_attempts_per_case_are_limited(limited: Live) -> None:
    _fresh_window()
    with limited.client("op_sh") as c:
        sub = submit(c, BL_ZJ, SH)
    no = sub["case_no"]
    for _ in range(PER_CASE):
        assert _query(limited, no, "AAAA-BBBB-CCCC").status_code == 404
    r = _query(limited, no, sub["query_code"])  # even the right code: the limit counts tries
    body = assert_problem(r, 429, "too-many-requests")
    assert 1 <= int(r.headers["retry-after"]) <= WINDOW + 1
    assert "retry" in body["detail"]
    other = cross_case(limited, upto=0)  # another case from the same address still works
    assert _query(limited, other, "AAAA-BBBB-CCCC").status_code == 404
    _fresh_window()
    assert _query(limited, no, sub["query_code"]).status_code == 200


def test_attempts_per_address_are_limited_across_cases(limited: Live) -> None:
    _fresh_window()
    statuses = [_query(limited, f"310000-20260101-{i:06d}", "AAAA-BBBB-CCCC").status_code
                for i in range(PER_IP + 2)]
    assert statuses[:PER_IP] == [404] * PER_IP and statuses[PER_IP:] == [429, 429]


def test_a_limit_of_one_refuses_the_second_attempt(tmp_path: Path) -> None:
    # Counters live in the app (per process): a fresh app starts with a clean slate.
    with live_server(tmp_path, public_query_per_case=1, public_query_per_ip=1) as server:
        assert _query(server, "310000-X", "AAAA-BBBB-CCCC").status_code == 404
        assert _query(server, "310000-X", "AAAA-BBBB-CCCC").status_code == 429
