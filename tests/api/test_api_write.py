"""Appending records: creation, idempotency, conflicts, atomicity, province rules, chains."""

from __future__ import annotations

import concurrent.futures
import uuid

import httpx
import pytest

from tests.api.live import GD, JS, SH, Live, assert_problem, record


def test_create_then_idempotent_repeat(sh: httpx.Client) -> None:
    rec = record()
    first = sh.post("/v1/records", json=rec)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["record_id"] == rec["record_id"] and receipt["province"] == SH
    assert receipt["created"] is True and receipt["seq"] >= 1
    assert receipt["leaf_hash"].startswith("0x") and len(receipt["leaf_hash"]) == 66
    assert first.headers["location"] == f"/v1/records/{rec['record_id']}"

    again = sh.post("/v1/records", json=rec)
    assert again.status_code == 200
    assert again.json() == {**receipt, "created": False}


def test_same_id_different_content_is_409_and_changes_nothing(live: Live, sh: httpx.Client
                                                              ) -> None:
    rec = record()
    assert sh.post("/v1/records", json=rec).status_code == 201
    before, stored = live.count(), sh.get(f"/v1/records/{rec['record_id']}").json()
    changed = {**rec, "payload": {**rec["payload"], "step": 2}}
    body = assert_problem(sh.post("/v1/records", json=changed), 409, "duplicate-record")
    assert rec["record_id"] in body["detail"]
    assert live.count() == before
    assert sh.get(f"/v1/records/{rec['record_id']}").json() == stored


def test_batch_create_then_repeat(sh: httpx.Client) -> None:
    recs = [record() for _ in range(5)]
    first = sh.post("/v1/records:batch", json={"records": recs})
    assert first.status_code == 201, first.text
    receipts = first.json()["records"]
    assert [r["record_id"] for r in receipts] == [r["record_id"] for r in recs]
    seqs = [r["seq"] for r in receipts]
    assert seqs == list(range(seqs[0], seqs[0] + 5)), "one batch gets consecutive seqs"
    assert all(r["created"] for r in receipts)

    again = sh.post("/v1/records:batch", json={"records": recs})
    assert again.status_code == 200
    assert again.json()["records"] == [{**r, "created": False} for r in receipts]

    mixed = sh.post("/v1/records:batch", json={"records": [recs[0], record()]})
    assert mixed.status_code == 201
    assert [r["created"] for r in mixed.json()["records"]] == [False, True]


def test_batch_with_one_invalid_record_writes_nothing(live: Live, sh: httpx.Client) -> None:
    recs = [record() for _ in range(4)]
    recs[2]["occurred_at"] = "2026-11-25T08:00:00"  # no zone
    before = live.count()
    body = assert_problem(sh.post("/v1/records:batch", json={"records": recs}), 422,
                          "invalid-record")
    assert body["index"] == 2 and body["field"] == "occurred_at"
    assert [e["index"] for e in body["errors"]] == [2]
    assert live.count() == before
    for rec in recs:
        assert sh.get(f"/v1/records/{rec['record_id']}").status_code == 404


def test_batch_lists_every_invalid_record(sh: httpx.Client) -> None:
    recs = [record() for _ in range(6)]
    del recs[1]["kind"]
    recs[3]["payload"] = {"amount": 12.5}
    recs[5]["province"] = 310100  # a city, not a province
    body = assert_problem(sh.post("/v1/records:batch", json={"records": recs}), 422,
                          "invalid-record")
    found = {(e["index"], e["field"], e["type"]) for e in body["errors"]}
    assert found == {(1, "kind", "invalid-record"),
                     (3, "payload.amount", "not-canonicalizable"),
                     (5, "province", "invalid-record")}
    assert body["detail"].startswith("3 of 6 records are invalid; nothing was written")


def test_batch_conflicting_with_ledger_writes_nothing(live: Live, sh: httpx.Client) -> None:
    existing = record()
    assert sh.post("/v1/records", json=existing).status_code == 201
    fresh = [record() for _ in range(3)]
    altered = {**existing, "kind": "case.rejected"}
    before = live.count()
    assert_problem(sh.post("/v1/records:batch", json={"records": [*fresh, altered]}), 409,
                   "duplicate-record")
    assert live.count() == before
    assert all(sh.get(f"/v1/records/{r['record_id']}").status_code == 404 for r in fresh)


def test_same_id_twice_in_one_batch(sh: httpx.Client) -> None:
    rec = record()
    ok = sh.post("/v1/records:batch", json={"records": [rec, rec]})
    assert ok.status_code == 201
    a, b = ok.json()["records"]
    assert a["created"] and not b["created"] and a["seq"] == b["seq"]
    clash = record()
    body = assert_problem(sh.post("/v1/records:batch", json={"records": [
        clash, {**clash, "kind": "case.closed"}]}), 409, "duplicate-record")
    assert clash["record_id"] in body["detail"]


