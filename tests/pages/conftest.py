"""Page tests over HTTP (no browser): a live app on a real SQLite file, with sealed and
anchored batches written straight into the ledger (no chain: the verify page then runs the
offline checks only)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from ledger import anchoring, ingest, sealing
from ledger.batch import SealPolicy
from ledger.draft import RecordDraft
from tests.api.live import SH, Live, issue_keys, live_server, record


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("pages")) as server:
        issue_keys(server)
        yield server


@pytest.fixture(scope="module")
def batches(live: Live) -> int:
    """Three sealed batches of Shanghai: 1 and 2 anchored (final), 3 submitted."""
    for _ in range(3):
        drafts = [RecordDraft.from_json(record(SH, record_id=str(uuid.uuid4())))
                  for _ in range(4)]
        ingest.append(live.db, drafts)
        sealing.seal_due(live.db, SealPolicy(), force=True)
    for b in anchoring.unanchored(live.db):
        tx = "0x" + f"{b.batch_no:064x}"
        if b.batch_no < 3:
            anchoring.record_confirmed(live.db, b, chain_id=31337, contract="0x" + "ab" * 20,
                                       tx_hash=tx, block_number=10 + b.batch_no,
                                       block_hash="0x" + "00" * 32, gas_used=1)
        else:
            anchoring.record_submitted(live.db, b, chain_id=31337,
                                       contract="0x" + "ab" * 20, tx_hash=tx)
    return 3


def browser(live: Live, lang: str = "zh-CN") -> httpx.Client:
    return httpx.Client(base_url=live.url, timeout=30, headers={"Accept-Language": lang})


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)
