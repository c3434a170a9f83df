"""One retried write transaction for domain services that do more than append records.

Same failure rules as `ledger.ingest.append`: an IntegrityError means a concurrent writer got
there first (re-run, and the work sees what it did); a retryable OperationalError means the
database aborted us to break a deadlock (re-run); anything else is a StorageError. The work
function must therefore be safe to run again from scratch: it only touches its session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .errors import StorageError
from .store import Database
from .store.database import is_retryable

T = TypeVar("T")
RETRIES = 3


def run(db: Database, work: Callable[[Session], T]) -> T:
    for attempt in range(RETRIES):
        try:
            with db.transaction() as session:
                return work(session)
        except IntegrityError as exc:
            if attempt == RETRIES - 1:
                raise StorageError(f"concurrent write conflict persisted: {exc.orig}") from exc
        except OperationalError as exc:
            if is_retryable(exc) and attempt < RETRIES - 1:
                continue
            raise StorageError(f"database unavailable: {exc.orig}") from exc
    raise AssertionError("unreachable")
