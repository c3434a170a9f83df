"""Tampering with the database behind the API's back, one way per test: the audit must name
exactly the records (and batches, gaps, chains) concerned and nothing else.

Coordinates refer to the layout in tests/audit/ledger_kit.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anchors.audit_chain import ContractRoots
from ledger import canonical, merkle
from tests.audit.ledger_kit import SH, ZJ, Tamper, audit, named

pytestmark = pytest.mark.chain
NOTHING: set[tuple[int, int]] = set()


def expect(found: dict[str, set[tuple[int, int]]], **wanted: set[tuple[int, int]]) -> None:
    assert found == {c: wanted.get(c, NOTHING) for c in found}, found


def test_changed_bytes_with_the_old_leaf_hash(ledger: Path, roots: ContractRoots,
                                              tamper: Tamper) -> None:
    record = tamper.record(SH, 11)
    record["payload"]["item"] = "something else"
    tamper.rewrite(SH, 11, record, leaf=False)
    report = audit(ledger, roots)
    expect(named(report), modified={(SH, 11)}, batches={(SH, 1)})
    [entry] = report.findings["modified"]
    assert entry["record_id"] == record["record_id"]
    assert "do not hash to the stored leaf hash" in entry["reasons"][0]
    assert report.verdict == "tampered" and report.exit_code == 1


def test_consistent_rewrite_of_bytes_and_leaf_is_caught_by_the_anchored_root(
        ledger: Path, roots: ContractRoots, tamper: Tamper) -> None:
    record = tamper.record(SH, 11)
    record["payload"]["item"] = "forged"
    tamper.rewrite(SH, 11, record)
    report = audit(ledger, roots)
    expect(named(report), modified={(SH, 11)}, batches={(SH, 1)})
    [batch] = report.findings["batches"]
    assert "records no longer hash to the anchored root" in batch["problems"]
    assert batch["segments"] == [[1, 256]]  # the stored tiles narrow it to one segment


def test_rewrite_of_everything_the_database_holds_is_pinned_by_the_successor(
        ledger: Path, roots: ContractRoots, tamper: Tamper) -> None:
    # Step 2 of SH-5 (batch 1); its successor, step 3, sits in batch 2, which stays intact.
    record = tamper.record(SH, 306)
    record["payload"]["item"] = "forged"
    tamper.rewrite(SH, 306, record, digest=True)
    tamper.reseal(SH, 1)  # stored root and tiles now agree with the forged leaf
    report = audit(ledger, roots)
    expect(named(report), modified={(SH, 306)}, batches={(SH, 1)})
    [batch] = report.findings["batches"]
    assert batch["problems"] == ["stored root differs from the anchored root",
                                 "records no longer hash to the anchored root"]
    [entry] = report.findings["modified"]
    assert "not the prev its successor (seq 606) committed to" in entry["reasons"][0]
    # Without the chain the rewritten stored root vouches for the forgery, so only the broken
    # link is left to see, and the audit cannot tell which side of it changed.
    expect(named(audit(ledger, None)), chains={(SH, 306), (SH, 606)})


def test_deleted_record(ledger: Path, roots: ContractRoots, tamper: Tamper) -> None:
    tamper.sql("DELETE FROM record WHERE province = ? AND seq = ?", SH, 20)  # SH-19 step 1
    report = audit(ledger, roots)
    expect(named(report), deleted={(SH, 20)}, gaps={(SH, 20)}, batches={(SH, 1)},
           chains={(SH, 320)})  # step 2 of SH-19 now links to nothing
    [chain] = report.findings["chains"]
    assert chain["problem"] == "predecessor-missing" and chain["subject"] == "case:SH-19"
    assert report.findings["deleted"][0]["batch_no"] == 1


def test_inserted_record_beyond_the_head(ledger: Path, roots: ContractRoots,
                                         tamper: Tamper) -> None:
    tip = tamper.record(SH, 921)  # SH-N-0, a one-step case, still pending
    forged = {**tip, "seq": 941, "kind": "case.decided", "record_id": os.urandom(16).hex(),
              "prev": "0x" + tamper.row(SH, 921)["leaf_hash"].hex()}
    forged["record_id"] = "-".join((forged["record_id"][:8], forged["record_id"][8:12],
                                    forged["record_id"][12:16], forged["record_id"][16:20],
                                    forged["record_id"][20:]))
    data = canonical.canonicalize(forged)
    tamper.sql("INSERT INTO record VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", SH, 941,
               forged["record_id"], forged["kind"], "case", "SH-N-0", forged["occurred_at"],
               forged["recorded_at"], data, merkle.leaf_hash(data), b"\0" * 32)
    report = audit(ledger, roots)
    expect(named(report), inserted={(SH, 941)})


def test_reordered_records(ledger: Path, roots: ContractRoots, tamper: Tamper) -> None:
    tamper.sql("UPDATE record SET seq = -1 WHERE province = ? AND seq = 40", SH)
    tamper.sql("UPDATE record SET seq = 40 WHERE province = ? AND seq = 41", SH)
    tamper.sql("UPDATE record SET seq = 41 WHERE province = ? AND seq = -1", SH)
    report = audit(ledger, roots)
    expect(named(report), reordered={(SH, 40), (SH, 41)}, batches={(SH, 1)})
    moved = {(e["seq"], e["sealed_seq"]) for e in report.findings["reordered"]}
    assert moved == {(40, 41), (41, 40)}


def test_altered_batch_root(ledger: Path, roots: ContractRoots, tamper: Tamper) -> None:
    tamper.sql("UPDATE batch SET root = ? WHERE province = ? AND batch_no = 1", b"\7" * 32, ZJ)
    report = audit(ledger, roots)
    expect(named(report), batches={(ZJ, 1)})
    assert report.findings["batches"][0]["problems"] == [
        "stored root differs from the anchored root", "records no longer hash to the stored "
        "root"]


def test_sequence_gap_at_the_pending_end(ledger: Path, roots: ContractRoots,
                                        tamper: Tamper) -> None:
    tamper.sql("DELETE FROM record WHERE province = ? AND seq = 940", SH)  # SH-N-19, alone
    report = audit(ledger, roots)
    expect(named(report), deleted={(SH, 940)}, gaps={(SH, 940)})
    [chain] = report.findings["chains"]
    assert (chain["subject"], chain["problem"]) == ("case:SH-N-19", "last-missing")


def test_broken_cross_province_chain(ledger: Path, roots: ContractRoots,
                                     tamper: Tamper) -> None:
    # ZJ-3 was forwarded to Shanghai (seq 904, pending); relink it to a made-up predecessor.
    record = tamper.record(SH, 904)
    assert record["prev"] == "0x" + tamper.row(ZJ, 4)["leaf_hash"].hex()
    record["prev"] = "0x" + "5a" * 32
    tamper.rewrite(SH, 904, record)
    report = audit(ledger, roots)
    expect(named(report), modified={(SH, 904)})
    assert "no longer names its predecessor" in report.findings["modified"][0]["reasons"][0]
