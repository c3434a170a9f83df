"""The fast canonical encoder must produce exactly RFC 8785 bytes (reference: rfc8785)."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.canonical import MAX_SAFE_INTEGER, canonicalize
from ledger.errors import CanonicalizationError

# Text without lone surrogates (they have no UTF-8 form and are rejected separately).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
keys = st.one_of(text, st.sampled_from(["\ue000", "\U0001f600", "a", "\u00e9", "\uffff",
                                        "\U00010000", "Z", ""]))
scalars = st.one_of(st.none(), st.booleans(),
                    st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER), text)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)


@settings(max_examples=600, deadline=None)
@given(values)
def test_canonicalize_equals_rfc8785_reference(value: Any) -> None:
    assert canonicalize(value) == rfc8785.dumps(value)


def test_keys_sort_by_utf16_code_units_not_code_points() -> None:
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+E000, unlike by code point.
    assert canonicalize({"\ue000": 1, "\U0001f600": 2}) == (
        '{"\U0001f600":2,"\ue000":1}'.encode())


def test_control_characters_use_json_stringify_escapes() -> None:
    assert canonicalize({"s": "\x00\x1f\b\t\n\f\r\"\\/\x7f\u2028"}) == (
        b'{"s":"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\x7f\xe2\x80\xa8"}')


@pytest.mark.parametrize("bad", [
    {"amount": 1.5}, {"amount": 1.0}, [float("nan")], {"n": MAX_SAFE_INTEGER + 1},
    {"n": -MAX_SAFE_INTEGER - 1}, {1: "int key"}, {"s": "\ud800"}, {"t": (1, 2)},
    {"b": b"bytes"}, {"d": {"e": {"f": set()}}},
])
def test_values_outside_the_protocol_are_rejected(bad: Any) -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize(bad)


def test_nesting_depth_is_bounded() -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    with pytest.raises(CanonicalizationError, match="nesting"):
        canonicalize(deep)
