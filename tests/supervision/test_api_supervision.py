"""GET /v1/supervision/alerts and /stats over real HTTP (uvicorn, SQLite file): cases written
through the API with backdated steps, so the alerts hold whatever day the tests run on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ledger import anchoring, sealing
from ledger.batch import SealPolicy
from tests.api.live import Live, assert_problem, live_server
from tests.api_domain.kit import BL_SH, BL_ZJ, CROSS_PATH, SH, ZJ, at, drive, setup, submit

LOCAL_PATH = [("accepted", SH, {}), ("review_started", SH, {}),
              ("decided", SH, {"decision": "approved"}), ("completed", SH, {}),
              ("delivered", SH, {"method": "electronic"}), ("evaluated", SH, {"score": 4})]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("supervision"),
                     sqlite_synchronous="NORMAL") as server:
        setup(server)
        yield server


@pytest.fixture(scope="module")
def cases(live: Live) -> dict[str, str]:
    """forwarded: SH -> ZJ, accepted and forwarded on 3-4 Nov, never received;
    open: local SH, accepted 3 Nov, nothing since; done: local SH, complete on time."""
    out = {}
    with live.client("op_sh") as c:
        for name, item in (("forwarded", BL_ZJ), ("open", BL_SH), ("done", BL_SH)):
            out[name] = str(submit(c, item, SH, occurred_at=at(2, 8))["case_no"])
    drive(live, out["forwarded"], CROSS_PATH[:2], start_day=3)
    drive(live, out["open"], LOCAL_PATH[:1], start_day=3)
    drive(live, out["done"], LOCAL_PATH, start_day=3)
    return out


def alerts(live: Live, who: str = "supervisor", **params: Any) -> httpx.Response:
    with live.client(who) as c:
        return c.get("/v1/supervision/alerts", params=params)


def kinds(response: httpx.Response) -> set[tuple[str, str]]:
    assert response.status_code == 200, response.text
    return {(a["case_no"], a["kind"]) for a in response.json()["alerts"]}


def test_alerts_of_the_late_and_stuck_cases(live: Live, cases: dict[str, str]) -> None:
    found = kinds(alerts(live))
    assert {(cases["forwarded"], "overdue"), (cases["forwarded"], "not_received"),
            (cases["open"], "overdue"), (cases["open"], "stalled")} <= found
    assert not any(no == cases["done"] for no, _ in found)
    [alert] = alerts(live, case_no=cases["forwarded"], kind="not_received").json()["alerts"]
    assert alert["severity"] == "red" and alert["province"] == ZJ
    assert alert["item_code"] == BL_ZJ and alert["subject"] == {"type": "case",
                                                                "id": cases["forwarded"]}
    assert alert["facts"][0]["status"] == "pending" and alert["anchored"] is False


def test_filters_combine(live: Live, cases: dict[str, str]) -> None:
    assert kinds(alerts(live, province=ZJ)) == {(cases["forwarded"], "overdue"),
                                                (cases["forwarded"], "not_received")}
    assert kinds(alerts(live, province=SH, severity="yellow")) == {(cases["open"], "stalled")}
    assert kinds(alerts(live, kind="overdue", item_code=BL_SH)) == {(cases["open"], "overdue")}
    assert kinds(alerts(live, since="2099-01-01T00:00:00Z")) == set()
    assert len(kinds(alerts(live, until="2099-01-01T00:00:00+08:00"))) >= 4


def test_paging_visits_every_alert_once(live: Live, cases: dict[str, str]) -> None:
    everything = [a["alert_id"] for a in alerts(live, limit=200).json()["alerts"]]
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = alerts(live, **params).json()
        seen += [a["alert_id"] for a in page["alerts"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(seen) == len(set(seen)) >= 4


@pytest.mark.parametrize(("params", "field"), [
    ({"severity": "purple"}, "severity"), ({"kind": "late"}, "kind"),
    ({"since": "yesterday"}, "since"), ({"province": 123}, "province"),
    ({"since": "2026-11-05T00:00:00Z", "until": "2026-11-04T00:00:00Z"}, "since"),
    ({"cursor": "not-ours"}, "cursor")])
def test_bad_filters_are_422_problems(live: Live, params: dict[str, Any], field: str) -> None:
    body = assert_problem(alerts(live, **params), 422, "invalid-request")
    assert body["field"] == field
    assert_problem(alerts(live, limit=0), 422, "invalid-request")


def test_only_supervision_bodies_read_alerts_and_stats(live: Live) -> None:
    for who in ("supervisor", "admin"):
        assert alerts(live, who).status_code == 200
    for who in ("op_sh", "partner_sh"):
        assert_problem(alerts(live, who), 403, "forbidden")
        with live.client(who) as c:
            assert_problem(c.get("/v1/supervision/stats"), 403, "forbidden")
    assert_problem(alerts(live, None), 401, "unauthorized")


def test_alerts_say_when_their_facts_are_anchored(live: Live, cases: dict[str, str]) -> None:
    for batch in sealing.seal_due(live.db, SealPolicy(), force=True):
        anchoring.record_confirmed(live.db, batch, chain_id=31337, contract="0x" + "11" * 20,
                                   tx_hash="0x" + "22" * 32, block_number=9,
                                   block_hash="0x" + "33" * 32, gas_used=None)
    [alert] = alerts(live, case_no=cases["open"], kind="overdue").json()["alerts"]
    assert alert["anchored"] is True
    assert {f["status"] for f in alert["facts"]} == {"anchored"}


def test_stats_per_province_and_item(live: Live, cases: dict[str, str]) -> None:
    with live.client("supervisor") as c:
        by_province = c.get("/v1/supervision/stats").json()
        by_item = c.get("/v1/supervision/stats", params={"by": "item", "province": SH}).json()
        later = c.get("/v1/supervision/stats", params={"since": "2026-11-03T00:00:00+08:00"})
        bad = c.get("/v1/supervision/stats", params={"by": "day"})
    groups = {g["province"]: g for g in by_province["groups"]}
    sh = groups[SH]
    assert (sh["received"], sh["handled"], sh["completed"], sh["on_time"]) == (3, 2, 1, 1)
    assert sh["on_time_rate"] == 1.0
    # done: accepted Tue 3rd, completed Fri 6th: 3 working days (acceptance day not counted)
    assert sh["handling_working_days"] == {"median": 3.0, "p90": 3}
    assert sh["satisfaction"] == {"mean": 4.0, "count": 1}
    assert (groups[ZJ]["received"], groups[ZJ]["handled"]) == (0, 1)
    assert [g["item_code"] for g in by_item["groups"]] == [BL_SH]
    assert later.json()["groups"] == []  # every case was submitted on 2 November
    assert_problem(bad, 422, "invalid-request")
