"""A real, throwaway PostgreSQL server for the test session (scripts/postgres.sh does the
work: installs Debian's `postgresql` if absent, initdb, pg_ctl), and a fresh database per test.

GOVTRACE_TEST_POSTGRES_URL=postgresql+psycopg://... uses an existing server instead (its user
must be allowed to CREATE DATABASE). Outside CI, a machine that cannot run PostgreSQL skips the
PostgreSQL variants with the reason; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from ledger.store import Database, DatabaseOptions

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres.sh"
URL_ENV = "GOVTRACE_TEST_POSTGRES_URL"


class PostgresServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = ""
        self._owned = False
        self._names = itertools.count(1)
        self._template: str | None = None

    def start(self) -> PostgresServer:
        given = os.environ.get(URL_ENV)
        if given:
            self.url = given
            return self
        result = subprocess.run([str(SCRIPT), "start", str(self.root)], capture_output=True,
                                text=True, timeout=300, check=False)
        if result.returncode != 0:
            message = f"PostgreSQL could not be started: {result.stderr.strip()[-2000:]}"
            if os.environ.get("CI"):
                raise RuntimeError(message)
            pytest.skip(message)
        self.url, self._owned = result.stdout.strip().splitlines()[-1], True
        return self

    def stop(self) -> None:
        if self._owned:
            subprocess.run([str(SCRIPT), "stop", str(self.root)], capture_output=True,
                           timeout=120, check=False)
            self._owned = False

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        url = make_url(self.url)
        return psycopg.connect(host=url.host, port=url.port, user=url.username,
                               password=url.password, dbname=url.database or "postgres",
                               autocommit=True)

    def database_url(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def create_database(self, *, schema: bool = True) -> str:
        """A new, empty database (with govtrace's tables when `schema`); returns its URL.

        Tables come from a template database built once per session, which is much faster
        than running DDL for every test.
        """
        name = f"gt_{os.getpid()}_{next(self._names)}"
        if schema and self._template is None:
            self._template = f"gt_{os.getpid()}_template"
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{self._template}"')
            template = Database(DatabaseOptions(url=self.database_url(self._template)))
            template.create_schema()
            template.dispose()
        source = self._template if schema else "template0"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        return self.database_url(name)
