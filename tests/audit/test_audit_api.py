"""POST /v1/supervision/audits over real HTTP (uvicorn, SQLite file)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.api.live import Live, assert_problem, issue_keys, live_server, record


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("audit-api"), audit_workers=0) as server:
        issue_keys(server)
        yield server


def test_supervisor_runs_an_audit_that_is_recorded(live: Live) -> None:
    with live.client("op_sh") as sh:
        assert sh.post("/v1/records:batch", json={"records": [record() for _ in range(30)]}
                       ).status_code == 201
    with live.client("supervisor") as sup:
        r = sup.post("/v1/supervision/audits", json={})
        assert r.status_code == 201, r.text
        body = r.json()
        report, rec = body["audit"], body["record"]
        # No chain in this process: the database is consistent, the comparison was skipped.
        assert report["verdict"] == "incomplete" and not any(report["counts"].values())
        assert report["totals"]["records"] == 30 and report["chain"]["checked"] is False
        assert rec["province"] == 110000 and r.headers["Location"].endswith(report["audit_id"])
        stored = sup.get(r.headers["Location"])
        assert stored.status_code == 200 and stored.json() == report
        got = sup.get(f"/v1/records/{rec['record_id']}").json()["record"]
        assert got["kind"] == "audit.completed" and got["subject"]["type"] == "audit"
        digest = hashlib.sha256(orjson.dumps(report)).hexdigest()
        assert got["payload"]["report_digest"] == "0x" + digest
        scoped = sup.post("/v1/supervision/audits", json={"provinces": [320000]})
        assert scoped.status_code == 201 and scoped.json()["audit"]["provinces"] == [320000]


def test_only_supervisors_and_admins_may_audit(live: Live, tmp_path: Path) -> None:
    with live.client("op_sh") as sh:
        assert_problem(sh.post("/v1/supervision/audits", json={}), 403, "forbidden")
    with live.client("supervisor") as sup:
        assert_problem(sup.post("/v1/supervision/audits", json={"provinces": [999999]}), 422,
                       "invalid-request")
        assert_problem(sup.get("/v1/supervision/audits/6f1c2a8e-5b0e-4d5e-9a63-2d6f3c1b7e01"),
                       404, "not-found")
