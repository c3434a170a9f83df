"""The audit history: every audit result is a record in the supervision body's ledger.

An audit ends by appending one `audit.completed` record, subject `{"type": "audit", "id":
<supervision body>}`, to the partition of the supervising body's province (GB/T 2260; a
setting, 110000 by default: the national platform sits in Beijing). It is an ordinary record:
it gets a seq, joins the body's `prev` chain of audits, is sealed and anchored. Its payload
holds the verdict, the counts and the SHA-256 of the full JSON report, which is kept in the
`audit_report` table. Deleting or editing an audit record, or its report, therefore shows up
in the next audit like any other tampering (docs/audit.md).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy import select, text

from . import ingest
from .audit_report import AuditReport
from .audit_values import bytes_problem, tolerant
from .draft import RecordDraft
from .errors import InvalidRecord
from .province import check_province
from .record import AUDIT_SUBJECT, Actor, Subject, check_ident
from .store import Database
from .store.audit_schema import AuditReportRow

KIND = "audit.completed"
DEFAULT_PROVINCE = 110000
DEFAULT_BODY = "NGSP-SUPERVISION"


def report_bytes(report: AuditReport) -> bytes:
    return orjson.dumps(report.to_json())


def record_audit(db: Database, report: AuditReport, *, province: int = DEFAULT_PROVINCE,
                 body: str = DEFAULT_BODY, officer: str | None = None) -> ingest.Appended:
    """Store the report, then append the `audit.completed` record that commits to it."""
    check_province(province, field="supervision_province")
    check_ident(body, "supervision_body")
    if officer is not None:
        check_ident(officer, "officer")
    if report.finished_at is None:
        raise InvalidRecord("the audit has not finished")
    data = report_bytes(report)
    with db.transaction() as s:
        s.add(AuditReportRow(audit_id=report.audit_id, started_at=report.started_at,
                             finished_at=report.finished_at, verdict=report.verdict,
                             report=data))
    draft = RecordDraft(
        record_id=report.audit_id, province=province, kind=KIND,
        subject=Subject(AUDIT_SUBJECT, body), occurred_at=report.finished_at,
        actor=Actor(body, officer),
        payload={"summary": report.summary(), "provinces": report.provinces,
                 "started_at": report.started_at,
                 "report_digest": "0x" + hashlib.sha256(data).hexdigest()})
    [appended] = ingest.append(db, [draft])
    return appended


def stored_report(db: Database, audit_id: str) -> dict[str, Any] | None:
    with db.snapshot() as s:
        data = s.scalar(select(AuditReportRow.report).where(AuditReportRow.audit_id == audit_id))
    return None if data is None else dict(orjson.loads(data))


def check_reports(db: Database, report: AuditReport, flagged: set[tuple[int, int]]) -> None:
    """Every audit record must still match its stored report (the audit history is intact).
    Values the ledger never writes are read and named, not fatal (ledger/audit_values.py)."""
    with db.snapshot() as s, tolerant(s.connection()):
        rows = s.execute(text("SELECT province, seq, record_id, canonical FROM record WHERE "
                              "subject_type = :t AND kind = :k"),
                         {"t": AUDIT_SUBJECT, "k": KIND}).all()
        for province, seq, record_id, data in rows:
            if report.provinces and province not in report.provinces:
                continue
            if (province, seq) in flagged or type(record_id) is not str:
                continue  # a record_id that is not text is a finding of the record itself
            try:
                digest = orjson.loads(data)["payload"]["report_digest"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                continue  # the record itself is then flagged by its own checks
            stored = s.execute(text("SELECT report FROM audit_report WHERE audit_id = :a"),
                               {"a": record_id}).scalar()
            why = ("its audit report is missing" if stored is None else
                   bytes_problem("its audit report", stored) if type(stored) is not bytes else
                   "its audit report no longer matches the digest it commits to"
                   if "0x" + hashlib.sha256(stored).hexdigest() != digest else None)
            if why:
                report.add("modified", {"province": province, "seq": seq,
                                        "record_id": record_id, "reasons": [why]})
                flagged.add((province, seq))
