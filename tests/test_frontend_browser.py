"""examples/frontend, the Vite + TypeScript page a frontend developer would write, in headless
Chromium against the mock: it lists sessions, registers, shows "my sessions", and shows the
documented message when the control panel's scenario cookie makes registration refused.

The page (Vite dev server) and the mock listen on two ports of 127.0.0.1: two origins of one
site. The page calls the mock with `credentials: "include"` and the mock's CORS answers with
Allow-Credentials, so the panel's SameSite=Lax `mock_scenario` cookie reaches the API."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from accelevents_mock.contract import catalogue
from tests.browser import REPORTS, launch, needs_chromium
from tests.live import LiveMock, free_port, running_mock
from tests.node import ROOT, npm_tool

pytestmark = needs_chromium


@contextlib.contextmanager
def vite_dev_server(mock_api_url: str, timeout_s: float = 30) -> Iterator[str]:
    """`vite examples/frontend` on a free port, pointed at `mock_api_url`; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VITE_MOCK_URL": mock_api_url}
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            [str(npm_tool("vite")), "examples/frontend", "--port", str(port), "--strictPort"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout_s
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"vite did not start:\n{log.read()}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def live() -> Iterator[LiveMock]:
    with running_mock() as mock:
        yield mock


@pytest.fixture(scope="module")
def frontend(live: LiveMock) -> Iterator[str]:
    with vite_dev_server(f"{live.base_url}/rest") as url:
        yield url


@pytest.fixture
def context(live: LiveMock) -> Iterator[BrowserContext]:
    httpx.post(f"{live.base_url}/__mock/reset", timeout=10).raise_for_status()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser.new_context(viewport={"width": 1200, "height": 900})
        browser.close()


def choose_scenario_in_panel(context: BrowserContext, live: LiveMock, scenario: str) -> None:
    """What a developer does: open the control panel in another tab and pick a scenario."""
    panel = context.new_page()
    panel.goto(f"{live.base_url}/__mock/ui/")
    expect(panel.locator("body[data-ready=true]")).to_have_count(1)
    panel.locator("#scenario-select").select_option(scenario)
    panel.close()


def session_in(page: Page, listing: str, session_id: int):
    return page.locator(f"{listing} li[data-session-id='{session_id}']")


def test_register_then_a_refusal_forced_from_the_panel(context: BrowserContext, live: LiveMock,
                                                       frontend: str) -> None:
    cases = httpx.get(f"{live.base_url}/__mock/world", timeout=10).json()["cases"]
    page = context.new_page()
    page.goto(frontend)
    expect(page.locator("#sessions")).to_have_attribute("aria-busy", "false")

    session_in(page, "#sessions", cases["open_session"]).get_by_role("button", name="Register").click()
    expect(session_in(page, "#my-sessions", cases["open_session"])).to_be_visible()
    expect(page.locator("#message")).to_be_hidden()

    choose_scenario_in_panel(context, live, "capacity-reached")
    refused = cases["upcoming_session"]
    session_in(page, "#sessions", refused).get_by_role("button", name="Register").click()
    capacity = catalogue.lookup("capacity-reached", "registerForSession")
    expect(page.locator("#message")).to_have_text(capacity.message)
    expect(session_in(page, "#my-sessions", refused)).to_have_count(0)
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / "frontend.png"), full_page=True)
