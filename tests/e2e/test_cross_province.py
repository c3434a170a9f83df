"""Issue 3 end to end on a real chain: a case submitted in Shanghai (310000) and handled in
Zhejiang (330000), its license issued by Zhejiang and verified by Jiangsu (320000) from the
evidence alone, then revoked, with `govtrace verify` / `verify-license` trusting only the
chain. Real `govtrace serve` (HTTP, SQLite file, embedded Anvil)."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from govtrace.verification import verify_bundle
from ledger import keys
from ledger.store import Database, DatabaseOptions
from tests.api_domain.kit import CROSS_PATH, NEVER_EXPIRES, SH, ZJ, actor, applicant, at
from tests.e2e.service import Service

pytestmark = [pytest.mark.chain, pytest.mark.slow]
JS = 320000


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with Service(tmp_path_factory.mktemp("e2e-cross")) as svc:
        loaded = svc.cli("catalogue", "load")
        assert loaded.returncode == 0 and "loaded 14 items" in loaded.stdout, loaded.stderr
        yield svc


@pytest.fixture(scope="module")
def http(service: Service) -> Iterator[dict[str, httpx.Client]]:
    created = service.cli("keys", "create", "--role", "partner", "--province", str(JS))
    assert created.returncode == 0, created.stderr
    tokens = {"js": created.stdout.strip()}
    # The other keys straight in the service's database, as `keys create` does (faster).
    db = Database(DatabaseOptions(url=f"sqlite:///{service.env['GOVTRACE_DATA_DIR']}"
                                      "/govtrace.db"))
    for name, role, province in [("sh", "operator", SH), ("zj", "operator", ZJ),
                                 ("supervisor", "supervisor", None)]:
        tokens[name], _ = keys.create(db, role, province=province, label=name)
    db.dispose()
    clients = {name: httpx.Client(base_url=service.url, timeout=30, headers={
        "Authorization": f"Bearer {token}"}) for name, token in tokens.items()}
    yield clients
    for c in clients.values():
        c.close()


def _ok(r: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return dict(r.json())


def _verify(service: Service, tmp_path: Path, command: str, doc: dict[str, Any]
            ) -> tuple[int, str]:
    path = tmp_path / f"{uuid.uuid4()}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    r = service.cli(command, str(path), "--rpc", service.rpc_url)
    return r.returncode, (r.stdout + r.stderr).strip()


def _anchored_trace(http: httpx.Client, case_no: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        t = _ok(http.get(f"/v1/cases/{case_no}/trace"), 200)
        if all(s["status"] == "anchored" for s in t["steps"]):
            return t
        time.sleep(0.3)
    raise AssertionError("the case's steps were not anchored in time")


def _verified(http: httpx.Client, license_id: str, events: int) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        v = _ok(http.post("/v1/licenses/verify", json={"license_id": license_id}), 200)
        if len(v["evidence"]["bundles"]) == events and \
                all(b["anchor"] is not None for b in v["evidence"]["bundles"]):
            return v
        time.sleep(0.3)
    raise AssertionError("the license's events were not anchored in time")


@pytest.fixture(scope="module")
def story(http: dict[str, httpx.Client]) -> dict[str, Any]:
    """Shanghai receives and forwards; Zhejiang handles and issues the licence."""
    sub = _ok(http["sh"].post("/v1/cases", json={
        "item_code": "330000-AMR-BL-CHANGE", "applicant": applicant("赵六"),
        "actor": actor(SH), "occurred_at": at(2, 8)}))
    no = sub["case_no"]
    for i, (step, province, payload) in enumerate(CROSS_PATH):
        who = "sh" if province == SH else "zj"
        _ok(http[who].post(f"/v1/cases/{no}/steps", json={
            "step": step, "actor": actor(province), "payload": payload,
            "occurred_at": at(3 + i)}))
    lic = _ok(http["zj"].post("/v1/licenses", json={
        "case_no": no, "type_code": "CN-BL", "number": "91330106MA2KXY7Q3N",
        "issuing_authority": "ZJ-HZ-AMR", "valid_from": "2026-11-12",
        "valid_until": NEVER_EXPIRES, "actor": actor(ZJ)}))["license"]
    return {"case_no": no, "query_code": sub["query_code"], "license_id": lic["license_id"]}


def test_the_case_trace_crosses_provinces_and_every_step_is_on_chain(
        service: Service, http: dict[str, httpx.Client], story: dict[str, Any],
        tmp_path: Path) -> None:
    t = _anchored_trace(http["zj"], story["case_no"])
    assert t["complete"] and t["breaks"] == [] and t["provinces"] == [SH, ZJ]
    steps = {s["step"]: s for s in t["steps"]}
    assert steps["forwarded"]["province"] == SH and steps["received"]["province"] == ZJ
    assert steps["received"]["prev"] == steps["forwarded"]["leaf_hash"]
    for s in t["steps"]:  # every step, from either province, checks against the chain alone
        verdict = verify_bundle(s["evidence"], service.rpc_url)
        assert verdict.bundle.record.record_id == s["record_id"]
    for s in (steps["forwarded"], steps["received"]):  # the handover, with the CLI too
        code, out = _verify(service, tmp_path, "verify", s["evidence"])
        assert code == 0 and out.startswith("VALID"), out
    # The citizen sees the same progress, anchored, with the code from submission.
    with httpx.Client(base_url=service.url) as anonymous:
        public = _ok(anonymous.get(f"/v1/public/cases/{story['case_no']}",
                                   params={"query_code": story["query_code"]}), 200)
    assert all(s["anchored"] for s in public["steps"]) and public["state"] == "delivered"
    # Jiangsu is not involved in this case: its partner key cannot read the trace.
    assert http["js"].get(f"/v1/cases/{story['case_no']}/trace").status_code == 404


def test_jiangsu_verifies_the_zhejiang_licence_from_the_evidence_alone(
        service: Service, http: dict[str, httpx.Client], story: dict[str, Any],
        tmp_path: Path) -> None:
    v = _verified(http["js"], story["license_id"], 1)
    assert v["authentic"] and v["status"] == "valid"
    assert v["license"]["issuing_province"]["code"] == ZJ
    assert v["license"]["case_no"] == story["case_no"]
    assert v["freshness"]["anchored_through_seq"] >= v["freshness"]["latest_event_seq"]
    [bundle] = v["evidence"]["bundles"]
    # What the holder can hand over: the issuance bundle. It checks against the chain alone
    # and names the issuing province, the case and the holder commitment.
    code, out = _verify(service, tmp_path, "verify", bundle)
    assert code == 0 and "license.issued" in out and "province 330000" in out, out
    assert bundle["record"]["payload"]["case_no"] == story["case_no"]
    code, out = _verify(service, tmp_path, "verify-license", v)
    assert code == 0 and "is valid" in out and "issued by 330000" in out, out


def test_a_revocation_reaches_the_partner_and_old_evidence_says_what_it_cannot_prove(
        service: Service, http: dict[str, httpx.Client], story: dict[str, Any],
        tmp_path: Path) -> None:
    before = _verified(http["js"], story["license_id"], 1)
    _ok(http["zj"].post(f"/v1/licenses/{story['license_id']}/events", json={
        "event": "revoked", "actor": actor(ZJ), "payload": {"reason": "以欺骗手段取得登记"}}))
    after = _verified(http["js"], story["license_id"], 2)
    assert after["authentic"] and after["status"] == "revoked"
    assert after["status_record"]["event"] == "revoked"
    code, out = _verify(service, tmp_path, "verify-license", after)
    assert code == 0 and "is revoked" in out, out
    # The evidence fetched before the revocation still proves what it proved: the license
    # was issued. It cannot exclude the later revocation, and says the issuer's log has
    # anchored records beyond it.
    code, out = _verify(service, tmp_path, "verify-license", before)
    assert code == 0 and "is valid" in out and "anchored records after" in out, out
    # Evidence with the revocation cut out of the middle, or reordered, is refused.
    cut = copy.deepcopy(after)
    cut["evidence"]["bundles"] = cut["evidence"]["bundles"][1:]
    code, out = _verify(service, tmp_path, "verify-license", cut)
    assert code == 1 and "(chain-broken)" in out, out
    altered = copy.deepcopy(after)
    altered["evidence"]["bundles"][1]["record"]["kind"] = "license.reinstated"
    code, out = _verify(service, tmp_path, "verify-license", altered)
    assert code == 1 and "(record-altered)" in out, out
