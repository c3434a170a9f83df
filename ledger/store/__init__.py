"""Relational storage for the ledger (SQLAlchemy 2; SQLite by default, PostgreSQL in production)."""

from .database import Database, DatabaseOptions

__all__ = ["Database", "DatabaseOptions"]
