"""Supervision fixtures: the domain's real SQLite ledger with the sample catalogue."""

from __future__ import annotations

from tests.domain.conftest import ledger_db

__all__ = ["ledger_db"]
