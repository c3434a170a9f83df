"""Fixtures of the fault suite: an empty database of each kind (the processes under test
migrate it themselves, as in production) and a session Anvil for tests that do not stop it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from anchors.anvil import AnvilOptions, AnvilProcess
from tests.conftest import BACKENDS
from tests.faults.kit import Proc, Spawn
from tests.postgres.server import PostgresServer


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database(schema=False)


@pytest.fixture(scope="session")
def fault_anvil() -> Iterator[AnvilProcess]:
    with AnvilProcess(AnvilOptions(quiet=True)) as node:
        yield node


@pytest.fixture(scope="session")
def zero_gas_anvil() -> Iterator[AnvilProcess]:
    """A free-gas chain (base fee 0, gas price 0), like a permissioned Besu network."""
    with AnvilProcess(AnvilOptions.zero_gas(chain_id=1338, quiet=True)) as node:
        yield node


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start `govtrace ...` children; whatever is still running at teardown is stopped, so a
    failing test leaves no process behind."""
    started: list[Proc] = []

    def start(args: list[str], env: dict[str, str], log: Path) -> Proc:
        started.append(Proc(args, env, log).start())
        return started[-1]

    yield start
    for proc in started:
        proc.stop()
