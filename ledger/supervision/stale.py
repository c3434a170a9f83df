"""The append side of supervision: flag a case's alerts stale in the append transaction.

Kept apart from the rules so that `ledger.transitions` (imported by ingest) pulls in one
table and nothing else; the refresh (ledger/supervision/refresh.py) does the real work later.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.supervision_schema import SupervisedCaseRow

CHUNK = 200


def mark(session: Session, case_nos: Iterable[str]) -> None:
    """Flag cases stale; one indexed read per chunk, rows locked in key order like every
    other lock of the append path."""
    ids = sorted(set(case_nos))
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        found = {r.case_no: r for r in session.scalars(
            select(SupervisedCaseRow).where(SupervisedCaseRow.case_no.in_(chunk))
            .order_by(SupervisedCaseRow.case_no).with_for_update())}
        for no in chunk:
            if no in found:
                found[no].stale = True
            else:
                session.add(SupervisedCaseRow(case_no=no, stale=True))
