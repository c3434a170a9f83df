"""The ledger's error tree. `api/` maps these to HTTP problems; nothing here knows HTTP."""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every error raised by the ledger core."""

    #: Short machine-readable code, stable across releases (used in problem `type` URIs).
    code = "ledger-error"


class InvalidRecord(LedgerError):
    """The record does not satisfy the protocol (bad field, float, unknown key, ...)."""

    code = "invalid-record"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CanonicalizationError(InvalidRecord):
    """The value cannot be encoded as RFC 8785 JSON (float, huge integer, lone surrogate...)."""

    code = "not-canonicalizable"


class Conflict(LedgerError):
    """The request contradicts what the ledger already holds."""

    code = "conflict"


class DuplicateRecord(Conflict):
    """The record id exists with different content: nothing was changed."""

    code = "duplicate-record"


class ChainConflict(Conflict):
    """`prev` does not name the latest record of the subject: the hash chain would fork."""

    code = "chain-conflict"


class NotFound(LedgerError):
    """No such record, batch or anchor."""

    code = "not-found"


class NotYetSealed(LedgerError):
    """The record exists but is not in a sealed batch yet, so no proof exists."""

    code = "not-sealed"


class VerificationError(LedgerError):
    """A hash, proof or bundle failed verification. `reason` is a stable short code."""

    code = "verification-failed"

    def __init__(self, message: str, *, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


class StorageError(LedgerError):
    """The database refused or failed an operation."""

    code = "storage-error"
