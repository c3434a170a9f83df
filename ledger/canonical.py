"""RFC 8785 (JCS) canonical JSON for govtrace records.

The protocol admits strings, integers, booleans, null, objects and arrays: no floats.
For that subset JCS output equals orjson's compact, key-sorted output, with one exception:
JCS sorts object keys by UTF-16 code units, orjson by code point, and the two orders differ
only when a key holds a character above U+FFFF. Such objects fall back to the reference
`rfc8785` package. Property tests (tests/ledger/test_canonical.py) check byte equality with
`rfc8785` on generated values; the fast path is about 10x quicker, which matters at ingest.
"""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785

from .errors import CanonicalizationError

# JCS serialises numbers as IEEE 754 doubles; beyond 2^53 integers would silently round.
MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 32

JsonValue = None | bool | int | str | list["JsonValue"] | dict[str, "JsonValue"]


def _check(value: Any, depth: int, path: str) -> bool:
    """Validate `value` against the protocol subset; return True if a key needs JCS sorting."""
    if depth > MAX_DEPTH:
        raise CanonicalizationError(f"{path}: nesting deeper than {MAX_DEPTH}", field=path)
    t = type(value)
    if t is str:
        return False
    if t is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalizationError(
                f"{path}: integer outside ±(2^53−1) cannot be exact", field=path
            )
        return False
    if value is None or t is bool:
        return False
    if t is dict:
        slow = False
        for key, item in value.items():
            if type(key) is not str:
                raise CanonicalizationError(f"{path}: object keys must be strings", field=path)
            if not key.isascii() and any(ord(c) > 0xFFFF for c in key):
                slow = True
            slow = _check(item, depth + 1, f"{path}.{key}") or slow
        return slow
    if t is list:
        slow = False
        for i, item in enumerate(value):
            slow = _check(item, depth + 1, f"{path}[{i}]") or slow
        return slow
    if t is float:
        raise CanonicalizationError(
            f"{path}: floats are not allowed (use a string or integer)", field=path
        )
    raise CanonicalizationError(f"{path}: {t.__name__} is not a JSON value", field=path)


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 bytes of `value`, or raise CanonicalizationError."""
    needs_reference = _check(value, 0, "$")
    try:
        if needs_reference:
            return bytes(rfc8785.dumps(value))
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, rfc8785.CanonicalizationError, UnicodeError) as exc:
        # Lone surrogates are the remaining way to get here: they have no UTF-8 form.
        raise CanonicalizationError(f"$: not encodable as UTF-8 JSON ({exc})", field="$") from exc


def parse(data: bytes) -> Any:
    """Parse JSON bytes (strictly: no NaN, duplicate-free by construction of the encoder)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise CanonicalizationError(f"not valid JSON: {exc}") from exc
