"""Reading alerts: filters, keyset paging, and whether the facts behind each are anchored.

Anchoring status is looked up at read time, not stored: batches are sealed and anchored
after the alert was computed, and a reorg can take a confirmation back.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from .. import anchoring, lookup
from ..batch import Batch
from ..errors import InvalidInput
from ..store.supervision_schema import AlertRow
from .config import KINDS, SEVERITIES, Fact


@dataclass(frozen=True, slots=True)
class AlertFilter:
    provinces: frozenset[int] | None = None  # None: every province
    severity: str | None = None
    kind: str | None = None
    item_code: str | None = None
    case_no: str | None = None
    #: raised_at within [since, until), canonical UTC timestamps
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        if self.severity is not None and self.severity not in SEVERITIES:
            raise InvalidInput(f"severity must be one of {', '.join(SEVERITIES)}",
                               field="severity")
        if self.kind is not None and self.kind not in KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise InvalidInput("since must be before until", field="since")


def encode_cursor(row: AlertRow) -> str:
    raw = json.dumps([row.raised_at, row.alert_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        raised_at, alert_id = value
        if isinstance(raised_at, str) and isinstance(alert_id, str):
            return raised_at, alert_id
    except (ValueError, TypeError):
        pass
    raise InvalidInput("cursor is not one this API returned", field="cursor")


def _filtered(q: Select[Any], f: AlertFilter) -> Select[Any]:
    if f.provinces is not None:
        q = q.where(AlertRow.province.in_(sorted(f.provinces)))
    for column, value in ((AlertRow.severity, f.severity), (AlertRow.kind, f.kind),
                          (AlertRow.item_code, f.item_code)):
        if value is not None:
            q = q.where(column == value)
    if f.case_no is not None:
        q = q.where(AlertRow.subject_type == "case", AlertRow.subject_id == f.case_no)
    if f.since is not None:
        q = q.where(AlertRow.raised_at >= f.since)
    if f.until is not None:
        q = q.where(AlertRow.raised_at < f.until)
    return q


def counts(session: Session, f: AlertFilter) -> dict[str, int]:
    """Alerts matching `f` per severity."""
    ids = _filtered(select(AlertRow), f).with_only_columns(AlertRow.severity).subquery()
    return {sev: n for sev, n in session.execute(
        select(ids.c.severity, func.count()).group_by(ids.c.severity))}


def page(session: Session, f: AlertFilter, *, cursor: str | None = None, limit: int = 50
         ) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first (by when the alert was raised); the cursor continues after the last."""
    q = _filtered(select(AlertRow), f)
    if cursor is not None:
        raised_at, alert_id = decode_cursor(cursor)
        q = q.where(or_(AlertRow.raised_at < raised_at,
                        and_(AlertRow.raised_at == raised_at, AlertRow.alert_id < alert_id)))
    q = q.order_by(AlertRow.raised_at.desc(), AlertRow.alert_id.desc()).limit(limit + 1)
    rows: list[AlertRow] = list(session.scalars(q))
    more = len(rows) > limit
    rows = rows[:limit]
    status = _AnchorStatus(session)
    return [view(r, status) for r in rows], encode_cursor(rows[-1]) if more and rows else None


class _AnchorStatus:
    """pending / sealed / anchored per fact; each batch and its anchor are read once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: list[tuple[Batch, dict[str, Any]]] = []

    def of(self, fact: Fact) -> dict[str, Any]:
        for b, status in self.known:
            if b.province == fact.province and b.contains(fact.seq):
                return status
        found = lookup.batch_of(self.session, fact.province, fact.seq)
        if found is None:
            return {"status": "pending", "batch_no": None, "tx_hash": None}
        a = anchoring.get(self.session, found.province, found.batch_no)
        confirmed = a is not None and a.confirmed
        status = {"status": "anchored" if confirmed else "sealed",
                  "batch_no": found.batch_no,
                  "tx_hash": a.tx_hash if confirmed and a is not None else None}
        self.known.append((found, status))
        return status


def view(row: AlertRow, status: _AnchorStatus) -> dict[str, Any]:
    facts = [{**f, **status.of(Fact.from_json(f))} for f in json.loads(row.facts)]
    return {"alert_id": row.alert_id, "kind": row.kind, "severity": row.severity,
            "subject": {"type": row.subject_type, "id": row.subject_id},
            "case_no": row.subject_id if row.subject_type == "case" else None,
            "province": row.province, "item_code": row.item_code, "reason": row.reason,
            "raised_at": row.raised_at, "updated_at": row.updated_at,
            "anchored": bool(facts) and all(f["status"] == "anchored" for f in facts),
            "facts": facts}
