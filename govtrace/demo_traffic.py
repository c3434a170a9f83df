"""The traffic `govtrace demo` drives over HTTP: realistic cases of the Yangtze River Delta.

Local and cross-province cases (受理在A, 办理在B), supplements, a refusal, a special
procedure, a denial, cases running late, licenses issued in one province and verified in
another, one suspended and reinstated, one revoked. Times are backdated from now, so some
cases are already past their promised time limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from ledger import timestamps
from ledger.identity import resident_id_check_char

SH, JS, ZJ, AH = 310000, 320000, 330000, 340000
PROVINCES = (SH, JS, ZJ, AH)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
REGIONS = {SH: "310104", JS: "320102", ZJ: "330106", AH: "340104"}

Step = tuple[str, int, dict[str, Any]]


class DemoError(Exception):
    """A demo request got an answer it should not have."""


@dataclass
class Traffic:
    http: httpx.Client
    tokens: dict[str, str]  # "op:310000", "partner:320000", "supervisor"
    rng: random.Random
    now: datetime = field(default_factory=timestamps.now)
    cases: list[dict[str, Any]] = field(default_factory=list)
    licenses: list[dict[str, Any]] = field(default_factory=list)
    verifications: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    records: int = 0

    def call(self, who: str, method: str, path: str, body: Any = None,
             expect: tuple[int, ...] = (200, 201)) -> dict[str, Any]:
        r = self.http.request(method, path, json=body,
                              headers={"Authorization": f"Bearer {self.tokens[who]}"})
        if r.status_code not in expect:
            raise DemoError(f"{method} {path} as {who}: {r.status_code} {r.text[:300]}")
        return dict(r.json())

    def at(self, days_ago: float) -> str:
        return timestamps.render(self.now - timedelta(days=days_ago))

    def person(self, province: int) -> dict[str, Any]:
        born = f"{self.rng.randint(1960, 2002)}{self.rng.randint(1, 12):02d}" \
               f"{self.rng.randint(1, 28):02d}"
        first = f"{REGIONS[province]}{born}{self.rng.randint(0, 999):03d}"
        name = self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, 2))
        return {"name": name, "id_type": "resident_id",
                "id_number": first + resident_id_check_char(first)}

    def load_catalogue(self, items: list[dict[str, Any]]) -> int:
        for p in PROVINCES:
            mine = [i for i in items if i["handling_province"] == p]
            self.call(f"op:{p}", "POST", "/v1/catalogue/items", {"items": mine})
        return len(items)

    def case(self, item: str, receiving: int, handling: int, steps: list[Step],
             start_days_ago: float, *, label: str) -> dict[str, Any]:
        """Submit `start_days_ago` days ago and write `steps` half a day apart."""
        sub = self.call(f"op:{receiving}", "POST", "/v1/cases", {
            "item_code": item, "applicant": self.person(receiving),
            "channel": self.rng.choice(["online", "counter", "mobile"]),
            "occurred_at": self.at(start_days_ago),
            "actor": {"department": f"ZWFW-{receiving}", "officer": "C0101"}})
        no = sub["case_no"]
        self.records += 1
        gap = min(0.5, start_days_ago / (len(steps) + 1))  # the last step is still past
        for i, (step, province, payload) in enumerate(steps):
            body: dict[str, Any] = {"step": step, "payload": payload,
                                    "occurred_at": self.at(start_days_ago - gap * (i + 1)),
                                    "actor": {"department": f"DEPT-{province}"}}
            if step == "evaluated":
                body["comment"] = self.rng.choice(["办事很方便", "跨省不用跑腿", "等待时间较长"])
            self.call(f"op:{province}", "POST", f"/v1/cases/{no}/steps", body)
            self.records += 1
        case = self.call("supervisor", "GET", f"/v1/cases/{no}")
        entry = {"case_no": no, "query_code": sub["query_code"], "label": label,
                 "receiving": receiving, "handling": handling, "state": case["state"],
                 "late": case["deadline"]["late"], "due_date": case["deadline"]["due_date"]}
        self.cases.append(entry)
        return entry

    def issue(self, case_no: str, province: int, type_code: str, number: str,
              valid_years: int = 10) -> str:
        today = self.now.date()
        until = today + timedelta(days=365 * valid_years)
        body = {"case_no": case_no, "type_code": type_code, "number": number,
                "issuing_authority": f"AUTH-{province}", "valid_from": today.isoformat(),
                "valid_until": until.isoformat(),
                "actor": {"department": f"AUTH-{province}"}}
        lic = self.call(f"op:{province}", "POST", "/v1/licenses", body)["license"]
        self.records += 1
        self.licenses.append({"license_id": lic["license_id"], "type_code": type_code,
                              "issuing_province": province, "case_no": case_no})
        return str(lic["license_id"])

    def event(self, license_id: str, province: int, event: str, reason: str | None) -> None:
        payload = {} if reason is None else {"reason": reason}
        self.call(f"op:{province}", "POST", f"/v1/licenses/{license_id}/events",
                  {"event": event, "payload": payload,
                   "actor": {"department": f"AUTH-{province}"}})
        self.records += 1

    def verify(self, partner: int, license_id: str) -> dict[str, Any]:
        v = self.call(f"partner:{partner}", "POST", "/v1/licenses/verify",
                      {"license_id": license_id})
        self.verifications.append((partner, v))
        return v


def full(receiving: int, handling: int, *, review: bool = True, deliver: bool = True,
         decision: str = "approved", evaluate: int | None = 5) -> list[Step]:
    """The steps of a case from acceptance to (optionally) evaluation."""
    steps: list[Step] = [("accepted", receiving, {})]
    if receiving != handling:
        steps += [("forwarded", receiving, {"to_province": handling}),
                  ("received", handling, {"from_province": receiving})]
    if review:
        steps.append(("review_started", handling, {}))
    decided: dict[str, Any] = {"decision": decision}
    if decision == "denied":
        decided["reason"] = "申请材料与登记信息不一致"
    steps += [("decided", handling, decided), ("completed", handling, {})]
    if deliver:
        steps.append(("delivered", handling, {"method": "electronic"}))
    if evaluate is not None:
        steps.append(("evaluated", handling, {"score": evaluate}))
    return steps


def run(t: Traffic) -> dict[str, Any]:
    """Drive the whole scenario; returns the headline case and license for the summary."""
    bl = {p: f"{p}-AMR-BL-CHANGE" for p in PROVINCES}
    pension = {p: f"{p}-HRSS-PENSION-TRANSFER" for p in PROVINCES}
    dl = {p: f"{p}-PSB-DL-RENEWAL" for p in PROVINCES}
    # The headline: applied in Shanghai, handled in Zhejiang, licence verified by Jiangsu.
    head = t.case(bl[ZJ], SH, ZJ, full(SH, ZJ), 6, label="cross-province business licence")
    head_license = t.issue(head["case_no"], ZJ, "CN-BL", "91330106MA2K" + _digits(t, 6))
    t.verify(JS, head_license)
    local = t.case(bl[SH], SH, SH, full(SH, SH, evaluate=4), 5, label="local business licence")
    t.verify(AH, t.issue(local["case_no"], SH, "CN-BL", "91310104MA1F" + _digits(t, 6)))
    renewal = t.case(dl[AH], JS, AH, full(JS, AH, review=False), 3,
                     label="cross-province driving-licence renewal")
    dl_id = t.issue(renewal["case_no"], AH, "CN-DL", "DA3401" + _digits(t, 8), valid_years=6)
    t.event(dl_id, AH, "suspended", "记分周期内累计记分达到12分")
    t.event(dl_id, AH, "reinstated", "完成学习考试")
    t.verify(ZJ, dl_id)
    special = full(ZJ, JS, deliver=False)
    special.insert(4, ("suspended", JS, {"procedure": "expert_review",
                                         "reason": "跨统筹区缴费年限核定"}))
    special.insert(5, ("resumed", JS, {}))
    t.case(pension[JS], ZJ, JS, special, 9, label="pension transfer with special procedure")
    permit_steps = [("supplement_requested", ZJ, {"materials": ["居住登记凭证"]}),
                    ("supplement_supplied", ZJ, {"materials": ["居住登记凭证"]}),
                    *full(ZJ, ZJ, evaluate=None)]
    permit = t.case("330000-PSB-RESIDENCE-PERMIT", ZJ, ZJ, permit_steps, 8,
                    label="residence permit after a supplement")
    rp_id = t.issue(permit["case_no"], ZJ, "CN-RP", "RP3301" + _digits(t, 8), valid_years=1)
    t.event(rp_id, ZJ, "revoked", "居住地址变更，原证件作废")
    t.verify(SH, rp_id)
    t.case(pension[AH], AH, AH, [("refused", AH, {"reason": "不属于本地受理范围"}),
                                 ("evaluated", AH, {"score": 2})], 2, label="refused at intake")
    t.case(bl[ZJ], JS, ZJ, full(JS, ZJ, decision="denied", evaluate=3), 7,
           label="cross-province denial")
    # Running late: accepted weeks ago, still under review.
    t.case(bl[ZJ], SH, ZJ, full(SH, ZJ)[:4], 20, label="late cross-province case")
    t.case(pension[JS], JS, JS, full(JS, JS)[:2], 35, label="late local case")
    for _ in range(8):  # everyday traffic at various stages
        receiving, handling = t.rng.choice(PROVINCES), t.rng.choice(PROVINCES)
        steps = full(receiving, handling, deliver=False)
        t.case(pension[handling], receiving, handling,
               steps[:t.rng.randint(0, len(steps))], t.rng.uniform(1, 4),
               label="everyday pension transfer")
    return {"case": head, "license_id": head_license}


def _digits(t: Traffic, n: int) -> str:
    return "".join(t.rng.choice("0123456789") for _ in range(n))
