"""Record ids: time-ordered UUIDs (version 7, RFC 9562 §5.7) for the records govtrace writes
itself, and the form writers are advised to use for theirs.

A record id is the writer's idempotency key, so any lowercase UUID is accepted
(`ledger.record.check_uuid`). Its order matters for speed, not meaning: the ledger keeps a
unique index on it, and random (version 4) ids land all over that index, so each record of a
commit dirties a page of its own that the commit must write and fsync. Ids that start with
the time go to the index's newest pages, a few per commit (docs/performance.md §2).

Layout (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, the version (7), 12 random
bits, the variant (0b10), 62 random bits. Ids made in the same millisecond are not ordered
among themselves (the RFC's optional counter is not needed for locality); 74 random bits
keep them unique.
"""

from __future__ import annotations

import os
import time

_VERSION = 0x7 << 76
_VARIANT = 0b10 << 62
_RAND_A = ((1 << 12) - 1) << 64
_RAND_B = (1 << 62) - 1


def from_parts(unix_ms: int, random_bits: int) -> str:
    """The UUIDv7 string of `unix_ms` (0 ≤ unix_ms < 2^48) and 80 random bits (of which the
    top 12 and the low 62 are used)."""
    if not 0 <= unix_ms < 1 << 48:
        raise ValueError("unix_ms must fit 48 bits")
    value = (unix_ms << 80) | _VERSION | ((random_bits >> 4) & _RAND_A) | _VARIANT \
        | (random_bits & _RAND_B)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_record_id() -> str:
    """A fresh record id: a UUIDv7 of the current time."""
    return from_parts(time.time_ns() // 1_000_000, int.from_bytes(os.urandom(10), "big"))


__all__ = ["from_parts", "new_record_id"]
