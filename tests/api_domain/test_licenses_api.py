"""The license API over HTTP: issuing from an approved case, the lifecycle, and what a
partner province learns from `POST /v1/licenses/verify` (by id, by evidence bundle, with a
holder check), including forged and altered evidence."""

from __future__ import annotations

import copy
from typing import Any

from ledger import sealing
from ledger.batch import SealPolicy
from tests.api.live import Live, assert_problem
from tests.api_domain.kit import SH, ZJ, actor, applicant, cross_case, issue, resident_id


def _verify(live: Live, body: dict[str, Any], who: str = "partner_js") -> dict[str, Any]:
    with live.client(who) as c:
        r = c.post("/v1/licenses/verify", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _event(live: Live, license_id: str, event: str, payload: dict[str, Any] | None = None
           ) -> Any:
    with live.client("op_zj") as c:
        return c.post(f"/v1/licenses/{license_id}/events",
                      json={"event": event, "actor": actor(ZJ), "payload": payload or {}})


def test_issue_and_lifecycle(live: Live) -> None:
    no = cross_case(live)
    r = issue(live, no)
    assert r.status_code == 201, r.text
    lic = r.json()["license"]
    assert lic["status"] == "valid" and lic["case_no"] == no
    assert lic["issuing_province"] == {"code": ZJ, "name": "浙江省"}
    assert [e["event"] for e in lic["events"]] == ["issued"]
    lid = lic["license_id"]
    assert r.headers["location"] == f"/v1/licenses/{lid}"
    assert _event(live, lid, "suspended", {"reason": "核查"}).json()["license"]["status"] == \
        "suspended"
    assert _event(live, lid, "reinstated").status_code == 201
    assert _event(live, lid, "revoked", {"reason": "撤销"}).status_code == 201
    before = live.count()
    assert_problem(_event(live, lid, "reinstated"), 409, "illegal-transition")
    assert_problem(_event(live, lid, "issued"), 422, "invalid-step")
    assert_problem(_event(live, lid, "suspended", {}), 409, "illegal-transition")
    assert live.count() == before
    with live.client("supervisor") as c:
        got = c.get(f"/v1/licenses/{lid}").json()
    assert [e["event"] for e in got["events"]] == ["issued", "suspended", "reinstated",
                                                  "revoked"]
    assert got["status"] == "revoked" and got["history_complete"] and got["next_events"] == []
    assert issue(live, no).status_code == 409  # one license per case


def test_issuing_needs_an_approved_case(live: Live) -> None:
    under_review, approved = cross_case(live, upto=4), cross_case(live)
    before = live.count()
    assert_problem(issue(live, under_review), 409, "illegal-transition")
    body = assert_problem(issue(live, approved, type_code="CN-DL"), 422, "invalid-request")
    assert body["field"] == "type_code"
    assert live.count() == before


def test_verify_by_id_and_holder(live: Live) -> None:
    holder = {"name": "李四", "id_type": "resident_id", "id_number": resident_id()}
    lid = issue(live, cross_case(live), holder=holder).json()["license"]["license_id"]
    v = _verify(live, {"license_id": lid, "holder": holder})
    assert v["authentic"] and v["status"] == "valid" and v["holder_matches"] is True
    assert v["license"]["issuing_province"]["code"] == ZJ
    assert v["status_record"]["event"] == "issued" and v["history_complete"]
    assert v["freshness"]["latest_event_anchored"] is False
    assert v["evidence"]["unsealed_events"] == 1 and v["evidence"]["bundles"] == []
    assert "cannot prove that no" in v["statement"]
    someone_else = {**applicant(), "name": "李四"}
    assert _verify(live, {"license_id": lid, "holder": someone_else})["holder_matches"] is False
    unknown = _verify(live, {"license_id": "CN-BL-330000-000000000000"})
    assert not unknown["authentic"] and unknown["reason"] == "unknown-license"
    assert unknown["license"] is None


def test_verify_from_evidence_after_sealing(live: Live) -> None:
    r = issue(live, cross_case(live))
    lid = r.json()["license"]["license_id"]
    assert _event(live, lid, "suspended", {"reason": "年检"}).status_code == 201
    sealing.seal_due(live.db, SealPolicy(max_records=100_000), force=True)
    v = _verify(live, {"license_id": lid})
    assert v["authentic"] and v["status"] == "suspended"
    bundles = v["evidence"]["bundles"]
    assert [b["record"]["kind"] for b in bundles] == ["license.issued", "license.suspended"]
    assert bundles[1]["record"]["prev"] == bundles[0]["leaf_hash"]
    assert v["status_record"]["leaf_hash"] == bundles[1]["leaf_hash"]
    # A partner holding only the issuance bundle learns the current status.
    by_bundle = _verify(live, {"bundle": bundles[0]})
    assert by_bundle["authentic"] and by_bundle["status"] == "suspended"
    assert by_bundle["license"]["license_id"] == lid
    altered = copy.deepcopy(bundles[0])
    altered["record"]["payload"]["valid_until"] = "2099-12-31"
    bad = _verify(live, {"bundle": altered})
    assert not bad["authentic"] and bad["reason"] == "bundle-record-altered"
    forged = copy.deepcopy(bundles[0])
    forged["proof"]["hashes"] = ["0x" + "00" * 32, *forged["proof"]["hashes"][1:]] \
        if forged["proof"]["hashes"] else ["0x" + "00" * 32]
    assert not _verify(live, {"bundle": forged})["authentic"]
    other = _verify(live, {"bundle": bundles[0], "license_id": "CN-BL-330000-OTHER"})
    assert other["reason"] == "mismatch"
    with live.client("partner_js") as c:
        assert_problem(c.post("/v1/licenses/verify", json={}), 422, "invalid-request")
        assert_problem(c.post("/v1/licenses/verify", json={"license_id": lid, "x": 1}), 422,
                       "invalid-request")


def test_operators_read_only_their_own_licenses(live: Live) -> None:
    lid = issue(live, cross_case(live)).json()["license"]["license_id"]
    with live.client("op_zj") as c:
        assert c.get(f"/v1/licenses/{lid}").status_code == 200
    with live.client("op_sh") as c:  # Shanghai received the case but did not issue
        assert_problem(c.get(f"/v1/licenses/{lid}"), 404, "not-found")
        assert_problem(c.post(f"/v1/licenses/{lid}/events", json={
            "event": "revoked", "actor": actor(SH), "payload": {"reason": "x"}}), 404,
            "not-found")
