"""The public ledger explorer over HTTP."""

from __future__ import annotations

import re

from ledger import explorer
from tests.api.live import SH, Live
from tests.pages.conftest import browser


def test_index_counts_batches_by_status(live: Live, batches: int) -> None:
    with browser(live) as http:
        html = http.get("/explorer").text
    row = re.search(r'<a href="/explorer/310000">上海市 \(310000\)</a>(.*?)</tr>', html, re.S)
    assert row is not None
    numbers = re.findall(r'class="num"[^>]*>([^<]*)<', row.group(1))
    assert numbers == [str(batches), "12", "2", "1", "0", "12"]


def test_province_page_shows_each_batch_with_its_anchor(live: Live, batches: int) -> None:
    with browser(live, "en") as http:
        html = http.get("/explorer/310000").text
    assert "Batches 1–3 of 3 (newest first)" in html
    statuses = re.findall(r'<tr id="batch-(\d+)" data-status="(\w+)">', html)
    assert statuses == [("3", "anchoring"), ("2", "final"), ("1", "final")]
    assert "0x" + f"{2:064x}" in html  # the tx hash of batch 2
    assert ">12<" in html  # its block


def test_window_pages_newest_first(live: Live, batches: int) -> None:
    with live.db.snapshot() as s:
        newest = explorer.window(s, SH, after=None, limit=2)
        older = explorer.window(s, SH, after=newest.older_after, limit=2)
    assert [b.batch_no for b, _ in newest.rows] == [3, 2]
    assert newest.older_after == 0 and newest.newer_after is None
    assert [b.batch_no for b, _ in older.rows] == [2, 1]
    assert older.newer_after == 2 and older.older_after is None
