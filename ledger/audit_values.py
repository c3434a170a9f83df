"""Values the ledger never writes, in the columns the tamper audit reads: reading and naming them.

The database is the suspect, so any column may hold what the ledger never stores: text that
is not valid UTF-8 (SQLite keeps whatever it is given, and its driver then refuses the whole
row), text or numbers where bytes belong, hashes of the wrong length, a real number for a
seq, NULL (once a NOT NULL constraint is dropped). The audit must name such a value in a
finding, never crash on it (docs/audit.md).

Reading: inside `tolerant(conn)`, SQLite text that does not decode comes back as an
`Undecodable` instead of failing the fetch. That costs a Python call per text value, so the
streaming pass reads with the driver's own decoding and re-reads tolerantly only the chunk of
rows that failed (`undecodable(exc)`, ledger/audit_scan.py); the audit's other reads (per
batch, tile, subject or finding, not per record) are tolerant throughout. PostgreSQL checks
text on the way in, so there only types, lengths and NULLs can be wrong, and `tolerant` does
nothing.

Naming: `text_problem`, `bytes_problem`, `hash_problem` and `int_problem` say in words what a
column holds instead of what it should (None when it is fine); `shown` turns any value into
one the JSON report can hold.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

#: Bytes of an undecodable value quoted in a finding (the rest is elided).
QUOTED = 16


@dataclass(frozen=True, slots=True)
class Undecodable:
    """Text the database holds that is not valid UTF-8; equal to no str and no bytes."""

    raw: bytes

    def __str__(self) -> str:
        return self.raw.decode("utf-8", "backslashreplace")


def _text(raw: bytes) -> str | Undecodable:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return Undecodable(raw)


@contextmanager
def tolerant(conn: Connection) -> Iterator[None]:
    """Within the block, undecodable SQLite text on `conn` reads as `Undecodable`."""
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection):
        yield
        return
    before = raw.text_factory
    raw.text_factory = _text
    try:
        yield
    finally:
        raw.text_factory = before


def undecodable(exc: BaseException) -> bool:
    """Whether `exc` is the SQLite driver refusing a row for text that is not UTF-8."""
    orig = getattr(exc, "orig", None) or exc
    return (isinstance(orig, sqlite3.OperationalError)
            and str(orig).startswith("Could not decode to UTF-8"))


def _quoted(raw: bytes) -> str:
    return "0x" + raw[:QUOTED].hex() + ("…" if len(raw) > QUOTED else "")


def describe(value: object) -> str:
    """What a stored value is, in words."""
    if value is None:
        return "NULL"
    if isinstance(value, Undecodable):
        return f"text that is not valid UTF-8 ({_quoted(value.raw)})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the real number {value!r}"
    return type(value).__name__


def text_problem(column: str, value: object) -> str | None:
    if type(value) is str:
        return None
    if isinstance(value, Undecodable):
        return f"{column} holds {describe(value)}"
    return f"{column} holds {describe(value)}, not text"


def bytes_problem(column: str, value: object) -> str | None:
    return None if type(value) is bytes else f"{column} holds {describe(value)}, not bytes"


def is_hash(value: object) -> bool:
    return type(value) is bytes and len(value) == 32


def hash_problem(column: str, value: object) -> str | None:
    if is_hash(value):
        return None
    return f"{column} holds {describe(value)}, not a 32-byte hash"


def int_problem(column: str, value: object, *, minimum: int | None = None) -> str | None:
    if type(value) is int:
        return None if minimum is None or value >= minimum else (
            f"{column} holds {value}, less than {minimum}")
    return f"{column} holds {describe(value)}, not an integer"


def as_bytes(value: object) -> bytes | None:
    """The bytes a stored value stands for: text as its UTF-8, undecodable text as it is."""
    if type(value) is bytes:
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, Undecodable):
        return value.raw
    return None


def shown(value: Any) -> Any:
    """`value` as the JSON report can hold it (str, int, float or None)."""
    if value is None or type(value) in (str, int, float):
        return value
    if isinstance(value, bytes):
        return _quoted(value)
    return str(value)


def text_or_none(value: object) -> str | None:
    return value if type(value) is str else None
