"""Cases in the ledger: submission, steps through the state machine whichever way they
arrive (domain service, raw `ingest.append`), nothing written on refusal, idempotent
retries, and concurrent writers that cannot both pass the check."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from ledger import case, identity, ingest, querycode
from ledger.draft import RecordDraft
from ledger.errors import (
    AlreadyExists,
    IllegalTransition,
    InvalidInput,
    InvalidStep,
    WrongProvince,
)
from ledger.store import Database
from ledger.store.domain_schema import CasePrivateRow, CaseRow, CaseSuspensionRow
from ledger.store.schema import RecordRow
from tests.domain.conftest import AH, BL_ZJ, SH, ZJ, at, cross_path, submit, write


def _records(db: Database, case_no: str) -> int:
    with db.snapshot() as s:
        return int(s.scalar(select(func.count()).select_from(RecordRow).where(
            RecordRow.subject_id == case_no)) or 0)


def _state(db: Database, case_no: str) -> str:
    with db.snapshot() as s:
        return case.get(s, case_no).state


def _raw(case_no: str, kind: str, province: int, payload: dict[str, Any] | None = None,
         day: int = 20) -> RecordDraft:
    return RecordDraft.from_json({
        "record_id": str(uuid.uuid4()), "province": province, "kind": kind,
        "subject": {"type": "case", "id": case_no}, "occurred_at": at(day),
        "actor": {"department": "RAW"}, "payload": payload or {}})


def test_submission_registers_case_record_and_private_data(ledger_db: Database) -> None:
    sub = submit(ledger_db)
    no = sub.case.case_no
    record = sub.appended.record
    assert record.kind == "case.submitted" and record.province == SH and record.prev is None
    assert uuid.UUID(record.record_id).version == 7  # made here: time-ordered (record_ids)
    with ledger_db.snapshot() as s:
        row = case.get(s, no)
        private = s.get(CasePrivateRow, no)
        assert private is not None
        # The record carries the commitment only; the salt opens it for this applicant.
        assert record.payload["applicant"] == row.applicant_commitment
        assert identity.opens(row.applicant_commitment, private.salt,
                              f"resident_id:{private.id_number}")
        assert private.id_number not in record.canonical_bytes().decode()
        assert private.name not in record.canonical_bytes().decode()
        assert querycode.matches(sub.query_code, row.query_code_hash)
        assert sub.query_code not in row.query_code_hash
    assert record.payload == {"item": BL_ZJ, "applicant": row.applicant_commitment,
                              "receiving_province": SH, "handling_province": ZJ,
                              "promised_days": 3, "channel": "online"}
    assert row.state == "submitted" and row.steps == 1


def test_a_generated_case_number_already_taken_is_drawn_again(
        ledger_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated numbers are random within the day, so they repeat like birthdays: a taken
    one must be drawn again, not answered with 409 for a number the citizen never chose."""
    taken = submit(ledger_db).case.case_no
    fresh = f"{SH}-20261102-424242"
    draws = iter([taken, taken, fresh])
    monkeypatch.setattr(case, "new_case_no", lambda province, on: next(draws))
    assert submit(ledger_db).case.case_no == fresh
    assert _state(ledger_db, taken) == "submitted" and _records(ledger_db, taken) == 1


