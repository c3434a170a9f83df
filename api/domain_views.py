"""JSON views of cases, traces and licenses: one function per audience, so what each role
sees is decided here and nowhere else (the citizen's view has no actor, no commitment, no
record content; other provinces' operators and partners never see plain applicant data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import case, casesteps, license_events, license_status, trace
from ledger.identity import Person
from ledger.ingest import Appended
from ledger.province import province_name
from ledger.record import hex32
from ledger.store.domain_schema import CaseRow, LicenseRow
from ledger.workcalendar import Calendar

from .routes import anchor_view, batch_view

_STEP_LABELS = {s: label for s, (label, _, _) in casesteps.STEPS.items()}
_EVENT_LABELS = {e: spec[0] for e, spec in license_events.EVENTS.items()}


def receipt(a: Appended) -> dict[str, Any]:
    r = a.record
    return {"record_id": r.record_id, "province": r.province, "seq": r.seq,
            "leaf_hash": hex32(a.leaf_hash), "recorded_at": r.recorded_at, "created": a.created}


def province_ref(code: int) -> dict[str, Any]:
    return {"code": code, "name": province_name(code)}


def case_view(s: Session, row: CaseRow, calendar: Calendar, today: date, *,
              applicant: Person | None) -> dict[str, Any]:
    deadline = case.deadline_of(s, row, calendar, today)
    license_id = s.scalar(select(LicenseRow.license_id).where(LicenseRow.case_no == row.case_no))
    person: dict[str, Any] = {"commitment": row.applicant_commitment}
    if applicant is not None:
        person.update(applicant.to_json())
    return {
        "case_no": row.case_no,
        "item": {"code": row.item_code, "name": row.item_name},
        "receiving_province": province_ref(row.receiving_province),
        "handling_province": province_ref(row.handling_province),
        "cross_province": row.receiving_province != row.handling_province,
        "channel": row.channel,
        "state": row.state, "state_label": casesteps.STATES[row.state],
        "decision": row.decision,
        "applicant": person,
        "submitted_at": row.submitted_at, "accepted_at": row.accepted_at,
        "completed_at": row.completed_at,
        "steps": row.steps,
        "deadline": deadline.to_json(),
        "evaluation_score": row.evaluation_score,
        "license_id": license_id,
        "next_steps": [{"step": st, "label": _STEP_LABELS[st], "province": p}
                       for st, p in case.next_steps(row)],
    }


def case_summary(s: Session, row: CaseRow, calendar: Calendar, today: date) -> dict[str, Any]:
    deadline = case.deadline_of(s, row, calendar, today)
    return {"case_no": row.case_no, "item_code": row.item_code,
            "receiving_province": row.receiving_province,
            "handling_province": row.handling_province, "state": row.state,
            "decision": row.decision, "submitted_at": row.submitted_at,
            "due_date": deadline.to_json()["due_date"], "late": deadline.late}


def trace_view(s: Session, t: trace.Trace, *, with_evidence: bool = True) -> dict[str, Any]:
    labels = _STEP_LABELS if t.subject_type == "case" else _EVENT_LABELS
    steps = []
    for i, r in enumerate(t.records):
        steps.append({
            "index": i, "step": r.step, "label": labels.get(r.step, r.step),
            "kind": r.kind, "province": r.province, "seq": r.seq, "record_id": r.record_id,
            "occurred_at": r.occurred_at, "leaf_hash": hex32(r.leaf_hash),
            "prev": None if r.prev is None else hex32(r.prev),
            "links_to_previous": r.links_to_previous, "altered": r.altered,
            "status": r.status,
            "batch": None if r.batch is None else batch_view(r.batch),
            "anchor": anchor_view(r.anchor),
            "record": r.record,
            "evidence": trace.bundle_of(s, r) if with_evidence else None,
        })
    return {"subject": {"type": t.subject_type, "id": t.subject_id},
            "complete": t.complete, "breaks": [b.to_json() for b in t.breaks],
            "length": len(t.records), "head": None if t.head is None else hex32(t.head),
            "provinces": sorted({r.province for r in t.records}), "steps": steps}


def license_view(row: LicenseRow, t: trace.Trace, today: date) -> dict[str, Any]:
    status = license_events.effective_state(row.state, row.valid_until, today)
    return {
        "license_id": row.license_id, "type_code": row.type_code, "number": row.number,
        "holder_commitment": row.holder_commitment,
        "issuing_authority": row.issuing_authority,
        "issuing_province": province_ref(row.issuing_province),
        "valid_from": row.valid_from, "valid_until": row.valid_until, "case_no": row.case_no,
        "status": status, "status_label": license_events.STATES[status],
        "recorded_status": row.state,
        "events": [{"event": r.step, "label": _EVENT_LABELS.get(r.step, r.step),
                    "occurred_at": r.occurred_at, "record_id": r.record_id,
                    "leaf_hash": hex32(r.leaf_hash), "status": r.status}
                   for r in t.records],
        "history_complete": t.complete,
        "next_events": license_events.next_events(license_events.LicenseFacts(
            row.state, row.issuing_province, row.valid_until)),
    }


def public_view(s: Session, row: CaseRow, t: trace.Trace, calendar: Calendar, today: date
                ) -> dict[str, Any]:
    """What a citizen sees with their query code: progress, nothing about anyone."""
    d = case.deadline_of(s, row, calendar, today)
    return {
        "case_no": row.case_no,
        "item": {"code": row.item_code, "name": row.item_name},
        "receiving_province": province_ref(row.receiving_province),
        "handling_province": province_ref(row.handling_province),
        "state": row.state, "state_label": casesteps.STATES[row.state],
        "decision": row.decision, "submitted_at": row.submitted_at,
        "deadline": {"due_date": d.to_json()["due_date"], "clock": d.clock, "late": d.late,
                     "working_days_left": d.working_days_left,
                     "promised_days": d.promised_days},
        "steps": [{"step": r.step, "label": _STEP_LABELS.get(r.step, r.step),
                   "province": province_ref(r.province), "occurred_at": r.occurred_at,
                   "anchored": r.status == "anchored", "status": r.status,
                   "leaf_hash": hex32(r.leaf_hash)} for r in t.records],
        "chain_complete": t.complete,
    }


def verification_view(v: license_status.Verdict, holder_matches: bool | None, as_of: str
                      ) -> dict[str, Any]:
    """The answer to a partner's `POST /v1/licenses/verify` (docs/licenses.md)."""
    row, chain = v.license, v.chain
    out: dict[str, Any] = {
        "authentic": v.authentic, "reason": v.reason, "detail": v.detail, "license": None,
        "status": v.status, "recorded_status": None if row is None else row.state,
        "holder_matches": holder_matches, "status_record": license_status.status_record(v),
        "history_complete": None if chain is None else chain.complete,
        "freshness": None, "evidence": None, "statement": license_status.STATEMENT}
    if row is not None:
        out["license"] = {
            "license_id": row.license_id, "type_code": row.type_code, "number": row.number,
            "holder_commitment": row.holder_commitment,
            "issuing_authority": row.issuing_authority,
            "issuing_province": province_ref(row.issuing_province),
            "valid_from": row.valid_from, "valid_until": row.valid_until,
            "case_no": row.case_no}
        out["evidence"] = license_status.evidence_document(row.license_id, v.bundles)
    if row is not None and chain is not None and chain.records:
        last = chain.records[-1]
        out["freshness"] = {"issuing_province": row.issuing_province,
                            "latest_event_seq": last.seq,
                            "anchored_through_seq": v.anchored_through_seq,
                            "latest_event_anchored": last.status == "anchored",
                            "as_of": as_of}
    return out
