"""The browser tests' data: `govtrace demo` run against the real `govtrace serve` (four
provinces, cases with late ones, licenses with a revoked one), a tamper audit, and what the
tests expect, read back from the demo's summary and from the API, never hard-coded."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.service import Service


@dataclass
class Demo:
    service: Service
    tokens: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    #: The citizen query the summary prints, and the case as the public API shows it.
    case_no: str = ""
    query_code: str = ""
    public: dict[str, Any] = field(default_factory=dict)
    #: (step, province, department) in chain order, from the cross-province trace.
    case_steps: list[tuple[str, int, str]] = field(default_factory=list)
    #: The anchored evidence bundle the demo wrote (a license's issuance, by 330000).
    bundle: dict[str, Any] = field(default_factory=dict)
    #: license id -> status, as the summary reports them.
    licenses: dict[str, str] = field(default_factory=dict)
    late_cases: list[str] = field(default_factory=list)
    audit: dict[str, Any] = field(default_factory=dict)
    provinces: list[int] = field(default_factory=list)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def license_with(self, status: str) -> str:
        return next(lic for lic, s in self.licenses.items() if s == status)


def _key(service: Service, *args: str) -> str:
    created = service.cli("keys", "create", *args)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def _wait(done: Callable[[], bool], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen in time")


def _read_summary(demo: Demo) -> None:
    out = demo.summary
    query = re.search(r"curl '(\S+)/v1/public/cases/(\S+)\?query_code=(\S+)'", out)
    assert query is not None, out
    demo.case_no, demo.query_code = query.group(2), query.group(3)
    demo.late_cases = re.findall(r"^  late: (\S+) ", out, re.M)
    demo.licenses = dict(re.findall(r"^  license (\S+) issued by \d+: (\w+),", out, re.M))
    demo.provinces = [int(p) for p in re.findall(r"^  (\d{6}) \S+: received", out, re.M)]
    evidence = re.search(r"govtrace verify (\S+) --rpc", out)
    assert evidence is not None, out
    with open(evidence.group(1), encoding="utf-8") as f:
        demo.bundle = json.load(f)


def seed(demo: Demo) -> None:
    service = demo.service
    demo.tokens["supervisor"] = _key(service, "--role", "supervisor", "--label", "督办处")
    demo.tokens["partner"] = _key(service, "--role", "partner", "--province", "320000",
                                  "--label", "JS counter 3")
    demo.tokens["op_310000"] = _key(service, "--role", "operator", "--province", "310000")
    result = service.cli("demo", "--wait", "90")
    assert result.returncode == 0, result.stdout + result.stderr
    demo.summary = result.stdout
    _read_summary(demo)
    with httpx.Client(base_url=service.url, timeout=60) as http:
        demo.public = http.get(f"/v1/public/cases/{demo.case_no}",
                               params={"query_code": demo.query_code}).json()
        trace = http.get(f"/v1/cases/{demo.case_no}/trace", headers=demo.auth("op_310000"))
        assert trace.status_code == 200, trace.text
        demo.case_steps = [(s["step"], s["province"], s["record"]["actor"]["department"])
                           for s in trace.json()["steps"]]

        def case_anchored() -> bool:
            steps = http.get(f"/v1/public/cases/{demo.case_no}",
                             params={"query_code": demo.query_code}).json()["steps"]
            return all(s["anchored"] for s in steps)

        _wait(case_anchored, "anchoring of the citizen's case")
        audit = http.post("/v1/supervision/audits", json={}, timeout=120,
                          headers=demo.auth("supervisor"))
        assert audit.status_code == 201, audit.text
        demo.audit = audit.json()["audit"]
        record_id = audit.json()["record"]["record_id"]

        def audit_anchored() -> bool:
            r = http.get(f"/v1/records/{record_id}/evidence", headers=demo.auth("supervisor"))
            return r.status_code == 200 and r.json()["anchor"] is not None

        # The audit's own record (Beijing, the supervision body) is anchored like any other.
        _wait(audit_anchored, "anchoring of the audit record")
