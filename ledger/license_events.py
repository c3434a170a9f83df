"""The electronic-license lifecycle (电子证照): issue, suspend, reinstate, revoke, expire.

Pure rules; `ledger.transitions` applies them under the license row's lock. Only the issuing
province writes a license's events. Revocation and expiry are final: a revoked license is
re-issued as a new license, never reinstated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import payloads as p
from .errors import IllegalTransition, InvalidStep, WrongProvince

NEW = "new"  # only inside the issuing transaction
STATES: dict[str, str] = {"valid": "有效", "suspended": "暂停", "revoked": "已撤销",
                          "expired": "已过期"}
FINAL = frozenset({"revoked", "expired"})
_REASON = p.text(200)

#: event -> (Chinese label, states it may follow, state after, payload shape)
EVENTS: dict[str, tuple[str, frozenset[str], str, p.Shape]] = {
    "issued": ("签发", frozenset({NEW}), "valid", p.shape({
        "type_code": p.ident, "number": p.ident, "holder": p.digest,
        "issuing_authority": p.ident, "valid_from": p.day, "valid_until": p.nullable(p.day),
        "case_no": p.ident})),
    "suspended": ("暂停", frozenset({"valid"}), "suspended", p.shape({"reason": _REASON})),
    "reinstated": ("恢复", frozenset({"suspended"}), "valid", p.shape(
        optional={"reason": _REASON})),
    "revoked": ("撤销", frozenset({"valid", "suspended"}), "revoked", p.shape(
        {"reason": _REASON})),
    "expired": ("过期", frozenset({"valid", "suspended"}), "expired", p.shape()),
}


@dataclass(frozen=True, slots=True)
class LicenseFacts:
    state: str
    issuing_province: int
    valid_until: str | None


@dataclass(frozen=True, slots=True)
class LicenseTransition:
    event: str
    source: str
    target: str
    payload: dict[str, Any]


def event_of(kind: str) -> str:
    prefix, _, event = kind.partition(".")
    if prefix != "license" or event not in EVENTS:
        raise InvalidStep(f"{kind!r} is not a license event; license events are "
                          f"{', '.join('license.' + e for e in EVENTS)}", field="kind")
    return event


def check(f: LicenseFacts, event: str, province: int, payload: Mapping[str, Any],
          occurred_on: date) -> LicenseTransition:
    """Validate one event written by `province` on local date `occurred_on`."""
    if event not in EVENTS:
        event_of(f"license.{event}")
    label, allowed, target, shape = EVENTS[event]
    if province != f.issuing_province:
        raise WrongProvince(f"license events are written by the issuing province "
                            f"{f.issuing_province}, not {province}")
    if f.state not in allowed:
        want = " or ".join(sorted(allowed))
        raise IllegalTransition(f"license event {event} ({label}) is allowed only when the "
                                f"license is {want}; it is {f.state}")
    clean = shape.validate(payload, f"license.{event}")
    if event == "issued" and clean["valid_until"] is not None \
            and clean["valid_until"] < clean["valid_from"]:
        raise InvalidStep("payload.valid_until is before valid_from",
                          field="payload.valid_until")
    if event == "expired" and (f.valid_until is None
                               or occurred_on <= date.fromisoformat(f.valid_until)):
        raise IllegalTransition(f"the license is valid until {f.valid_until or 'revoked'}: "
                                "it cannot expire before that date has passed")
    return LicenseTransition(event, f.state, target, clean)


def effective_state(state: str, valid_until: str | None, today: date) -> str:
    """The status a verifier should rely on today: a license past its validity window is
    expired even before the issuing province records the expiry."""
    if state in ("valid", "suspended") and valid_until is not None \
            and today > date.fromisoformat(valid_until):
        return "expired"
    return state


def next_events(f: LicenseFacts) -> list[str]:
    return [e for e, (_, allowed, _, _) in EVENTS.items() if f.state in allowed]
