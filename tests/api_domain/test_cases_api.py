"""The case API over HTTP: submission with its one-time query code, steps decided by the
state machine (with clear 403/409/422 problems that change nothing), idempotent retries,
the raw records route held to the same rules, traces with evidence, and deadlines."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete

from ledger import querycode, sealing
from ledger.batch import SealPolicy
from ledger.store.domain_schema import CaseRow
from ledger.store.schema import RecordRow
from tests.api.live import Live, assert_problem
from tests.api_domain.kit import (
    AH,
    BL_ZJ,
    DL_AH,
    JS,
    PENSION_JS,
    SH,
    ZJ,
    actor,
    applicant,
    at,
    cross_case,
    drive,
    step,
    submit,
)


def _case(live: Live, no: str, who: str = "op_sh") -> dict[str, Any]:
    with live.client(who) as c:
        r = c.get(f"/v1/cases/{no}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_submission_returns_the_query_code_once(live: Live) -> None:
    with live.client("op_sh") as c:
        r = c.post("/v1/cases", json={"item_code": BL_ZJ, "applicant": applicant(),
                                      "actor": actor(SH), "channel": "counter",
                                      "occurred_at": at(24)})
        assert r.status_code == 201, r.text
        body = r.json()
        no = body["case_no"]
        assert r.headers["location"] == f"/v1/cases/{no}"
        assert body["receipt"]["province"] == SH and body["receipt"]["created"]
        assert body["case"]["state"] == "submitted"
        assert [(n["step"], n["province"]) for n in body["case"]["next_steps"]] == [
            ("supplement_requested", SH), ("refused", SH), ("accepted", SH)]
        again = c.get(f"/v1/cases/{no}").json()
    assert "query_code" not in again and body["query_code"] not in str(again)
    with live.db.snapshot() as s:
        row = s.get(CaseRow, no)
        assert row is not None and querycode.matches(body["query_code"], row.query_code_hash)


def test_submission_problems(live: Live) -> None:
    before = live.count()
    with live.client("op_sh") as c:
        assert_problem(c.post("/v1/cases", json={"item_code": "nope", "applicant": applicant(),
                                                 "actor": actor(SH)}), 422, "invalid-request")
        bad_id = {**applicant(), "id_number": "310101199001011230"}
        r = c.post("/v1/cases", json={"item_code": BL_ZJ, "applicant": bad_id,
                                      "actor": actor(SH)})
        assert assert_problem(r, 422, "invalid-request")["field"] == "applicant.id_number"
        r = c.post("/v1/cases", json={"item_code": BL_ZJ, "applicant": applicant(),
                                      "actor": actor(SH), "extra": 1})
        assert assert_problem(r, 422, "invalid-request")["field"] == "extra"
        r = c.post("/v1/cases", json={"item_code": "310000-PSB-RESIDENCE-PERMIT",
                                      "applicant": applicant(), "actor": actor(SH)})
        assert r.status_code == 201
        existing = r.json()["case_no"]
        r = c.post("/v1/cases", json={"item_code": BL_ZJ, "applicant": applicant(),
                                      "actor": actor(SH), "case_no": existing})
        assert_problem(r, 409, "already-exists")
        assert_problem(c.post("/v1/cases", content=b"{", headers={
            "content-type": "application/json"}), 400, "malformed-json")
        assert_problem(c.post("/v1/cases", content=b"a=b", headers={
            "content-type": "application/x-www-form-urlencoded"}), 415,
            "unsupported-media-type")
    with live.client("op_zj") as c:  # a Shanghai-only item cannot be received in Zhejiang
        r = c.post("/v1/cases", json={"item_code": "310000-PSB-RESIDENCE-PERMIT",
                                      "applicant": applicant(), "actor": actor(ZJ)})
        assert_problem(r, 422, "invalid-request")
    assert live.count() == before + 1


def test_state_machine_problems_change_nothing(live: Live) -> None:
    no = cross_case(live, upto=2)  # forwarded
    before, state = live.count(), _case(live, no)["state"]
    with live.client("op_zj") as c:
        body = assert_problem(step(c, no, "decided", ZJ, {"decision": "approved"}), 409,
                              "illegal-transition")
        assert "forwarded" in body["detail"]
        body = assert_problem(step(c, no, "received", ZJ, {"from_province": AH}), 422,
                              "invalid-step")
        assert body["field"] == "payload.from_province"
        body = assert_problem(step(c, no, "received", ZJ, {"from_province": SH, "x": 1}), 422,
                              "invalid-step")
        assert body["field"] == "payload.x"
        body = assert_problem(step(c, no, "teleported", ZJ), 422, "invalid-step")
        assert body["field"] == "kind"
        r = c.post(f"/v1/cases/{no}/steps", json={"step": "received", "actor": actor(ZJ),
                                                  "payload": {"from_province": SH},
                                                  "occurred_at": at(1)})
        assert assert_problem(r, 422, "invalid-step")["field"] == "occurred_at"
        r = c.post(f"/v1/cases/{no}/steps", json={"step": "received", "actor": actor(ZJ),
                                                  "payload": {"from_province": 1.5}})
        assert_problem(r, 422, "not-canonicalizable")
    with live.client("op_sh") as c:
        body = assert_problem(step(c, no, "received", SH, {"from_province": SH}), 403,
                              "wrong-province")
        assert "330000" in body["detail"]
    assert live.count() == before and _case(live, no)["state"] == state


def test_a_retried_step_is_idempotent(live: Live) -> None:
    no = cross_case(live, upto=0)
    rid = str(uuid.uuid4())
    with live.client("op_sh") as c:
        first = step(c, no, "accepted", SH, occurred_at=at(3), record_id=rid)
        again = step(c, no, "accepted", SH, occurred_at=at(3), record_id=rid)
        changed = step(c, no, "accepted", SH, occurred_at=at(4), record_id=rid)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["receipt"] == {**first.json()["receipt"], "created": False}
    assert_problem(changed, 409, "duplicate-record")
    assert _case(live, no)["steps"] == 2


def test_raw_records_obey_the_state_machine_too(live: Live) -> None:
    no = cross_case(live, upto=1)  # accepted
    raw = {"record_id": str(uuid.uuid4()), "province": SH, "kind": "case.accepted",
           "subject": {"type": "case", "id": no}, "occurred_at": at(20),
           "actor": actor(SH), "payload": {}}  # accepted twice
    before = live.count()
    with live.client("op_sh") as c:
        assert_problem(c.post("/v1/records", json=raw), 409, "illegal-transition")
        batch = [{**raw, "record_id": str(uuid.uuid4()), "kind": "case.forwarded",
                  "payload": {"to_province": ZJ}}, raw]
        assert_problem(c.post("/v1/records:batch", json={"records": batch}), 409,
                       "illegal-transition")
        assert live.count() == before
        ok = c.post("/v1/records", json=batch[0])
        assert ok.status_code == 201, ok.text
    assert _case(live, no)["state"] == "forwarded"


def test_evaluation_with_a_comment(live: Live) -> None:
    no = cross_case(live)
    with live.client("op_zj") as c:
        r = step(c, no, "evaluated", ZJ, {"score": 4}, comment="很满意，跨省也快")
    assert r.status_code == 201, r.text
    assert r.json()["case"]["evaluation_score"] == 4
    with live.client("supervisor") as c:
        trace = c.get(f"/v1/cases/{no}/trace").json()
    payload = trace["steps"][-1]["record"]["payload"]
    assert set(payload) == {"score", "comment_digest"} and "满意" not in str(trace)


def test_trace_with_evidence_once_sealed(live: Live) -> None:
    no = cross_case(live)
    with live.client("partner_zj") as c:
        pending = c.get(f"/v1/cases/{no}/trace").json()
        assert pending["complete"] and pending["provinces"] == [SH, ZJ]
        assert {s["status"] for s in pending["steps"]} == {"pending"}
        assert all(s["evidence"] is None for s in pending["steps"])
        sealing.seal_due(live.db, SealPolicy(max_records=100_000), force=True)
        t = c.get(f"/v1/cases/{no}/trace").json()
    steps = t["steps"]
    assert [s["step"] for s in steps][2:4] == ["forwarded", "received"]
    assert steps[3]["prev"] == steps[2]["leaf_hash"] and steps[3]["province"] == ZJ
    for s in steps:
        assert s["status"] == "sealed" and s["evidence"]["leaf_hash"] == s["leaf_hash"]
        assert s["evidence"]["record"] == s["record"]
    with live.client("partner_zj") as c:
        lean = c.get(f"/v1/cases/{no}/trace", params={"evidence": "false"}).json()
    assert all(s["evidence"] is None for s in lean["steps"])


def test_deadlines_and_late_cases(live: Live) -> None:
    # Pension transfer (15 working days), accepted on 2 November and still under review.
    with live.client("op_js") as c:
        no = submit(c, PENSION_JS, JS, occurred_at=at(2, 8))["case_no"]
    drive(live, no, [("accepted", JS, {}), ("review_started", JS, {})])
    d = _case(live, no, "op_js")["deadline"]
    assert (d["promised_days"], d["clock"], d["due_date"], d["late"]) == (
        15, "running", "2026-11-23", True)
    assert d["working_days_used"] > 15 and d["working_days_left"] < 0
    with live.client("op_js") as c:
        late = c.get("/v1/cases", params={"late": "true", "province": JS}).json()["cases"]
    assert no in [x["case_no"] for x in late] and all(x["late"] for x in late)
    # Driving-licence renewal: an instant item (no review): decided straight after intake.
    with live.client("op_ah") as c:
        dl = submit(c, DL_AH, AH, occurred_at=at(23, 8))["case_no"]
        for name, payload, when in [("accepted", {}, at(23, 9)),
                                    ("decided", {"decision": "approved"}, at(23, 10)),
                                    ("completed", {}, at(24, 9))]:
            assert step(c, dl, name, AH, payload, occurred_at=when).status_code == 201
    d = _case(live, dl, "op_ah")["deadline"]
    assert (d["clock"], d["due_date"], d["late"]) == ("finished", "2026-11-24", False)


def test_a_tampered_database_shows_in_the_trace(live: Live) -> None:
    no = cross_case(live)
    with live.client("supervisor") as c:
        steps = c.get(f"/v1/cases/{no}/trace").json()["steps"]
    with live.db.transaction() as s:  # an insider deletes Zhejiang's "received" step
        s.execute(delete(RecordRow).where(RecordRow.record_id == steps[3]["record_id"]))
    with live.client("op_sh") as c:
        t = c.get(f"/v1/cases/{no}/trace").json()
    assert t["complete"] is False and t["length"] == len(steps) - 1
    assert t["breaks"] == [{"index": 3, "record_id": steps[4]["record_id"],
                            "reason": "missing-predecessor", "detail": t["breaks"][0]["detail"]}]
    assert steps[3]["leaf_hash"] in t["breaks"][0]["detail"]
