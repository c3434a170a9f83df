"""Batch rows, tiles, subject heads, province heads and stored reports holding what the ledger
never writes (text that is not UTF-8, another type, another length, NULL): each is a finding
naming its batch, subject or province, and the audit reports everything else as usual.

Coordinates refer to the layout in tests/audit/ledger_kit.py: 310000 batch 1 is seq 1..600
(level-8 tile 0 holds its two complete segments); case SH-3 is seq 4, 304 and 604.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from anchors.audit_chain import ContractRoots
from ledger import audit_log
from ledger.store import Database, DatabaseOptions
from tests.audit.ledger_kit import SH, Tamper, audit, findings

pytestmark = pytest.mark.chain
LAYOUTS = [{}, {"workers": 2, "piece": 256}]
BAD = b"\xc3(\xff"
AS_TEXT = "CAST(? AS TEXT)"
NOT_UTF8 = "text that is not valid UTF-8 (0xc328ff)"
BATCH_1 = {"province": SH, "batch_no": 1, "first_seq": 1, "size": 600}
TILE_0 = "WHERE province = 310000 AND batch_no = 1 AND level = 8 AND tile_index = 0"
SH_3 = "WHERE subject_type = 'case' AND subject_id = 'SH-3'"


@pytest.mark.parametrize(("value", "expr", "what"), [
    (b"\1\2\3\4\5", "?", "5 bytes"), (BAD, AS_TEXT, NOT_UTF8), ("0xdeadbeef", "?", "text"),
    (None, "?", "NULL")])
def test_malformed_stored_root(ledger: Path, roots: ContractRoots, tamper: Tamper,
                               value: Any, expr: str, what: str) -> None:
    if value is None:
        tamper.drop_not_null("batch", "root")
    tamper.sql(f"UPDATE batch SET root = {expr} WHERE province = ? AND batch_no = 1", value, SH)
    # The records still hash to the anchored root: only the stored root is named.
    assert findings(audit(ledger, roots)) == {"batches": [{
        **BATCH_1, "problems": [f"stored root holds {what}, not a 32-byte hash"],
        "segments": []}]}
    # Without the chain nothing vouches for the batch: its records are checked carefully,
    # and they are intact.
    assert findings(audit(ledger, None)) == {"batches": [{
        **BATCH_1, "problems": [f"stored root holds {what}, not a 32-byte hash"],
        "segments": []}]}


@pytest.mark.parametrize(("column", "value", "expr", "shown", "what"), [
    ("first_seq", "one", "?", "one", "text"),
    ("size", 600.5, "?", 600.5, "the real number 600.5"),
    ("size", BAD, AS_TEXT, "\\xc3(\\xff", NOT_UTF8)])
def test_malformed_batch_range(ledger: Path, roots: ContractRoots, tamper: Tamper,
                               column: str, value: Any, expr: str, shown: Any,
                               what: str) -> None:
    tamper.sql(f"UPDATE batch SET {column} = {expr} WHERE province = ? AND batch_no = 1", value,
               SH)
    report = audit(ledger, roots)
    # Its records are audited as if no root covered them: carefully, and they are intact.
    assert findings(report) == {"batches": [{
        **BATCH_1, column: shown, "problems": [f"{column} holds {what}, not an integer"]}]}


def test_batch_number_that_is_no_integer(ledger: Path, roots: ContractRoots,
                                         tamper: Tamper) -> None:
    tamper.sql("UPDATE batch SET batch_no = 'one' WHERE province = ? AND batch_no = 1", SH)
    assert findings(audit(ledger, roots)) == {"batches": [
        {**BATCH_1, "problems": ["missing from the database"]},
        {**BATCH_1, "batch_no": "one", "problems": ["batch_no holds text, not an integer"]}]}


def test_deleted_batch_row(ledger: Path, roots: ContractRoots, tamper: Tamper) -> None:
    tamper.sql("DELETE FROM batch_tile WHERE province = ? AND batch_no = 1", SH)
    tamper.sql("DELETE FROM batch WHERE province = ? AND batch_no = 1", SH)
    # The head counts two batches: the first is gone (its records are intact).
    assert findings(audit(ledger, roots)) == {"batches": [
        {**BATCH_1, "problems": ["missing from the database"]}]}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("value", "expr", "what"), [
    (BAD, AS_TEXT, f"{NOT_UTF8}, not bytes"),
    (None, "substr(hashes, 1, 31)", "31 bytes, not 1 to 256 whole 32-byte hashes"),
    ("abc", "?", "text, not bytes"),
    (5, "?", "the integer 5, not bytes"),
    (None, "NULL", "NULL, not bytes")])
def test_malformed_tile(ledger: Path, roots: ContractRoots, tamper: Tamper, value: Any,
                        expr: str, what: str, layout: dict[str, int]) -> None:
    if expr == "NULL":
        tamper.drop_not_null("batch_tile", "hashes")
    tamper.sql(f"UPDATE batch_tile SET hashes = {expr} {TILE_0}",
               *([] if value is None else [value]))
    report = audit(ledger, roots, **layout)
    assert findings(report) == {"batches": [{
        **BATCH_1, "problems": [f"stored tile (level 8, index 0) holds {what}",
                                "stored tiles differ from the records (served proofs would "
                                "fail)"],
        "segments": [[1, 512]]}]}


def test_tile_with_a_byte_too_many(ledger: Path, roots: ContractRoots, tamper: Tamper) -> None:
    tamper.sql(f"UPDATE batch_tile SET hashes = CAST(hashes || x'00' AS BLOB) {TILE_0}")
    # Both nodes it holds are still right: only its length is named.
    assert findings(audit(ledger, roots)) == {"batches": [{**BATCH_1, "problems": [
        "stored tile (level 8, index 0) holds 65 bytes, not 1 to 256 whole 32-byte hashes"],
        "segments": []}]}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("column", "value", "expr", "what"), [
    ("last_leaf", BAD, AS_TEXT, f"{NOT_UTF8}, not a 32-byte hash"),
    ("last_leaf", None, "substr(last_leaf, 1, 31)", "31 bytes, not a 32-byte hash"),
    ("length", "three", "?", "text, not an integer"),
    ("length", 2.5, "?", "the real number 2.5, not an integer"),
    ("length", None, "NULL", "NULL, not an integer")])
def test_malformed_subject_head(ledger: Path, roots: ContractRoots, tamper: Tamper,
                                column: str, value: Any, expr: str, what: str,
                                layout: dict[str, int]) -> None:
    if expr == "NULL":
        tamper.drop_not_null("subject_head", column)
    tamper.sql(f"UPDATE subject_head SET {column} = {expr} {SH_3}",
               *([] if value is None else [value]))
    # The records of SH-3 still form one chain: nothing more to say about them.
    assert findings(audit(ledger, roots, **layout)) == {"chains": [{
        "subject": "case:SH-3", "problem": "head-malformed",
        "detail": f"the subject head row is malformed: its {column} holds {what}",
        "records": []}]}


def test_subject_head_whose_id_is_not_utf8(ledger: Path, roots: ContractRoots,
                                           tamper: Tamper) -> None:
    tamper.sql(f"UPDATE subject_head SET subject_id = {AS_TEXT} {SH_3}", BAD)
    assert findings(audit(ledger, roots)) == {"chains": [
        {"subject": "case:SH-3", "problem": "head-missing",
         "detail": "the subject head row is gone", "records": []},
        {"subject": "case:\\xc3(\\xff", "problem": "head-malformed",
         "detail": f"the subject head row is malformed: its subject_id holds {NOT_UTF8}",
         "records": []}]}


@pytest.mark.parametrize(("column", "value", "expr", "what", "used"), [
    ("last_seq", "many", "?", "text", "seq 940"),
    ("last_seq", 900.5, "?", "the real number 900.5", "seq 940"),
    ("last_batch_no", BAD, AS_TEXT, NOT_UTF8, "batch 2")])
def test_malformed_province_head(ledger: Path, roots: ContractRoots, tamper: Tamper,
                                 column: str, value: Any, expr: str, what: str,
                                 used: str) -> None:
    tamper.sql(f"UPDATE province_head SET {column} = {expr} WHERE province = ?", value, SH)
    report = audit(ledger, roots)
    assert findings(report) == {"heads": [{"province": SH, "problems": [
        f"{column} holds {what}, not an integer (audited up to {used}, the highest present)"]}]}
    assert report.records == 960 and report.batches == 3


def test_stored_audit_report_that_is_not_bytes(ledger: Path, roots: ContractRoots,
                                               tamper: Tamper) -> None:
    db = Database(DatabaseOptions(url=f"sqlite:///{ledger}"))
    try:
        appended = audit_log.record_audit(db, audit(ledger, roots))
    finally:
        db.dispose()
    audit_id = appended.record.record_id
    tamper.sql(f"UPDATE audit_report SET report = {AS_TEXT} WHERE audit_id = ?", BAD, audit_id)
    assert findings(audit(ledger, roots)) == {"modified": [{
        "province": audit_log.DEFAULT_PROVINCE, "seq": 1, "record_id": audit_id,
        "reasons": [f"its audit report holds {NOT_UTF8}, not bytes"]}]}
