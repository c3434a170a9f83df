"""The domain's check inside every append: no record reaches a case or a license around its
state machine, whatever the door (domain API, raw `POST /v1/records`, batches, the CLI).

`ledger.ingest.append_in` calls `check` in the append transaction, before any record is
written. For each record whose subject is a case or license the domain manages (it has a
`gov_case` / `license` row), the rules of `ledger.casesteps` / `ledger.license_events` are
applied to the row, which is locked (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
already serialises writers) so two writers can never both pass the check against the same
state. The row changes and the records commit together or not at all.

Lock order, the same in every transaction: case rows, license rows (here, by key), then the
ledger's province heads and subject heads (ingest). Records for subjects the domain does not
manage are plain ledger records (issue 2) and pass untouched; such a subject can never
become a case or license later (submission refuses a number that already has records).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from . import casesteps, license_events
from .draft import RecordDraft
from .errors import InvalidStep
from .store.database import execute_in
from .store.domain_schema import CaseRow, CaseSuspensionRow, LicenseRow
from .store.schema import RecordRow
from .supervision import stale
from .workcalendar import local_date

_CHUNK = 500


# Most appends name no managed subject (plain ledger records, or a case's steps sent through
# the raw records API is the exception): one cheap driver-level probe finds the managed ones,
# and only those are loaded and locked through the ORM.
_CASES = "SELECT case_no FROM gov_case WHERE case_no IN {ids}"
_LICENSES = "SELECT license_id FROM license WHERE license_id IN {ids}"


def check(session: Session, drafts: Sequence[RecordDraft]) -> None:
    """Apply every managed case step / license event of `drafts`, in order, or raise."""
    conn = session.connection()
    case_ids = _managed(conn, _CASES, {d.subject.id for d in drafts if d.subject.type == "case"})
    license_ids = _managed(conn, _LICENSES, {d.subject.id for d in drafts
                                             if d.subject.type == "license"})
    if not case_ids and not license_ids:
        return
    cases = _lock_cases(session, case_ids)
    licenses = _lock_licenses(session, license_ids)
    if not cases and not licenses:
        return
    managed = [d for d in drafts if d.subject.id in (cases if d.subject.type == "case"
                                                     else licenses)]
    ids = [d.record_id for d in managed]
    # Records already in the ledger are idempotent repeats (or duplicates ingest refuses):
    # their transition happened when they were first appended.
    done: set[str] = set()
    for i in range(0, len(ids), _CHUNK):
        done.update(session.scalars(select(RecordRow.record_id).where(
            RecordRow.record_id.in_(ids[i:i + _CHUNK]))))
    for draft in managed:
        if draft.record_id in done:
            continue
        done.add(draft.record_id)
        if draft.subject.type == "case":
            apply_case_step(session, cases[draft.subject.id], draft)
        else:
            apply_license_event(licenses[draft.subject.id], draft)
    # Supervision alerts of these cases are now out of date (ledger/supervision/refresh.py).
    stale.mark(session, cases)


def _managed(conn: Connection, query: str, ids: set[str]) -> list[str]:
    """Which of `ids` the domain manages, sorted (the lock order)."""
    wanted = sorted(ids)
    found: list[str] = []
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i:i + _CHUNK]
        found.extend(execute_in(conn, query, ids=chunk).scalars())
    return sorted(found)


def _lock_cases(session: Session, ids: list[str]) -> dict[str, CaseRow]:
    found: dict[str, CaseRow] = {}
    for i in range(0, len(ids), _CHUNK):
        found.update((r.case_no, r) for r in session.scalars(
            select(CaseRow).where(CaseRow.case_no.in_(ids[i:i + _CHUNK]))
            .order_by(CaseRow.case_no).with_for_update()))
    return found


def _lock_licenses(session: Session, ids: list[str]) -> dict[str, LicenseRow]:
    found: dict[str, LicenseRow] = {}
    for i in range(0, len(ids), _CHUNK):
        found.update((r.license_id, r) for r in session.scalars(
            select(LicenseRow).where(LicenseRow.license_id.in_(ids[i:i + _CHUNK]))
            .order_by(LicenseRow.license_id).with_for_update()))
    return found


def case_facts(row: CaseRow) -> casesteps.CaseFacts:
    return casesteps.CaseFacts(row.state, row.receiving_province, row.handling_province,
                               row.requires_review, row.requires_delivery)


def _in_order(draft: RecordDraft, last: str) -> None:
    # Canonical UTC timestamps have a fixed width, so string order is time order.
    if draft.occurred_at < last:
        raise InvalidStep(f"occurred_at {draft.occurred_at} is before the previous step "
                          f"({last}): steps happen in order", field="occurred_at")


def apply_case_step(session: Session, row: CaseRow, draft: RecordDraft) -> None:
    step = casesteps.step_of(draft.kind)
    t = casesteps.check(case_facts(row), step, draft.province, draft.payload)
    _in_order(draft, row.last_occurred_at)
    if step == "submitted":
        expected = {"item": row.item_code, "applicant": row.applicant_commitment,
                    "receiving_province": row.receiving_province,
                    "handling_province": row.handling_province,
                    "promised_days": row.promised_days, "channel": row.channel}
        if t.payload != expected:
            raise InvalidStep("the submitted record must state the case as registered",
                              field="payload")
    elif step == "accepted":
        row.accepted_at = draft.occurred_at
    elif step == "suspended":
        session.add(CaseSuspensionRow(case_no=row.case_no, n=row.steps,
                                      suspended_at=draft.occurred_at))
    elif step == "resumed":
        open_ = session.scalar(select(CaseSuspensionRow).where(
            CaseSuspensionRow.case_no == row.case_no, CaseSuspensionRow.resumed_at.is_(None)))
        assert open_ is not None, "a suspended case has an open suspension"
        open_.resumed_at = draft.occurred_at
    elif step == "decided":
        row.decision = t.payload["decision"]
    elif step == "completed":
        row.completed_at = draft.occurred_at
    elif step == "evaluated":
        row.evaluation_score = t.payload["score"]
    row.state, row.steps, row.last_occurred_at = t.target, row.steps + 1, draft.occurred_at


def apply_license_event(row: LicenseRow, draft: RecordDraft) -> None:
    event = license_events.event_of(draft.kind)
    facts = license_events.LicenseFacts(row.state, row.issuing_province, row.valid_until)
    t = license_events.check(facts, event, draft.province, draft.payload,
                             local_date(draft.occurred_at))
    _in_order(draft, row.last_occurred_at)
    if event == "issued":
        expected = {"type_code": row.type_code, "number": row.number,
                    "holder": row.holder_commitment,
                    "issuing_authority": row.issuing_authority, "valid_from": row.valid_from,
                    "valid_until": row.valid_until, "case_no": row.case_no}
        if t.payload != expected:
            raise InvalidStep("the issued record must state the license as registered",
                              field="payload")
    row.state, row.events, row.last_occurred_at = t.target, row.events + 1, draft.occurred_at
