"""Fixtures for the page tests: one real `govtrace serve` (embedded Anvil) with `govtrace
demo`'s data for the whole session (demo_data.py), one Chromium, and a fresh browser context
per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.browser import kit
from tests.browser.demo_data import Demo, seed
from tests.e2e.service import Service


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with Service(tmp_path_factory.mktemp("pages")) as service:
        demo = Demo(service)
        seed(demo)
        yield demo


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = kit.launch(playwright)
    yield browser
    browser.close()


def _context(browser: Browser, demo: Demo, viewport: dict[str, int]
             ) -> Iterator[tuple[BrowserContext, kit.Watch]]:
    watch = kit.Watch()
    context = kit.new_context(browser, demo.service.url, viewport, watch)
    yield context, watch
    context.close()
    assert watch.foreign_requests == [], "pages must load nothing from elsewhere"
    assert watch.csp_violations == []


@pytest.fixture
def phone(browser: Browser, demo: Demo) -> Iterator[tuple[BrowserContext, kit.Watch]]:
    yield from _context(browser, demo, kit.PHONE)


@pytest.fixture
def desktop(browser: Browser, demo: Demo) -> Iterator[tuple[BrowserContext, kit.Watch]]:
    yield from _context(browser, demo, kit.DESKTOP)
