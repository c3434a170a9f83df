"""The ledger explorer in a real browser: the demo's anchored batches, phone and desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from ledger.province import PROVINCES
from tests.browser import kit
from tests.browser.demo_data import Demo

pytestmark = [pytest.mark.browser, pytest.mark.chain, pytest.mark.slow]


def _name(code: int, lang: int = 0) -> str:
    return f"{PROVINCES[code][lang]} ({code})"


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_explorer_lists_the_anchored_batches(request: pytest.FixtureRequest, demo: Demo,
                                             device: str) -> None:
    context: BrowserContext = request.getfixturevalue(device)[0]
    page = context.new_page()
    page.goto("/explorer")
    expect(page.locator("h1")).to_have_text("账本浏览")
    table = page.locator("#provinces")
    # The demo's provinces, and Beijing, where the supervision body records its audits.
    for code in [*demo.provinces, 110000]:
        expect(table.get_by_role("link", name=_name(code))).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(len(demo.provinces) + 1)
    kit.assert_page_basics(page)
    kit.shot(page, "explorer-index")

    batch, anchor = demo.bundle["batch"], demo.bundle["anchor"]
    table.get_by_role("link", name=_name(batch["province"])).click()
    expect(page).to_have_url(f"{demo.service.url}/explorer/{batch['province']}")
    row = page.locator(f"#batch-{batch['batch_no']}")
    expect(row).to_have_attribute("data-status", "final")
    expect(row).to_contain_text("已确认")
    expect(row).to_contain_text(batch["root"])
    expect(row).to_contain_text(anchor["tx_hash"])
    expect(row).to_contain_text(str(anchor["block_number"]))
    kit.assert_page_basics(page)
    kit.shot(page, "explorer-province")


def test_explorer_in_english_after_the_switch(desktop: tuple[BrowserContext, kit.Watch],
                                              demo: Demo) -> None:
    page = desktop[0].new_page()
    page.goto("/explorer")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Ledger explorer")
    # The choice is remembered: the next page is English without asking again.
    code = demo.bundle["batch"]["province"]
    page.get_by_role("link", name=_name(code, 1)).click()
    expect(page.locator("h1")).to_have_text(f"Batches of {_name(code, 1)}")
    expect(page.locator(f"#batch-{demo.bundle['batch']['batch_no']}")).to_contain_text("Final")
