"""Licenses in the ledger: issued only from an approved case by its handling province, every
status change a record through the lifecycle, holder commitments, and what verification
answers (including from an evidence bundle)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from ledger import evidence, ingest, license, license_status, sealing
from ledger.batch import SealPolicy
from ledger.draft import RecordDraft
from ledger.errors import (
    AlreadyExists,
    IllegalTransition,
    InvalidInput,
    InvalidStep,
    NotFound,
    WrongProvince,
)
from ledger.identity import Person
from ledger.store import Database
from ledger.store.domain_schema import LicensePrivateRow
from ledger.trace import trace
from tests.api_domain.kit import resident_id
from tests.domain.conftest import CROSS_PATH, SH, ZJ, at, cross_path, submit, write

TODAY = date(2026, 11, 25)


def _issuance(case_no: str, **extra: Any) -> license.Issuance:
    body = {"case_no": case_no, "type_code": "CN-BL", "number": "91330106MA2KXY7Q3N",
            "issuing_authority": "ZJ-HZ-AMR", "valid_from": "2026-11-20",
            "valid_until": "2031-11-19", "actor": {"department": "ZJ-HZ-AMR"},
            "occurred_at": at(20), **extra}
    return license.Issuance.from_json(body)


def _approved(db: Database, upto: int = len(CROSS_PATH)) -> str:
    no = submit(db).case.case_no
    cross_path(db, no, upto)
    return no


def _event(db: Database, license_id: str, event: str, province: int = ZJ, day: int = 21,
           payload: dict[str, Any] | None = None) -> None:
    body = {"event": event, "actor": {"department": "ZJ-HZ-AMR"}, "payload": payload or {},
            "occurred_at": at(day)}
    license.record_event(db, license.event_draft(license_id, province, body))


def _state(db: Database, license_id: str) -> str:
    with db.snapshot() as s:
        return license.get(s, license_id).state


def test_issue_and_the_whole_lifecycle(ledger_db: Database) -> None:
    no = _approved(ledger_db)
    row, appended = license.issue(ledger_db, _issuance(no), ZJ)
    lid = row.license_id
    assert appended.record.kind == "license.issued" and appended.record.province == ZJ
    assert uuid.UUID(appended.record.record_id).version == 7  # made here (record_ids)
    assert appended.record.payload["holder"] == row.holder_commitment
    assert appended.record.payload["case_no"] == no
    _event(ledger_db, lid, "suspended", payload={"reason": "核查中"})
    assert _state(ledger_db, lid) == "suspended"
    _event(ledger_db, lid, "reinstated", day=22)
    _event(ledger_db, lid, "revoked", day=23, payload={"reason": "以欺骗手段取得"})
    assert _state(ledger_db, lid) == "revoked"
    for event, payload in [("reinstated", {}), ("suspended", {"reason": "x"}),
                           ("revoked", {"reason": "again"})]:
        with pytest.raises(IllegalTransition):
            _event(ledger_db, lid, event, day=24, payload=payload)
    with ledger_db.snapshot() as s:
        v = license_status.verify(s, lid, TODAY)
    assert v.authentic and v.status == "revoked"
    assert v.chain is not None and [r.step for r in v.chain.records] == [
        "issued", "suspended", "reinstated", "revoked"]


def test_only_the_issuing_province_writes_events_even_raw(ledger_db: Database) -> None:
    row, _ = license.issue(ledger_db, _issuance(_approved(ledger_db)), ZJ)
    with pytest.raises(WrongProvince):
        _event(ledger_db, row.license_id, "revoked", province=SH, payload={"reason": "x"})
    raw = RecordDraft.from_json({
        "record_id": str(uuid.uuid4()), "province": SH, "kind": "license.revoked",
        "subject": {"type": "license", "id": row.license_id}, "occurred_at": at(22),
        "actor": {"department": "SH"}, "payload": {"reason": "x"}})
    with pytest.raises(WrongProvince):
        ingest.append(ledger_db, [raw])
    assert _state(ledger_db, row.license_id) == "valid"


def test_expiry_is_an_event_after_the_window(ledger_db: Database) -> None:
    row, _ = license.issue(ledger_db, _issuance(_approved(ledger_db),
                                                valid_until="2026-11-21"), ZJ)
    with pytest.raises(IllegalTransition):
        _event(ledger_db, row.license_id, "expired", day=21)
    _event(ledger_db, row.license_id, "expired", day=22)
    assert _state(ledger_db, row.license_id) == "expired"


def test_a_license_needs_an_approved_case(ledger_db: Database) -> None:
    not_yet = _approved(ledger_db, upto=4)  # under review
    with pytest.raises(IllegalTransition):
        license.issue(ledger_db, _issuance(not_yet), ZJ)
    denied = _approved(ledger_db, upto=4)
    write(ledger_db, denied, "decided", ZJ, {"decision": "denied", "reason": "材料不实"},
          day=9)
    with pytest.raises(IllegalTransition):
        license.issue(ledger_db, _issuance(denied), ZJ)
    ok = _approved(ledger_db, upto=5)  # decided, approved: may issue before completion
    assert license.issue(ledger_db, _issuance(ok), ZJ)[0].state == "valid"


def test_issuance_rules(ledger_db: Database) -> None:
    no = _approved(ledger_db)
    with pytest.raises(WrongProvince):
        license.issue(ledger_db, _issuance(no), SH)
    with pytest.raises(InvalidInput) as info:
        license.issue(ledger_db, _issuance(no, type_code="CN-DL"), ZJ)
    assert info.value.field == "type_code"
    with pytest.raises(NotFound):
        license.issue(ledger_db, _issuance("330000-NO-SUCH-CASE"), ZJ)
    with pytest.raises(InvalidStep):  # before the case's last step
        license.issue(ledger_db, _issuance(no, occurred_at=at(3)), ZJ)
    license.issue(ledger_db, _issuance(no, license_id="CN-BL-330000-FIXED"), ZJ)
    with pytest.raises(AlreadyExists):  # one license per case
        license.issue(ledger_db, _issuance(no), ZJ)
    with pytest.raises(AlreadyExists):  # the id is taken
        license.issue(ledger_db, _issuance(_approved(ledger_db),
                                           license_id="CN-BL-330000-FIXED"), ZJ)


def test_the_holder_is_a_commitment_that_opens_only_for_the_holder(ledger_db: Database) -> None:
    holder = {"name": "李四", "id_type": "resident_id", "id_number": resident_id()}
    row, appended = license.issue(ledger_db, _issuance(_approved(ledger_db), holder=holder), ZJ)
    assert holder["id_number"] not in appended.record.canonical_bytes().decode()
    with ledger_db.snapshot() as s:
        private = s.get(LicensePrivateRow, row.license_id)
        assert private is not None and private.name == "李四"
        assert license.holder_matches(s, row.license_id, Person.from_json(holder))
        other = {**holder, "id_number": resident_id()}
        assert not license.holder_matches(s, row.license_id, Person.from_json(other))


def test_verification_from_a_bundle(ledger_db: Database) -> None:
    row, appended = license.issue(ledger_db, _issuance(_approved(ledger_db)), ZJ)
    sealing.seal_due(ledger_db, SealPolicy(max_records=1000), force=True)
    with ledger_db.snapshot() as s:
        bundle = evidence.build(s, appended.record.record_id)
        lid, refusal = license_status.from_bundle(s, bundle)
        assert (lid, refusal) == (row.license_id, None)
        v = license_status.verify(s, row.license_id, TODAY)
        assert v.authentic and v.status == "valid" and v.bundles == (bundle,)
        assert license_status.anchored_through(s, ZJ) == 0  # sealed, not anchored
        altered = {**bundle, "record": {**bundle["record"], "payload": {
            **bundle["record"]["payload"], "valid_until": "2099-12-31"}}}
        assert license_status.from_bundle(s, altered)[1] is not None
        _, refusal = license_status.from_bundle(s, altered)
        assert refusal is not None and refusal.reason == "bundle-record-altered"
        case_bundle = evidence.build(s, trace(s, "case", row.case_no).records[0].record_id)
        _, refusal = license_status.from_bundle(s, case_bundle)
        assert refusal is not None and refusal.reason == "not-a-license-record"
        assert license_status.verify(s, "CN-BL-NOPE", TODAY).reason == "unknown-license"

