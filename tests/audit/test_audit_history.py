"""Audit results are records of the supervision body's ledger: recorded, chained, anchored
like any record, and checked by the next audit. Also `govtrace audit` end to end."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from anchors.audit_chain import ContractRoots
from ledger import audit_log, lookup
from ledger.store import Database, DatabaseOptions
from tests.audit.ledger_kit import SH, Tamper, audit, named

pytestmark = pytest.mark.chain
GOVTRACE = str(Path(sys.executable).parent / "govtrace")


def _record(path: Path, roots: ContractRoots | None) -> tuple[str, int]:
    report = audit(path, roots)
    db = Database(DatabaseOptions(url=f"sqlite:///{path}"))
    try:
        appended = audit_log.record_audit(db, report)
        with db.snapshot() as s:
            stored = lookup.record(s, report.audit_id)
        data = audit_log.report_bytes(report)
        assert stored.kind == "audit.completed" and stored.subject.type == "audit"
        assert stored.payload["report_digest"] == "0x" + hashlib.sha256(data).hexdigest()
        assert stored.payload["summary"]["verdict"] == report.verdict
        assert audit_log.stored_report(db, report.audit_id) == orjson.loads(data)
    finally:
        db.dispose()
    return report.audit_id, appended.record.seq


def test_audits_form_a_chain_in_the_supervision_partition(ledger: Path,
                                                          roots: ContractRoots) -> None:
    first, seq1 = _record(ledger, roots)
    second, seq2 = _record(ledger, roots)
    assert (seq1, seq2) == (1, 2)
    db = Database(DatabaseOptions(url=f"sqlite:///{ledger}"))
    try:
        with db.snapshot() as s:
            a, b = lookup.record(s, first), lookup.record(s, second)
            assert a.province == b.province == audit_log.DEFAULT_PROVINCE
            assert b.prev == "0x" + lookup.record_row(s, first).leaf_hash.hex()
    finally:
        db.dispose()
    assert audit(ledger, roots).verdict == "clean"  # audit records audit like any other


def test_a_rewritten_audit_report_is_named(ledger: Path, roots: ContractRoots,
                                           tamper: Tamper) -> None:
    audit_id, seq = _record(ledger, roots)
    tamper.sql("UPDATE audit_report SET report = ? WHERE audit_id = ?", b'{"verdict":"x"}',
               audit_id)
    report = audit(ledger, roots)
    expect = {(audit_log.DEFAULT_PROVINCE, seq)}
    assert named(report)["modified"] == expect
    assert "no longer matches the digest" in report.findings["modified"][0]["reasons"][0]


def test_a_deleted_audit_record_leaves_a_gap_and_a_broken_chain(ledger: Path,
                                                                 roots: ContractRoots,
                                                                 tamper: Tamper) -> None:
    _record(ledger, roots)
    _, seq = _record(ledger, roots)
    tamper.sql("DELETE FROM record WHERE province = ? AND seq = ?", audit_log.DEFAULT_PROVINCE,
               seq)
    found = named(audit(ledger, roots))
    assert found["deleted"] == {(audit_log.DEFAULT_PROVINCE, seq)}
    assert found["modified"] == set()


def _cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GOVTRACE, "audit", "--database-url", f"sqlite:///{path}",
                           "--workers", "0", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_cli_exit_codes_and_reports(ledger: Path, roots: ContractRoots, tamper: Tamper,
                                    tmp_path: Path) -> None:
    rpc = roots._contract.chain.url
    clean = _cli(ledger, "--rpc", rpc, "--contract", roots.contract)
    assert clean.returncode == 0, clean.stderr
    assert "CLEAN" in clean.stdout and "audit recorded: province 110000 seq 1" in clean.stderr
    skipped = _cli(ledger, "--no-record")
    assert skipped.returncode == 3 and "chain comparison SKIPPED" in skipped.stdout
    unreachable = _cli(ledger, "--rpc", "http://127.0.0.1:9", "--contract", roots.contract)
    assert unreachable.returncode == 3 and "SKIPPED: cannot use contract" in unreachable.stdout
    tamper.sql("DELETE FROM record WHERE province = ? AND seq = 700", SH)
    out = tmp_path / "report.json"
    bad = _cli(ledger, "--rpc", rpc, "--contract", roots.contract, "--json", "--report",
               str(out))
    assert bad.returncode == 1, bad.stderr
    document = json.loads(bad.stdout)
    assert document == json.loads(out.read_text())
    assert document["verdict"] == "tampered" and document["counts"]["deleted"] == 1
    assert document["findings"]["deleted"][0]["seq"] == 700