def test_generated_case_numbers_give_up_after_their_draws(
        ledger_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = submit(ledger_db).case.case_no
    monkeypatch.setattr(case, "new_case_no", lambda province, on: taken)
    with ledger_db.snapshot() as s:
        before = s.scalar(select(func.count()).select_from(CaseRow))
    with pytest.raises(AlreadyExists, match=f"after {case.CASE_NO_DRAWS} draws"):
        submit(ledger_db)
    with ledger_db.snapshot() as s:
        assert s.scalar(select(func.count()).select_from(CaseRow)) == before
    assert _records(ledger_db, taken) == 1


def test_submission_refuses_unknown_items_and_local_only_items_elsewhere(
        ledger_db: Database) -> None:
    with pytest.raises(InvalidInput) as info:
        submit(ledger_db, item="999999-NOPE")
    assert info.value.field == "item_code"
    with pytest.raises(InvalidInput):  # a Shanghai residence permit is not 跨省通办
        submit(ledger_db, item="310000-PSB-RESIDENCE-PERMIT", province=ZJ)
    assert submit(ledger_db, item="310000-PSB-RESIDENCE-PERMIT", province=SH).case.case_no


def test_a_case_number_already_in_the_ledger_cannot_become_a_case(ledger_db: Database) -> None:
    no = submit(ledger_db).case.case_no
    with pytest.raises(AlreadyExists):
        submit(ledger_db, case_no=no)
    ingest.append(ledger_db, [_raw("310000-RAW-1", "case.accepted", SH)])  # issue-2 record
    with pytest.raises(AlreadyExists):
        submit(ledger_db, case_no="310000-RAW-1")
    with ledger_db.snapshot() as s:
        assert s.get(CaseRow, "310000-RAW-1") is None


def test_the_full_cross_province_path(ledger_db: Database) -> None:
    no = submit(ledger_db).case.case_no
    cross_path(ledger_db, no)
    write(ledger_db, no, "evaluated", ZJ, {"score": 5}, day=12)
    with ledger_db.snapshot() as s:
        row = case.get(s, no)
        assert (row.state, row.decision, row.evaluation_score, row.steps) == (
            "evaluated", "approved", 5, 9)
        assert row.accepted_at == "2026-11-03T01:00:00.000000Z"
        assert row.completed_at == "2026-11-08T01:00:00.000000Z"


@pytest.mark.parametrize("via", ["service", "raw"])
def test_illegal_steps_change_nothing_whichever_door(ledger_db: Database, via: str) -> None:
    no = submit(ledger_db).case.case_no
    cross_path(ledger_db, no, upto=2)  # accepted, forwarded
    before = _records(ledger_db, no)
    attempts: list[tuple[str, int, dict[str, Any], type[Exception]]] = [
        ("review_started", ZJ, {}, IllegalTransition),  # must receive first
        ("accepted", SH, {}, IllegalTransition),
        ("received", SH, {"from_province": SH}, WrongProvince),  # Zhejiang receives
        ("received", AH, {"from_province": SH}, WrongProvince),
        ("received", ZJ, {"from_province": AH}, InvalidStep),
        ("submitted", SH, {}, IllegalTransition),
        ("approved", ZJ, {}, InvalidStep),
    ]
    def attempt(step: str, province: int, payload: dict[str, Any]) -> None:
        if via == "service":
            write(ledger_db, no, step, province, payload, day=20)
        else:
            ingest.append(ledger_db, [_raw(no, f"case.{step}", province, payload)])

    for step, province, payload, error in attempts:
        with pytest.raises(error):
            attempt(step, province, payload)
    assert _records(ledger_db, no) == before
    assert _state(ledger_db, no) == "forwarded"


def test_a_raw_batch_is_checked_in_order_and_all_or_nothing(ledger_db: Database) -> None:
    no = submit(ledger_db).case.case_no
    other = submit(ledger_db).case.case_no
    good = [_raw(no, "case.accepted", SH, day=3), _raw(no, "case.forwarded", SH,
                                                        {"to_province": ZJ}, day=4)]
    bad = _raw(other, "case.forwarded", SH, {"to_province": ZJ})  # not accepted yet
    with pytest.raises(IllegalTransition):
        ingest.append(ledger_db, [*good, bad])
    assert _state(ledger_db, no) == "submitted" and _records(ledger_db, no) == 1
    ingest.append(ledger_db, good)
    assert _state(ledger_db, no) == "forwarded"


def test_retrying_a_step_is_idempotent(ledger_db: Database) -> None:
    no = submit(ledger_db).case.case_no
    rid = str(uuid.uuid4())
    first = write(ledger_db, no, "accepted", SH, record_id=rid)
    again = write(ledger_db, no, "accepted", SH, record_id=rid)
    assert first.created and not again.created and first.leaf_hash == again.leaf_hash
    assert _records(ledger_db, no) == 2 and _state(ledger_db, no) == "accepted"


def test_steps_must_not_go_back_in_time(ledger_db: Database) -> None:
    no = submit(ledger_db, day=5).case.case_no
    with pytest.raises(InvalidStep) as info:
        write(ledger_db, no, "accepted", SH, day=4)
    assert info.value.field == "occurred_at"


def test_suspension_and_resumption_are_kept_for_the_clock(ledger_db: Database) -> None:
    no = submit(ledger_db).case.case_no
    cross_path(ledger_db, no, upto=4)  # ... review_started on day 6
    write(ledger_db, no, "suspended", ZJ, {"procedure": "hearing", "reason": "听证"}, day=9)
    with pytest.raises(IllegalTransition):
        write(ledger_db, no, "decided", ZJ, {"decision": "approved"}, day=10)
    write(ledger_db, no, "resumed", ZJ, day=13)
    with ledger_db.snapshot() as s:
        rows = list(s.scalars(select(CaseSuspensionRow)))
        assert [(r.suspended_at, r.resumed_at) for r in rows] == [
            ("2026-11-09T01:00:00.000000Z", "2026-11-13T01:00:00.000000Z")]
        assert [(x.start.day, x.end and x.end.day) for x in case.suspensions(s, no)] == [
            (9, 13)]


def test_an_evaluation_comment_stays_in_the_database(ledger_db: Database) -> None:
    no = submit(ledger_db).case.case_no
    cross_path(ledger_db, no)
    body = {"step": "evaluated", "actor": {"department": "D"}, "payload": {"score": 2},
            "occurred_at": at(12), "record_id": str(uuid.uuid4())}
    draft = case.step_draft(no, ZJ, body)
    appended = case.record_step(ledger_db, draft, comment="等了太久")
    assert "等了太久" not in appended.record.canonical_bytes().decode()
    digest = appended.record.payload["comment_digest"]
    assert isinstance(digest, str) and digest.startswith("0x")
    # A retry of the same request yields the same record (the digest is deterministic).
    assert not case.record_step(ledger_db, draft, comment="等了太久").created
    with ledger_db.snapshot() as s:
        private = s.get(CasePrivateRow, no)
        assert private is not None and private.evaluation_comment == "等了太久"


def test_concurrent_conflicting_steps_cannot_both_pass(ledger_db: Database) -> None:
    for _ in range(5):
        no = submit(ledger_db).case.case_no
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def attempt(step: str, payload: dict[str, Any], no: str = no,
                    outcomes: list[str] = outcomes,
                    barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                write(ledger_db, no, step, SH, payload, day=4)
                outcomes.append(f"ok:{step}")
            except IllegalTransition:
                outcomes.append("illegal")

        threads = [threading.Thread(target=attempt, args=("accepted", {})),
                   threading.Thread(target=attempt, args=("refused", {"reason": "材料不符"}))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes)[0] == "illegal" and len(outcomes) == 2, outcomes
        winner = next(o for o in outcomes if o.startswith("ok:"))[3:]
        assert _records(ledger_db, no) == 2
        assert _state(ledger_db, no) == winner


def test_unmanaged_subjects_stay_plain_records(ledger_db: Database) -> None:
    drafts = [_raw("310000-PLAIN-9", "case.decided", SH, {"anything": "goes"}),
              _raw("310000-PLAIN-9", "case.approved", SH, {"free": True})]
    assert all(a.created for a in ingest.append(ledger_db, drafts))
    with ledger_db.snapshot() as s:
        assert s.get(CaseRow, "310000-PLAIN-9") is None
