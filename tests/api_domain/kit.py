"""Test kit for the case and license API: keys for every role, a sample catalogue, and
helpers that drive a case through its steps over real HTTP."""

from __future__ import annotations

import itertools
import random
from typing import Any

import httpx

from ledger import catalogue, keys
from ledger import unit_of_work as uow
from ledger.identity import resident_id_check_char
from tests.api.live import Live

SH, JS, ZJ, AH, GD = 310000, 320000, 330000, 340000, 440000
#: name -> (role, province)
ROLES: dict[str, tuple[str, int | None]] = {
    "op_sh": ("operator", SH), "op_js": ("operator", JS), "op_zj": ("operator", ZJ),
    "op_ah": ("operator", AH), "partner_sh": ("partner", SH), "partner_zj": ("partner", ZJ),
    "partner_js": ("partner", JS), "partner_gd": ("partner", GD),
    "supervisor": ("supervisor", None), "admin": ("admin", None),
}
OPERATOR_OF = {SH: "op_sh", JS: "op_js", ZJ: "op_zj", AH: "op_ah"}
#: Items of the shipped sample catalogue used by the tests.
BL_ZJ = "330000-AMR-BL-CHANGE"  # review + delivery, license CN-BL, cross-province
BL_SH = "310000-AMR-BL-CHANGE"
PENSION_JS = "320000-HRSS-PENSION-TRANSFER"  # review, no delivery, no license
DL_AH = "340000-PSB-DL-RENEWAL"  # instant: no review; delivery; license CN-DL
RP_SH = "310000-PSB-RESIDENCE-PERMIT"  # local only
_counter = itertools.count(1)


def resident_id(rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    first = f"310101{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
            f"{rng.randint(0, 999):03d}"
    return first + resident_id_check_char(first)


def applicant(name: str = "张三") -> dict[str, Any]:
    return {"name": name, "id_type": "resident_id", "id_number": resident_id()}


def setup(live: Live) -> None:
    """Keys for every role and the sample catalogue, written as an administrator would."""
    for name, (role, province) in ROLES.items():
        live.tokens[name], _ = keys.create(live.db, role, province=province, label=name)
    items = catalogue.sample()
    uow.run(live.db, lambda s: catalogue.save(s, items))


def actor(province: int) -> dict[str, Any]:
    return {"department": f"D{province}", "officer": "E0001"}


def at(day: int, hour: int = 9, month: int = 11) -> str:
    """A time in November 2026 (China time)."""
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00+08:00"


def submit(c: httpx.Client, item: str, province: int, **extra: Any) -> dict[str, Any]:
    body = {"item_code": item, "applicant": applicant(), "actor": actor(province), **extra}
    r = c.post("/v1/cases", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def step(c: httpx.Client, case_no: str, name: str, province: int,
         payload: dict[str, Any] | None = None, **extra: Any) -> httpx.Response:
    body = {"step": name, "actor": actor(province), "payload": payload or {}, **extra}
    return c.post(f"/v1/cases/{case_no}/steps", json=body)


#: The happy path of a cross-province case SH -> ZJ for BL_ZJ: (step, writer, payload).
CROSS_PATH: list[tuple[str, int, dict[str, Any]]] = [
    ("accepted", SH, {}), ("forwarded", SH, {"to_province": ZJ}),
    ("received", ZJ, {"from_province": SH}), ("review_started", ZJ, {}),
    ("decided", ZJ, {"decision": "approved"}), ("completed", ZJ, {}),
    ("delivered", ZJ, {"method": "electronic"}),
]


def drive(live: Live, case_no: str, path: list[tuple[str, int, dict[str, Any]]],
          start_day: int = 2) -> None:
    for i, (name, province, payload) in enumerate(path):
        with live.client(OPERATOR_OF[province]) as c:
            r = step(c, case_no, name, province, payload, occurred_at=at(start_day + i))
            assert r.status_code == 201, (name, r.text)


def cross_case(live: Live, *, upto: int = len(CROSS_PATH)) -> str:
    with live.client("op_sh") as c:
        case_no = str(submit(c, BL_ZJ, SH, occurred_at=at(2, 8))["case_no"])
    drive(live, case_no, CROSS_PATH[:upto])
    return case_no


#: The API judges expiry against the real today (valid_until < today: "expired"): the last
#: date there is keeps a test license "valid" whatever day the suite runs on.
NEVER_EXPIRES = "9999-12-31"


def issue(live: Live, case_no: str, **extra: Any) -> httpx.Response:
    body = {"case_no": case_no, "type_code": "CN-BL", "number": f"9133{next(_counter):014d}",
            "issuing_authority": "ZJ-HZ-AMR", "valid_from": "2026-11-20",
            "valid_until": NEVER_EXPIRES, "actor": actor(ZJ), **extra}
    with live.client("op_zj") as c:
        return c.post("/v1/licenses", json=body)
