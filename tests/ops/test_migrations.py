"""Alembic migrations on SQLite and PostgreSQL: `upgrade head` yields exactly the ORM schema
(so no table is added without its migration), downgrades cleanly, and adopts databases made
by `create_all` before migrations existed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from ledger import ingest
from ledger.draft import RecordDraft
from ledger.store import Database, DatabaseOptions, migrate
from tests.conftest import BACKENDS, draft_json
from tests.postgres.server import PostgresServer


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return Database(DatabaseOptions(url=f"sqlite:///{tmp_path / 'm.db'}"))
    server: PostgresServer = request.getfixturevalue("postgres")
    return Database(DatabaseOptions(url=server.create_database(schema=False)))


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names()) - {"alembic_version"}


def test_upgrade_head_is_exactly_the_orm_schema(empty: Database) -> None:
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
    differences = migrate.differences(empty)
    assert differences == [], (
        "the ORM and the migrations differ; add a revision with\n"
        "  .venv/bin/alembic revision --autogenerate -m '...'\n"
        f"differences: {differences}")
    assert _tables(empty) == set(migrate.metadata().tables)
    migrate.upgrade(empty)  # idempotent: a second start changes nothing
    ingest.append(empty, [RecordDraft.from_json(draft_json())])  # and the schema works
    empty.dispose()


def test_downgrade_to_base_removes_everything(empty: Database) -> None:
    migrate.upgrade(empty)
    migrate.downgrade(empty, "base")
    assert _tables(empty) == set()
    migrate.upgrade(empty)
    assert migrate.differences(empty) == []
    empty.dispose()


def test_create_all_databases_are_adopted(empty: Database) -> None:
    empty.create_schema()  # as the tests and pre-migration tools make them
    ingest.append(empty, [RecordDraft.from_json(draft_json())])
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
    with empty.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM record")).scalar_one() == 1
    empty.dispose()


def test_pre_migration_database_is_upgraded_from_the_baseline(empty: Database) -> None:
    migrate.upgrade(empty, migrate.BASELINE)  # exactly what releases before migrations made
    with empty.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    ingest_tables = _tables(empty)
    assert "lease" not in ingest_tables and "record" in ingest_tables
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head() and migrate.differences(empty) == []
    empty.dispose()
