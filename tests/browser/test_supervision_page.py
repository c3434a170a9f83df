"""Supervisor sign-in and the dashboard in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from ledger.audit_report import CATEGORIES
from tests.browser import kit
from tests.browser.demo_data import Demo

pytestmark = [pytest.mark.browser, pytest.mark.chain, pytest.mark.slow]


def test_dashboard_needs_a_supervisor_key(phone: tuple[BrowserContext, kit.Watch],
                                          demo: Demo) -> None:
    page = phone[0].new_page()
    page.goto("/supervision")
    expect(page).to_have_url(f"{demo.service.url}/supervision/login")
    key = page.get_by_label("API 密钥")
    key.fill("gt_nope_nope")
    key.press("Enter")
    expect(page.locator("#login-error")).to_contain_text("密钥无效或已被吊销")
    page.get_by_label("API 密钥").fill(demo.tokens["op_310000"])  # an operator: refused
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#login-error")).to_contain_text("该密钥的角色不能登录网页")
    kit.assert_page_basics(page)
    kit.shot(page, "login-refused")


def test_supervisor_sees_the_dashboard_and_signs_out(
        desktop: tuple[BrowserContext, kit.Watch], demo: Demo) -> None:
    context = desktop[0]
    page = context.new_page()
    page.goto("/supervision/login")
    page.get_by_label("API 密钥").fill(demo.tokens["supervisor"])
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("监督看板")
    expect(page.locator("main")).to_contain_text("督办处")
    cookie = next(c for c in context.cookies() if c["name"] == "govtrace_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert demo.tokens["supervisor"] not in cookie["value"]

    lag = page.locator("#panel-lag")
    # The demo's provinces and Beijing (the supervision body's audit records).
    expect(lag.locator("#lag-table tbody tr")).to_have_count(len(demo.provinces) + 1)
    expect(lag.locator("svg.chart rect")).to_have_count(len(demo.provinces) + 1)
    expect(page.locator("#panel-alerts")).to_have_attribute("data-available", "yes")
    expect(page.locator("#panel-stats svg.chart")).to_have_count(2)
    audit = page.locator("#panel-audit")
    expect(audit.locator("[data-audit-verdict]")).to_have_attribute("data-audit-verdict",
                                                                      demo.audit["verdict"])
    expect(audit).to_contain_text(demo.audit["audit_id"])
    expect(audit.locator("#audit-counts tbody tr")).to_have_count(len(CATEGORIES))
    kit.assert_page_basics(page)
    kit.shot(page, "dashboard")

    page.get_by_label("省份").select_option("330000")
    page.get_by_role("button", name="应用筛选").click()
    expect(lag.locator("#lag-table tbody tr")).to_have_count(1)
    expect(lag.locator("#lag-table")).to_contain_text("浙江省")

    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(f"{demo.service.url}/supervision/login")
    page.goto("/supervision")
    expect(page).to_have_url(f"{demo.service.url}/supervision/login")


def test_dashboard_lists_the_overdue_cases_the_demo_created(
        desktop: tuple[BrowserContext, kit.Watch], demo: Demo) -> None:
    assert demo.late_cases, "the demo always makes some cases late"
    page = desktop[0].new_page()
    page.goto("/supervision/login")
    page.get_by_label("API 密钥").fill(demo.tokens["supervisor"])
    page.get_by_role("button", name="登录").click()
    alerts = page.locator("#panel-alerts")
    expect(alerts).to_have_attribute("data-available", "yes", timeout=1000)
    for case_no in demo.late_cases:
        expect(alerts).to_contain_text(case_no)