def test_operator_writes_only_its_own_province(live: Live, sh: httpx.Client) -> None:
    before = live.count()
    body = assert_problem(sh.post("/v1/records", json=record(JS)), 403, "forbidden")
    assert "310000" in body["detail"] and "320000" in body["detail"]
    recs = [record(), record(), record(JS), record()]
    body = assert_problem(sh.post("/v1/records:batch", json={"records": recs}), 403,
                          "forbidden")
    assert body["indexes"] == [2]
    assert live.count() == before
    with live.client("op_js") as js:
        assert js.post("/v1/records", json=record(JS)).status_code == 201


@pytest.mark.parametrize("who", ["supervisor", "admin", "partner"])
def test_only_operators_write(live: Live, who: str) -> None:
    before = live.count()
    with live.client(who) as c:
        body = assert_problem(c.post("/v1/records", json=record(GD)), 403, "forbidden")
        assert who in body["detail"]
        assert_problem(c.post("/v1/records:batch", json={"records": [record(GD)]}), 403,
                       "forbidden")
    assert live.count() == before


def test_subject_chain_links_and_refuses_forks(sh: httpx.Client) -> None:
    first = record()
    r1 = sh.post("/v1/records", json=first).json()
    second = record(subject=first["subject"], kind="case.approved", prev=r1["leaf_hash"])
    r2 = sh.post("/v1/records", json=second)
    assert r2.status_code == 201
    stored = sh.get(f"/v1/records/{second['record_id']}").json()["record"]
    assert stored["prev"] == r1["leaf_hash"]
    # Naming the first record again as predecessor would fork the chain.
    fork = record(subject=first["subject"], kind="case.closed", prev=r1["leaf_hash"])
    body = assert_problem(sh.post("/v1/records", json=fork), 409, "chain-conflict")
    assert r2.json()["leaf_hash"] in body["detail"]
    # Without `prev` the ledger links to the latest record itself.
    third = record(subject=first["subject"], kind="case.closed")
    sh.post("/v1/records", json=third).raise_for_status()
    linked = sh.get(f"/v1/records/{third['record_id']}").json()["record"]["prev"]
    assert linked == r2.json()["leaf_hash"]


def test_concurrent_single_posts_are_all_durable_and_gapless(live: Live) -> None:
    recs = [record(JS) for _ in range(120)]
    with live.client("op_js") as js, concurrent.futures.ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(lambda r: js.post("/v1/records", json=r), recs))
        assert [r.status_code for r in responses] == [201] * len(recs)
        seqs = sorted(r.json()["seq"] for r in responses)
        assert len(set(seqs)) == len(seqs)
        for rec, resp in zip(recs[:10], responses[:10], strict=True):
            got = js.get(f"/v1/records/{rec['record_id']}").json()
            assert got["record"]["seq"] == resp.json()["seq"]
            assert got["leaf_hash"] == resp.json()["leaf_hash"]
    with live.db.snapshot() as s:
        from sqlalchemy import select

        from ledger.store.schema import RecordRow
        all_seqs = list(s.scalars(select(RecordRow.seq).where(RecordRow.province == JS)
                                  .order_by(RecordRow.seq)))
    assert all_seqs == list(range(1, len(all_seqs) + 1)), "province seqs stay gapless"


def test_concurrent_conflicting_writes_one_wins(live: Live) -> None:
    rid = str(uuid.uuid4())
    variants = [record(JS, record_id=rid, payload={"variant": i}) for i in range(12)]
    with live.client("op_js") as js, concurrent.futures.ThreadPoolExecutor(12) as pool:
        statuses = sorted(r.status_code for r in pool.map(
            lambda r: js.post("/v1/records", json=r), variants))
    assert statuses == [201] + [409] * 11


def test_batch_size_and_shape_limits(live: Live, sh: httpx.Client) -> None:
    limit = live.settings.max_batch_records
    too_many = {"records": [record() for _ in range(limit + 1)]}
    body = assert_problem(sh.post("/v1/records:batch", json=too_many), 422, "too-many-records")
    assert body["limit"] == limit and body["field"] == "records"
    for bad, field in [([], "records"), ({}, "records"), ({"records": []}, "records"),
                       ({"records": {}}, "records"),
                       ({"records": [record()], "dry_run": True}, "dry_run")]:
        problem = assert_problem(sh.post("/v1/records:batch", json=bad), 422,
                                 "invalid-request")
        assert problem["field"] == field


def test_a_conflict_in_a_concurrent_group_fails_only_its_own_request(live: Live) -> None:
    with live.client("op_js") as js:
        taken = record(JS)
        assert js.post("/v1/records", json=taken).status_code == 201
        before = live.count(JS)
        bodies = [record(JS) for _ in range(40)]
        bodies.insert(20, {**taken, "payload": {"altered": True}})
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda r: js.post("/v1/records", json=r).status_code,
                                     bodies))
    assert statuses.count(201) == 40 and statuses[20] == 409
    assert live.count(JS) == before + 40
