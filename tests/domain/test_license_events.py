"""The license lifecycle: every (state, event) pair against a reference table, the issuing
province as the only writer, expiry only after the validity window, effective status."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from ledger import license_events
from ledger.errors import IllegalTransition, InvalidStep, WrongProvince
from ledger.license_events import NEW, LicenseFacts

ZJ, JS = 330000, 320000
LEGAL = {("issued", NEW): "valid", ("suspended", "valid"): "suspended",
         ("reinstated", "suspended"): "valid", ("revoked", "valid"): "revoked",
         ("revoked", "suspended"): "revoked", ("expired", "valid"): "expired",
         ("expired", "suspended"): "expired"}
VALID: dict[str, dict[str, Any]] = {
    "issued": {"type_code": "CN-BL", "number": "91330106MA2K", "holder": "0x" + "cd" * 32,
               "issuing_authority": "ZJ-AMR", "valid_from": "2020-01-01",
               "valid_until": "2025-12-31", "case_no": "310000-20200101-000001"},
    "suspended": {"reason": "核查中"}, "reinstated": {}, "revoked": {"reason": "以欺骗手段取得"},
    "expired": {},
}
AFTER_EXPIRY = date(2026, 1, 1)


@pytest.mark.parametrize(("state", "event"), list(itertools.product(
    [NEW, *license_events.STATES], license_events.EVENTS)))
def test_every_state_and_event_matches_the_reference_table(state: str, event: str) -> None:
    f = LicenseFacts(state, ZJ, "2025-12-31")
    if (event, state) in LEGAL:
        t = license_events.check(f, event, ZJ, VALID[event], AFTER_EXPIRY)
        assert t.target == LEGAL[(event, state)]
    else:
        with pytest.raises(IllegalTransition):
            license_events.check(f, event, ZJ, VALID[event], AFTER_EXPIRY)


@pytest.mark.parametrize("event", license_events.EVENTS)
def test_only_the_issuing_province_writes_events(event: str) -> None:
    state = NEW if event == "issued" else "valid"
    with pytest.raises(WrongProvince):
        license_events.check(LicenseFacts(state, ZJ, None), event, JS, VALID[event],
                             AFTER_EXPIRY)


def test_a_license_expires_only_after_its_window() -> None:
    f = LicenseFacts("valid", ZJ, "2025-12-31")
    with pytest.raises(IllegalTransition):
        license_events.check(f, "expired", ZJ, {}, date(2025, 12, 31))
    assert license_events.check(f, "expired", ZJ, {}, date(2026, 1, 1)).target == "expired"
    with pytest.raises(IllegalTransition):  # no expiry date: it never expires
        license_events.check(LicenseFacts("valid", ZJ, None), "expired", ZJ, {},
                             date(2099, 1, 1))


@pytest.mark.parametrize(("event", "payload", "field"), [
    ("suspended", {}, "payload.reason"),
    ("revoked", {"reason": "x", "extra": 1}, "payload.extra"),
    ("issued", {**VALID["issued"], "valid_until": "2019-12-31"}, "payload.valid_until"),
    ("issued", {**VALID["issued"], "valid_from": "2020-13-01"}, "payload.valid_from"),
    ("issued", {**VALID["issued"], "holder": "张三"}, "payload.holder"),
])
def test_event_payloads(event: str, payload: dict[str, Any], field: str) -> None:
    state = NEW if event == "issued" else "valid"
    with pytest.raises(InvalidStep) as info:
        license_events.check(LicenseFacts(state, ZJ, None), event, ZJ, payload, AFTER_EXPIRY)
    assert info.value.field == field


def test_effective_status_follows_the_validity_window() -> None:
    eff = license_events.effective_state
    assert eff("valid", "2025-12-31", date(2025, 12, 31)) == "valid"
    assert eff("valid", "2025-12-31", date(2026, 1, 1)) == "expired"
    assert eff("suspended", "2025-12-31", date(2026, 1, 1)) == "expired"
    assert eff("revoked", "2025-12-31", date(2026, 1, 1)) == "revoked"
    assert eff("valid", None, date(2099, 1, 1)) == "valid"


def test_unknown_events_are_invalid() -> None:
    for kind in ("license.renewed", "case.issued"):
        with pytest.raises(InvalidStep):
            license_events.event_of(kind)
