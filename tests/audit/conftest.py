"""Fixtures: one pristine, anchored ledger per session (real ingest, sealing, Anvil); each
test tampers with its own copy of the SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from anchors.anvil import AnvilOptions, AnvilProcess
from anchors.audit_chain import ContractRoots
from anchors.chain import Chain
from tests.audit.ledger_kit import FAST, Tamper, anchor_all, build, copy


@pytest.fixture(scope="session")
def audit_anvil() -> Iterator[AnvilProcess]:
    with AnvilProcess(AnvilOptions()) as node:
        yield node


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory, audit_anvil: AnvilProcess
             ) -> tuple[Path, ContractRoots]:
    path = tmp_path_factory.mktemp("audit") / "pristine.db"
    db = build(path)
    try:
        roots = anchor_all(db, Chain(audit_anvil.url, FAST))
    finally:
        db.dispose()  # checkpoints the WAL into the file, so a plain copy is complete
    return path, roots


@pytest.fixture
def ledger(pristine: tuple[Path, ContractRoots], tmp_path: Path) -> Path:
    return copy(pristine[0], tmp_path / "ledger.db")


@pytest.fixture
def roots(pristine: tuple[Path, ContractRoots]) -> ContractRoots:
    return pristine[1]


@pytest.fixture
def tamper(ledger: Path) -> Iterator[Tamper]:
    t = Tamper(ledger)
    yield t
    t.close()
