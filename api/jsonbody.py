"""Request bodies: read once, parse once with orjson, and explain failures precisely.

The fast path is a single `orjson.loads`. Only when something is already wrong do we look
again, with the standard library, to say *why*: orjson turns integer literals beyond 64 bits
into floats and refuses numbers beyond the double range, which would otherwise surface as a
misleading "floats are not allowed" or "not valid JSON".
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from ledger.canonical import MAX_SAFE_INTEGER
from ledger.errors import CanonicalizationError, InvalidRecord

from .problems import ApiProblem

_EXAMPLE_LIMIT = 40  # characters of an offending literal quoted back to the client


class _Inexact(int):
    """An integer literal the protocol cannot hash exactly (beyond ±(2^53−1))."""


class _FloatLiteral(float):
    """Any number literal written with a fraction or exponent."""

    literal: str


def _parse_int(text: str) -> int:
    value = int(text)
    return _Inexact(value) if abs(value) > MAX_SAFE_INTEGER else value


def _parse_float(text: str) -> float:
    value = _FloatLiteral(float(text))
    value.literal = text
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _diagnostic_parse(body: bytes) -> Any:
    """Parse like orjson would, but keep number literals identifiable; None if unparseable."""
    try:
        return json.loads(body.decode("utf-8"), parse_int=_parse_int,
                          parse_float=_parse_float, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def find_bad_number(value: Any, path: str = "") -> tuple[str, str] | None:
    """(path, literal) of the first number the ledger cannot hash exactly, if any."""
    if isinstance(value, _Inexact):
        return path, str(int(value))[:_EXAMPLE_LIMIT]
    if isinstance(value, _FloatLiteral):
        return path, value.literal[:_EXAMPLE_LIMIT]
    if isinstance(value, dict):
        for key, item in value.items():
            if found := find_bad_number(item, f"{path}.{key}" if path else key):
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if found := find_bad_number(item, f"{path}[{i}]"):
                return found
    return None


def number_problem(path: str, literal: str) -> InvalidRecord:
    where = path or "body"
    if "." in literal or "e" in literal.lower():
        return CanonicalizationError(
            f"{where}: number {literal} has a fraction or exponent; records admit only "
            "integers (send decimals as strings)", field=path or None)
    return CanonicalizationError(
        f"{where}: integer {literal} is outside ±(2^53−1) and cannot be hashed exactly "
        "(send it as a string)", field=path or None)


def parse(body: bytes) -> Any:
    """The JSON value of `body`; ApiProblem 400 if it is not JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if body.strip() and (found := find_bad_number(_diagnostic_parse(body))):
            # Valid JSON that orjson cannot represent (e.g. 1e400): a record problem, not 400.
            raise number_problem(*found) from exc
        detail = "request body is empty" if not body.strip() else \
            f"request body is not valid JSON: {exc.msg} (at character {exc.pos})"
        raise ApiProblem("malformed-json", detail) from exc


class LazyDiagnosis:
    """Re-parses the body at most once, and only when a record turned out to be invalid."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._value: Any = None
        self._parsed = False

    def value(self) -> Any:
        if not self._parsed:
            self._value, self._parsed = _diagnostic_parse(self._body), True
        return self._value

    def refine(self, exc: InvalidRecord, index: int | None = None) -> InvalidRecord:
        """A more precise error for a record (`index` within a batch) that failed validation.

        `RecordDraft.from_json` canonicalises only the payload, so a CanonicalizationError
        is about the payload; its message starts with a `$`-path, which becomes `field`.
        """
        if exc.field == "province":
            where = "province"
        elif isinstance(exc, CanonicalizationError):
            where = "payload"
        else:
            return exc
        record = self.value()
        if index is not None:
            batch = record.get("records") if isinstance(record, dict) else None
            record = batch[index] if isinstance(batch, list) and index < len(batch) else None
        if isinstance(record, dict) and (found := find_bad_number(record.get(where), where)):
            return number_problem(*found)
        return exc
