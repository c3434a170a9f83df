"""Engine and session set-up for SQLite (embedded, one host) and PostgreSQL (production).

SQLite runs in WAL mode with durable commits; writers take the database write lock up front
(BEGIN IMMEDIATE), which serialises them across threads and processes. PostgreSQL runs at READ
COMMITTED; writers serialise per province by locking the province_head row (SELECT ... FOR
UPDATE), and read-only snapshots run at REPEATABLE READ so one request sees one state.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, text
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from .schema import Base
from .sqlite_wal import WAL_AUTOCHECKPOINT_PAGES, WalCheckpointer, WriterGate


@dataclass(frozen=True)
class DatabaseOptions:
    url: str = "sqlite:///data/govtrace.db"
    #: SQLite `synchronous`: FULL fsyncs every commit (acknowledged == durable).
    sqlite_synchronous: str = "FULL"
    echo: bool = False
    #: PostgreSQL connection pool per process (SQLAlchemy QueuePool size and overflow).
    pool_size: int = 10
    max_overflow: int = 20
    #: Seconds to wait for a PostgreSQL connection (server down: fail fast, the caller retries).
    connect_timeout: int = 10
    #: SQLite file: checkpoint the WAL from a background thread this often (seconds), so no
    #: committing request pays for it (ledger/store/sqlite_wal.py); None: writers do it.
    sqlite_checkpoint_interval: float | None = None


#: SQLSTATEs after which the whole transaction may simply be run again: serialization
#: failure and deadlock (PostgreSQL aborts one of the deadlocked transactions).
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def normalise_url(url: str) -> URL:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would otherwise pick psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def takes_percent(dialect: Dialect) -> bool:
    """Whether the driver takes `%s` / `%(name)s` placeholders (psycopg), not `?` / `:name`."""
    return dialect.paramstyle in ("format", "pyformat")


@functools.lru_cache(maxsize=256)
def to_percent(sql: str) -> str:
    """`sql` written with sqlite3's placeholders (`?`, `:name`) in psycopg's (`%s`,
    `%(name)s`). For the hot paths that bypass SQLAlchemy's compiler (ingest, evidence,
    audit); their statements hold no literal `?` or `:word`."""
    return re.sub(r":(\w+)", r"%(\1)s", sql).replace("?", "%s")


def driver_sql(dialect: Dialect, sql: str) -> str:
    """`sql` (sqlite3's placeholders) in the driver's own paramstyle."""
    return to_percent(sql) if takes_percent(dialect) else sql


_LIST = re.compile(r"IN \{(\w+)\}")


@functools.cache
def _list_names(sql: str) -> tuple[str, ...]:
    return tuple(_LIST.findall(sql))


@functools.cache
def _in_lists(sql: str, postgres: bool, sizes: tuple[tuple[str, int], ...]) -> str:
    if postgres:  # one array parameter per list: one statement whatever the sizes
        return to_percent(_LIST.sub("= ANY(?)", sql))
    counts = dict(sizes)
    return _LIST.sub(lambda m: "IN (" + ",".join("?" * counts[m.group(1)]) + ")", sql)


def execute_in(conn: Connection, sql: str, *, lock: bool = False,
               **lists: Sequence[object]) -> CursorResult[Any]:
    """Run `sql` (sqlite3 placeholders) on the driver with its `IN {name}` lists bound to
    `lists`; `lock`: as a row-locking query (FOR UPDATE on PostgreSQL; on SQLite the writer's
    BEGIN IMMEDIATE already holds the database write lock).

    SQLite gets `IN (?, ?, …)`. PostgreSQL gets `= ANY(%s)` with one array each: psycopg
    prepares a statement run five times, and PostgreSQL's generic plan for a long IN list of
    parameters compared each row with every parameter (a 500-id probe of subject_head took
    0.7–1.6 s before the table's first ANALYZE); `= ANY(array)` is one statement and an index
    condition on every column it names. SQLAlchemy's expanding IN renders a bind name per
    value on each execution, which cost more than these queries."""
    postgres = conn.dialect.name == "postgresql"
    names = _list_names(sql)
    statement = _in_lists(sql, postgres, tuple((n, len(lists[n])) for n in names))
    if postgres:
        params: tuple[object, ...] = tuple(list(lists[n]) for n in names)
        if lock:
            statement += " FOR UPDATE"
    else:
        params = tuple(v for n in names for v in lists[n])
    return conn.exec_driver_sql(statement, params)


def is_retryable(exc: BaseException) -> bool:
    """Whether `exc` aborted a transaction that can be re-run as is (deadlock, serialization)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return getattr(orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


class Database:
    """Owns the engine; hands out sessions whose transactions write atomically."""

    def __init__(self, options: DatabaseOptions | None = None) -> None:
        self.options = options or DatabaseOptions()
        url = normalise_url(self.options.url)
        self.url = url
        self.is_sqlite = url.get_backend_name() == "sqlite"
        self.is_postgres = url.get_backend_name() == "postgresql"
        kwargs: dict[str, Any] = {"echo": self.options.echo}
        read_options: dict[str, Any] = {"govtrace_read_only": True}
        if self.is_sqlite:
            if url.database and url.database != ":memory:":
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif self.is_postgres:
            # pre_ping: a pooled connection may have died with a server restart or failover.
            kwargs.update(pool_pre_ping=True, pool_size=self.options.pool_size,
                          max_overflow=self.options.max_overflow,
                          connect_args={"connect_timeout": self.options.connect_timeout,
                                        "application_name": "govtrace"})
            read_options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        self.engine: Engine = create_engine(url, **kwargs)
        self._gate: WriterGate | None = None
        self._checkpointer: WalCheckpointer | None = None
        if self.is_sqlite:
            self._configure_sqlite()
            if url.database and url.database != ":memory:":
                path = Path(url.database)
                self._gate = WriterGate(path)
                if self.options.sqlite_checkpoint_interval is not None:
                    self._checkpointer = WalCheckpointer(
                        path, self.options.sqlite_checkpoint_interval)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**read_options), expire_on_commit=False
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
            # 64 MiB page cache (default 2 MiB): record_id, leaf_hash and subject indexes
            # take random keys, so every append touches pages all over them; kept cached,
            # they cost no reads (docs/performance.md).
            cur.execute("PRAGMA cache_size=-65536")
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Writers take the write lock up front: read-then-write transactions (seq
            # assignment) must not interleave, and IMMEDIATE avoids SQLITE_BUSY upgrade
            # deadlocks. Readers use a deferred BEGIN and never block on each other in WAL.
            read_only = conn.get_execution_options().get("govtrace_read_only", False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    def create_schema(self) -> None:
        """Create missing tables straight from the ORM metadata (tests, embedded tools).

        A deployment runs the Alembic migrations instead (`ledger.store.migrate`); a test
        proves both produce the same schema.
        """
        from . import models  # noqa: F401 - registers every table on Base.metadata

        Base.metadata.create_all(self.engine)

    def clock(self, session: Session | None = None) -> float:
        """Seconds since the epoch by the database's clock (read inside `session` if given).

        Leases compare times written by different hosts; with PostgreSQL all of them read
        the one server clock, so host clock skew cannot make two holders overlap. SQLite
        is one host's file, so that host's clock is the database's clock.
        """
        if not self.is_postgres:
            return time.time()
        query = text("SELECT extract(epoch FROM clock_timestamp())")
        if session is not None:
            return float(session.execute(query).scalar_one())
        with self.engine.connect() as conn:
            return float(conn.execute(query).scalar_one())

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error.

        On a SQLite file, writers first queue on the cross-process writer gate, held until
        after COMMIT or ROLLBACK (ledger/store/sqlite_wal.py).
        """
        gate = self._gate
        if gate is not None:
            if self._checkpointer is not None and not self._checkpointer.started:
                self._checkpointer.start()
            gate.acquire()
        try:
            with self.sessions() as session, session.begin():
                yield session
        finally:
            if gate is not None:
                gate.release()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only session seeing one consistent snapshot; never takes the write lock."""
        with self._read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
