"""Fixtures: each test module gets its own live server and database (module scope), so
tests that seal or anchor do not disturb tests that expect pending records."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.live import Live, issue_keys, live_server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("govtrace"),
                     chain_status=lambda: {"chain_id": 31337, "reachable": True,
                                           "latest_block": 7}) as server:
        issue_keys(server)
        yield server


@pytest.fixture(scope="module")
def sh(live: Live) -> Iterator[httpx.Client]:
    with live.client("op_sh") as c:
        yield c
