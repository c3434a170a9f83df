"""The case state machine, exhaustively: every (state, step) pair for every kind of case
(local / cross-province × review required or not × delivery required or not) is checked
against an independent table of the legal transitions, plus who writes each step and what
each payload admits."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from ledger import casesteps
from ledger.casesteps import NEW, CaseFacts
from ledger.errors import IllegalTransition, InvalidStep, WrongProvince

SH, ZJ, AH = 310000, 330000, 340000
ANY = "any"
# The reference model, written independently of ledger/casesteps.py: (step, from, condition).
LEGAL: list[tuple[str, str, str]] = [
    ("submitted", NEW, ANY),
    ("supplement_requested", "submitted", ANY),
    ("supplement_supplied", "supplement_requested", ANY),
    ("refused", "submitted", ANY), ("refused", "supplement_requested", ANY),
    ("accepted", "submitted", ANY),
    ("forwarded", "accepted", "cross"),
    ("received", "forwarded", ANY),
    ("review_started", "accepted", "local"), ("review_started", "received", "cross"),
    ("suspended", "under_review", ANY), ("resumed", "suspended", ANY),
    ("decided", "under_review", ANY),
    ("decided", "accepted", "local-no-review"), ("decided", "received", "cross-no-review"),
    ("completed", "decided", ANY), ("delivered", "completed", ANY),
    ("evaluated", "delivered", ANY), ("evaluated", "refused", ANY),
    ("evaluated", "completed", "no-delivery"),
]
TARGET = {"submitted": "submitted", "supplement_requested": "supplement_requested",
          "supplement_supplied": "submitted", "refused": "refused", "accepted": "accepted",
          "forwarded": "forwarded", "received": "received", "review_started": "under_review",
          "suspended": "suspended", "resumed": "under_review", "decided": "decided",
          "completed": "completed", "delivered": "delivered", "evaluated": "evaluated"}
VALID: dict[str, dict[str, Any]] = {
    "submitted": {"item": "330000-AMR-BL-CHANGE", "applicant": "0x" + "ab" * 32,
                  "receiving_province": SH, "handling_province": ZJ, "promised_days": 3,
                  "channel": "online"},
    "supplement_requested": {"materials": ["股东会决议"], "note": "缺少原件"},
    "supplement_supplied": {"materials": ["股东会决议"]},
    "refused": {"reason": "不属于本机关职权范围"},
    "accepted": {"notice_no": "SL-2026-1"},
    "forwarded": {"to_province": ZJ},
    "received": {"from_province": SH},
    "review_started": {},
    "suspended": {"procedure": "expert_review", "reason": "专家评审"},
    "resumed": {},
    "decided": {"decision": "approved"},
    "completed": {},
    "delivered": {"method": "post"},
    "evaluated": {"score": 4, "comment_digest": None},
}
VARIANTS = list(itertools.product([False, True], repeat=3))  # cross, review, delivery


def facts(state: str, cross: bool, review: bool, delivery: bool) -> CaseFacts:
    return CaseFacts(state, SH, ZJ if cross else SH, review, delivery)


def holds(condition: str, cross: bool, review: bool, delivery: bool) -> bool:
    return {ANY: True, "cross": cross, "local": not cross,
            "local-no-review": not cross and not review,
            "cross-no-review": cross and not review,
            "no-delivery": not delivery}[condition]


def payload_for(step: str, f: CaseFacts) -> dict[str, Any]:
    p = dict(VALID[step])
    if step == "forwarded":
        p["to_province"] = f.handling
    if step == "submitted":
        p["handling_province"] = f.handling
    return p


@pytest.mark.parametrize(("state", "step"),
                         list(itertools.product([NEW, *casesteps.STATES], casesteps.STEPS)))
def test_every_state_and_step_matches_the_reference_table(state: str, step: str) -> None:
    for cross, review, delivery in VARIANTS:
        f = facts(state, cross, review, delivery)
        legal = any(s == step and src == state and holds(cond, cross, review, delivery)
                    for s, src, cond in LEGAL)
        writer = casesteps.writer(step, f)
        if legal:
            t = casesteps.check(f, step, writer, payload_for(step, f))
            assert (t.source, t.target) == (state, TARGET[step])
        else:
            with pytest.raises(IllegalTransition) as info:
                casesteps.check(f, step, writer, payload_for(step, f))
            assert step in str(info.value) and state in str(info.value)


def test_the_table_covers_every_step_and_state() -> None:
    assert {s for s, _, _ in LEGAL} == set(casesteps.STEPS)
    reachable = {TARGET[s] for s, _, _ in LEGAL}
    assert reachable == set(casesteps.STATES)


@pytest.mark.parametrize("step", casesteps.STEPS)
def test_a_province_that_is_not_the_writer_is_refused_before_anything_else(step: str) -> None:
    for state in [NEW, *casesteps.STATES]:
        cross = facts(state, True, True, True)
        right = casesteps.writer(step, cross)
        wrong = ZJ if right == SH else SH
        with pytest.raises(WrongProvince):
            casesteps.check(cross, step, wrong, payload_for(step, cross))
        local = facts(state, False, True, True)
        with pytest.raises(WrongProvince):
            casesteps.check(local, step, AH, payload_for(step, local))


def test_who_writes_which_step() -> None:
    cross = facts("accepted", True, True, True)
    receiving = {"submitted", "supplement_requested", "supplement_supplied", "refused",
                 "accepted", "forwarded"}
    for step in casesteps.STEPS:
        expected = SH if step in receiving else ZJ
        assert casesteps.writer(step, cross) == expected, step
    # The evaluation is recorded by the province that closed the case.
    assert casesteps.writer("evaluated", facts("refused", True, True, True)) == SH
    assert casesteps.writer("evaluated", facts("delivered", True, True, True)) == ZJ


@pytest.mark.parametrize(("step", "payload", "field"), [
    ("accepted", {"unexpected": 1}, "payload.unexpected"),
    ("accepted", {"notice_no": "has space"}, "payload.notice_no"),
    ("forwarded", {}, "payload.to_province"),
    ("forwarded", {"to_province": 340000}, "payload.to_province"),
    ("forwarded", {"to_province": 999999}, "payload.to_province"),
    ("received", {"from_province": ZJ}, "payload.from_province"),
    ("suspended", {"procedure": "coffee", "reason": "x"}, "payload.procedure"),
    ("suspended", {"procedure": "hearing"}, "payload.reason"),
    ("decided", {"decision": "maybe"}, "payload.decision"),
    ("decided", {"decision": "denied"}, "payload.reason"),
    ("delivered", {"method": "pigeon"}, "payload.method"),
    ("evaluated", {"score": 0}, "payload.score"),
    ("evaluated", {"score": 6}, "payload.score"),
    ("evaluated", {"score": True}, "payload.score"),
    ("evaluated", {"score": 3, "comment_digest": "nice"}, "payload.comment_digest"),
    ("refused", {"reason": ""}, "payload.reason"),
    ("refused", {"reason": "x" * 201}, "payload.reason"),
    ("supplement_requested", {"materials": []}, "payload.materials"),
    ("supplement_requested", {"materials": ["ok", "\x07bell"]}, "payload.materials[1]"),
])
def test_payloads_admit_exactly_their_fields(step: str, payload: dict[str, Any],
                                             field: str) -> None:
    state = {"accepted": "submitted", "forwarded": "accepted", "received": "forwarded",
             "suspended": "under_review", "decided": "under_review",
             "delivered": "completed", "evaluated": "delivered", "refused": "submitted",
             "supplement_requested": "submitted"}[step]
    f = facts(state, True, True, True)
    with pytest.raises(InvalidStep) as info:
        casesteps.check(f, step, casesteps.writer(step, f), payload)
    assert info.value.field == field


@pytest.mark.parametrize("kind", ["case.approved", "case.", "license.issued", "case.Accepted",
                                  "case.withdrawn"])
def test_unknown_steps_are_invalid(kind: str) -> None:
    with pytest.raises(InvalidStep) as info:
        casesteps.step_of(kind)
    assert info.value.field == "kind"


def test_next_steps_name_the_writer() -> None:
    assert casesteps.next_steps(facts("accepted", True, True, True)) == [("forwarded", SH)]
    assert casesteps.next_steps(facts("accepted", False, False, True)) == [
        ("review_started", SH), ("decided", SH)]
    assert casesteps.next_steps(facts("under_review", True, True, True)) == [
        ("suspended", ZJ), ("decided", ZJ)]
    assert casesteps.next_steps(facts("evaluated", True, True, True)) == []
    assert casesteps.next_steps(facts("completed", True, True, False)) == [
        ("delivered", ZJ), ("evaluated", ZJ)]
