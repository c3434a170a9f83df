"""The case state machine (办件流程): which step may follow which, and who writes it.

Pure rules, no storage: `ledger.transitions` applies them to the case row inside the append
transaction. docs/cases.md draws the machine; the tables below are the normative version.

A case is *local* when the receiving and the handling province are the same, *cross-province*
otherwise: then the receiving province forwards (转办) it and the handling province's
"received" step continues the same hash chain. Items whose catalogue entry lists
`review_started` must be reviewed before a decision; items that list `delivered` must be
delivered before the applicant can evaluate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import payloads as p
from .errors import IllegalTransition, InvalidStep, WrongProvince

#: Exists only inside the submitting transaction, before the `submitted` record is appended.
NEW = "new"
STATES: dict[str, str] = {
    "submitted": "已申请", "supplement_requested": "待补正", "refused": "不予受理",
    "accepted": "已受理", "forwarded": "已转办", "received": "已接收",
    "under_review": "审查中", "suspended": "特别程序中", "decided": "已决定",
    "completed": "已办结", "delivered": "已送达", "evaluated": "已评价",
}
TERMINAL = frozenset({"evaluated"})
CHANNELS = ("online", "counter", "mobile", "self_service")
PROCEDURES = ("inspection", "testing", "quarantine", "appraisal", "expert_review", "hearing",
              "public_notice", "other")
_NOTE = p.text(200)

#: step -> (Chinese label, state after the step, payload shape)
STEPS: dict[str, tuple[str, str, p.Shape]] = {
    "submitted": ("申请", "submitted", p.shape({
        "item": p.ident, "applicant": p.digest, "receiving_province": p.province,
        "handling_province": p.province, "promised_days": p.integer(1, 365),
        "channel": p.one_of(*CHANNELS)})),
    "supplement_requested": ("补正告知", "supplement_requested", p.shape(
        {"materials": p.text_list(20, 100)}, {"note": _NOTE})),
    "supplement_supplied": ("补正材料", "submitted", p.shape(
        {"materials": p.text_list(20, 100)})),
    "refused": ("不予受理", "refused", p.shape({"reason": _NOTE})),
    "accepted": ("受理", "accepted", p.shape(optional={"notice_no": p.ident})),
    "forwarded": ("转办", "forwarded", p.shape({"to_province": p.province},
                                               {"note": _NOTE})),
    "received": ("接收", "received", p.shape({"from_province": p.province})),
    "review_started": ("审查", "under_review", p.shape()),
    "suspended": ("特别程序", "suspended", p.shape(
        {"procedure": p.one_of(*PROCEDURES), "reason": _NOTE})),
    "resumed": ("恢复办理", "under_review", p.shape(optional={"note": _NOTE})),
    "decided": ("决定", "decided", p.shape(
        {"decision": p.one_of("approved", "denied")},
        {"reason": _NOTE, "document_no": p.ident})),
    "completed": ("办结", "completed", p.shape(optional={"note": _NOTE})),
    "delivered": ("送达", "delivered", p.shape({"method": p.one_of("electronic", "post",
                                                                    "counter")})),
    "evaluated": ("好差评", "evaluated", p.shape(
        {"score": p.integer(1, 5)}, {"comment_digest": p.nullable(p.digest)})),
}
#: Steps the receiving province writes; all others are the handling province's, except the
#: evaluation, which the province that closed the case records (refusal: the receiving one).
RECEIVING_STEPS = frozenset({"submitted", "supplement_requested", "supplement_supplied",
                             "refused", "accepted", "forwarded"})


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the rules need to know about a case."""

    state: str
    receiving: int
    handling: int
    requires_review: bool
    requires_delivery: bool

    @property
    def cross_province(self) -> bool:
        return self.receiving != self.handling


@dataclass(frozen=True, slots=True)
class Transition:
    step: str
    source: str
    target: str
    payload: dict[str, Any]


def sources(step: str, f: CaseFacts) -> frozenset[str]:
    """The states from which `step` may happen for this case."""
    # Where a case goes after intake depends on whether it crosses provinces.
    intake_done = "received" if f.cross_province else "accepted"
    table: dict[str, set[str]] = {
        "submitted": {NEW},
        "supplement_requested": {"submitted"},
        "supplement_supplied": {"supplement_requested"},
        "refused": {"submitted", "supplement_requested"},
        "accepted": {"submitted"},
        "forwarded": {"accepted"} if f.cross_province else set(),
        "received": {"forwarded"},
        "review_started": {intake_done},
        "suspended": {"under_review"},
        "resumed": {"suspended"},
        "decided": {"under_review"} | (set() if f.requires_review else {intake_done}),
        "completed": {"decided"},
        "delivered": {"completed"},
        "evaluated": {"delivered", "refused"} | (set() if f.requires_delivery
                                                 else {"completed"}),
    }
    return frozenset(table[step])


def writer(step: str, f: CaseFacts) -> int:
    """The province whose record this step must be."""
    if step in RECEIVING_STEPS or (step == "evaluated" and f.state == "refused"):
        return f.receiving
    return f.handling


def step_of(kind: str) -> str:
    """`case.accepted` -> `accepted`; InvalidStep for anything that is not a case step."""
    prefix, _, step = kind.partition(".")
    if prefix != "case" or step not in STEPS:
        raise InvalidStep(f"{kind!r} is not a case step; case steps are "
                          f"{', '.join('case.' + s for s in STEPS)}", field="kind")
    return step


def check(f: CaseFacts, step: str, province: int, payload: Mapping[str, Any]) -> Transition:
    """Validate one step written by `province`; raise WrongProvince / IllegalTransition /
    InvalidStep, in that order (who, then when, then what)."""
    if step not in STEPS:
        step_of(f"case.{step}")
    label, target, shape = STEPS[step]
    expected = writer(step, f)
    if province != expected:
        role = "receiving" if expected == f.receiving else "handling"
        raise WrongProvince(f"case step {step} ({label}) is written by the {role} province "
                            f"{expected}, not {province}")
    allowed = sources(step, f)
    if f.state not in allowed:
        raise IllegalTransition(_illegal(step, f, allowed))
    clean = shape.validate(payload, f"case.{step}")
    _consistent(step, clean, f)
    return Transition(step, f.state, target, clean)


def _illegal(step: str, f: CaseFacts, allowed: frozenset[str]) -> str:
    where = f"case is {f.state}"
    if not allowed:
        return f"{step} never applies to a local case ({where})"
    want = " or ".join(sorted(allowed))
    return f"{step} is allowed only when the case is {want}; the {where}"


def _consistent(step: str, payload: dict[str, Any], f: CaseFacts) -> None:
    if step == "forwarded" and payload["to_province"] != f.handling:
        raise InvalidStep(f"payload.to_province must be the handling province {f.handling}",
                          field="payload.to_province")
    if step == "received" and payload["from_province"] != f.receiving:
        raise InvalidStep(f"payload.from_province must be the receiving province "
                          f"{f.receiving}", field="payload.from_province")
    if step == "decided" and payload["decision"] == "denied" and "reason" not in payload:
        raise InvalidStep("a denial must state its reason (payload.reason)",
                          field="payload.reason")


def next_steps(f: CaseFacts) -> list[tuple[str, int]]:
    """Steps possible now, each with the province that would write it."""
    return [(s, writer(s, f)) for s in STEPS if f.state in sources(s, f)]
