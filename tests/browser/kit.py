"""Test kit for the page tests: Debian's Chromium under Playwright, screenshots as artefacts,
and the checks every page must pass (no sideways scrolling on a phone, readable contrast, no
request leaving this machine, no Content-Security-Policy violation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

#: For every visible element with its own text: the contrast of its colour against the first
#: opaque background behind it (WCAG 2 relative luminance). Large text needs 3:1, other 4.5:1.
CONTRAST_JS = """() => {
  const lum = (c) => { const [r, g, b] = c.map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const rgba = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const bg = (el) => { for (; el; el = el.parentElement) {
    const c = rgba(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3); }
    return [255, 255, 255]; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const st = getComputedStyle(el); const box = el.getBoundingClientRect();
    if (!own || st.visibility === 'hidden' || st.display === 'none' || box.width < 2 ||
        box.right < 0 || box.bottom < 0) continue;
    const fg = rgba(st.color).slice(0, 3); const b = bg(el);
    const [hi, lo] = [lum(fg), lum(b)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(st.fontSize); const bold = parseInt(st.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const text = el.textContent.trim().slice(0, 30);
    if (ratio < need) bad.push(`${el.tagName} "${text}" ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


@dataclass
class Watch:
    """What a browser context did that a page must never do."""

    foreign_requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)


def launch(playwright: Any) -> Browser:
    assert CHROMIUM.exists(), "Chromium is missing: run scripts/browser.sh"
    browser: Browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    return browser


def new_context(browser: Browser, base_url: str, viewport: dict[str, int],
                watch: Watch, **options: Any) -> BrowserContext:
    # A browser set to Chinese, as a citizen's phone is; tests switch to English explicitly.
    options.setdefault("locale", "zh-CN")
    context = browser.new_context(base_url=base_url, viewport=viewport, **options)

    def on_request(request: Any) -> None:
        url = str(request.url)
        if not (url.startswith(base_url) or url.startswith("data:")):
            watch.foreign_requests.append(url)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in str(message.text):
            watch.csp_violations.append(str(message.text))

    context.on("request", on_request)
    context.on("console", on_console)
    context.on("page", lambda page: page.on("console", on_console))
    return context


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot, test-artifacts/browser/<name>-<width>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_page_basics(page: Page) -> None:
    """No sideways scrolling, every text readable, a language, one h1, a main landmark, and
    every form control labelled."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"] if page.viewport_size else 0
    assert width <= viewport, f"page is {width}px wide in a {viewport}px viewport"
    assert page.evaluate(CONTRAST_JS) == []
    assert page.get_attribute("html", "lang") in ("zh-CN", "en")
    assert page.locator("h1").count() == 1
    assert page.locator("main#main").count() == 1
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')].filter(el => !el.labels ||
        el.labels.length === 0).map(el => el.name)""")
    assert unlabelled == []
