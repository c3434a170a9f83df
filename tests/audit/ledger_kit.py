"""A small real ledger for the audit tests: SQLite file, real ingest and sealing, batches
anchored on a real Anvil; plus tools to tamper with the file the way an insider with SQL
access would (raw sqlite3, behind the API's and the ORM's back).

Layout of the pristine ledger (seq numbers are what the tests aim at):
- 310000 batch 1, seq 1..600: step 1 of cases SH-0..SH-299 (seq k+1), then step 2 of the same
  cases (seq 301+k); 600 records, so two complete 256-record tile segments and a tail.
- 310000 batch 2, seq 601..900: step 3 of SH-0..SH-299.
- 330000 batch 1, seq 1..20: cases ZJ-0..ZJ-19 opened in Zhejiang.
- 310000 pending, seq 901..920: those Zhejiang cases forwarded to Shanghai (prev crosses
  provinces); seq 921..940: new single-step cases SH-N-0..SH-N-19.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from anchors.anvil import dev_account
from anchors.audit_chain import ContractRoots
from anchors.chain import Chain, ChainOptions
from anchors.contract import AnchorContract
from ledger import canonical, ingest, merkle, sealing, tiles
from ledger.audit import AuditOptions, run_audit
from ledger.audit_report import AuditReport
from ledger.batch import SealPolicy
from ledger.draft import RecordDraft
from ledger.store import Database, DatabaseOptions
from ledger.store.schema import BatchRow
from tests.conftest import draft_json

SH, ZJ = 310000, 330000
FAST = ChainOptions(poll_interval=0.02, timeout=10.0)


def _steps(province: int, cases: list[str], kind: str) -> list[RecordDraft]:
    return [RecordDraft.from_json(draft_json(province, case=c, kind=kind)) for c in cases]


def build(path: Path) -> Database:
    db = Database(DatabaseOptions(url=f"sqlite:///{path}"))
    db.create_schema()
    sh = [f"SH-{k}" for k in range(300)]
    ingest.append(db, _steps(SH, sh, "case.submitted"))
    ingest.append(db, _steps(SH, sh, "case.accepted"))
    sealing.seal_due(db, SealPolicy(max_records=600), force=True)
    ingest.append(db, _steps(SH, sh, "case.decided"))
    zj = [f"ZJ-{k}" for k in range(20)]
    ingest.append(db, _steps(ZJ, zj, "case.submitted"))
    sealing.seal_due(db, SealPolicy(max_records=600), force=True)
    ingest.append(db, _steps(SH, zj, "case.received"))
    ingest.append(db, _steps(SH, [f"SH-N-{k}" for k in range(20)], "case.submitted"))
    assert sealing.seal_due(db, SealPolicy(max_records=10_000, max_age=timedelta(days=1))
                            ) == []
    return db


def anchor_all(db: Database, chain: Chain) -> ContractRoots:
    admin = dev_account(0)
    contract = AnchorContract.deploy(chain, admin, FAST)
    keys = {SH: dev_account(1), ZJ: dev_account(2)}
    for province, key in keys.items():
        contract.register_province(province, key.address, admin)
    with db.snapshot() as s:
        batches = s.query(BatchRow).order_by(BatchRow.province, BatchRow.batch_no).all()
    for b in batches:
        contract.anchor_batch(b.province, b.batch_no, b.first_seq, b.size, b.root,
                              keys[b.province])
    return ContractRoots(contract)


class Tamper:
    """SQL straight into a copy of the pristine file, as a rogue administrator would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = sqlite3.connect(path, isolation_level=None)

    def row(self, province: int, seq: int) -> dict[str, Any]:
        cur = self.con.execute("SELECT * FROM record WHERE province = ? AND seq = ?",
                               (province, seq))
        names = [d[0] for d in cur.description]
        found = cur.fetchone()
        assert found is not None, (province, seq)
        return dict(zip(names, found, strict=True))

    def record(self, province: int, seq: int) -> dict[str, Any]:
        return dict(orjson.loads(self.row(province, seq)["canonical"]))

    def sql(self, statement: str, *args: Any) -> None:
        self.con.execute(statement, args)

    def rewrite(self, province: int, seq: int, record: dict[str, Any], *,
                leaf: bool = True, digest: bool = False) -> bytes:
        """Store new canonical bytes; with `leaf` also a matching leaf hash, with `digest` a
        matching writer's digest too (as if the record had been submitted so)."""
        data = canonical.canonicalize(record)
        new_leaf = merkle.leaf_hash(data)
        self.sql("UPDATE record SET canonical = ? WHERE province = ? AND seq = ?", data,
                 province, seq)
        if leaf:
            self.sql("UPDATE record SET leaf_hash = ? WHERE province = ? AND seq = ?",
                     new_leaf, province, seq)
        if digest:
            body = {k: record[k] for k in ("record_id", "province", "kind", "subject",
                                           "occurred_at", "actor", "payload")}
            d = hashlib.sha256(canonical.canonicalize({**body, "prev": None, "salt": None}))
            self.sql("UPDATE record SET content_digest = ? WHERE province = ? AND seq = ?",
                     d.digest(), province, seq)
        return new_leaf

    def reseal(self, province: int, batch_no: int) -> None:
        """Recompute a batch's stored root and tiles from the (tampered) leaf hashes."""
        first, size = self.con.execute("SELECT first_seq, size FROM batch WHERE province = ? "
                                       "AND batch_no = ?", (province, batch_no)).fetchone()
        leaves = [r[0] for r in self.con.execute(
            "SELECT leaf_hash FROM record WHERE province = ? AND seq >= ? AND seq < ? ORDER BY "
            "seq", (province, first, first + size))]
        built = tiles.build(leaves)
        self.sql("UPDATE batch SET root = ? WHERE province = ? AND batch_no = ?", built.root,
                 province, batch_no)
        self.sql("DELETE FROM batch_tile WHERE province = ? AND batch_no = ?", province,
                 batch_no)
        for level, blob in built.stored_levels.items():
            for index, part in tiles.split_tiles(blob):
                self.sql("INSERT INTO batch_tile VALUES (?, ?, ?, ?, ?)", province, batch_no,
                         level, index, part)

    def drop_not_null(self, table: str, column: str) -> None:
        """Let `column` hold NULL, as an insider can by rewriting the schema."""
        self.con.execute("PRAGMA writable_schema=ON")
        [ddl] = self.con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                                 "name = ?", (table,)).fetchone()
        relaxed = re.sub(rf"\b{column} ([A-Z]+(\(\d+\))?) NOT NULL", rf"{column} \1", ddl)
        assert relaxed != ddl, (table, column)
        self.sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", relaxed,
                 table)
        [version] = self.con.execute("PRAGMA schema_version").fetchone()
        self.con.execute(f"PRAGMA schema_version = {version + 1}")
        self.con.execute("PRAGMA writable_schema=OFF")
        self.con.close()
        self.con = sqlite3.connect(self.path, isolation_level=None)

    def close(self) -> None:
        self.con.close()


