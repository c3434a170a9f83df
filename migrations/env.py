"""Alembic environment: the target schema is `ledger.store.models` (every table module).

The database comes from, in order: a connection handed over by `ledger.store.migrate`
(config.attributes["connection"]), `-x url=...` on the alembic command line, or
GOVTRACE_DATABASE_URL / GOVTRACE_DATA_DIR through govtrace's Settings.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ledger.store import Database, DatabaseOptions
from ledger.store.migrate import configure_context

config = context.config


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from govtrace.settings import Settings  # only for the command-line tool

    return Settings().database_options().url


def _run(connection: Connection) -> None:
    configure_context(context, connection)
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
if given is not None:
    _run(given)
else:
    db = Database(DatabaseOptions(url=_url()))
    try:
        with db.engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        db.dispose()
