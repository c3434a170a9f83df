"""Record ids govtrace makes itself: UUIDv7 (RFC 9562 §5.7), checked field by field with the
standard library's parser, ordered by time, and accepted by the record validator."""

from __future__ import annotations

import time
import uuid

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger import record_ids
from ledger.record import check_uuid

MS = st.integers(min_value=0, max_value=2**48 - 1)
BITS = st.integers(min_value=0, max_value=2**80 - 1)


@given(MS, BITS)
def test_from_parts_lays_out_the_rfc_9562_fields(unix_ms: int, bits: int) -> None:
    text = record_ids.from_parts(unix_ms, bits)
    parsed = uuid.UUID(text)
    assert str(parsed) == text == check_uuid(text)  # lowercase, canonical form
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    value = parsed.int
    assert value >> 80 == unix_ms
    assert (value >> 64) & 0xFFF == bits >> 68  # rand_a: the top 12 random bits
    assert value & (2**62 - 1) == bits & (2**62 - 1)  # rand_b: the low 62


@given(MS, MS, BITS, BITS)
def test_ids_of_different_milliseconds_sort_by_time(a: int, b: int, x: int, y: int) -> None:
    assume(a != b)
    first, second = sorted([(a, x), (b, y)])
    assert record_ids.from_parts(*first) < record_ids.from_parts(*second)


@pytest.mark.parametrize("unix_ms", [-1, 2**48])
def test_from_parts_refuses_times_outside_48_bits(unix_ms: int) -> None:
    with pytest.raises(ValueError, match="48 bits"):
        record_ids.from_parts(unix_ms, 0)


def test_new_record_id_carries_the_current_time_and_is_unique() -> None:
    before = time.time_ns() // 1_000_000
    ids = [record_ids.new_record_id() for _ in range(10_000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    stamps = [uuid.UUID(i).int >> 80 for i in ids]
    assert all(before <= s <= after for s in stamps)
    assert stamps == sorted(stamps)
    assert {uuid.UUID(i).version for i in ids} == {7}
