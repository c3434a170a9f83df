"""Citizen query codes (查询码): issued once at submission, stored only as a slow salted hash.

A code is 12 characters from a 32-letter alphabet without look-alikes (0/O, 1/I), shown as
`XXXX-XXXX-XXXX`: 60 bits, so guessing online is hopeless even before rate limiting, and a
stolen database still needs ~2^59 PBKDF2 evaluations per case to recover a code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 12
#: PBKDF2-HMAC-SHA256 iterations. Stored with each hash, so it can be raised later.
ITERATIONS = 60_000
_SCHEME = "pbkdf2-sha256"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def normalize(code: str) -> str | None:
    """Upper-case without separators; None if it cannot be a code (so it never matches)."""
    raw = code.replace("-", "").replace(" ", "").upper()
    if len(raw) != LENGTH or any(c not in ALPHABET for c in raw):
        return None
    return raw


def hash_code(code: str, *, iterations: int = ITERATIONS) -> str:
    raw = normalize(code)
    if raw is None:
        raise ValueError("not a query code")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", raw.encode(), salt, iterations)
    return f"{_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


#: Checked against when the case does not exist, so both answers take the same time.
_DUMMY = f"{_SCHEME}${ITERATIONS}${'00' * 16}${'00' * 32}"


def matches(code: str, stored: str | None) -> bool:
    """Whether `code` opens `stored`; costs one PBKDF2 whatever the input (timing)."""
    scheme, iterations, salt, digest = (stored or _DUMMY).split("$")
    raw = normalize(code) or "!" * LENGTH
    computed = hashlib.pbkdf2_hmac("sha256", raw.encode(), bytes.fromhex(salt),
                                   int(iterations))
    return stored is not None and scheme == _SCHEME and hmac.compare_digest(
        computed, bytes.fromhex(digest))
