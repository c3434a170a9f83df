"""Record drafts: strict validation at the trust boundary; canonical records round-trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledger import merkle, timestamps
from ledger.draft import RecordDraft
from ledger.errors import CanonicalizationError, InvalidRecord
from ledger.record import Actor, Record, Subject
from tests.conftest import draft_json

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_valid_draft_is_normalised_to_utc_microseconds() -> None:
    d = RecordDraft.from_json(draft_json(), now=NOW)
    assert d.occurred_at == "2026-11-25T01:30:00.000000Z"
    assert d.actor == Actor("SH-AMR", "E1024")
    assert d.subject == Subject("case", "310000-2026-000001")


def test_same_content_has_same_digest_and_any_change_differs() -> None:
    body = draft_json()
    a = RecordDraft.from_json(body, now=NOW)
    assert a.content_digest() == RecordDraft.from_json(dict(body), now=NOW).content_digest()
    changed = RecordDraft.from_json({**body, "payload": {"x": 1}}, now=NOW)
    assert changed.content_digest() != a.content_digest()


@pytest.mark.parametrize(("change", "field"), [
    ({"record_id": "not-a-uuid"}, "record_id"),
    ({"record_id": "6F9619FF-8B86-D011-B42D-00C04FC964FF"}, "record_id"),
    ({"province": 310100}, "province"),
    ({"province": "310000"}, "province"),
    ({"province": True}, "province"),
    ({"kind": "case.Submitted"}, "kind"),
    ({"kind": "license.issued"}, "kind"),
    ({"subject": {"type": "case"}}, "subject"),
    ({"subject": {"type": "firm", "id": "x"}}, "subject.type"),
    ({"subject": {"type": "case", "id": "has space"}}, "subject.id"),
    ({"occurred_at": "2026-11-25T09:30:00"}, "occurred_at"),
    ({"occurred_at": "2026-11-25"}, "occurred_at"),
    ({"occurred_at": "2026-02-30T09:30:00Z"}, "occurred_at"),
    ({"occurred_at": "2027-01-01T00:00:00Z"}, "occurred_at"),
    ({"occurred_at": 1764000000}, "occurred_at"),
    ({"actor": {"officer": "E1"}}, "actor"),
    ({"actor": {"department": "D", "extra": 1}}, "actor"),
    ({"payload": []}, "payload"),
    ({"payload": {"big": "x" * 20000}}, "payload"),
    ({"prev": "0x1234"}, "prev"),
    ({"salt": "0x" + "AB" * 16}, "salt"),
    ({"seq": 7}, "seq"),
])
def test_invalid_fields_are_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRecord) as info:
        RecordDraft.from_json({**draft_json(), **change}, now=NOW)
    assert info.value.field == field


def test_floats_in_payload_are_rejected() -> None:
    with pytest.raises(CanonicalizationError, match="floats"):
        RecordDraft.from_json(draft_json(payload={"fee": 12.5}), now=NOW)


def test_missing_fields_are_reported() -> None:
    body = draft_json()
    del body["actor"]
    with pytest.raises(InvalidRecord, match="missing field"):
        RecordDraft.from_json(body, now=NOW)


def test_small_clock_skew_is_tolerated() -> None:
    ahead = timestamps.render(NOW + timedelta(minutes=2))
    assert RecordDraft.from_json(draft_json(occurred_at=ahead), now=NOW).occurred_at == ahead


def test_record_json_round_trips_and_rejects_non_canonical_fields() -> None:
    rec = Record("6f9619ff-8b86-d011-b42d-00c04fc964ff", 330000, 5, "license.issued",
                 Subject("license", "ZJ-BL-1"), "2026-11-25T01:30:00.000000Z",
                 "2026-11-25T01:30:01.000000Z", Actor("ZJ-AMR", None), None, {"k": "v"},
                 "0x" + "00" * 16)
    assert Record.from_json(rec.to_json()) == rec
    assert rec.leaf_hash() == merkle.leaf_hash(rec.canonical_bytes())
    for key, value in [("occurred_at", "2026-11-25T01:30:00Z"), ("v", 2), ("seq", 0)]:
        with pytest.raises(InvalidRecord):
            Record.from_json({**rec.to_json(), key: value})
    with pytest.raises(InvalidRecord):
        Record.from_json({**rec.to_json(), "extra": 1})


@pytest.mark.parametrize(("given", "canonical"), [
    ("2026-11-25T08:00:00+08:00", "2026-11-25T00:00:00.000000Z"),
    ("2026-11-25t00:00:00.1234567z", None),  # below a microsecond: refused
    ("2026-11-25T00:00:00.123456000Z", "2026-11-25T00:00:00.123456Z"),
    ("0999-03-01T00:00:00Z", "0999-03-01T00:00:00.000000Z"),  # four-digit year kept
    ("0001-01-01T00:30:00+00:30", "0001-01-01T00:00:00.000000Z"),
])
def test_timestamps_have_one_canonical_form_that_parses_back(given: str,
                                                             canonical: str | None) -> None:
    if canonical is None:
        with pytest.raises(InvalidRecord, match="microsecond"):
            timestamps.normalize(given, field="t")
        return
    assert timestamps.normalize(given, field="t") == canonical
    assert timestamps.normalize(canonical, field="t") == canonical