def copy(pristine: Path, target: Path) -> Path:
    shutil.copy(pristine, target)
    return target


def audit(path: Path, roots: ContractRoots | None, **options: Any) -> AuditReport:
    db = Database(DatabaseOptions(url=f"sqlite:///{path}"))
    try:
        return run_audit(db, AuditOptions(**options), chain=roots,
                         chain_error=None if roots else "not given")
    finally:
        db.dispose()


def findings(report: AuditReport) -> dict[str, list[dict[str, Any]]]:
    """The non-empty categories, entries as in the JSON report without the (hex) roots."""
    roots = {"stored_root", "recomputed_root", "chain_root"}
    return {c: [{k: v for k, v in e.items() if k not in roots} for e in entries]
            for c, entries in report.to_json()["findings"].items() if entries}


def named(report: AuditReport) -> dict[str, set[tuple[int, int]]]:
    """Every record-level finding, by category: the sets the tests compare exactly."""
    out = {c: report.named(c) for c in ("modified", "deleted", "inserted", "reordered")}
    out["batches"] = {(e["province"], e["batch_no"]) for e in report.findings["batches"]}
    out["gaps"] = {(e["province"], e["first_seq"]) for e in report.findings["gaps"]}
    out["chains"] = {(r["province"], r["seq"]) for e in report.findings["chains"]
                     for r in e["records"]}
    return out
