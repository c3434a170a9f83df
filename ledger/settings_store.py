"""Durable deployment facts (e.g. which contract this ledger anchors to), kept in the database."""

from __future__ import annotations

from sqlalchemy import delete

from .store import Database
from .store.schema import AnchorRow, SettingRow


def get(db: Database, key: str) -> str | None:
    with db.snapshot() as s:
        row = s.get(SettingRow, key)
        return None if row is None else row.value


def put(db: Database, key: str, value: str) -> None:
    with db.transaction() as s:
        row = s.get(SettingRow, key)
        if row is None:
            s.add(SettingRow(key=key, value=value))
        else:
            row.value = value


def forget_anchors(db: Database, contract: str) -> int:
    """Drop anchor rows pointing at a contract that no longer exists, so batches re-anchor.

    Only anchor bookkeeping goes; records and batches are untouched.
    """
    with db.transaction() as s:
        result = s.execute(delete(AnchorRow).where(AnchorRow.contract == contract))
        return int(getattr(result, "rowcount", 0) or 0)
