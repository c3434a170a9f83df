"""Engine and session set-up. SQLite runs in WAL mode with durable commits by default."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .schema import Base


@dataclass(frozen=True)
class DatabaseOptions:
    url: str = "sqlite:///data/govtrace.db"
    #: SQLite `synchronous`: FULL fsyncs every commit (acknowledged == durable).
    sqlite_synchronous: str = "FULL"
    echo: bool = False


class Database:
    """Owns the engine; hands out sessions whose transactions write atomically."""

    def __init__(self, options: DatabaseOptions | None = None) -> None:
        self.options = options or DatabaseOptions()
        url = make_url(self.options.url)
        self.is_sqlite = url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": self.options.echo}
        if self.is_sqlite:
            if url.database and url.database != ":memory:":
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            self._configure_sqlite()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(govtrace_read_only=True), expire_on_commit=False
        )

    def _configure_sqlite(self) -> None:
        sync = self.options.sqlite_synchronous

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, issue BEGIN; see the "begin" hook below.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={sync}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Writers take the write lock up front: read-then-write transactions (seq
            # assignment) must not interleave, and IMMEDIATE avoids SQLITE_BUSY upgrade
            # deadlocks. Readers use a deferred BEGIN and never block on each other in WAL.
            read_only = conn.get_execution_options().get("govtrace_read_only", False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    def create_schema(self) -> None:
        from . import models  # noqa: F401 - registers every table on Base.metadata

        Base.metadata.create_all(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only session seeing one consistent snapshot; never takes the write lock."""
        with self._read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
