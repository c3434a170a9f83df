"""Fixtures shared by every suite: real SQLite files, a real PostgreSQL server, record factories."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.draft import RecordDraft
from ledger.store import Database, DatabaseOptions
from tests.postgres.server import PostgresServer

DraftFactory = Callable[..., RecordDraft]


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session, started on first use."""
    server = PostgresServer(tmp_path_factory.mktemp("postgres")).start()
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database with govtrace's tables: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
        Database(DatabaseOptions(url=url)).create_schema()
        return url
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The storage suites run on both databases (the `database_url` parameters)."""
    database = Database(DatabaseOptions(url=database_url))
    database.create_schema()
    yield database
    database.dispose()


def draft_json(province: int = 310000, *, case: str = "310000-2026-000001",
               kind: str = "case.submitted", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": str(uuid.uuid4()),
        "province": province,
        "kind": kind,
        "subject": {"type": kind.split(".")[0], "id": case},
        "occurred_at": "2026-11-25T09:30:00+08:00",
        "actor": {"department": "SH-AMR", "officer": "E1024"},
        "payload": {"item": "business-licence-change", "applicant": "0x" + "ab" * 32},
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_draft() -> DraftFactory:
    counter = itertools.count()

    def make(province: int = 310000, **overrides: Any) -> RecordDraft:
        overrides.setdefault("case", f"{province}-2026-{next(counter):06d}")
        return RecordDraft.from_json(draft_json(province, **overrides))

    return make
