"""The audit's SQL (keyset pages through the driver's own cursor, row-value keysets, the
chain check's re-reads) on every backend of the shared `db` fixture: SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from ledger import canonical, ingest, merkle, sealing
from ledger.audit import AuditOptions, run_audit
from ledger.batch import SealPolicy
from ledger.draft import RecordDraft
from ledger.store import Database
from tests.audit.ledger_kit import Tamper, findings, named
from tests.conftest import draft_json


def test_audit_finds_the_same_tampering_on_every_backend(db: Database) -> None:
    cases = [f"C-{k}" for k in range(40)]
    for kind in ("case.submitted", "case.accepted"):
        ingest.append(db, [RecordDraft.from_json(draft_json(case=c, kind=kind))
                           for c in cases])
    sealing.seal_due(db, SealPolicy(max_records=50), force=True)  # 50 + 30 sealed
    for workers in (0, 2):
        clean = run_audit(db, AuditOptions(workers=workers, piece=256))
        assert clean.verdict == "incomplete" and not any(clean.counts.values()), workers
        assert clean.records == 80 and clean.batches == 2 and clean.subjects == 40

    with db.transaction() as s:
        data = s.execute(text("SELECT canonical FROM record WHERE seq = 3")).scalar_one()
        record = canonical.parse(data)
        record["payload"]["item"] = "forged"
        forged = canonical.canonicalize(record)
        s.execute(text("UPDATE record SET canonical = :c, leaf_hash = :l WHERE seq = 3"),
                  {"c": forged, "l": merkle.leaf_hash(forged)})
        s.execute(text("DELETE FROM record WHERE seq = 70"))
    report = run_audit(db, AuditOptions(workers=2, piece=256))
    found = named(report)
    # seq 3 (step 1 of C-2) is named by its writer's digest; seq 70 (step 2 of C-29) is gone.
    assert found["modified"] == {(310000, 3)}
    assert found["deleted"] == {(310000, 70)} == found["gaps"]
    assert found["batches"] == {(310000, 1), (310000, 2)}
    assert found["chains"] == set()  # C-29 lost its last record: a chain finding names none
    assert [c["problem"] for c in report.findings["chains"]] == ["last-missing"]


def _relax(db: Database, table: str, column: str) -> None:
    """Drop a NOT NULL constraint, as an insider with SQL access can."""
    if db.is_postgres:
        with db.transaction() as s:
            s.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL"))
    else:
        tamper = Tamper(Path(str(db.url.database)))
        tamper.drop_not_null(table, column)
        tamper.close()


def test_malformed_values_are_findings_on_every_backend(db: Database) -> None:
    """What PostgreSQL's types still let an insider store (it refuses text that is not
    UTF-8): NULLs once the constraint is dropped, and bytes of the wrong length."""
    ingest.append(db, [RecordDraft.from_json(draft_json(case=f"C-{k}")) for k in range(300)])
    ingest.append(db, [RecordDraft.from_json(draft_json(case=f"C-{k}", kind="case.accepted"))
                       for k in range(60)])
    sealing.seal_due(db, SealPolicy(max_records=300), force=True)  # 300 + 60 sealed
    for table, column in (("record", "canonical"), ("batch_tile", "hashes"),
                          ("subject_head", "length"), ("province_head", "last_seq")):
        _relax(db, table, column)
    with db.transaction() as s:
        rid = s.execute(text("SELECT record_id FROM record WHERE seq = 3")).scalar_one()
        s.execute(text("UPDATE record SET canonical = NULL WHERE seq = 3"))
        s.execute(text("UPDATE record SET leaf_hash = :h WHERE seq = 5"), {"h": b"\1" * 31})
        rid5 = s.execute(text("SELECT record_id FROM record WHERE seq = 5")).scalar_one()
        s.execute(text("UPDATE batch_tile SET hashes = NULL WHERE batch_no = 1 AND level = 8"))
        s.execute(text("UPDATE batch SET root = :r WHERE batch_no = 2"), {"r": b"\1" * 5})
        s.execute(text("UPDATE subject_head SET length = NULL WHERE subject_id = 'C-7'"))
        s.execute(text("UPDATE province_head SET last_seq = NULL"))
    for workers in (0, 2):
        report = run_audit(db, AuditOptions(workers=workers, piece=256))
        found = findings(report)
        assert found == {
            "modified": [
                {"province": 310000, "seq": 3, "record_id": rid,
                 "reasons": ["canonical holds NULL, not bytes"]},
                {"province": 310000, "seq": 5, "record_id": rid5,
                 "reasons": ["leaf_hash holds 31 bytes, not a 32-byte hash"]}],
            "batches": [
                {"province": 310000, "batch_no": 1, "first_seq": 1, "size": 300,
                 "problems": ["records no longer hash to the stored root",
                              "stored tile (level 8, index 0) holds NULL, not bytes"],
                 "segments": [[1, 256]]},
                {"province": 310000, "batch_no": 2, "first_seq": 301, "size": 60,
                 "problems": ["stored root holds 5 bytes, not a 32-byte hash"],
                 "segments": []}],
            "chains": [{"subject": "case:C-7", "problem": "head-malformed",
                        "detail": "the subject head row is malformed: its length holds NULL, "
                                  "not an integer", "records": []}],
            "heads": [{"province": 310000, "problems": [
                "last_seq holds NULL, not an integer (audited up to seq 360, the highest "
                "present)"]}]}, workers
        assert report.records == 360 and report.verdict == "tampered"
