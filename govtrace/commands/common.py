"""Helpers shared by CLI commands: settings, the database, and failing with a clear message."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from govtrace.settings import Settings
from ledger.store import Database, migrate

DataDir = Annotated[Path | None, typer.Option(help="Data directory [GOVTRACE_DATA_DIR].")]
DatabaseUrl = Annotated[str | None, typer.Option(help="SQLAlchemy URL [GOVTRACE_DATABASE_URL].")]

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_CANNOT_CHECK = 3


def settings(data_dir: Path | None = None, database_url: str | None = None) -> Settings:
    overrides: dict[str, Any] = {"data_dir": data_dir, "database_url": database_url}
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def open_db(s: Settings) -> Database:
    """The database, migrated to the newest schema (like every govtrace process does)."""
    db = Database(s.database_options())
    try:
        migrate.upgrade(db)
    except BaseException:
        db.dispose()
        raise
    return db


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
