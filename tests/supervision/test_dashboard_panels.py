"""The dashboard's alert and statistics panels over HTTP (no browser): a supervisor signs in
and sees the late case, filtered by severity and province, and the on-time table."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.api.live import Live, live_server
from tests.api_domain.kit import BL_SH, BL_ZJ, CROSS_PATH, SH, ZJ, at, drive, setup, submit
from tests.pages.conftest import browser, csrf_of
from tests.supervision.test_api_supervision import LOCAL_PATH


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("dashboard"),
                     sqlite_synchronous="NORMAL") as server:
        setup(server)
        yield server


@pytest.fixture(scope="module")
def cases(live: Live) -> dict[str, str]:
    with live.client("op_sh") as c:
        late = str(submit(c, BL_ZJ, SH, occurred_at=at(2, 8))["case_no"])
        done = str(submit(c, BL_SH, SH, occurred_at=at(2, 8))["case_no"])
    drive(live, late, CROSS_PATH[:3], start_day=3)  # received by ZJ, then nothing
    drive(live, done, LOCAL_PATH, start_day=3)
    return {"late": late, "done": done}


@pytest.fixture(scope="module")
def http(live: Live) -> Iterator[httpx.Client]:
    with browser(live) as client:
        csrf = csrf_of(client.get("/supervision/login").text)
        r = client.post("/supervision/login", headers={"Origin": live.url},
                        data={"csrf": csrf, "api_key": live.tokens["supervisor"]})
        assert r.status_code == 303
        yield client


def panel(html: str, name: str) -> str:
    found = re.search(rf'<section[^>]*id="panel-{name}"[^>]*>(.*?)</section>', html, re.S)
    assert found, f"no panel {name}"
    return found.group(0)


def test_alerts_panel_lists_the_late_case(http: httpx.Client, cases: dict[str, str]) -> None:
    alerts = panel(http.get("/supervision").text, "alerts")
    assert 'data-available="yes"' in alerts
    assert cases["late"] in alerts and cases["done"] not in alerts
    assert 'data-kind="overdue"' in alerts and 'data-kind="stalled"' in alerts
    assert "超期" in alerts and "未上链" in alerts


def test_alerts_panel_filters(http: httpx.Client, cases: dict[str, str]) -> None:
    yellow = panel(http.get("/supervision?severity=yellow").text, "alerts")
    assert 'data-severity="yellow"' in yellow and 'data-severity="red"' not in yellow
    elsewhere = panel(http.get(f"/supervision?province={SH}").text, "alerts")
    assert cases["late"] not in elsewhere  # Zhejiang handles it: its alerts are Zhejiang's
    assert cases["late"] in panel(http.get(f"/supervision?province={ZJ}").text, "alerts")


def test_stats_panel_shows_on_time_rate_and_handling_time(http: httpx.Client,
                                                          cases: dict[str, str]) -> None:
    stats = panel(http.get("/supervision?lang=en").text, "stats")
    assert 'data-available="yes"' in stats and stats.count('<svg class="chart"') == 2
    row = re.search(rf'<tr data-province="{SH}">(.*?)</tr>', stats, re.S)
    assert row is not None
    assert "100%" in row.group(1) and "3 working days" in row.group(1)
