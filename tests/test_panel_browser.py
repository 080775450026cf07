"""The control panel in a real browser: headless Debian Chromium driven by Playwright, against
the mock running as a process. `make test` installs Chromium (see Makefile: browser)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser import REPORTS, launch, needs_chromium
from tests.live import LiveMock, running_mock
from tests.staging import STAGING_TOKEN, staging

SCREENSHOT = REPORTS / "panel.png"
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def live() -> Iterator[LiveMock]:
    with running_mock() as mock:
        yield mock


@contextlib.contextmanager
def panel(base_url: str) -> Iterator[Page]:
    """The panel of the mock at `base_url`, reset and ready, in a fresh browser."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.request.post(f"{base_url}/__mock/reset")
        page.goto(f"{base_url}/__mock/ui/")
        expect(page.locator("body[data-ready=true]")).to_have_count(1)
        yield page
        browser.close()


@pytest.fixture
def page(live: LiveMock) -> Iterator[Page]:
    with panel(live.base_url) as page:
        yield page


def session_row(page: Page, case: str):
    return page.locator("#sessions tbody tr", has=page.locator(f"td:text-is('{case}')"))


def test_switching_a_scenario_makes_the_next_api_call_return_that_error(page: Page) -> None:
    page.locator("#try-token").select_option("attendee-token")
    page.locator("#scenario-select").select_option("capacity-reached")
    page.locator("#try-register").click()
    expect(page.locator("#try-result")).to_have_attribute("data-status", "406")
    expect(page.locator("#try-result")).to_contain_text("Max user registration capacity reached")
    page.locator("#scenario-select").select_option("")
    page.locator("#try-register").click()
    expect(page.locator("#try-result")).to_have_attribute("data-status", "200")


def test_moving_the_clock_makes_a_live_session_show_as_ended(page: Page) -> None:
    phase = session_row(page, "open_session").locator("td.phase")
    expect(phase).to_have_text("live")
    page.locator("button[data-advance='1440']").click()
    expect(phase).to_have_text("ended")


def test_a_request_made_from_the_page_appears_in_the_journal(page: Page) -> None:
    page.locator("#try-list").click()
    row = page.locator("#journal tbody tr[data-operation='listSessions']").first
    expect(row).to_contain_text("200", timeout=5000)
    expect(row).to_contain_text("natural")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_tokens_are_listed_by_role_with_a_copy_button(page: Page) -> None:
    row = page.locator("#tokens tbody tr", has=page.locator("td:text-is('host-token')"))
    expect(row.locator("td").nth(1)).to_have_text("host")
    row.locator("button.copy").click()
    expect(row.locator("button.copy")).to_have_text("copied")


def test_faults_and_reseed_from_the_panel(page: Page, live: LiveMock) -> None:
    page.locator("#fault-select").select_option("500")
    page.locator("#fault-operation").select_option("listSessions")
    page.locator("#faults-apply").click()
    expect(page.locator("#faults-now")).to_contain_text("500 on listSessions")
    page.locator("#try-list").click()
    expect(page.locator("#try-result")).to_have_attribute("data-status", "500")
    page.locator("#fault-select").select_option("")
    page.locator("#faults-apply").click()
    page.locator("#reset-seed").fill("7")
    page.locator("#reset-button").click()
    expect(page.locator("#seed-badge")).to_contain_text("seed 7")


def test_the_panel_lists_the_proxys_violations_live(tmp_path: Path) -> None:
    token_map = tmp_path / "tokens.json"
    token_map.write_text(json.dumps({"attendee-token": STAGING_TOKEN}))
    with staging(defects=True, staging_tokens=True) as target, \
            running_mock("--proxy", target.url, "--proxy-token-map", str(token_map)) as live, \
            panel(live.base_url) as page:
        expect(page.locator("#proxy-now")).to_contain_text("Forwarding every operation")
        broken = {"Authorization": "attendee-token", "X-Plant": "type"}
        session = target.handle.state.world.cases["open_session"]
        url = f"{live.base_url}/rest/events/mock-event/session/v2/{session}"
        assert page.request.get(url, headers=broken).headers["x-mock-violations"] == "1"
        row = page.locator("#violations tbody tr[data-operation='getSession'][data-kind='type']")
        expect(row.locator("td.count")).to_have_text("1")
        page.request.get(url, headers=broken)
        expect(row.locator("td.count")).to_have_text("2")  # live: no reload
        page.request.get(url.replace("v2/", "v2/99999"), headers={**broken, "X-Plant": "echo"})
        expect(page.locator("#violations tbody tr[data-kind='error-message']")).to_have_count(1)
        expect(page.locator("#journal tbody td.violated").first).to_have_text("1")
        assert STAGING_TOKEN not in page.content()
