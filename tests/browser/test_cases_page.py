"""The citizen's case progress page on a phone: the right steps, anchored badges, evidence
downloads that verify, and a wrong code that looks exactly like an unknown case."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from api.pages.catalog import MESSAGES
from ledger import casesteps
from ledger.province import PROVINCES
from tests.browser import kit
from tests.browser.demo_data import Demo

pytestmark = [pytest.mark.browser, pytest.mark.chain, pytest.mark.slow]


def _look_up(page: Page, case_no: str, code: str) -> None:
    page.goto("/cases")
    page.get_by_label("办件编号").fill(case_no)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()


def test_citizen_sees_the_timeline_of_their_case(phone: tuple[BrowserContext, kit.Watch],
                                                 demo: Demo) -> None:
    page = phone[0].new_page()
    _look_up(page, demo.case_no, demo.query_code.lower())  # codes are case-insensitive
    expect(page.locator("h1")).to_have_text("办件进度查询")
    state = demo.public["state"]
    expect(page.locator("#case-state")).to_have_text(casesteps.STATES[state])
    due = demo.public["deadline"]["due_date"]
    if due:
        expect(page.locator("#case-due")).to_have_text(due)
    steps = page.locator("#timeline > li")
    expect(steps).to_have_count(len(demo.case_steps))
    for i, (step, province, department) in enumerate(demo.case_steps):
        item = steps.nth(i)
        expect(item).to_have_attribute("data-step", step)
        expect(item.locator("h3")).to_have_text(casesteps.STEPS[step][0])
        expect(item).to_contain_text(f"{PROVINCES[province][0]} ({province})")
        expect(item).to_contain_text(department)
        expect(item).to_contain_text("已上链")
    # Nothing about the applicant or the officers: no officer id, no identity number.
    html = page.content()
    assert not re.search(r"\b\d{17}[\dX]\b", html)
    assert demo.query_code not in page.url
    kit.assert_page_basics(page)
    kit.shot(page, "case-timeline")

    with page.expect_download() as info:
        steps.nth(2).get_by_role("button").click()
    bundle = json.loads(info.value.path().read_text(encoding="utf-8"))
    assert bundle["record"]["kind"] == f"case.{demo.case_steps[2][0]}"
    assert bundle["record"]["subject"]["id"] == demo.case_no
    assert bundle["anchor"] is not None

    # The downloaded bundle verifies on the verify page.
    page.goto("/verify")
    page.get_by_label("上传证据包文件").set_input_files(info.value.path())
    page.get_by_role("button", name="核验").click()
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "authentic")


def test_wrong_code_and_unknown_case_look_the_same(phone: tuple[BrowserContext, kit.Watch],
                                                   demo: Demo) -> None:
    page = phone[0].new_page()
    answers = []
    for case_no, code in [(demo.case_no, "AAAA-BBBB-CCCC"), (demo.case_no + "9",
                                                             demo.query_code)]:
        with page.expect_response(lambda r: r.request.method == "POST") as response:
            _look_up(page, case_no, code)
        answers.append((response.value.status, page.locator("#case-error").inner_text()))
    assert answers[0] == answers[1] == (404, "办件编号或查询码不正确。请核对后重试。")
    kit.assert_page_basics(page)
    kit.shot(page, "case-not-found")


def test_case_page_in_english(desktop: tuple[BrowserContext, kit.Watch], demo: Demo) -> None:
    page = desktop[0].new_page()
    page.goto("/cases?lang=en")
    page.get_by_label("Case number").fill(demo.case_no)
    page.get_by_label("Query code").fill(demo.query_code)
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#case-state")).to_have_text(
        MESSAGES[f"state.{demo.public['state']}"][1])
    expect(page.locator("#timeline h3").first).to_have_text("Application")
    expect(page.locator("#timeline > li").first).to_contain_text("Anchored on chain")
    kit.assert_page_basics(page)
    kit.shot(page, "case-timeline-en")
