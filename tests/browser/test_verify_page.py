"""The verify page in a real browser: an authentic bundle, tampered bundles, keyboard only."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from ledger.province import PROVINCES
from tests.browser import kit
from tests.browser.demo_data import Demo

pytestmark = [pytest.mark.browser, pytest.mark.chain, pytest.mark.slow]
CHECKS = ("format", "record-hash", "position", "merkle-proof", "chain-id", "contract",
          "anchored-root", "confirmations")


def _outcomes(page: object) -> dict[str, str]:
    items = page.locator("ol.checks li")  # type: ignore[attr-defined]
    return {items.nth(i).get_attribute("data-check"): items.nth(i).get_attribute("data-outcome")
            for i in range(items.count())}


def test_uploaded_authentic_bundle_passes_every_check(
        phone: tuple[BrowserContext, kit.Watch], demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(demo.bundle, ensure_ascii=False), encoding="utf-8")
    page = phone[0].new_page()
    page.goto("/verify")
    page.get_by_label("上传证据包文件").set_input_files(str(path))
    page.get_by_role("button", name="核验").click()
    verdict = page.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "authentic")
    expect(verdict).to_contain_text("真实")
    code = demo.bundle["batch"]["province"]
    expect(page.locator("#fact-province")).to_have_text(f"{PROVINCES[code][0]} ({code})")
    expect(page.locator("#fact-tx")).to_have_text(demo.bundle["anchor"]["tx_hash"])
    expect(page.locator("#fact-block")).to_have_text(str(demo.bundle["anchor"]["block_number"]))
    assert _outcomes(page) == dict.fromkeys(CHECKS, "passed")
    kit.assert_page_basics(page)
    kit.shot(page, "verify-authentic")


def test_pasted_tampered_bundle_is_shown_as_altered(
        phone: tuple[BrowserContext, kit.Watch], demo: Demo) -> None:
    tampered = copy.deepcopy(demo.bundle)
    tampered["record"]["payload"]["number"] = "91330106MA2KXY7Q3X"  # a forged licence number
    page = phone[0].new_page()
    page.goto("/verify")
    page.get_by_label("粘贴证据包内容").fill(json.dumps(tampered, ensure_ascii=False))
    page.get_by_role("button", name="核验").click()
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "altered")
    expect(page.locator("[data-verdict]")).to_contain_text("已被篡改")
    outcomes = _outcomes(page)
    assert outcomes["format"] == "passed" and outcomes["record-hash"] == "failed"
    assert {outcomes[c] for c in CHECKS[2:]} == {"not-run"}
    kit.assert_page_basics(page)
    kit.shot(page, "verify-altered")


def test_moved_root_fails_the_merkle_proof(desktop: tuple[BrowserContext, kit.Watch],
                                           demo: Demo) -> None:
    tampered = copy.deepcopy(demo.bundle)
    root = tampered["batch"]["root"]
    tampered["batch"]["root"] = root[:-1] + ("0" if root[-1] != "0" else "1")
    page = desktop[0].new_page()
    page.goto("/verify?lang=en")
    page.get_by_label("Paste the bundle").fill(json.dumps(tampered))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("[data-verdict]")).to_contain_text("Altered")
    assert _outcomes(page)["merkle-proof"] == "failed"
    expect(page.locator('li[data-check="merkle-proof"]')).to_contain_text(
        "The Merkle proof fails")
    kit.assert_page_basics(page)
    kit.shot(page, "verify-altered-en")


def test_verify_by_keyboard_alone(desktop: tuple[BrowserContext, kit.Watch],
                                  demo: Demo) -> None:
    page = desktop[0].new_page()
    page.goto("/verify")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    # Focus is visible: the focused element draws an outline.
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")  # skip to the main content
    page.locator("#bundle_text").focus()
    page.keyboard.insert_text(json.dumps(demo.bundle))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="核验")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "authentic")


def test_partner_checks_licenses_by_identifier(desktop: tuple[BrowserContext, kit.Watch],
                                               demo: Demo) -> None:
    page = desktop[0].new_page()
    page.goto("/verify")
    page.locator("#license-sign-in").get_by_role("link").click()
    page.get_by_label("API 密钥").fill(demo.tokens["partner"])
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{demo.service.url}/verify")  # back where the clerk started
    for license_id, verdict, status in [(demo.license_with("valid"), "authentic", "有效"),
                                        (demo.license_with("revoked"), "revoked", "已撤销"),
                                        ("CN-BL-000000-nothing", "unknown", None)]:
        page.locator("#license_id").fill(license_id)
        page.get_by_role("button", name="查询证照").click()
        expect(page.locator("[data-license-verdict]")).to_have_attribute(
            "data-license-verdict", verdict)
        if status:
            expect(page.locator("#license-status")).to_have_text(status)
        if verdict == "revoked":
            kit.assert_page_basics(page)
            kit.shot(page, "verify-license-revoked")
    expect(page.locator("#staff")).to_contain_text("JS counter 3")
