"""The audit's SQL (keyset pages through the driver's own cursor, row-value keysets, the
chain check's re-reads) on every backend of the shared `db` fixture: SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from ledger import canonical, ingest, merkle, sealing
from ledger.audit import AuditOptions, run_audit
from ledger.batch import SealPolicy
from ledger.draft import RecordDraft
from ledger.store import Database
from tests.audit.ledger_kit import named
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
