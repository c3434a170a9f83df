"""The API's clock is a service the app is given (api.services.Services.clock), not the
machine's: a live server set to 2027-01-15 stamps, numbers, judges and times everything by
it, over real HTTP. Before the seam, date-dependent behaviour could only be tested through
the domain layer or by moving the machine's clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.schemas.domain_examples import CATALOGUE_IN
from ledger import timestamps
from ledger.store.domain_schema import ServiceItemRow
from tests.api.live import Live, assert_problem, live_server, record
from tests.api_domain.kit import BL_ZJ, NEVER_EXPIRES, SH, at, cross_case, issue, setup, submit

#: 10:00 in China on a Friday the sample calendar (2026 only) does not cover.
LATER = datetime(2027, 1, 15, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("govtrace-clock"), clock=lambda: LATER,
                     public_query_per_case=1000, public_query_per_ip=10_000,
                     sqlite_synchronous="NORMAL") as server:
        setup(server)
        yield server


def test_records_are_stamped_and_checked_against_the_app_clock(later: Live) -> None:
    with later.client("op_sh") as c:
        # 09:00 China time that day: ahead of the real clock until then, fine by the app's.
        one = c.post("/v1/records", json=record(SH, occurred_at="2027-01-15T09:00:00+08:00"))
        assert one.status_code == 201, one.text
        assert one.json()["recorded_at"] == timestamps.render(LATER)
        many = c.post("/v1/records:batch", json={"records": [record(SH), record(SH)]})
        assert many.status_code == 201, many.text
        assert {r["recorded_at"] for r in many.json()["records"]} == {timestamps.render(LATER)}
        # An hour past the app's now is beyond the 5-minute skew.
        ahead = c.post("/v1/records", json=record(SH, occurred_at="2027-01-15T11:00:00+08:00"))
    body = assert_problem(ahead, 422, "invalid-record")
    assert body["field"] == "occurred_at"


def test_a_case_is_numbered_and_its_deadline_counted_by_the_app_clock(later: Live) -> None:
    with later.client("op_sh") as c:
        out = submit(c, BL_ZJ, SH)  # occurred_at defaults to the app clock: 10:00
        no = out["case_no"]
        assert no.startswith("310000-20270115-")
        assert out["receipt"]["recorded_at"] == timestamps.render(LATER)
        r = c.post(f"/v1/cases/{no}/steps", json={
            "step": "accepted", "actor": {"department": "D310000"}, "payload": {},
            "record_id": str(uuid.uuid4()), "occurred_at": "2027-01-15T10:01:00+08:00"})
        assert r.status_code == 201, r.text
        deadline = c.get(f"/v1/cases/{no}").json()["deadline"]
    assert deadline["calendar_covers"] is False  # 2027 is beyond the sample calendar
    assert deadline["late"] is False and deadline["due_date"] > "2027-01-15"

    with later.client("op_sh") as c:  # accepted in November 2026: long overdue by 2027
        old = submit(c, BL_ZJ, SH, occurred_at=at(2, 8))["case_no"]
        r = c.post(f"/v1/cases/{old}/steps", json={
            "step": "accepted", "actor": {"department": "D310000"}, "payload": {},
            "occurred_at": at(2, 9)})
        assert r.status_code == 201, r.text
        assert c.get(f"/v1/cases/{old}").json()["deadline"]["late"] is True


def test_license_validity_is_judged_on_the_app_clocks_date(later: Live) -> None:
    lapsed = issue(later, cross_case(later), valid_until="2027-01-14",
                   occurred_at=at(20, 10))
    assert lapsed.status_code == 201, lapsed.text
    lasting = issue(later, cross_case(later), valid_until=NEVER_EXPIRES, occurred_at=at(20, 10))
    assert lasting.status_code == 201, lasting.text
    with later.client("op_zj") as c:
        for issued, status in ((lapsed, "expired"), (lasting, "valid")):
            lid = issued.json()["license"]["license_id"]
            view = c.get(f"/v1/licenses/{lid}").json()
            assert (view["status"], view["recorded_status"]) == (status, "valid")
    with later.client("partner_js") as c:
        lid = lapsed.json()["license"]["license_id"]
        verdict = c.post("/v1/licenses/verify", json={"license_id": lid}).json()
    assert verdict["authentic"] is True and verdict["status"] == "expired"


def test_catalogue_changes_are_stamped_by_the_app_clock(later: Live) -> None:
    with later.client("admin") as c:
        r = c.post("/v1/catalogue/items", json=CATALOGUE_IN)
    assert r.status_code == 200, r.text
    code = CATALOGUE_IN["items"][0]["item_code"]
    with later.db.snapshot() as s:
        stamp = s.scalar(select(ServiceItemRow.updated_at).where(
            ServiceItemRow.item_code == code))
    assert stamp == timestamps.render(LATER)
