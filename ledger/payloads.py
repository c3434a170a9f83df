"""Payload rules for case steps and license events: a tiny declarative schema.

Each step kind admits exactly the fields its rule lists, so a province system cannot slip
extra (possibly personal) data into a record through a free-form payload, and every record
of a kind has the same shape for whoever verifies it later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import InvalidStep
from .province import PROVINCES

Check = Callable[[Any, str], Any]
_HASH = re.compile(r"^0x[0-9a-f]{64}$")
_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")


def _fail(field: str, message: str) -> InvalidStep:
    return InvalidStep(f"{field} {message}", field=field)


def text(max_len: int) -> Check:
    """A non-empty string of at most `max_len` characters, without control characters."""

    def check(value: Any, field: str) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > max_len:
            raise _fail(field, f"must be a non-empty string of at most {max_len} characters")
        if any(ord(c) < 0x20 for c in value):
            raise _fail(field, "must not contain control characters")
        return value

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any, field: str) -> str:
        if value not in choices:
            raise _fail(field, f"must be one of {', '.join(choices)}")
        return str(value)

    return check


def integer(low: int, high: int) -> Check:
    def check(value: Any, field: str) -> int:
        if type(value) is not int or not low <= value <= high:
            raise _fail(field, f"must be an integer from {low} to {high}")
        return value

    return check


def province(value: Any, field: str) -> int:
    if type(value) is not int or value not in PROVINCES:
        raise _fail(field, "must be a province-level GB/T 2260 code, e.g. 330000")
    return value


def digest(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _HASH.match(value):
        raise _fail(field, "must be 0x followed by 64 lowercase hex digits")
    return value


def ident(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _IDENT.match(value):
        raise _fail(field, "must be 1-64 characters of A-Z a-z 0-9 . _ : / - "
                    "(starting alphanumeric)")
    return value


def day(value: Any, field: str) -> str:
    """An ISO calendar date, YYYY-MM-DD."""
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise _fail(field, "must be a date YYYY-MM-DD") from None
    return value


def nullable(inner: Check) -> Check:
    def check(value: Any, field: str) -> Any:
        return None if value is None else inner(value, field)

    return check


def text_list(max_items: int, max_len: int) -> Check:
    item = text(max_len)

    def check(value: Any, field: str) -> list[str]:
        if not isinstance(value, list) or not 1 <= len(value) <= max_items:
            raise _fail(field, f"must be a list of 1 to {max_items} strings")
        return [item(v, f"{field}[{i}]") for i, v in enumerate(value)]

    return check


@dataclass(frozen=True, slots=True)
class Shape:
    """The fields a payload must and may have."""

    required: Mapping[str, Check]
    optional: Mapping[str, Check]

    def validate(self, payload: Mapping[str, Any], kind: str) -> dict[str, Any]:
        keys = set(payload)
        if missing := sorted(set(self.required) - keys):
            raise _fail(f"payload.{missing[0]}", f"is required for {kind}")
        if unknown := sorted(keys - set(self.required) - set(self.optional)):
            allowed = ", ".join(sorted({*self.required, *self.optional})) or "no fields"
            raise _fail(f"payload.{unknown[0]}", f"is not a field of {kind} (allowed: "
                        f"{allowed})")
        checks = {**self.required, **self.optional}
        return {k: checks[k](v, f"payload.{k}") for k, v in payload.items()}


def shape(required: Mapping[str, Check] | None = None,
          optional: Mapping[str, Check] | None = None) -> Shape:
    return Shape(dict(required or {}), dict(optional or {}))
