"""The ingest fast path keeps exact RFC 8785 output: whole records, validated once.

- `_scan` (no per-member path strings) gives the same verdict as `_check` on any value,
  valid or not, and the same "needs the reference sort" answer;
- the record bytes ingest stores (`RecordDraft.encode`, validating only the payload, and the
  `RecordFrame` spliced under the write lock) equal the `rfc8785` package's encoding of the
  whole record, for generated drafts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import canonical
from ledger.canonical import MAX_SAFE_INTEGER, _check, _Invalid, _scan
from ledger.draft import RecordDraft
from ledger.errors import CanonicalizationError
from ledger.record import Record
from tests.conftest import draft_json

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=10)
keys = st.one_of(text, st.sampled_from(["\U0001f600", "\ue000", "a", "é", ""]))
safe = st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
scalars = st.one_of(st.none(), st.booleans(), safe, text)
valid = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=20)
anything = st.recursive(
    st.one_of(scalars, st.floats(allow_nan=False), st.integers(), st.binary(max_size=3),
              st.tuples(st.integers())),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.one_of(keys, st.integers()), inner, max_size=3)),
    max_leaves=15)


def _verdict(fn: Any, value: Any) -> object:
    try:
        return fn(value)
    except (CanonicalizationError, _Invalid):
        return "invalid"


@settings(max_examples=800, deadline=None)
@given(anything)
def test_scan_and_check_agree_on_anything(value: Any) -> None:
    assert _verdict(lambda v: _scan(v, 0), value) == _verdict(lambda v: _check(v, 0, "$"), value)


def test_depth_limit_is_the_same() -> None:
    for depth in (31, 32, 33, 34):
        deep: Any = "x"
        for _ in range(depth):
            deep = [deep]
        assert _verdict(lambda v: _scan(v, 0), deep) == _verdict(
            lambda v: _check(v, 0, "$"), deep), depth


drafts = st.fixed_dictionaries({
    "record_id": st.uuids().map(str), "province": st.sampled_from([310000, 330000]),
    "kind": st.sampled_from(["case.accepted", "case.x_1"]),
    "subject": st.fixed_dictionaries({
        "type": st.just("case"), "id": st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:/-]{0,20}\Z")}),
    "occurred_at": st.just("2026-11-25T08:00:00+08:00"),
    "actor": st.fixed_dictionaries({"department": st.just("SH-GA"),
                                    "officer": st.one_of(st.none(), st.just("E1"))}),
    "payload": st.dictionaries(keys, valid, max_size=5),
})


hashes = st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())


@settings(max_examples=400, deadline=None)
@given(drafts, st.integers(min_value=1, max_value=2**53 - 1), st.one_of(st.none(), hashes),
       st.binary(min_size=16, max_size=16).map(lambda b: "0x" + b.hex()))
def test_stored_record_bytes_equal_rfc8785_of_the_whole_record(
        obj: dict[str, Any], seq: int, prev: str | None, salt: str) -> None:
    draft = RecordDraft.from_json(obj)
    recorded_at = "2026-11-25T00:00:00.000001Z"
    record = Record(record_id=draft.record_id, province=draft.province, seq=seq,
                    kind=draft.kind, subject=draft.subject, occurred_at=draft.occurred_at,
                    recorded_at=recorded_at, actor=draft.actor,
                    prev=prev, payload=draft.payload, salt=salt)
    stored = draft.encode(record.to_json())
    assert stored == rfc8785.dumps(record.to_json()) == record.canonical_bytes()
    frame = draft.frame(salt)
    assert frame is not None
    assert frame.splice(prev, orjson.dumps(recorded_at), seq) == stored
    assert draft.content_digest() == RecordDraft(**{
        f: getattr(draft, f) for f in ("record_id", "province", "kind", "subject",
                                       "occurred_at", "actor", "payload")}).content_digest()
    assert canonical.needs_reference(draft.payload) == draft.payload_reference


def test_a_draft_copied_with_another_payload_is_validated_again() -> None:
    draft = RecordDraft.from_json(draft_json())
    assert draft.payload_reference is False
    copy = dataclasses.replace(draft, payload={**draft.payload, "amount": 1.5})
    assert copy.payload_reference is None
    assert copy.frame("0x" + "00" * 16) is None  # ingest then encodes the whole record
    with pytest.raises(CanonicalizationError, match="floats"):
        copy.content_digest()
