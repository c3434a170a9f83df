"""A sealed batch whose stored rows an insider deleted: evidence answers a 500
`ledger-inconsistent` problem (not a bare 500), logged at error level, and nothing else
about the server breaks. The module has its own live server and database (module scope)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from ledger import evidence, lookup, sealing
from ledger.batch import Batch, SealPolicy
from tests.api.live import SH, Live, assert_problem, record


def _sealed_batch(live: Live, sh: httpx.Client, n: int) -> tuple[Batch, list[dict[str, Any]]]:
    """`n` Shanghai records sealed as one batch: (the batch, its records in seq order)."""
    recs = [record() for _ in range(n)]
    sh.post("/v1/records:batch", json={"records": recs}).raise_for_status()
    (b,) = sealing.seal_due(live.db, SealPolicy(max_records=n, max_age=timedelta(days=1)),
                            force=True)
    return b, recs


def _inconsistent(response: httpx.Response, caplog: pytest.LogCaptureFixture) -> str:
    body = assert_problem(response, 500, "ledger-inconsistent")
    assert body["title"] == "Ledger data inconsistent"
    assert "govtrace audit" in body["detail"]
    assert "retry-after" not in response.headers  # retrying cannot help
    logged = [r for r in caplog.records
              if r.name == "govtrace.api" and r.getMessage().startswith("ledger inconsistent")]
    assert logged and all(r.levelno == logging.ERROR for r in logged)
    caplog.clear()
    return str(body["detail"])


def test_deleted_records_make_evidence_a_ledger_inconsistent_problem(
        live: Live, sh: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    earlier, older = _sealed_batch(live, sh, 3)
    b, recs = _sealed_batch(live, sh, 7)
    with live.db.transaction() as s:  # an insider deletes the batch's third record
        s.execute(text("DELETE FROM record WHERE province = :p AND seq = :seq"),
                  {"p": SH, "seq": b.first_seq + 2})
    caplog.set_level(logging.ERROR, logger="govtrace.api")
    detail = _inconsistent(sh.get(f"/v1/records/{recs[4]['record_id']}/evidence"), caplog)
    assert detail.startswith(f"province {SH} batch {b.batch_no}: records of seq "
                             f"{b.first_seq}..{b.last_seq} are incomplete (6 of 7 stored)")
    # The rest still answers: the deleted record is unknown, the others' status reads, and
    # the earlier batch still proves its records.
    assert_problem(sh.get(f"/v1/records/{recs[2]['record_id']}/evidence"), 404, "not-found")
    assert sh.get(f"/v1/records/{recs[4]['record_id']}").json()["status"] == "sealed"
    assert sh.get(f"/v1/batches/{SH}/{b.batch_no}").status_code == 200
    response = sh.get(f"/v1/records/{older[2]['record_id']}/evidence")
    assert response.status_code == 200
    assert evidence.check(response.json()).batch.batch_no == earlier.batch_no
    with live.client(None) as anonymous:
        assert anonymous.get("/healthz").status_code == 200


def test_deleted_tiles_make_evidence_a_ledger_inconsistent_problem(
        live: Live, sh: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    b, recs = _sealed_batch(live, sh, 600)  # a level-8 tile of two nodes
    with live.db.transaction() as s:
        s.execute(text("DELETE FROM batch_tile WHERE province = :p AND batch_no = :b"),
                  {"p": SH, "b": b.batch_no})
    lookup.upper_cache.clear()  # the server shares this process's cache
    caplog.set_level(logging.ERROR, logger="govtrace.api")
    for rec in (recs[0], recs[599]):
        detail = _inconsistent(sh.get(f"/v1/records/{rec['record_id']}/evidence"), caplog)
        assert detail.startswith(f"province {SH} batch {b.batch_no}: stored tile 0 of level 8 "
                                 "is missing")
    # Another batch of the province is untouched.
    _, fresh = _sealed_batch(live, sh, 2)
    response = sh.get(f"/v1/records/{fresh[1]['record_id']}/evidence")
    assert response.status_code == 200
    assert evidence.check(response.json()).index == 1
