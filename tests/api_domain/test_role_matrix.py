"""Every role against every case, license, catalogue and citizen endpoint (docs/roles.md),
over real HTTP. Each write is attempted on fresh state, and every refusal must leave the
ledger exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.live import Live, assert_problem
from tests.api_domain.kit import (
    BL_ZJ,
    CROSS_PATH,
    JS,
    SH,
    ZJ,
    actor,
    applicant,
    at,
    cross_case,
    issue,
    step,
    submit,
)

WHO = ["anonymous", "admin", "supervisor", "partner_sh", "partner_zj", "partner_js",
       "partner_gd", "op_sh", "op_zj", "op_js"]


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any] | None = None


Setup = Callable[[Live], Call]


def _case(live: Live, upto: int = len(CROSS_PATH)) -> str:
    return cross_case(live, upto=upto)


def _license(live: Live) -> str:
    r = issue(live, _case(live))
    assert r.status_code == 201, r.text
    return str(r.json()["license"]["license_id"])


def read_case(live: Live) -> Call:
    return Call("GET", f"/v1/cases/{_case(live, upto=2)}")


def read_trace(live: Live) -> Call:
    return Call("GET", f"/v1/cases/{_case(live, upto=2)}/trace")


def submit_case(live: Live) -> Call:
    return Call("POST", "/v1/cases", {"item_code": BL_ZJ, "applicant": applicant(),
                                      "actor": actor(SH), "receiving_province": SH})


def receive_step(live: Live) -> Call:
    no = _case(live, upto=2)  # forwarded by Shanghai: Zhejiang's turn
    return Call("POST", f"/v1/cases/{no}/steps", {
        "step": "received", "actor": actor(ZJ), "payload": {"from_province": SH},
        "occurred_at": at(20)})


def issue_license(live: Live) -> Call:
    return Call("POST", "/v1/licenses", {
        "case_no": _case(live), "type_code": "CN-BL", "number": "91330106MA2KXY7Q3N",
        "issuing_authority": "ZJ-HZ-AMR", "valid_from": "2026-11-20", "actor": actor(ZJ)})


def license_event(live: Live) -> Call:
    return Call("POST", f"/v1/licenses/{_license(live)}/events", {
        "event": "suspended", "actor": actor(ZJ), "payload": {"reason": "核查"}})


def read_license(live: Live) -> Call:
    return Call("GET", f"/v1/licenses/{_license(live)}")


def verify_license(live: Live) -> Call:
    return Call("POST", "/v1/licenses/verify", {"license_id": _license(live)})


def read_catalogue(live: Live) -> Call:
    return Call("GET", "/v1/catalogue/items?province=330000")


def edit_catalogue(live: Live) -> Call:
    return Call("POST", "/v1/catalogue/items", {"items": [{
        "item_code": "330000-ROLE-TEST", "name": "角色测试", "handling_province": ZJ,
        "promised_days": 2, "steps": ["submitted", "accepted", "decided", "completed"],
        "cross_province": False}]})


def public_query(live: Live) -> Call:
    with live.client("op_sh") as c:
        sub = submit(c, BL_ZJ, SH)
    return Call("GET", f"/v1/public/cases/{sub['case_no']}?query_code={sub['query_code']}")


def public_wrong_code(live: Live) -> Call:
    no = _case(live, upto=0)
    return Call("GET", f"/v1/public/cases/{no}?query_code=AAAA-BBBB-CCCC")


A, F, N, U = 200, 403, 404, 401
# endpoint -> expected status per caller (201 for successful creations)
MATRIX: dict[str, tuple[Setup, dict[str, int]]] = {
    "GET case": (read_case, {"anonymous": U, "admin": A, "supervisor": A, "partner_sh": A,
                             "partner_zj": A, "partner_js": N, "partner_gd": N, "op_sh": A,
                             "op_zj": A, "op_js": N}),
    "GET trace": (read_trace, {"anonymous": U, "admin": A, "supervisor": A, "partner_sh": A,
                               "partner_zj": A, "partner_js": N, "partner_gd": N,
                               "op_sh": A, "op_zj": A, "op_js": N}),
    "POST case": (submit_case, {"anonymous": U, "admin": F, "supervisor": F,
                                "partner_sh": F, "partner_zj": F, "partner_js": F,
                                "partner_gd": F, "op_sh": 201, "op_zj": F, "op_js": F}),
    "POST step": (receive_step, {"anonymous": U, "admin": F, "supervisor": F,
                                 "partner_sh": F, "partner_zj": F, "partner_js": F,
                                 "partner_gd": F, "op_sh": F, "op_zj": 201, "op_js": N}),
    "POST license": (issue_license, {"anonymous": U, "admin": F, "supervisor": F,
                                     "partner_sh": F, "partner_zj": F, "partner_js": F,
                                     "partner_gd": F, "op_sh": F, "op_zj": 201, "op_js": N}),
    "POST license event": (license_event, {"anonymous": U, "admin": F, "supervisor": F,
                                           "partner_sh": F, "partner_zj": F,
                                           "partner_js": F, "partner_gd": F, "op_sh": N,
                                           "op_zj": 201, "op_js": N}),
    "GET license": (read_license, {"anonymous": U, "admin": A, "supervisor": A,
                                   "partner_sh": A, "partner_zj": A, "partner_js": A,
                                   "partner_gd": A, "op_sh": N, "op_zj": A, "op_js": N}),
    "POST verify": (verify_license, {"anonymous": U, "admin": A, "supervisor": A,
                                     "partner_sh": A, "partner_zj": A, "partner_js": A,
                                     "partner_gd": A, "op_sh": F, "op_zj": F, "op_js": F}),
    "GET catalogue": (read_catalogue, {w: (U if w == "anonymous" else A) for w in WHO}),
    "POST catalogue": (edit_catalogue, {"anonymous": U, "admin": A, "supervisor": F,
                                        "partner_sh": F, "partner_zj": F, "partner_js": F,
                                        "partner_gd": F, "op_sh": F, "op_zj": A,
                                        "op_js": F}),
    # The citizen's query ignores keys: the query code is the only credential.
    "GET public (right code)": (public_query, dict.fromkeys(WHO, A)),
    "GET public (wrong code)": (public_wrong_code, dict.fromkeys(WHO, N)),
}
CODES = {401: "unauthorized", 404: "not-found"}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_role_matrix(live: Live, endpoint: str, who: str) -> None:
    setup, expected = MATRIX[endpoint]
    call = setup(live)
    before = live.count()
    with live.client(None if who == "anonymous" else who) as c:
        r = c.request(call.method, call.path, json=call.body)
    want = expected[who]
    assert r.status_code == want, (endpoint, who, r.text)
    if want >= 400:
        body = assert_problem(r, want, CODES.get(want, r.json()["type"].rsplit("/", 1)[1]))
        if want == 403:
            assert body["type"].endswith(("/forbidden", "/wrong-province"))
        assert live.count() == before, "a refused request wrote something"
    elif call.method == "POST" and endpoint != "POST verify" and endpoint != "POST catalogue":
        assert live.count() == before + 1


def test_a_province_writing_for_another_is_refused_everywhere(live: Live) -> None:
    no = _case(live, upto=2)
    before = live.count()
    with live.client("op_js") as c:
        # raw record claiming Zhejiang
        r = c.post("/v1/records", json={
            "record_id": "0b5e8f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b", "province": ZJ,
            "kind": "case.received", "subject": {"type": "case", "id": no},
            "occurred_at": at(20), "actor": actor(ZJ), "payload": {"from_province": SH}})
        assert_problem(r, 403, "forbidden")
        # a submission claiming to be received in Shanghai
        r = c.post("/v1/cases", json={"item_code": BL_ZJ, "applicant": applicant(),
                                      "actor": actor(JS), "receiving_province": SH})
        assert_problem(r, 403, "forbidden")
    with live.client("op_sh") as c:
        # Shanghai (involved) tries Zhejiang's step, via the domain API and raw
        assert_problem(step(c, no, "received", SH, {"from_province": SH}), 403,
                       "wrong-province")
        r = c.post("/v1/records", json={
            "record_id": "1b5e8f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b", "province": SH,
            "kind": "case.received", "subject": {"type": "case", "id": no},
            "occurred_at": at(20), "actor": actor(SH), "payload": {"from_province": SH}})
        assert_problem(r, 403, "wrong-province")
    assert live.count() == before


def test_hidden_and_unknown_cases_answer_alike(live: Live) -> None:
    no = _case(live, upto=1)
    with live.client("op_js") as c:
        hidden = c.get(f"/v1/cases/{no}")
        unknown = c.get("/v1/cases/310000-20260101-999999")
    a, b = assert_problem(hidden, 404, "not-found"), assert_problem(unknown, 404, "not-found")
    assert a["detail"].replace(no, "X") == b["detail"].replace("310000-20260101-999999", "X")
    assert set(a) == set(b)


def test_listing_shows_only_involved_cases(live: Live) -> None:
    no = _case(live, upto=1)
    seen: dict[str, bool] = {}
    for who in ("op_sh", "op_zj", "partner_zj", "op_js", "partner_gd", "supervisor"):
        with live.client(who) as c:
            cases: list[dict[str, Any]] = []
            after = ""
            while True:
                r = c.get("/v1/cases", params={"after": after, "limit": 200})
                assert r.status_code == 200, r.text
                cases += r.json()["cases"]
                if r.json()["next_after"] is None:
                    break
                after = r.json()["next_after"]
            seen[who] = any(x["case_no"] == no for x in cases)
            if who in ("op_js", "partner_gd"):
                assert all(JS in (x["receiving_province"], x["handling_province"])
                           for x in cases) if who == "op_js" else cases == []
    assert seen == {"op_sh": True, "op_zj": True, "partner_zj": True, "op_js": False,
                    "partner_gd": False, "supervisor": True}


def test_applicant_data_only_for_the_involved_operators(live: Live) -> None:
    no = _case(live, upto=2)
    for who, plain in [("op_sh", True), ("op_zj", True), ("partner_zj", False),
                       ("supervisor", False), ("admin", False)]:
        with live.client(who) as c:
            person = c.get(f"/v1/cases/{no}").json()["applicant"]
        assert person["commitment"].startswith("0x")
        assert ("id_number" in person) is plain, who
