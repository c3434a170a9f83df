"""Record rows holding what the ledger never writes: text that is not UTF-8 (which SQLite's
driver refuses to return, failing the whole chunk of rows), values of another type, hashes of
another length, NULL. Each must be a finding naming the row, never an exception, whether the
row is checked in this process or in a worker, on the fast path or the careful one.

Coordinates refer to the layout in tests/audit/ledger_kit.py: seq 11 (step 1 of SH-10) is in
anchored batch 1, seq 930 (case SH-N-9) is pending, so only the careful checks see it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from anchors.audit_chain import ContractRoots
from tests.audit.ledger_kit import SH, Tamper, audit, findings

pytestmark = pytest.mark.chain
LAYOUTS = [{}, {"workers": 2, "piece": 256}]
BAD = b"\xc3(\xff"  # not UTF-8
AS_TEXT = "CAST(? AS TEXT)"  # SQLite keeps the bytes as TEXT: the driver cannot decode them
NOT_UTF8 = "text that is not valid UTF-8 (0xc328ff)"
BATCH_1 = {"province": SH, "batch_no": 1, "first_seq": 1, "size": 600}
ROOT_FAILS = {**BATCH_1, "problems": ["records no longer hash to the stored root",
                                      "records no longer hash to the anchored root"],
              "segments": [[1, 256]]}


def _set(tamper: Tamper, seq: int, column: str, value: Any, expr: str = "?") -> str:
    rid: str = tamper.row(SH, seq)["record_id"]
    tamper.sql(f"UPDATE record SET {column} = {expr} WHERE province = ? AND seq = ?", value,
               SH, seq)
    return rid


def _modified(rid: str, reasons: list[str], seq: int = 11) -> dict[str, Any]:
    return {"province": SH, "seq": seq, "record_id": rid, "reasons": reasons}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("column", ["record_id", "kind", "subject_type", "subject_id",
                                    "occurred_at", "recorded_at"])
def test_text_column_that_is_not_utf8(ledger: Path, roots: ContractRoots, tamper: Tamper,
                                      column: str, layout: dict[str, int]) -> None:
    rid = _set(tamper, 11, column, BAD, AS_TEXT)
    report = audit(ledger, roots, **layout)
    # Named by the record id its bytes carry; the bytes themselves are intact, so is the root.
    assert findings(report) == {"modified": [_modified(rid, [f"{column} holds {NOT_UTF8}"])]}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("column", "value", "expr", "reason", "root_fails"), [
    ("canonical", BAD, AS_TEXT, [f"canonical holds {NOT_UTF8}, not bytes",
                                 "canonical bytes do not hash to the stored leaf hash",
                                 "canonical bytes are not a JSON object"], True),
    ("canonical", None, "CAST(canonical AS TEXT)", ["canonical holds text, not bytes"], False),
    ("canonical", 42, "?", ["canonical holds the integer 42, not bytes"], True),
    ("leaf_hash", BAD, AS_TEXT, [f"leaf_hash holds {NOT_UTF8}, not a 32-byte hash"], False),
    ("leaf_hash", None, "substr(leaf_hash, 1, 31)",
     ["leaf_hash holds 31 bytes, not a 32-byte hash"], False),
    ("leaf_hash", "0xzz", "?", ["leaf_hash holds text, not a 32-byte hash"], False),
    ("leaf_hash", 7, "?", ["leaf_hash holds the integer 7, not a 32-byte hash"], False),
    ("record_id", b"\x00\xff", "?", ["record_id holds 2 bytes, not text"], False),
])
def test_malformed_sealed_record(ledger: Path, roots: ContractRoots, tamper: Tamper,
                                 column: str, value: Any, expr: str, reason: list[str],
                                 root_fails: bool, layout: dict[str, int]) -> None:
    if value is None:
        rid = tamper.row(SH, 11)["record_id"]
        tamper.sql(f"UPDATE record SET {column} = {expr} WHERE province = ? AND seq = 11", SH)
    else:
        rid = _set(tamper, 11, column, value, expr)
    report = audit(ledger, roots, **layout)
    # Bytes that are not the sealed ones no longer hash to the root; a malformed stored leaf
    # hash (the root is recomputed from the bytes) or column does not touch it.
    expected: dict[str, Any] = {"modified": [_modified(rid, reason)]}
    if root_fails:
        expected["batches"] = [ROOT_FAILS]
    assert findings(report) == expected


@pytest.mark.parametrize(("column", "reason"), [
    ("canonical", "canonical holds NULL, not bytes"),
    ("leaf_hash", "leaf_hash holds NULL, not a 32-byte hash"),
    ("record_id", "record_id holds NULL, not text")])
def test_null_where_the_schema_forbade_it(ledger: Path, roots: ContractRoots, tamper: Tamper,
                                          column: str, reason: str) -> None:
    tamper.drop_not_null("record", column)
    rid = _set(tamper, 11, column, None)
    report = audit(ledger, roots)
    expected: dict[str, Any] = {"modified": [_modified(rid, [reason])]}
    if column == "canonical":
        expected["batches"] = [ROOT_FAILS]
    assert findings(report) == expected


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("column", "value", "expr", "reason"), [
    ("canonical", BAD, AS_TEXT, [f"canonical holds {NOT_UTF8}, not bytes",
                                 "canonical bytes do not hash to the stored leaf hash",
                                 "canonical bytes are not a JSON object"]),
    ("content_digest", BAD, AS_TEXT, [f"content_digest holds {NOT_UTF8}, not a 32-byte hash"]),
    ("content_digest", b"\1\2\3", "?", ["content_digest holds 3 bytes, not a 32-byte hash"]),
    ("recorded_at", BAD, AS_TEXT, [f"recorded_at holds {NOT_UTF8}"]),
])
def test_malformed_pending_record(ledger: Path, roots: ContractRoots, tamper: Tamper,
                                  column: str, value: Any, expr: str, reason: list[str],
                                  layout: dict[str, int]) -> None:
    rid = _set(tamper, 930, column, value, expr)
    report = audit(ledger, roots, **layout)
    assert findings(report) == {"modified": [_modified(rid, reason, seq=930)]}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("value", "expr", "shown", "what"), [
    (11.5, "?", 11.5, "the real number 11.5"),
    ("eleven", "?", "eleven", "text"),
    (BAD, AS_TEXT, "\\xc3(\\xff", NOT_UTF8)])
def test_seq_that_is_no_integer(ledger: Path, roots: ContractRoots, tamper: Tamper,
                                value: Any, expr: str, shown: Any, what: str,
                                layout: dict[str, int]) -> None:
    rid = _set(tamper, 11, "seq", value, expr)
    report = audit(ledger, roots, **layout)
    # Position 11 is empty now; the row sits at a position the ledger never assigns.
    assert findings(report) == {
        "inserted": [{"province": SH, "seq": shown, "record_id": rid,
                      "reason": f"seq holds {what}: the ledger never assigned this position"}],
        "deleted": [{"province": SH, "seq": 11, "batch_no": 1,
                     "reason": "missing inside sealed batch 1"}],
        "gaps": [{"province": SH, "first_seq": 11, "last_seq": 11}],
        "batches": [{**BATCH_1, "problems": [
            "records are missing, so the root cannot be recomputed"], "segments": []}]}


def test_province_that_is_not_utf8(ledger: Path, roots: ContractRoots, tamper: Tamper) -> None:
    rid = _set(tamper, 11, "province", BAD, AS_TEXT)
    report = audit(ledger, roots)
    found = findings(report)
    assert found.pop("inserted") == [{"province": "\\xc3(\\xff", "seq": 11, "record_id": rid,
                                      "reason": "no such ledger partition"}]
    assert set(found) == {"deleted", "gaps", "batches"}  # as for any row moved away


def test_the_audit_goes_on_past_every_malformed_row(ledger: Path, roots: ContractRoots,
                                                    tamper: Tamper) -> None:
    """Many malformed rows in one chunk of 256 and in several tasks: each is named, and the
    well-formed rows around them are still checked (a deleted one among them is found)."""
    for seq in (3, 4, 300, 301, 700, 931):
        _set(tamper, seq, "kind", BAD, AS_TEXT)
    _set(tamper, 5, "leaf_hash", BAD, AS_TEXT)
    tamper.sql("DELETE FROM record WHERE province = ? AND seq = 6", SH)
    for layout in LAYOUTS:
        report = audit(ledger, roots, **layout)
        assert {(e["seq"], tuple(e["reasons"])) for e in report.findings["modified"]} == {
            *((seq, (f"kind holds {NOT_UTF8}",)) for seq in (3, 4, 300, 301, 700, 931)),
            (5, (f"leaf_hash holds {NOT_UTF8}, not a 32-byte hash",))}
        assert report.named("deleted") == {(SH, 6)}
        assert report.records == 959 and report.verdict == "tampered"
