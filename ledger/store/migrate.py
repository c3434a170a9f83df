"""Schema migrations: Alembic revisions in <repo>/migrations, for SQLite and PostgreSQL.

`upgrade(db)` is what every govtrace process that owns a database runs at start: it brings
the schema to the newest revision in one transaction. Concurrent starters are serialised (an
advisory lock on PostgreSQL, the write lock on SQLite), so several hosts may start at once.
A database created with `create_all` (tables, no `alembic_version`) is adopted: as the newest
revision when it matches the ORM exactly, else as BASELINE, the schema every release before
migrations created, and upgraded from there.

`Database.create_schema()` (straight from the ORM metadata) stays for tests and throwaway
databases; `differences(db)` is empty when a migrated database matches the ORM exactly,
which a test checks so that no table is added without its migration.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection

from .database import Database, DatabaseOptions
from .schema import Base

BASELINE = "0001"
#: pg_advisory_xact_lock key ("gvtr"): one migrator at a time across hosts.
_LOCK_KEY = 0x67767472


def metadata() -> MetaData:
    from . import models  # noqa: F401 - registers every table on Base.metadata

    return Base.metadata


def migrations_dir() -> Path:
    """The `migrations` directory beside `ledger` (a checkout, or an installed wheel, where
    it is a package of its own)."""
    beside = Path(__file__).resolve().parents[2] / "migrations"
    if (beside / "env.py").is_file():
        return beside
    spec = importlib.util.find_spec("migrations")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the govtrace migrations directory is missing")
    return Path(spec.origin).parent


def configure_context(context: Any, connection: Connection) -> None:
    """The one `context.configure` call, shared by env.py and `differences`."""
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def current(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate to `revision` (default: the newest), atomically."""
    with db.engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        tables = inspect(conn)
        cfg = config(conn)
        if not tables.has_table("alembic_version") and tables.has_table("record"):
            # Made by create_all: of this very schema (tests, tools) -> head; otherwise by a
            # release from before migrations -> the baseline, and upgrade from there.
            command.stamp(cfg, "head" if not _compare(conn) else BASELINE)
        command.upgrade(cfg, revision)


def downgrade(db: Database, revision: str) -> None:
    with db.engine.begin() as conn:
        command.downgrade(config(conn), revision)


def differences(db: Database) -> list[Any]:
    """What autogenerate would change to make the database match the ORM ([] = in sync)."""
    with db.engine.connect() as conn:
        return _compare(conn)


def _compare(conn: Connection) -> list[Any]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                 "target_metadata": metadata()})
    return list(compare_metadata(ctx, metadata()))


__all__ = ["current", "differences", "downgrade", "head", "metadata", "upgrade"]


def open_migrated(options: DatabaseOptions) -> Database:
    """The database, migrated to the newest schema: how every govtrace process opens it."""
    db = Database(options)
    try:
        upgrade(db)
    except BaseException:
        db.dispose()
        raise
    return db
