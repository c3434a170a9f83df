"""The verify page over HTTP, without a chain: offline checks, verdicts, escaping, limits."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from api.pages.verify import MAX_BUNDLE_BYTES
from ledger import verdict
from tests.api.live import SH, Live
from tests.pages.conftest import browser


def _bundle(live: Live, batch_no: int) -> dict[str, Any]:
    with live.client("op_sh") as http:
        page = http.get(f"/v1/batches/{SH}").json()["batches"]
        first = next(b for b in page if b["batch_no"] == batch_no)["first_seq"]
    with live.db.snapshot() as s:
        from ledger.store.schema import RecordRow
        rid = s.query(RecordRow.record_id).filter_by(province=SH, seq=first).scalar()
    with live.client("op_sh") as http:
        body: dict[str, Any] = http.get(f"/v1/records/{rid}/evidence").json()
    return body


def _outcomes(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-check="([\w-]+)" data-outcome="([\w-]+)"', html))


def _verdict(html: str) -> str:
    found = re.search(r'data-verdict="([\w-]+)"', html)
    assert found is not None
    return found.group(1)


def test_without_a_chain_only_the_offline_checks_run(live: Live, batches: int) -> None:
    bundle = _bundle(live, 1)
    with browser(live) as http:
        r = http.post("/verify", data={"bundle_text": json.dumps(bundle)})
    assert r.status_code == 200
    assert _verdict(r.text) == "unavailable"
    outcomes = _outcomes(r.text)
    assert [outcomes[c] for c in verdict.OFFLINE] == ["passed"] * 4
    assert {outcomes[c] for c in verdict.CHECKS[4:]} == {"not-run"}
    assert "上海市 (310000)" in r.text and bundle["anchor"]["tx_hash"] in r.text


def test_an_uploaded_file_wins_over_the_box(live: Live, batches: int) -> None:
    bundle = _bundle(live, 1)
    tampered = copy.deepcopy(bundle)
    tampered["record"]["payload"]["step"] = 2
    with browser(live, "en") as http:
        r = http.post("/verify", data={"bundle_text": json.dumps(bundle)},
                      files={"bundle_file": ("b.json", json.dumps(tampered).encode())})
    assert _verdict(r.text) == "altered"
    assert _outcomes(r.text)["record-hash"] == "failed"
    assert "As the bundle states it" in r.text  # claimed facts are marked as unconfirmed


def test_a_bundle_without_anchor_is_not_anchored(live: Live, batches: int) -> None:
    bundle = _bundle(live, 3)  # batch 3's transaction is only submitted
    assert bundle["anchor"] is None
    with browser(live) as http:
        r = http.post("/verify", data={"bundle_text": json.dumps(bundle)})
    assert _verdict(r.text) == "not-anchored"
    assert _outcomes(r.text)["anchored-root"] == "failed"


@pytest.mark.parametrize("text", ["not json", "[]", '{"format": "govtrace.evidence/0"}'])
def test_anything_else_is_malformed(live: Live, text: str) -> None:
    with browser(live) as http:
        r = http.post("/verify", data={"bundle_text": text})
    assert r.status_code == 200 and _verdict(r.text) == "malformed"
    assert _outcomes(r.text)["format"] == "failed"


def test_what_a_bundle_says_is_escaped(live: Live, batches: int) -> None:
    bundle = _bundle(live, 1)
    bundle["record"]["record_id"] = "<script>alert(1)</script>"
    bundle["record"]["actor"]["department"] = '"><img src=x onerror=alert(1)>'
    with browser(live) as http:
        r = http.post("/verify", data={"bundle_text": json.dumps(bundle)})
    assert _verdict(r.text) == "altered"
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_empty_and_oversized_submissions_get_error_pages(live: Live) -> None:
    with browser(live) as http:
        r = http.post("/verify", data={"bundle_text": "  "})
        assert r.status_code == 422 and "请上传证据包文件或粘贴其内容" in r.text
        big = b"{" + b" " * MAX_BUNDLE_BYTES + b"}"
        r = http.post("/verify", files={"bundle_file": ("big.json", big)})
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
