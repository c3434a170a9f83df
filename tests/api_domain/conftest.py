"""One live server per test module (real uvicorn, real SQLite file), with every role's key
and the sample catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.live import Live, live_server
from tests.api_domain.kit import setup


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("govtrace-domain"),
                     public_query_per_case=1000, public_query_per_ip=10_000,
                     sqlite_synchronous="NORMAL") as server:
        setup(server)
        yield server
