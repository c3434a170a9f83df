"""The citizen's bundle download when an insider deleted a record of the step's sealed batch:
an HTML error page (500, in the page's language), never a traceback nor "not sealed yet"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from ledger import ingest, sealing
from ledger.batch import SealPolicy
from ledger.draft import RecordDraft
from tests.api.live import SH, Live, issue_keys, live_server, record
from tests.pages.conftest import browser
from tests.pages.test_case_pages import submit_case


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("inconsistent")) as server:
        issue_keys(server)
        yield server


@pytest.fixture(scope="module")
def case(live: Live) -> tuple[str, str]:
    """A case whose `submitted` step is sealed with three other records of its province,
    the last of which is then deleted with raw SQL."""
    submitted = submit_case(live)
    others = ingest.append(live.db, [RecordDraft.from_json(record(SH, record_id=str(
        uuid.uuid4()))) for _ in range(3)])
    (batch,) = sealing.seal_due(live.db, SealPolicy(), force=True)
    assert batch.contains(others[-1].record.seq)
    with live.db.transaction() as s:
        s.execute(text("DELETE FROM record WHERE province = :p AND seq = :seq"),
                  {"p": SH, "seq": others[-1].record.seq})
    return submitted


@pytest.mark.parametrize(("lang", "message"), [
    ("zh-CN", "账本存储的数据不完整"), ("en", "stored data is incomplete, so no evidence")])
def test_bundle_download_shows_an_error_page(live: Live, case: tuple[str, str], lang: str,
                                             message: str) -> None:
    case_no, code = case
    with browser(live, lang) as http:
        r = http.post("/cases/evidence", data={"case_no": case_no, "query_code": code,
                                               "step": "0"})
        assert r.status_code == 500
        assert r.headers["content-type"].startswith("text/html")
        assert message in r.text and "Traceback" not in r.text
        assert "content-disposition" not in r.headers
        # The progress page itself needs no proof and still shows the case.
        progress = http.post("/cases", data={"case_no": case_no, "query_code": code})
        assert progress.status_code == 200 and 'data-step="submitted"' in progress.text
