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


class IllegalTransition(Conflict):
    """The case or license is not in a state where this step or event may happen."""

    code = "illegal-transition"


class AlreadyExists(Conflict):
    """A case number, license id or catalogue entry that must be new is already taken."""

    code = "already-exists"


class InvalidStep(InvalidRecord):
    """A case step or license event with an unknown name or a payload its kind does not allow."""

    code = "invalid-step"


class InvalidInput(InvalidRecord):
    """A domain request (case submission, catalogue item, license) is malformed."""

    code = "invalid-request"


class Forbidden(LedgerError):
    """The writer is authenticated but the domain rules give this action to someone else."""

    code = "forbidden"


class WrongProvince(Forbidden):
    """The step or event belongs to another province (e.g. review after a forward)."""

    code = "wrong-province"


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


class LedgerInconsistent(LedgerError):
    """Stored ledger data that a sealed batch needs is missing: leaf hashes of its records,
    or nodes of its stored tree tiles. Not the caller's fault and not transient: the database
    was damaged or altered behind the ledger's back (e.g. rows deleted), so no proof can be
    served until an operator runs `govtrace audit` and restores the data."""

    code = "ledger-inconsistent"


class AuditChainUnavailable(LedgerError):
    """The tamper audit could not read anchored roots (chain unreachable, wrong contract)."""

    code = "chain-unavailable"
